using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;

namespace Oms.SelfWms;

/// <summary>A delivery at the scan station: its lines with scanned / needed counts.</summary>
public sealed record VerifyState(Delivery Delivery, IReadOnlyList<ScanLine> Lines)
{
    public int Scanned => Lines.Sum(l => l.VerifyNum);
    public int Total => Lines.Sum(l => l.Number);
    public bool Complete => Delivery.ProcessStatus >= DeliveryProcess.Verified || Lines.All(l => l.Done);
}

/// <summary>One delivery of a group or batch verification (or consign) and what became of it.</summary>
public sealed record FloorOutcome(long? DeliveryId, string Code, bool Ok, string? Error);

/// <summary>
/// 校验 (DOMAIN.md §4): a delivery found by delivery_bn or waybill number, then each item's barcode (the basic material's
/// <c>material_code</c>, or its bn) adds 1 to its line's <c>verify_num</c>; a line is verified at <c>verify_num = number</c>
/// and the delivery (<c>process_status</c> = verified) when every line is. Whole-delivery verification (整单校验), group
/// verification of a print batch (分组校验) and the background batch verification (task <c>autochk</c>) verify every
/// line at once. Refusals — unknown barcode, too many, a delivery cancelled / paused / shipped / of a third-party
/// warehouse / already verified, or not printed as <c>print.required</c> demands — change nothing.
/// </summary>
public sealed class VerifyService(OmsDbContext db, SettingsService settings, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The delivery behind a scanned waybill / delivery number, refused when it cannot be verified now.</summary>
    public async Task<VerifyState> OpenAsync(string code, CancellationToken ct = default)
    {
        var d = await FloorDeliveries.FindOrThrowAsync(db, code ?? "", ct).ConfigureAwait(false);
        await CheckAsync(d, await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        return new VerifyState(d, await FloorDeliveries.LinesAsync(db, d.Id, ct).ConfigureAwait(false));
    }

    /// <summary>Where a delivery stands (no checks): for redisplay.</summary>
    public async Task<VerifyState> StateAsync(long deliveryId, CancellationToken ct = default)
    {
        var d = await db.Set<Delivery>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == deliveryId, ct).ConfigureAwait(false)
                ?? throw new DomainException($"发货单 #{deliveryId} 不存在");
        return new VerifyState(d, await FloorDeliveries.LinesAsync(db, d.Id, ct).ConfigureAwait(false));
    }

    /// <summary>逐单校验: one scan of one barcode.</summary>
    public Task<VerifyState> ScanAsync(long deliveryId, string barcode, string actor, CancellationToken ct = default) =>
        ScanAsync(deliveryId, [(barcode, 1)], actor, ct);

    /// <summary>
    /// Several scans at once (<c>barcode:num;…</c> from a handheld): all of them or none — a wrong barcode
    /// (<see cref="ValidationException"/> on <c>barcodes</c>, naming it) or one count too many refuses the whole call.
    /// </summary>
    public Task<VerifyState> ScanAsync(long deliveryId, IReadOnlyList<(string Barcode, int Num)> scans, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scans);
        return FloorDeliveries.InTransactionAsync(db, async () =>
        {
            if (scans.Count == 0) throw new ValidationException("barcodes", "请扫描货品条码");
            if (scans.Any(s => s.Num <= 0)) throw new ValidationException("barcodes", "数量必须大于 0");
            var d = await FloorDeliveries.LockAsync(db, deliveryId, ct).ConfigureAwait(false);
            await CheckAsync(d, await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            var lines = await FloorDeliveries.LinesAsync(db, d.Id, ct).ConfigureAwait(false);
            var add = new Dictionary<long, int>();
            foreach (var (raw, num) in scans)
            {
                var code = (raw ?? "").Trim();
                var line = lines.FirstOrDefault(l => !string.IsNullOrEmpty(l.Barcode) && l.Barcode == code) ?? lines.FirstOrDefault(l => l.Matches(code))
                           ?? throw new ValidationException("barcodes", $"条码 {code} 不是发货单 {d.DeliveryBn} 的货品");
                add[line.ItemId] = checked(add.GetValueOrDefault(line.ItemId) + num);
            }
            foreach (var (itemId, n) in add)
            {
                var l = lines.First(x => x.ItemId == itemId);
                if (l.VerifyNum + n > l.Number)
                    throw new DomainException(l.VerifyNum >= l.Number
                        ? $"货品 {l.Bn} 已校验 {l.Number} 件，多扫了"
                        : $"货品 {l.Bn} 只需 {l.Number} 件，已校验 {l.VerifyNum} 件，不能再校验 {n} 件");
            }
            foreach (var (itemId, n) in add) d.Items.First(i => i.Id == itemId).VerifyNum += n;
            Finish(d);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return new VerifyState(d, await FloorDeliveries.LinesAsync(db, d.Id, ct).ConfigureAwait(false));
        }, ct);
    }

    /// <summary>整单校验: every line verified at once.</summary>
    public Task<VerifyState> VerifyAllAsync(long deliveryId, string actor, CancellationToken ct = default) =>
        FloorDeliveries.InTransactionAsync(db, async () =>
        {
            var d = await FloorDeliveries.LockAsync(db, deliveryId, ct).ConfigureAwait(false);
            await CheckAsync(d, await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            foreach (var i in d.Items) i.VerifyNum = i.Number;
            Finish(d);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return new VerifyState(d, await FloorDeliveries.LinesAsync(db, d.Id, ct).ConfigureAwait(false));
        }, ct);

    /// <summary>整单校验 by the number on the parcel (delivery_bn or waybill).</summary>
    public async Task<VerifyState> VerifyAllAsync(string code, string actor, CancellationToken ct = default)
    {
        var d = await FloorDeliveries.FindOrThrowAsync(db, code ?? "", ct).ConfigureAwait(false);
        return await VerifyAllAsync(d.Id, actor, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// 分组校验: every delivery of a print batch that is not verified yet, each on its own — a refused one (cancelled,
    /// not printed, …) is named in the outcome and the others are verified.
    /// </summary>
    public Task<IReadOnlyList<FloorOutcome>> VerifyBatchAsync(long batchId, string actor, CancellationToken ct = default) =>
        FloorDeliveries.InTransactionAsync<IReadOnlyList<FloorOutcome>>(db, async () =>
        {
            if (!await db.Set<PrintBatch>().AnyAsync(b => b.Id == batchId, ct).ConfigureAwait(false))
                throw new DomainException($"打印批次 #{batchId} 不存在");
            var members = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => x.BatchId == batchId).OrderBy(x => x.Position)
                .Join(db.Set<Delivery>(), x => x.DeliveryId, d => d.Id, (x, d) => new { d.Id, d.DeliveryBn, d.ProcessStatus, d.Status })
                .ToListAsync(ct).ConfigureAwait(false);
            var outcomes = new List<FloorOutcome>();
            foreach (var m in members)
            {
                if (m.Status == DeliveryStatus.Shipped || (m.Status == DeliveryStatus.Ready && m.ProcessStatus >= DeliveryProcess.Verified)) continue;
                try
                {
                    await VerifyAllAsync(m.Id, actor, ct).ConfigureAwait(false);
                    outcomes.Add(new FloorOutcome(m.Id, m.DeliveryBn, true, null));
                }
                catch (DomainException e)
                {
                    outcomes.Add(new FloorOutcome(m.Id, m.DeliveryBn, false, e.Message));
                }
            }
            return outcomes;
        }, ct);

    private async Task CheckAsync(Delivery d, FloorSettings floor, CancellationToken ct)
    {
        await FloorDeliveries.CheckWorkableAsync(db, d, "校验", ct).ConfigureAwait(false);
        if (d.ProcessStatus >= DeliveryProcess.Verified) throw new DomainException($"发货单 {d.DeliveryBn} 已校验完成");
        if (!floor.PrintedEnough(d.PrintStatus))
            throw new DomainException($"发货单 {d.DeliveryBn} 还没有打印{PrintDocs.Names(floor.PrintRequired & ~d.PrintStatus)}，不能校验");
    }

    private void Finish(Delivery d)
    {
        if (d.Items.All(i => i.VerifyNum == i.Number)) d.ProcessStatus = DeliveryProcess.Verified;
        d.UpdatedAt = Now;
    }
}
