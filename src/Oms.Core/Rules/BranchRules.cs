using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Caching;
using Oms.Common;
using Oms.Data;
using Oms.Warehouses;

namespace Oms.Rules;

/// <summary>A candidate branch for an order and its weight (higher preferred).</summary>
public sealed record BranchCandidate(long BranchId, int Weight);

/// <summary>What the branch-rule editor saves.</summary>
public sealed record BranchRuleInput(string Name, int Priority, bool Enabled, IReadOnlyList<RuleFilter> Conditions, IReadOnlyList<BranchCandidate> Candidates);

/// <summary>A branch rule as the list shows it.</summary>
public sealed record BranchRuleView(BranchRule Rule, IReadOnlyList<(RuleFilter? Filter, string Text)> Conditions, string ConditionText,
    IReadOnlyList<(BranchCandidate Candidate, string BranchName)> Candidates);

/// <summary>分仓规则 maintenance. Every change invalidates the matcher's cache after the commit.</summary>
public sealed class BranchRuleService(OmsDbContext db, TimeProvider clock, AuditLog audit, CacheInvalidator invalidator)
{
    public const int MaxWeight = 1_000_000;

    /// <summary>Every rule in matching order (priority, higher first, then id).</summary>
    public async Task<IReadOnlyList<BranchRuleView>> ListAsync(CancellationToken ct = default)
    {
        var rules = await db.Set<BranchRule>().AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var names = await RuleCommon.AllShopNamesAsync(db, ct).ConfigureAwait(false);
        var branches = await db.Set<Branch>().AsNoTracking().ToDictionaryAsync(b => b.Id, b => b.Name, ct).ConfigureAwait(false);
        return BranchRuleMatcher.Sort(rules).Select(r =>
        {
            var conditions = RuleCommon.Read(r.Conditions, names);
            return new BranchRuleView(r, conditions, conditions.Count == 0 ? "所有订单" : string.Join("，且", conditions.Select(c => c.Text)),
                r.Candidates.OrderByDescending(c => c.Weight).ThenBy(c => c.BranchId)
                    .Select(c => (new BranchCandidate(c.BranchId, c.Weight), branches.GetValueOrDefault(c.BranchId) ?? $"仓库#{c.BranchId}")).ToList());
        }).ToList();
    }

    public async Task<BranchRule> GetAsync(long id, CancellationToken ct = default) =>
        await db.Set<BranchRule>().FirstOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false)
        ?? throw new DomainException($"分仓规则 {id} 不存在");

    public async Task<BranchRule> CreateAsync(BranchRuleInput input, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rule = new BranchRule { Name = "", CreatedAt = clock.GetUtcNow().UtcDateTime };
        await ApplyAsync(rule, input, ct).ConfigureAwait(false);
        db.Add(rule);
        audit.Record("branch_rule.create", $"branch_rule:{rule.Name}", Summary(rule), actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return rule;
    }

    public async Task<BranchRule> UpdateAsync(long id, BranchRuleInput input, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rule = await GetAsync(id, ct).ConfigureAwait(false);
        await ApplyAsync(rule, input, ct).ConfigureAwait(false);
        audit.Record("branch_rule.update", $"branch_rule:{rule.Name}", Summary(rule), actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return rule;
    }

    public async Task DeleteAsync(long id, string actor, CancellationToken ct = default)
    {
        var rule = await GetAsync(id, ct).ConfigureAwait(false);
        db.Remove(rule);
        audit.Record("branch_rule.delete", $"branch_rule:{rule.Name}", null, actor);
        await SaveAsync(ct).ConfigureAwait(false);
    }

    private async Task ApplyAsync(BranchRule rule, BranchRuleInput input, CancellationToken ct)
    {
        var name = RuleCommon.Name(input.Name, "分仓规则");
        if (await db.Set<BranchRule>().AnyAsync(r => r.Name == name && r.Id != rule.Id, ct).ConfigureAwait(false))
            throw new DomainException($"分仓规则“{name}”已存在");
        if (input.Candidates.Count == 0) throw new DomainException("请至少选择一个仓库");
        if (input.Candidates.GroupBy(c => c.BranchId).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new DomainException($"仓库 {dup.Key} 重复出现");
        if (input.Candidates.FirstOrDefault(c => c.Weight is < 0 or > MaxWeight) is { } bad)
            throw new DomainException($"仓库权重 {bad.Weight} 超出范围（0 至 {MaxWeight}）");
        var ids = input.Candidates.Select(c => c.BranchId).ToList();
        var branches = await db.Set<Branch>().AsNoTracking().Where(b => ids.Contains(b.Id)).ToListAsync(ct).ConfigureAwait(false);
        if (ids.Except(branches.Select(b => b.Id)).ToList() is { Count: > 0 } missing)
            throw new DomainException($"仓库 {string.Join("、", missing)} 不存在");
        if (branches.FirstOrDefault(b => b.Type != BranchType.Delivery) is { } stockUp)
            throw new DomainException($"仓库“{stockUp.Name}”是备货仓，不发货，不能用于分仓");
        await RuleCommon.CheckShopsAsync(db, input.Conditions, ct).ConfigureAwait(false);
        rule.Name = name;
        rule.Priority = input.Priority;
        rule.Enabled = input.Enabled;
        rule.Conditions.Clear();
        rule.Conditions.AddRange(RuleCommon.Store(input.Conditions));
        rule.Candidates.Clear();
        rule.Candidates.AddRange(input.Candidates.Select(c => new BranchRuleCandidate { BranchId = c.BranchId, Weight = c.Weight }));
        rule.UpdatedAt = clock.GetUtcNow().UtcDateTime;
    }

    private static string Summary(BranchRule r) =>
        $"priority={r.Priority}, enabled={r.Enabled}, branches={string.Join(",", r.Candidates.Select(c => $"{c.BranchId}:{c.Weight}"))}, conditions={string.Join("; ", r.Conditions.Select(c => c.Type + " " + c.Parameters))}";

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct).ConfigureAwait(false); }
        catch (DbUpdateException e) when (UniqueViolation.Is(e)) { throw new DomainException("分仓规则名称已存在"); }
        await invalidator.AfterCommitAsync(db, [BranchRuleMatcher.CacheKey], ct).ConfigureAwait(false);
    }
}

