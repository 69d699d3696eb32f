using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Caching;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Dispatch;

namespace Oms.Rules;

/// <summary>What the order-group editor saves.</summary>
public sealed record OrderGroupInput(string Name, int Priority, bool Enabled, IReadOnlyList<RuleFilter> Conditions, long? ReviewRuleId, long? DispatchRuleId);

/// <summary>A group as the list shows it: its conditions read back and rendered, and its linked rules' names.</summary>
public sealed record OrderGroupView(OrderGroup Group, IReadOnlyList<(RuleFilter? Filter, string Text)> Conditions, string ConditionText,
    string ReviewRuleName, string? DispatchRuleName);

/// <summary>The group an order belongs to (a cached, detached copy).</summary>
public sealed record MatchedGroup(long Id, string Name, bool IsDefault, long? ReviewRuleId, long? DispatchRuleId);

/// <summary>Shared helpers of the rule services.</summary>
internal static class RuleCommon
{
    public static string Name(string? name, string what)
    {
        var n = name?.Trim() ?? "";
        if (n.Length == 0) throw new DomainException($"请填写{what}名称");
        if (n.Length > 100) throw new DomainException($"{what}名称最多 100 个字");
        return n;
    }

    public static async Task CheckShopsAsync(OmsDbContext db, IEnumerable<RuleFilter> filters, CancellationToken ct)
    {
        var ids = new RuleConditions(filters.ToList()).ShopIds.Distinct().ToList();
        if (ids.Count == 0) return;
        var known = await db.Set<Shop>().Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct).ConfigureAwait(false);
        var missing = ids.Except(known).ToList();
        if (missing.Count > 0) throw new DomainException($"店铺编号 {string.Join("、", missing)} 不存在");
    }

    public static List<RuleCondition> Store(IEnumerable<RuleFilter> filters) =>
        filters.Select((f, i) => { var s = f.ToStored(); return new RuleCondition { Position = i, Type = s.Type, Parameters = s.Parameters }; }).ToList();

    /// <summary>Reads stored conditions; one that no longer reads (an edited database) renders as such and never matches.</summary>
    public static List<(RuleFilter? Filter, string Text)> Read(IEnumerable<RuleCondition> conditions, RuleTextContext names) =>
        conditions.OrderBy(c => c.Position).Select(c =>
        {
            try { var f = RuleFilter.Parse(c.ToStored()); return ((RuleFilter?)f, f.Describe(names)); }
            catch (DomainException e) { return (null, "无效条件：" + e.Message); }
        }).ToList();

    /// <summary>Conditions for matching, or null when one of them no longer reads (the rule then matches nothing).</summary>
    public static RuleConditions? TryParse(IEnumerable<StoredCondition> stored)
    {
        try { return RuleConditions.Parse(stored); }
        catch (DomainException) { return null; }
    }

    public static async Task<RuleTextContext> AllShopNamesAsync(OmsDbContext db, CancellationToken ct) =>
        new(await db.Set<Shop>().AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct).ConfigureAwait(false));
}

