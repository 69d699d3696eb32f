using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Data;
using Oms.Warehouses;

namespace Oms.Inventory;

/// <summary>Counters of one basic material in one branch.</summary>
public sealed record BranchStockRow(long BranchId, long BasicMaterialId, int Store, int StoreFreeze, int ArriveStore, int DefectiveStore, DateTime UpdatedAt);

/// <summary>Totals of one basic material over all branches and shops.</summary>
public sealed record StockTotals(long BasicMaterialId, int Store, int BranchFreeze, int ShopFreeze, int ArriveStore, int DefectiveStore)
{
    /// <summary>Shop freezes + branch freezes (what ONEX's <c>getBnStock</c> calls <c>store_freeze</c>).</summary>
    public int TotalFreeze => ShopFreeze + BranchFreeze;

    /// <summary><c>store − total freeze</c>; negative when the shops are oversold.</summary>
    public int Available => Store - TotalFreeze;
}

/// <summary>
/// Read-only stock figures, computed with grouped SQL queries for many materials at once
/// (the stock write-back asks for thousands). Nothing here changes a counter.
/// </summary>
public sealed class StockQueries(OmsDbContext db)
{
    /// <summary>Ids per query: keeps the parameter count of <c>IN (...)</c> well within both providers' limits.</summary>
    private const int Chunk = 1000;

    public async Task<IReadOnlyList<BranchStockRow>> BranchRowsAsync(IReadOnlyCollection<long> basicMaterialIds, long? branchId = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(basicMaterialIds);
        var result = new List<BranchStockRow>();
        foreach (var chunk in basicMaterialIds.Distinct().Chunk(Chunk))
        {
            var q = db.Set<BranchStock>().AsNoTracking().Where(s => chunk.Contains(s.BasicMaterialId));
            if (branchId is { } b) q = q.Where(s => s.BranchId == b);
            result.AddRange(await q.OrderBy(s => s.BranchId).ThenBy(s => s.BasicMaterialId)
                .Select(s => new BranchStockRow(s.BranchId, s.BasicMaterialId, s.Store, s.StoreFreeze, s.ArriveStore, s.DefectiveStore, s.UpdatedAt))
                .ToListAsync(ct).ConfigureAwait(false));
        }
        return result;
    }

    /// <summary>Totals per material; a material without any stock row answers zeros.</summary>
    public async Task<IReadOnlyDictionary<long, StockTotals>> TotalsAsync(IReadOnlyCollection<long> basicMaterialIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(basicMaterialIds);
        var result = new Dictionary<long, StockTotals>();
        foreach (var chunk in basicMaterialIds.Distinct().Chunk(Chunk))
        {
            var branch = await db.Set<BranchStock>().AsNoTracking().Where(s => chunk.Contains(s.BasicMaterialId))
                .GroupBy(s => s.BasicMaterialId)
                .Select(g => new
                {
                    g.Key,
                    Store = g.Sum(x => x.Store),
                    Freeze = g.Sum(x => x.StoreFreeze),
                    Arrive = g.Sum(x => x.ArriveStore),
                    Defective = g.Sum(x => x.DefectiveStore),
                })
                .ToDictionaryAsync(x => x.Key, ct).ConfigureAwait(false);
            var shop = await ShopFreezeTotalsAsync(chunk, ct).ConfigureAwait(false);
            foreach (var id in chunk)
            {
                branch.TryGetValue(id, out var b);
                result[id] = new StockTotals(id, b?.Store ?? 0, b?.Freeze ?? 0, shop.GetValueOrDefault(id), b?.Arrive ?? 0, b?.Defective ?? 0);
            }
        }
        return result;
    }