/// <summary>The enabled branch rules in matching order, parsed once for a batch.</summary>
public sealed class BranchRuleSet
{
    private readonly IReadOnlyList<(RuleConditions? Conditions, IReadOnlyList<BranchCandidate> Candidates)> _rules;

    internal BranchRuleSet(IReadOnlyList<(RuleConditions?, IReadOnlyList<BranchCandidate>)> rules) => _rules = rules;

    /// <summary>True when at least one enabled rule exists.</summary>
    public bool Configured => _rules.Count > 0;

    /// <summary>The first matching rule's candidates (highest weight first), or null when no rule matches.</summary>
    public IReadOnlyList<BranchCandidate>? CandidatesFor(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        foreach (var (conditions, candidates) in _rules)
            if (conditions is not null && conditions.Matches(order)) return candidates;
        return null;
    }
}

/// <summary>
/// 自动分仓 candidates by the branch rules (DOMAIN.md §5): the first enabled rule (priority, higher first) whose conditions the
/// order meets. Null = no rule matches or none is configured; the caller then falls back to <see cref="DefaultBranchCandidates"/>.
/// </summary>
public sealed class BranchRuleMatcher(OmsDbContext db, IOmsCache cache)
{
    public const string CacheKey = "rules:branch-rules";
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(30);

    /// <summary>The cached form.</summary>
    public sealed record Entry(long Id, int Priority, List<StoredCondition> Conditions, List<BranchCandidate> Candidates);

    internal static IEnumerable<BranchRule> Sort(IEnumerable<BranchRule> rules) => rules.OrderByDescending(r => r.Priority).ThenBy(r => r.Id);

    public async Task<BranchRuleSet> LoadAsync(CancellationToken ct = default)
    {
        var entries = await cache.GetOrLoadAsync(CacheKey, Ttl, async c =>
        {
            var rules = await db.Set<BranchRule>().AsNoTracking().Where(r => r.Enabled).ToListAsync(c).ConfigureAwait(false);
            return Sort(rules).Select(r => new Entry(r.Id, r.Priority,
                r.Conditions.OrderBy(x => x.Position).Select(x => x.ToStored()).ToList(),
                r.Candidates.OrderByDescending(x => x.Weight).ThenBy(x => x.BranchId).Select(x => new BranchCandidate(x.BranchId, x.Weight)).ToList())).ToList();
        }, ct).ConfigureAwait(false);
        return new BranchRuleSet(entries.Select(e => (RuleCommon.TryParse(e.Conditions), (IReadOnlyList<BranchCandidate>)e.Candidates)).ToList());
    }

    public async Task<IReadOnlyList<BranchCandidate>?> CandidatesForAsync(OrderFacts order, CancellationToken ct = default) =>
        (await LoadAsync(ct).ConfigureAwait(false)).CandidatesFor(order);
}

/// <summary>
/// The branches an order may ship from when no branch rule applies: the online delivery branches that supply the order's
/// shop, by their own weight (higher first, then id).
/// </summary>
public sealed class DefaultBranchCandidates(OmsDbContext db)
{
    public async Task<IReadOnlyList<BranchCandidate>> ForShopAsync(long shopId, CancellationToken ct = default) =>
        await db.Set<Branch>().AsNoTracking()
            .Where(b => b.Online && b.Type == BranchType.Delivery && b.Shops.Any(s => s.ShopId == shopId))
            .OrderByDescending(b => b.Weight).ThenBy(b => b.Id)
            .Select(b => new BranchCandidate(b.Id, b.Weight))
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary>The branch rules' candidates for the order, else the shop's default branches.</summary>
    public async Task<IReadOnlyList<BranchCandidate>> ForOrderAsync(BranchRuleMatcher rules, OrderFacts order, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(order);
        return await rules.CandidatesForAsync(order, ct).ConfigureAwait(false) ?? await ForShopAsync(order.ShopId, ct).ConfigureAwait(false);
    }
}