/// <summary>订单分组 maintenance (DOMAIN.md §3.4). Every change invalidates the matcher's cache after the commit.</summary>
public sealed class OrderGroupService(OmsDbContext db, TimeProvider clock, AuditLog audit, CacheInvalidator invalidator)
{
    /// <summary>Every group in matching order: enabled or not, by priority (higher first), then id; the default group last.</summary>
    public async Task<IReadOnlyList<OrderGroupView>> ListAsync(CancellationToken ct = default)
    {
        await RuleDefaults.EnsureAsync(db, clock, ct).ConfigureAwait(false);
        var groups = await db.Set<OrderGroup>().AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var names = await RuleCommon.AllShopNamesAsync(db, ct).ConfigureAwait(false);
        var reviewRules = await db.Set<ReviewRule>().AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name, ct).ConfigureAwait(false);
        var defaultRule = await db.Set<ReviewRule>().Where(r => r.IsDefault).Select(r => r.Name).FirstOrDefaultAsync(ct).ConfigureAwait(false) ?? RuleDefaults.DefaultReviewRuleName;
        var dispatchRules = await db.Set<DispatchRule>().AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name, ct).ConfigureAwait(false);
        return OrderGroupMatcher.Sort(groups).Select(g =>
        {
            var conditions = RuleCommon.Read(g.Conditions, names);
            return new OrderGroupView(g, conditions,
                conditions.Count == 0 ? "所有订单" : string.Join("，且", conditions.Select(c => c.Text)),
                g.ReviewRuleId is { } r && reviewRules.TryGetValue(r, out var rn) ? rn : defaultRule,
                g.DispatchRuleId is { } d && dispatchRules.TryGetValue(d, out var dn) ? dn : null);
        }).ToList();
    }

    /// <summary>Every shop's name, for rendering conditions in editors.</summary>
    public Task<RuleTextContext> NamesAsync(CancellationToken ct = default) => RuleCommon.AllShopNamesAsync(db, ct);

    public async Task<OrderGroup> GetAsync(long id, CancellationToken ct = default) =>
        await db.Set<OrderGroup>().FirstOrDefaultAsync(g => g.Id == id, ct).ConfigureAwait(false)
        ?? throw new DomainException($"订单分组 {id} 不存在");

    public async Task<OrderGroup> CreateAsync(OrderGroupInput input, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow().UtcDateTime;
        var group = new OrderGroup { Name = "", CreatedAt = now };
        await ApplyAsync(group, input, ct).ConfigureAwait(false);
        db.Add(group);
        audit.Record("order_group.create", $"order_group:{group.Name}", Summary(group), actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return group;
    }

    public async Task<OrderGroup> UpdateAsync(long id, OrderGroupInput input, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var group = await GetAsync(id, ct).ConfigureAwait(false);
        await ApplyAsync(group, input, ct).ConfigureAwait(false);
        audit.Record("order_group.update", $"order_group:{group.Name}", Summary(group), actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return group;
    }

    public async Task DeleteAsync(long id, string actor, CancellationToken ct = default)
    {
        var group = await GetAsync(id, ct).ConfigureAwait(false);
        if (group.IsDefault) throw new DomainException("默认分组不能删除");
        db.Remove(group);
        audit.Record("order_group.delete", $"order_group:{group.Name}", null, actor);
        await SaveAsync(ct).ConfigureAwait(false);
    }

    private async Task ApplyAsync(OrderGroup group, OrderGroupInput input, CancellationToken ct)
    {
        var name = RuleCommon.Name(input.Name, "订单分组");
        if (await db.Set<OrderGroup>().AnyAsync(g => g.Name == name && g.Id != group.Id, ct).ConfigureAwait(false))
            throw new DomainException($"订单分组“{name}”已存在");
        if (!group.IsDefault && name == RuleDefaults.DefaultGroupName) throw new DomainException($"“{name}”是默认分组的名称");
        if (group.IsDefault && input.Conditions.Count > 0) throw new DomainException("默认分组包含所有订单，不能设置条件");
        if (!group.IsDefault && input.Conditions.Count == 0) throw new DomainException("请至少添加一个筛选条件（不设条件的订单属于默认分组）");
        if (group.IsDefault && !input.Enabled) throw new DomainException("默认分组不能停用");
        await RuleCommon.CheckShopsAsync(db, input.Conditions, ct).ConfigureAwait(false);
        if (input.ReviewRuleId is { } r && !await db.Set<ReviewRule>().AnyAsync(x => x.Id == r, ct).ConfigureAwait(false))
            throw new DomainException($"审单规则 {r} 不存在");
        if (input.DispatchRuleId is { } d && !await db.Set<DispatchRule>().AnyAsync(x => x.Id == d, ct).ConfigureAwait(false))
            throw new DomainException($"分派规则 {d} 不存在");
        group.Name = name;
        group.Priority = group.IsDefault ? 0 : input.Priority;
        group.Enabled = input.Enabled;
        group.ReviewRuleId = input.ReviewRuleId;
        group.DispatchRuleId = input.DispatchRuleId;
        if (!group.IsDefault)
        {
            group.Conditions.Clear();
            group.Conditions.AddRange(RuleCommon.Store(input.Conditions));
        }
        group.UpdatedAt = clock.GetUtcNow().UtcDateTime;
    }

    private static string Summary(OrderGroup g) =>
        $"priority={g.Priority}, enabled={g.Enabled}, review_rule={g.ReviewRuleId}, dispatch_rule={g.DispatchRuleId}, conditions={string.Join("; ", g.Conditions.Select(c => c.Type + " " + c.Parameters))}";

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct).ConfigureAwait(false); }
        catch (DbUpdateException e) when (UniqueViolation.Is(e)) { throw new DomainException("订单分组名称已存在"); }
        await invalidator.AfterCommitAsync(db, [OrderGroupMatcher.CacheKey], ct).ConfigureAwait(false);
    }
}

