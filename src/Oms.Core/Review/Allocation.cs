using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Data;
using Oms.Inventory;
using Oms.Rules;
using Oms.Warehouses;

namespace Oms.Review;

/// <summary>A quantity of one basic material an order (or a merge group) still needs.</summary>
public sealed record NeedLine(long BasicMaterialId, int Quantity)
{
    /// <summary>What <paramref name="items"/> still need, per basic material (ascending id).</summary>
    public static List<NeedLine> Of(IEnumerable<Orders.OrderItem> items) =>
        items.Where(i => i.Remaining > 0).GroupBy(i => i.BasicMaterialId).OrderBy(g => g.Key)
            .Select(g => new NeedLine(g.Key, g.Sum(i => i.Remaining))).ToList();
}

/// <summary>A material a candidate branch is short of: needed vs free (<c>store − store_freeze</c>).</summary>
public sealed record BranchShortage(long BranchId, long BasicMaterialId, int Needed, int Free);

/// <summary>The chosen branch (null: none has every item) and, for each candidate that was passed over, what it lacks.</summary>
public sealed record BranchChoice(long? BranchId, IReadOnlyList<BranchShortage> Shortages);

/// <summary>
/// 自动分仓 (DOMAIN.md §5): among the candidates, the highest weight (then the lowest id) whose free stock covers every
/// needed material. The read is a snapshot; the delivery's conditional freeze is what finally guarantees the stock.
/// </summary>
public sealed class BranchAllocator(OmsDbContext db, SettingsService settings)
{
    public async Task<BranchChoice> ChooseAsync(IReadOnlyList<BranchCandidate> candidates, IReadOnlyList<NeedLine> need, CancellationToken ct = default)
    {
        if (candidates.Count == 0) return new BranchChoice(null, []);
        var allowNegative = await AllowNegativeAsync(ct).ConfigureAwait(false);
        var free = allowNegative ? new Dictionary<(long, long), int>()
            : await FreeStockAsync(candidates.Select(c => c.BranchId), need.Select(n => n.BasicMaterialId), ct).ConfigureAwait(false);
        return Choose(candidates, need, allowNegative, free);
    }

