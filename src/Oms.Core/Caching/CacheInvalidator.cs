using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Oms.Caching;

/// <summary>
/// Invalidates cache keys once a change is committed. Called by a service right after its
/// <c>SaveChanges</c>: without an open transaction the change is committed already and the keys go
/// at once; inside a caller's transaction (the OpenAPI gateway's, a page's) they are held until that
/// transaction commits (this is an EF transaction interceptor on the <c>OmsDbContext</c>), and
/// dropped if it rolls back. Invalidating before the commit would let a reader reload the old row
/// and cache it again.
/// </summary>
public sealed class CacheInvalidator(IOmsCache cache) : DbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<string>> _pending = [];

    public async Task AfterCommitAsync(DbContext db, IEnumerable<string?> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
        {
            await cache.InvalidateAsync(list, ct).ConfigureAwait(false);
            return;
        }
        var pending = _pending.GetOrCreateValue(db);
        lock (pending) pending.AddRange(list);
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (Take(eventData.Context) is { Count: > 0 } keys)
            await cache.InvalidateAsync(keys, CancellationToken.None).ConfigureAwait(false);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (Take(eventData.Context) is { Count: > 0 } keys)
            cache.InvalidateAsync(keys, CancellationToken.None).GetAwaiter().GetResult();
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Take(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Take(eventData.Context);
    }

    private List<string>? Take(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending)) return null;
        lock (pending)
        {
            var keys = pending.ToList();
            pending.Clear();
            return keys;
        }
    }
}
