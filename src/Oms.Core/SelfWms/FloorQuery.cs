using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Warehouses;

namespace Oms.SelfWms;

/// <summary>Where a delivery stands on the own warehouse floor (the tabs of the floor list).</summary>
public enum FloorState
{
    /// <summary>待打印: ready, nothing (enough) printed yet.</summary>
    ToPrint,
    /// <summary>待校验: ready, printed, not verified.</summary>
    ToVerify,
    /// <summary>待发货: ready and verified (or printed when <c>verify.required</c> is off).</summary>
    ToShip,
    /// <summary>已发货.</summary>
    Shipped,
}

/// <summary>A row of the floor list.</summary>
public sealed record FloorRow(long Id, string DeliveryBn, long BranchId, string? LogiName, string? LogiNo, int SkuNum, int ItemNum,
    DeliveryStatus Status, int ProcessStatus, PrintStatus PrintStatus, DateTime CreatedAt, string? BatchCode, string? ShipName);

/// <summary>A row of the print batch list.</summary>
public sealed record BatchRow(long Id, string BatchNo, PrintMode Mode, string BranchName, int Deliveries, PrintStatus Printed, int PrintCount,
    string CreatedBy, DateTime CreatedAt);

/// <summary>A delivery of a batch on the batch page.</summary>
public sealed record BatchMember(long DeliveryId, string Code, int Position, string DeliveryBn, string? LogiName, string? LogiNo, int SkuNum, int ItemNum,
    DeliveryStatus Status, int ProcessStatus, PrintStatus PrintStatus);

/// <summary>Reads of the floor screens: deliveries by floor state with counts, print batches.</summary>
public sealed class FloorQuery(OmsDbContext db, SettingsService settings)
{
    /// <summary>Open own-warehouse deliveries (status ready) of the floor state, plus shipped ones for <see cref="FloorState.Shipped"/>.</summary>
    public IQueryable<Delivery> Of(FloorState state, FloorSettings floor, long? branchId = null, PrintMode mode = PrintMode.Normal)
    {
        var selfBranches = db.Set<Branch>().Where(b => b.Wms == Branch.SelfWms).Select(b => b.Id);
        var q = db.Set<Delivery>().AsNoTracking().Where(d => selfBranches.Contains(d.BranchId));
        if (branchId is { } bid) q = q.Where(d => d.BranchId == bid);
        if (mode == PrintMode.Single) q = q.Where(d => d.SkuNum == 1 && d.ItemNum == 1);
        if (mode == PrintMode.Multi) q = q.Where(d => !(d.SkuNum == 1 && d.ItemNum == 1));
        var printFrom = floor.PrintRequired == PrintStatus.None ? DeliveryProcess.New : DeliveryProcess.Printed;
        var shipFrom = floor.VerifyRequired ? DeliveryProcess.Verified : printFrom;
        return state switch
        {
            FloorState.ToPrint => q.Where(d => d.Status == DeliveryStatus.Ready && d.ProcessStatus < printFrom),
            FloorState.ToVerify => q.Where(d => d.Status == DeliveryStatus.Ready && d.ProcessStatus >= printFrom && d.ProcessStatus < DeliveryProcess.Verified
                                                && (floor.VerifyRequired || d.ProcessStatus < shipFrom)),
            FloorState.ToShip => q.Where(d => d.Status == DeliveryStatus.Ready && d.ProcessStatus >= shipFrom),
            FloorState.Shipped => q.Where(d => d.Status == DeliveryStatus.Shipped),
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
    }

    public async Task<IReadOnlyDictionary<FloorState, long>> CountsAsync(long? branchId, PrintMode mode, CancellationToken ct = default)
    {
        var floor = await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false);
        var counts = new Dictionary<FloorState, long>();
        foreach (var s in Enum.GetValues<FloorState>()) counts[s] = await Of(s, floor, branchId, mode).LongCountAsync(ct).ConfigureAwait(false);
        return counts;
    }

    public async Task<KeysetPage<FloorRow>> ListAsync(FloorState state, long? branchId, PrintMode mode, long? before, int pageSize = 50, CancellationToken ct = default)
    {
        var floor = await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false);
        var page = await Of(state, floor, branchId, mode).ToKeysetPageAsync(d => d.Id, before, pageSize, ct).ConfigureAwait(false);
        var ids = page.Items.Select(d => d.Id).ToList();
        var codes = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId)).ToDictionaryAsync(x => x.DeliveryId, x => x.Code, ct).ConfigureAwait(false);
        return new KeysetPage<FloorRow>(page.Items.Select(d => new FloorRow(d.Id, d.DeliveryBn, d.BranchId, d.LogiName, d.LogiNo, d.SkuNum, d.ItemNum,
            d.Status, d.ProcessStatus, d.PrintStatus, d.CreatedAt, codes.GetValueOrDefault(d.Id), d.ShipName)).ToList(), page.NextBefore);
    }

    public Task<List<(long Id, string Name)>> BranchesAsync(CancellationToken ct = default) =>
        db.Set<Branch>().AsNoTracking().Where(b => b.Wms == Branch.SelfWms && b.Type == BranchType.Delivery).OrderBy(b => b.Id)
            .Select(b => new ValueTuple<long, string>(b.Id, b.Name)).ToListAsync(ct);

    public async Task<KeysetPage<BatchRow>> BatchesAsync(string? batchNo, long? before, CancellationToken ct = default)
    {
        var q = db.Set<PrintBatch>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(batchNo))
        {
            var no = batchNo.Trim();
            var underscore = no.IndexOf('_', StringComparison.Ordinal);
            if (underscore > 0) no = no[..underscore];
            q = q.Where(b => b.BatchNo == no);
        }
        var page = await q.ToKeysetPageAsync(b => b.Id, before, 30, ct).ConfigureAwait(false);
        var ids = page.Items.Select(b => b.Id).ToList();
        var sizes = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => ids.Contains(x.BatchId)).GroupBy(x => x.BatchId)
            .Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct).ConfigureAwait(false);
        var branchIds = page.Items.Select(b => b.BranchId).Distinct().ToList();
        var names = await db.Set<Branch>().AsNoTracking().Where(b => branchIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Name, ct).ConfigureAwait(false);
        return new KeysetPage<BatchRow>(page.Items.Select(b => new BatchRow(b.Id, b.BatchNo, b.Mode, names.GetValueOrDefault(b.BranchId, ""),
            sizes.GetValueOrDefault(b.Id), b.Printed, b.PrintCount, b.CreatedBy, b.CreatedAt)).ToList(), page.NextBefore);
    }

    public async Task<(PrintBatch Batch, IReadOnlyList<BatchMember> Members)?> BatchAsync(long id, CancellationToken ct = default)
    {
        var batch = await db.Set<PrintBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct).ConfigureAwait(false);
        if (batch is null) return null;
        var members = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => x.BatchId == id).OrderBy(x => x.Position)
            .Join(db.Set<Delivery>(), x => x.DeliveryId, d => d.Id, (x, d) => new BatchMember(d.Id, x.Code, x.Position, d.DeliveryBn, d.LogiName, d.LogiNo,
                d.SkuNum, d.ItemNum, d.Status, d.ProcessStatus, d.PrintStatus))
            .ToListAsync(ct).ConfigureAwait(false);
        return (batch, members);
    }
}
