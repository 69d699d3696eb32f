using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;

namespace Oms.SelfWms;

/// <summary>What a print command did: the deliveries it marked, and those it left because they cannot be printed now.</summary>
public sealed record PrintOutcome(IReadOnlyList<Delivery> Printed, IReadOnlyList<string> Skipped);

/// <summary>
/// 单据打印 (DOMAIN.md §4): print batches numbered <c>operatorId-yMMdd-seq_pos</c>, the <c>print_status</c> bits
/// (1 备货单, 2 发货单, 4 快递单) and <c>process_status</c> = printed once every document of <c>print.required</c> is
/// printed; waybill numbers entered at waybill printing. Each command runs in the caller's transaction (or its own),
/// locks the deliveries' orders and checks before it writes.
/// </summary>
public sealed class PrintService(OmsDbContext db, SettingsService settings, TimeProvider clock)
{
    /// <summary>Positions are two digits (<c>_01</c> … <c>_99</c>).</summary>
    public const int MaxBatchSize = 99;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The batch number <c>1-41124-0003</c>: operator id, last digit of the year + month + day, 4-digit sequence.</summary>
    public static string BatchNo(long operatorId, DateTime chinaDate, int seq) =>
        string.Create(CultureInfo.InvariantCulture, $"{operatorId}-{chinaDate.Year % 10}{chinaDate.Month:D2}{chinaDate.Day:D2}-{seq:D4}");

    /// <summary>A delivery's code in its batch: <c>1-41124-0003_01</c>.</summary>
    public static string ItemCode(string batchNo, int position) => string.Create(CultureInfo.InvariantCulture, $"{batchNo}_{position:D2}");

    /// <summary>单品: one material, one piece; everything else is 多品.</summary>
    public static bool IsSingle(int skuNum, int itemNum) => skuNum == 1 && itemNum == 1;

