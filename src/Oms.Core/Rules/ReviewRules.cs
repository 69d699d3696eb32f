using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Caching;
using Oms.Common;
using Oms.Data;
using Oms.Review;

namespace Oms.Rules;

/// <summary>What an auto-review rule says: the flags that stop an order, and whether the product check runs.</summary>
public sealed record ReviewRuleSetting(long RuleId, string Name, ReviewFlags Blocking, bool CheckProduct)
{
    /// <summary>The flags of <paramref name="found"/> that block under this rule.</summary>
    public ReviewFlags BlockingOf(ReviewFlags found) => found & Blocking;
}

/// <summary>审单规则 maintenance. The default rule can be edited but not deleted; a rule in use by a group cannot be deleted.</summary>
public sealed class ReviewRuleService(OmsDbContext db, TimeProvider clock, AuditLog audit, CacheInvalidator invalidator)
{
    public async Task<IReadOnlyList<ReviewRule>> ListAsync(CancellationToken ct = default)
    {
        await RuleDefaults.EnsureAsync(db, clock, ct).ConfigureAwait(false);
        return await db.Set<ReviewRule>().AsNoTracking().OrderByDescending(r => r.IsDefault).ThenBy(r => r.Id).ToListAsync(ct).ConfigureAwait(false);
    }

    public async Task<ReviewRule> GetAsync(long id, CancellationToken ct = default) =>
        await db.Set<ReviewRule>().FirstOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false)
        ?? throw new DomainException($"审单规则 {id} 不存在");

    public async Task<ReviewRule> CreateAsync(string name, ReviewFlags blocking, bool checkProduct, string actor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var rule = new ReviewRule { Name = "", CreatedAt = now };
        await ApplyAsync(rule, name, blocking, checkProduct, ct).ConfigureAwait(false);
        db.Add(rule);
        audit.Record("review_rule.create", $"review_rule:{rule.Name}", $"blocking={(long)blocking:x}, check_product={checkProduct}", actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return rule;
    }

    public async Task<ReviewRule> UpdateAsync(long id, string name, ReviewFlags blocking, bool checkProduct, string actor, CancellationToken ct = default)
    {
        var rule = await GetAsync(id, ct).ConfigureAwait(false);
        await ApplyAsync(rule, name, blocking, checkProduct, ct).ConfigureAwait(false);
        audit.Record("review_rule.update", $"review_rule:{rule.Name}", $"blocking={(long)blocking:x}, check_product={checkProduct}", actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return rule;
    }

    public async Task DeleteAsync(long id, string actor, CancellationToken ct = default)
    {
        var rule = await GetAsync(id, ct).ConfigureAwait(false);
        if (rule.IsDefault) throw new DomainException("默认审单规则不能删除");
        var users = await db.Set<OrderGroup>().Where(g => g.ReviewRuleId == id).Select(g => g.Name).ToListAsync(ct).ConfigureAwait(false);
        if (users.Count > 0) throw new DomainException($"审单规则“{rule.Name}”正被订单分组 {string.Join("、", users)} 使用，不能删除");
        db.Remove(rule);
        audit.Record("review_rule.delete", $"review_rule:{rule.Name}", null, actor);
        await SaveAsync(ct).ConfigureAwait(false);
    }

    private async Task ApplyAsync(ReviewRule rule, string name, ReviewFlags blocking, bool checkProduct, CancellationToken ct)
    {
        var n = RuleCommon.Name(name, "审单规则");
        if (await db.Set<ReviewRule>().AnyAsync(r => r.Name == n && r.Id != rule.Id, ct).ConfigureAwait(false))
            throw new DomainException($"审单规则“{n}”已存在");
        if (!rule.IsDefault && n == RuleDefaults.DefaultReviewRuleName) throw new DomainException($"“{n}”是默认审单规则的名称");
        var known = ReviewFlagText.All.Aggregate(ReviewFlags.None, (a, f) => a | f);
        if ((blocking & ~known) != 0) throw new DomainException($"未知的审单标记 0x{(long)(blocking & ~known):x}");
        rule.Name = n;
        rule.BlockingFlags = (long)blocking;
        rule.CheckProduct = checkProduct;
        rule.UpdatedAt = clock.GetUtcNow().UtcDateTime;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct).ConfigureAwait(false); }
        catch (DbUpdateException e) when (UniqueViolation.Is(e)) { throw new DomainException("审单规则名称已存在"); }
        await invalidator.AfterCommitAsync(db, [AutoReviewRules.CacheKey], ct).ConfigureAwait(false);
    }
}

/// <summary>
/// Which review flags block an order (DOMAIN.md §5): its group's review rule, or the default rule when the group names
/// none. Rules are cached (<see cref="CacheKey"/>).
/// </summary>
public sealed class AutoReviewRules(OmsDbContext db, IOmsCache cache, TimeProvider clock, OrderGroupMatcher groups)
{
    public const string CacheKey = "rules:review-rules";
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(30);

    /// <summary>The cached form.</summary>
    public sealed record Entry(long Id, string Name, long Blocking, bool CheckProduct, bool IsDefault);

    public async Task<ReviewRuleSetting> BlockingForAsync(OrderFacts order, CancellationToken ct = default) =>
        await BlockingForAsync(await groups.GroupForAsync(order, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    public async Task<ReviewRuleSetting> BlockingForAsync(MatchedGroup group, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return await ForRuleAsync(group.ReviewRuleId, ct).ConfigureAwait(false);
    }

    /// <summary>The rule <paramref name="ruleId"/>, or the default rule when null or gone.</summary>
    public async Task<ReviewRuleSetting> ForRuleAsync(long? ruleId, CancellationToken ct = default)
    {
        var rules = await cache.GetOrLoadAsync(CacheKey, Ttl, async c =>
        {
            await RuleDefaults.EnsureAsync(db, clock, c).ConfigureAwait(false);
            return await db.Set<ReviewRule>().AsNoTracking()
                .Select(r => new Entry(r.Id, r.Name, r.BlockingFlags, r.CheckProduct, r.IsDefault)).ToListAsync(c).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        var rule = rules.FirstOrDefault(r => r.Id == ruleId) ?? rules.First(r => r.IsDefault);
        return new ReviewRuleSetting(rule.Id, rule.Name, (ReviewFlags)rule.Blocking, rule.CheckProduct);
    }
}