/// <summary>The enabled groups in matching order, parsed once; <see cref="GroupFor"/> runs in memory (use one set for a whole batch).</summary>
public sealed class OrderGroupSet
{
    private readonly IReadOnlyList<(MatchedGroup Group, RuleConditions? Conditions)> _groups;
    private readonly MatchedGroup _default;

    internal OrderGroupSet(IReadOnlyList<(MatchedGroup, RuleConditions?)> groups, MatchedGroup fallback)
    {
        _groups = groups;
        _default = fallback;
    }

    /// <summary>The first enabled group (by priority, higher first, then id) whose conditions the order meets; else the default group.</summary>
    public MatchedGroup GroupFor(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        foreach (var (group, conditions) in _groups)
            if (conditions is not null && conditions.Matches(order)) return group;
        return _default;
    }
}

/// <summary>
/// Finds an order's group (订单分组). The groups are cached (<see cref="CacheKey"/>, reloaded after every change through
/// <see cref="OrderGroupService"/>), so matching a batch costs no query once the cache is warm.
/// </summary>
public sealed class OrderGroupMatcher(OmsDbContext db, IOmsCache cache, TimeProvider clock)
{
    public const string CacheKey = "rules:order-groups";
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(30);

    /// <summary>The cached form (plain records: the Redis cache stores JSON).</summary>
    public sealed record Entry(long Id, string Name, int Priority, bool Enabled, bool IsDefault, long? ReviewRuleId, long? DispatchRuleId, List<StoredCondition> Conditions);

    internal static IEnumerable<OrderGroup> Sort(IEnumerable<OrderGroup> groups) =>
        groups.OrderBy(g => g.IsDefault).ThenByDescending(g => g.Priority).ThenBy(g => g.Id);

    public async Task<OrderGroupSet> LoadAsync(CancellationToken ct = default)
    {
        var entries = await cache.GetOrLoadAsync(CacheKey, Ttl, async c =>
        {
            await RuleDefaults.EnsureAsync(db, clock, c).ConfigureAwait(false);
            var groups = await db.Set<OrderGroup>().AsNoTracking().ToListAsync(c).ConfigureAwait(false);
            return Sort(groups).Select(g => new Entry(g.Id, g.Name, g.Priority, g.Enabled, g.IsDefault, g.ReviewRuleId, g.DispatchRuleId,
                g.Conditions.OrderBy(x => x.Position).Select(x => x.ToStored()).ToList())).ToList();
        }, ct).ConfigureAwait(false);
        var fallback = entries.First(e => e.IsDefault);
        return new OrderGroupSet(
            entries.Where(e => e.Enabled && !e.IsDefault).Select(e => (Matched(e), RuleCommon.TryParse(e.Conditions))).ToList(),
            Matched(fallback));
    }

    public async Task<MatchedGroup> GroupForAsync(OrderFacts order, CancellationToken ct = default) =>
        (await LoadAsync(ct).ConfigureAwait(false)).GroupFor(order);

    private static MatchedGroup Matched(Entry e) => new(e.Id, e.Name, e.IsDefault, e.ReviewRuleId, e.DispatchRuleId);
}