    /// <summary>
    /// A new print batch of open own-warehouse deliveries of one branch, none of them in a batch yet. In single mode only
    /// 单品 deliveries, sorted by material so the picker walks each shelf once; in multi mode only 多品 ones.
    /// </summary>
    public Task<PrintBatch> CreateBatchAsync(IReadOnlyList<long> deliveryIds, PrintMode mode, long operatorId, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        return FloorDeliveries.InTransactionAsync(db, async () =>
        {
            var ids = deliveryIds.Distinct().ToList();
            if (ids.Count == 0) throw new DomainException("请选择要打印的发货单");
            if (ids.Count > MaxBatchSize) throw new DomainException($"一个打印批次最多 {MaxBatchSize} 张发货单，选了 {ids.Count} 张");
            if (operatorId < 0) throw new ValidationException("operator", "operator id must not be negative");
            var deliveries = await db.Set<Delivery>().AsNoTracking().Include(d => d.Items).Where(d => ids.Contains(d.Id)).ToListAsync(ct).ConfigureAwait(false);
            var missing = ids.FirstOrDefault(id => deliveries.All(d => d.Id != id));
            if (missing != 0) throw new DomainException($"发货单 #{missing} 不存在");
            foreach (var d in deliveries)
            {
                await FloorDeliveries.CheckWorkableAsync(db, d, "打印", ct).ConfigureAwait(false);
                if (mode == PrintMode.Single && !IsSingle(d.SkuNum, d.ItemNum)) throw new DomainException($"发货单 {d.DeliveryBn} 不是单品发货单，不能单品打印");
                if (mode == PrintMode.Multi && IsSingle(d.SkuNum, d.ItemNum)) throw new DomainException($"发货单 {d.DeliveryBn} 是单品发货单，不能多品打印");
            }
            if (deliveries.Select(d => d.BranchId).Distinct().Count() > 1) throw new DomainException("一个打印批次只能包含同一仓库的发货单");
            var taken = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId)).Select(x => new { x.DeliveryId, x.Code })
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (taken is not null)
                throw new DomainException($"发货单 {deliveries.First(d => d.Id == taken.DeliveryId).DeliveryBn} 已在打印批次 {taken.Code} 中，请在该批次重打");

            var ordered = mode == PrintMode.Single
                ? deliveries.OrderBy(d => d.Items.Select(i => i.Bn).Min(StringComparer.Ordinal), StringComparer.Ordinal).ThenBy(d => d.Id).ToList()
                : deliveries.OrderBy(d => d.Id).ToList();

            // one sequence per operator and China day: serialized by an advisory lock on PostgreSQL (SQLite has one writer)
            var now = Now;
            var china = now.Add(ChinaTime.Offset);
            var day = china.Year * 10000 + china.Month * 100 + china.Day;
            if (db.Database.IsNpgsql())
            {
                var key = OrderLocks.Key(-1, "print_batch:" + operatorId.ToString(CultureInfo.InvariantCulture));
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct).ConfigureAwait(false);
            }
            var seq = 1 + (await db.Set<PrintBatch>().Where(b => b.OperatorId == operatorId && b.Day == day).MaxAsync(b => (int?)b.Seq, ct).ConfigureAwait(false) ?? 0);
            var batchNo = BatchNo(operatorId, china, seq);
            var batch = new PrintBatch
            {
                BatchNo = batchNo, OperatorId = operatorId, Day = day, Seq = seq, Mode = mode, BranchId = deliveries[0].BranchId,
                CreatedBy = actor, CreatedAt = now, UpdatedAt = now,
                Items = ordered.Select((d, i) => new PrintBatchItem { DeliveryId = d.Id, Position = i + 1, Code = ItemCode(batchNo, i + 1) }).ToList(),
            };
            db.Add(batch);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return batch;
        }, ct);
    }

    /// <summary>
    /// Marks <paramref name="doc"/> printed on each delivery (<c>print_status |= bit</c>); a delivery whose required documents
    /// are now all printed becomes <c>printed</c>. At waybill printing, <paramref name="logiNos"/> sets waybill numbers
    /// first. Refused as a whole (nothing written) when any delivery cannot be printed.
    /// </summary>
    public Task<PrintOutcome> PrintAsync(IReadOnlyList<long> deliveryIds, PrintDoc doc, string actor,
        IReadOnlyDictionary<long, string>? logiNos = null, CancellationToken ct = default) =>
        PrintCoreAsync(deliveryIds, doc, logiNos, skipUnworkable: false, ct);

    /// <summary>
    /// Prints (or reprints) a document for a whole batch: the batch's deliveries that are still open and ready are
    /// marked; cancelled, paused or shipped ones are left as they are and named in the outcome.
    /// </summary>
    public Task<PrintOutcome> PrintBatchAsync(long batchId, PrintDoc doc, string actor,
        IReadOnlyDictionary<long, string>? logiNos = null, CancellationToken ct = default) =>
        FloorDeliveries.InTransactionAsync(db, async () =>
        {
            var batch = await db.Set<PrintBatch>().FirstOrDefaultAsync(b => b.Id == batchId, ct).ConfigureAwait(false)
                        ?? throw new DomainException($"打印批次 #{batchId} 不存在");
            var ids = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => x.BatchId == batchId).OrderBy(x => x.Position).Select(x => x.DeliveryId)
                .ToListAsync(ct).ConfigureAwait(false);
            var outcome = await PrintCoreAsync(ids, doc, logiNos, skipUnworkable: true, ct).ConfigureAwait(false);
            batch.Printed |= doc.Bit();
            batch.PrintCount++;
            batch.UpdatedAt = Now;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return outcome;
        }, ct);

    /// <summary>Enters (or corrects) a waybill number; unique among deliveries that are not cancelled.</summary>
    public Task<Delivery> SetLogiNoAsync(long deliveryId, string? logiNo, string actor, CancellationToken ct = default) =>
        FloorDeliveries.InTransactionAsync(db, async () =>
        {
            var d = await FloorDeliveries.LockAsync(db, deliveryId, ct).ConfigureAwait(false);
            await FloorDeliveries.CheckWorkableAsync(db, d, "录入运单号", ct).ConfigureAwait(false);
            await ApplyLogiNoAsync(d, logiNo, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return d;
        }, ct);

    private Task<PrintOutcome> PrintCoreAsync(IReadOnlyList<long> deliveryIds, PrintDoc doc, IReadOnlyDictionary<long, string>? logiNos,
        bool skipUnworkable, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        if (!Enum.IsDefined(doc)) throw new ValidationException("doc", $"'{doc}' is not stock, delivery or express");
        return FloorDeliveries.InTransactionAsync(db, async () =>
        {
            var ids = deliveryIds.Distinct().Order().ToList();
            if (ids.Count == 0) throw new DomainException("请选择要打印的发货单");
            var floor = await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false);
            var printed = new List<Delivery>();
            var skipped = new List<string>();
            foreach (var id in ids)
            {
                var d = await FloorDeliveries.LockAsync(db, id, ct).ConfigureAwait(false);
                try
                {
                    await FloorDeliveries.CheckWorkableAsync(db, d, "打印", ct).ConfigureAwait(false);
                }
                catch (DomainException e) when (skipUnworkable)
                {
                    skipped.Add(e.Message);
                    continue;
                }
                if (doc == PrintDoc.Express && logiNos is not null && logiNos.TryGetValue(id, out var no) && !string.IsNullOrWhiteSpace(no))
                    await ApplyLogiNoAsync(d, no, ct).ConfigureAwait(false);
                d.PrintStatus |= doc.Bit();
                if (d.ProcessStatus < DeliveryProcess.Printed && floor.PrintedEnough(d.PrintStatus)) d.ProcessStatus = DeliveryProcess.Printed;
                d.UpdatedAt = Now;
                printed.Add(d);
            }
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return new PrintOutcome(printed, skipped);
        }, ct);
    }

    private async Task ApplyLogiNoAsync(Delivery d, string? logiNo, CancellationToken ct)
    {
        var no = (logiNo ?? "").Trim();
        if (no.Length == 0) throw new ValidationException("logi_no", "运单号不能为空");
        if (no.Length > 64 || no.Any(char.IsWhiteSpace)) throw new ValidationException("logi_no", $"运单号 {no} 格式不对（最多 64 个字符，不能有空格）");
        if (no == d.LogiNo) return;
        var other = await db.Set<Delivery>().AsNoTracking().Where(x => x.LogiNo == no && x.Id != d.Id && x.Status != DeliveryStatus.Cancel)
            .Select(x => x.DeliveryBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (other is not null) throw new DomainException($"运单号 {no} 已用于发货单 {other}");
        d.LogiNo = no;
        d.UpdatedAt = Now;
    }
}