    /// <summary>
    /// 可售库存 of basic materials for a shop (DOMAIN.md §2): Σ over the online branches that
    /// supply the shop of <c>store − store_freeze</c>, minus every shop's freeze of the material;
    /// never below 0.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, int>> SellableAsync(long shopId, IReadOnlyCollection<long> basicMaterialIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(basicMaterialIds);
        var branchIds = await SupplyingBranchesAsync(shopId, ct).ConfigureAwait(false);
        var result = new Dictionary<long, int>();
        foreach (var chunk in basicMaterialIds.Distinct().Chunk(Chunk))
        {
            var free = branchIds.Length == 0
                ? []
                : await db.Set<BranchStock>().AsNoTracking()
                    .Where(s => chunk.Contains(s.BasicMaterialId) && branchIds.Contains(s.BranchId))
                    .GroupBy(s => s.BasicMaterialId)
                    .Select(g => new { g.Key, Free = g.Sum(x => (long)x.Store - x.StoreFreeze) })
                    .ToDictionaryAsync(x => x.Key, x => x.Free, ct).ConfigureAwait(false);
            var shop = await ShopFreezeTotalsAsync(chunk, ct).ConfigureAwait(false);
            foreach (var id in chunk)
            {
                var sellable = free.GetValueOrDefault(id) - shop.GetValueOrDefault(id);
                result[id] = (int)Math.Clamp(sellable, 0, int.MaxValue);
            }
        }
        return result;
    }

    /// <summary>
    /// 可售库存 of sales materials for a shop: normal and gift ⌊sellable/qty⌋; combination and
    /// lucky bag the minimum over the parts of ⌊sellable(part)/qty(part)⌋; pick-one the sum over
    /// the options. A sales material limited to another shop, or without bindings, answers 0.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, int>> SalesMaterialSellableAsync(long shopId, IReadOnlyCollection<long> salesMaterialIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(salesMaterialIds);
        var result = new Dictionary<long, int>();
        foreach (var chunk in salesMaterialIds.Distinct().Chunk(Chunk))
        {
            var materials = await db.Set<SalesMaterial>().AsNoTracking().Where(s => chunk.Contains(s.Id))
                .Select(s => new { s.Id, s.Type, s.ShopId }).ToListAsync(ct).ConfigureAwait(false);
            var bindings = await db.Set<SalesMaterialBinding>().AsNoTracking().Where(b => chunk.Contains(b.SalesMaterialId))
                .Select(b => new { b.SalesMaterialId, b.BasicMaterialId, b.Quantity }).ToListAsync(ct).ConfigureAwait(false);
            var basic = await SellableAsync(shopId, bindings.Select(b => b.BasicMaterialId).Distinct().ToList(), ct).ConfigureAwait(false);
            var bySales = bindings.ToLookup(b => b.SalesMaterialId);
            foreach (var id in chunk) result[id] = 0;
            foreach (var m in materials)
            {
                if (m.ShopId is { } only && only != shopId) continue;
                var parts = bySales[m.Id].Select(b => basic.GetValueOrDefault(b.BasicMaterialId) / Math.Max(1, b.Quantity)).ToList();
                if (parts.Count == 0) continue;
                result[m.Id] = m.Type switch
                {
                    SalesMaterialType.PickOne => (int)Math.Min(int.MaxValue, parts.Sum(p => (long)p)),
                    _ => parts.Min(),
                };
            }
        }
        return result;
    }

    /// <summary>The online branches that supply a shop.</summary>
    public async Task<long[]> SupplyingBranchesAsync(long shopId, CancellationToken ct = default) =>
        await db.Set<BranchShop>().AsNoTracking()
            .Where(bs => bs.ShopId == shopId)
            .Join(db.Set<Branch>().Where(b => b.Online), bs => bs.BranchId, b => b.Id, (bs, b) => b.Id)
            .Distinct().ToArrayAsync(ct).ConfigureAwait(false);

    private async Task<Dictionary<long, int>> ShopFreezeTotalsAsync(long[] materialIds, CancellationToken ct) =>
        await db.Set<ShopFreeze>().AsNoTracking().Where(f => materialIds.Contains(f.BasicMaterialId))
            .GroupBy(f => f.BasicMaterialId)
            .Select(g => new { g.Key, Sum = g.Sum(x => x.Quantity) })
            .ToDictionaryAsync(x => x.Key, x => x.Sum, ct).ConfigureAwait(false);
}
