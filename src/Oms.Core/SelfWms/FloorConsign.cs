using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Fulfillment;

namespace Oms.SelfWms;

/// <summary>
/// The floor's consign front-ends (发货: 逐单, 分组, 批量). The effects are <see cref="ConsignService"/>'s (source
/// <see cref="ConsignSource.Floor"/>: ready, <c>print.required</c>, <c>verify.required</c>, a waybill number); this class
/// only finds the deliveries, enters a new waybill number through <see cref="PrintService.SetLogiNoAsync"/> (unique) and
/// opens the transaction.
/// </summary>
public sealed class FloorConsign(OmsDbContext db, ConsignService consign, PrintService print)
{
    /// <summary>逐单发货: one delivery; <paramref name="logiNo"/> when the delivery has none yet (or to correct it).</summary>
    public Task<ConsignResult> ConsignAsync(long deliveryId, string? logiNo, decimal? weight, string actor, CancellationToken ct = default) =>
        FloorDeliveries.InTransactionAsync(db, async () =>
        {
            if (!string.IsNullOrWhiteSpace(logiNo)) await print.SetLogiNoAsync(deliveryId, logiNo, actor, ct).ConfigureAwait(false);
            return await consign.ConsignAsync(deliveryId, new ConsignInput(null, null, weight), ConsignSource.Floor, actor, ct).ConfigureAwait(false);
        }, ct);

    /// <summary>逐单发货 by the number on the parcel (delivery_bn or waybill).</summary>
    public async Task<ConsignResult> ConsignAsync(string code, string actor, CancellationToken ct = default)
    {
        var d = await FloorDeliveries.FindOrThrowAsync(db, code ?? "", ct).ConfigureAwait(false);
        return await ConsignAsync(d.Id, null, null, actor, ct).ConfigureAwait(false);
    }

    /// <summary>分组发货: every delivery of a print batch not shipped yet; a refused one is reported, the others ship.</summary>
    public Task<IReadOnlyList<ConsignOutcome>> ConsignBatchAsync(long batchId, string actor, CancellationToken ct = default) =>
        FloorDeliveries.InTransactionAsync(db, async () =>
        {
            if (!await db.Set<PrintBatch>().AnyAsync(b => b.Id == batchId, ct).ConfigureAwait(false))
                throw new DomainException($"打印批次 #{batchId} 不存在");
            var ids = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => x.BatchId == batchId).OrderBy(x => x.Position)
                .Join(db.Set<Delivery>(), x => x.DeliveryId, d => d.Id, (x, d) => new { d.Id, d.Status })
                .Where(x => x.Status == DeliveryStatus.Ready || x.Status == DeliveryStatus.Pause)
                .Select(x => x.Id).ToListAsync(ct).ConfigureAwait(false);
            return await consign.ConsignBatchAsync(ids.Select(id => (id, new ConsignInput(null))).ToList(), ConsignSource.Floor, actor, ct).ConfigureAwait(false);
        }, ct);
}
