using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Oms.Common;

/// <summary>
/// One page of a list read newest first by id. <see cref="NextBefore"/> is the id to pass as
/// <c>before</c> for the following page, or null on the last page. No OFFSET: the database
/// seeks on the primary key, so page 1 000 costs what page 1 costs.
/// </summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Items, long? NextBefore);

public static class KeysetPaging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Rows with <paramref name="id"/> below <paramref name="before"/> (all when null), highest id first.</summary>
    public static async Task<KeysetPage<T>> ToKeysetPageAsync<T>(this IQueryable<T> query, Expression<Func<T, long>> id,
        long? before, int pageSize = DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(id);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        if (before is { } b)
        {
            // a member of a closure object, so EF sends the bound as a parameter (one cached plan)
            var bound = Expression.Property(Expression.Constant(new Bound(b)), nameof(Bound.Value));
            query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.LessThan(id.Body, bound), id.Parameters));
        }
        var rows = await query.OrderByDescending(id).Take(pageSize + 1).ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count <= pageSize) return new KeysetPage<T>(rows, null);
        rows.RemoveAt(pageSize);
        return new KeysetPage<T>(rows, id.Compile()(rows[^1]));
    }

    /// <summary>
    /// Rows with <paramref name="id"/> above <paramref name="after"/> (all when null), lowest id first: the oldest-first
    /// reading of a list. <see cref="KeysetPage{T}.NextBefore"/> is then the <c>after</c> of the following page.
    /// </summary>
    public static async Task<KeysetPage<T>> ToKeysetPageAscendingAsync<T>(this IQueryable<T> query, Expression<Func<T, long>> id,
        long? after, int pageSize = DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(id);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        if (after is { } a)
        {
            var bound = Expression.Property(Expression.Constant(new Bound(a)), nameof(Bound.Value));
            query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(id.Body, bound), id.Parameters));
        }
        var rows = await query.OrderBy(id).Take(pageSize + 1).ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count <= pageSize) return new KeysetPage<T>(rows, null);
        rows.RemoveAt(pageSize);
        return new KeysetPage<T>(rows, id.Compile()(rows[^1]));
    }

    private sealed record Bound(long Value);
}
