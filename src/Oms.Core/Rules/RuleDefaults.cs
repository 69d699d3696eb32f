using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Review;

namespace Oms.Rules;

/// <summary>
/// The configuration a fresh installation works with (DOMAIN.md §5): the default review rule (every flag blocks but
/// SINGLE and MULTI) and the default order group (all orders, last, the default review rule, no dispatch rule). Created
/// lazily with <c>INSERT … ON CONFLICT DO NOTHING</c> against the partial unique index on <c>is_default</c>, so concurrent
/// first callers create one of each, and a caller's transaction is never aborted by a lost race.
/// </summary>
public static class RuleDefaults
{
    public const string DefaultGroupName = "默认分组";
    public const string DefaultReviewRuleName = "默认审单规则";

    /// <summary>What the default review rule blocks on: every flag but SINGLE and MULTI (mergeable orders merge automatically).</summary>
    public static readonly ReviewFlags DefaultBlocking =
        ReviewFlagText.All.Aggregate(ReviewFlags.None, (a, f) => a | f) & ~(ReviewFlags.Single | ReviewFlags.Multi);

    public static async Task EnsureAsync(OmsDbContext db, TimeProvider clock, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var hasRule = await db.Set<ReviewRule>().AnyAsync(r => r.IsDefault, ct).ConfigureAwait(false);
        var hasGroup = await db.Set<OrderGroup>().AnyAsync(g => g.IsDefault, ct).ConfigureAwait(false);
        if (hasRule && hasGroup) return;
        var now = clock.GetUtcNow().UtcDateTime;
        // raw SQL sees no value converters: SQLite stores times as ticks
        object time = db.IsSqlite ? now.Ticks : now;
        if (!hasRule)
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO review_rule (name, blocking_flags, check_product, is_default, created_at, updated_at) VALUES ({DefaultReviewRuleName}, {(long)DefaultBlocking}, {false}, {true}, {time}, {time}) ON CONFLICT DO NOTHING",
                ct).ConfigureAwait(false);
        if (!hasGroup)
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO order_group (name, priority, enabled, is_default, created_at, updated_at) VALUES ({DefaultGroupName}, {0}, {true}, {true}, {time}, {time}) ON CONFLICT DO NOTHING",
                ct).ConfigureAwait(false);
    }
}