    /// <summary>
    /// The choice itself on free stock already read (<see cref="FreeStockAsync"/>; a missing row is 0): the highest weight
    /// (then the lowest id) that covers every material, with each passed-over candidate's shortages; with
    /// <paramref name="allowNegative"/> (<c>stock.allow_negative</c>) the first candidate.
    /// </summary>
    public static BranchChoice Choose(IReadOnlyList<BranchCandidate> candidates, IReadOnlyList<NeedLine> need, bool allowNegative,
        IReadOnlyDictionary<(long BranchId, long BasicMaterialId), int> free)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(need);
        ArgumentNullException.ThrowIfNull(free);
        if (candidates.Count == 0) return new BranchChoice(null, []);
        var ordered = Ordered(candidates);
        if (allowNegative) return new BranchChoice(ordered[0].BranchId, []);
        var shortages = new List<BranchShortage>();
        foreach (var c in ordered)
        {
            var lacking = need.Select(n => new BranchShortage(c.BranchId, n.BasicMaterialId, n.Quantity, free.GetValueOrDefault((c.BranchId, n.BasicMaterialId))))
                .Where(s => s.Free < s.Needed).ToList();
            if (lacking.Count == 0) return new BranchChoice(c.BranchId, shortages);
            shortages.AddRange(lacking);
        }
        return new BranchChoice(null, shortages);
    }

    /// <summary><c>stock.allow_negative</c>: the branch choice then ignores free stock.</summary>
    public Task<bool> AllowNegativeAsync(CancellationToken ct = default) => settings.GetBoolAsync("stock.allow_negative", ct);

    /// <summary>Free stock (<c>store − store_freeze</c>) of every existing (branch, material) row among those asked, in one query.</summary>
    public async Task<Dictionary<(long BranchId, long BasicMaterialId), int>> FreeStockAsync(IEnumerable<long> branchIds, IEnumerable<long> materialIds,
        CancellationToken ct = default)
    {
        var branches = branchIds.Distinct().ToList();
        var materials = materialIds.Distinct().ToList();
        if (branches.Count == 0 || materials.Count == 0) return [];
        return await db.Set<BranchStock>().AsNoTracking()
            .Where(s => branches.Contains(s.BranchId) && materials.Contains(s.BasicMaterialId))
            .Select(s => new { s.BranchId, s.BasicMaterialId, Free = s.Store - s.StoreFreeze })
            .ToDictionaryAsync(s => (s.BranchId, s.BasicMaterialId), s => s.Free, ct).ConfigureAwait(false);
    }

    /// <summary>物流优选 on one branch for a parcel of <paramref name="weightKg"/> to <paramref name="province"/>.</summary>
    public async Task<LogisticsChoice> CarrierAsync(long branchId, string? province, decimal weightKg, CancellationToken ct = default)
    {
        var companies = await db.Set<LogisticsCompany>().AsNoTracking().Where(l => l.BranchId == branchId).ToListAsync(ct).ConfigureAwait(false);
        return LogisticsChooser.Choose(companies, province, weightKg);
    }

    /// <summary>物流优选 on one branch for the parcel <paramref name="need"/> makes (its weight from the materials).</summary>
    public async Task<LogisticsChoice> CarrierAsync(long branchId, string? province, IReadOnlyList<NeedLine> need, CancellationToken ct = default)
    {
        var ids = need.Select(n => n.BasicMaterialId).ToList();
        var weights = await db.Set<Catalog.BasicMaterial>().AsNoTracking().Where(m => ids.Contains(m.Id))
            .ToDictionaryAsync(m => m.Id, m => m.Weight, ct).ConfigureAwait(false);
        return await CarrierAsync(branchId, province, need.Sum(n => n.Quantity * weights.GetValueOrDefault(n.BasicMaterialId)), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// 拆分发货 when no single candidate has everything: the candidates by weight (then id), each taking as much of what is
    /// still needed as its free stock covers. Null when even all of them together fall short, or one branch would do.
    /// </summary>
    public async Task<IReadOnlyList<BranchShare>?> SplitAsync(IReadOnlyList<BranchCandidate> candidates, IReadOnlyList<NeedLine> need, CancellationToken ct = default)
    {
        var free = await FreeStockAsync(candidates.Select(c => c.BranchId), need.Select(n => n.BasicMaterialId), ct).ConfigureAwait(false);
        var materialIds = need.Select(n => n.BasicMaterialId).Distinct().ToList();
        var left = need.ToDictionary(n => n.BasicMaterialId, n => n.Quantity);
        var shares = new List<BranchShare>();
        foreach (var c in Ordered(candidates))
        {
            var lines = new List<NeedLine>();
            foreach (var m in materialIds)
            {
                var take = Math.Min(left[m], Math.Max(0, free.GetValueOrDefault((c.BranchId, m))));
                if (take == 0) continue;
                lines.Add(new NeedLine(m, take));
                left[m] -= take;
            }
            if (lines.Count > 0) shares.Add(new BranchShare(c.BranchId, lines));
            if (left.Values.All(v => v == 0)) break;
        }
        return left.Values.Any(v => v > 0) || shares.Count < 2 ? null : shares;
    }

    private static List<BranchCandidate> Ordered(IReadOnlyList<BranchCandidate> candidates) =>
        candidates.OrderByDescending(c => c.Weight).ThenBy(c => c.BranchId).ToList();
}

/// <summary>One branch's share of a split: the materials and quantities it sends.</summary>
public sealed record BranchShare(long BranchId, IReadOnlyList<NeedLine> Lines);

/// <summary>The chosen logistics company, or the flag saying why there is none (LOGI, ARRIVED).</summary>
public sealed record LogisticsChoice(LogisticsCompany? Company, ReviewFlags Flag);

/// <summary>
/// 物流优选 (DOMAIN.md §5): among the branch's companies that accept the parcel's weight and reach the province, the
/// highest priority (then the lowest id). No company accepting the weight → LOGI; companies that would carry it but none
/// reaches the province → ARRIVED.
/// </summary>
public static class LogisticsChooser
{
    public static LogisticsChoice Choose(IEnumerable<LogisticsCompany> companiesOfBranch, string? province, decimal weightKg)
    {
        var carrying = companiesOfBranch.Where(c => c.Accepts(weightKg)).OrderByDescending(c => c.Priority).ThenBy(c => c.Id).ToList();
        if (carrying.Count == 0) return new LogisticsChoice(null, ReviewFlags.Logi);
        var reaching = carrying.FirstOrDefault(c => c.Reaches(province));
        return reaching is null ? new LogisticsChoice(null, ReviewFlags.Arrived) : new LogisticsChoice(reaching, ReviewFlags.None);
    }
}
