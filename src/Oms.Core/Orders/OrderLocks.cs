using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Data;

namespace Oms.Orders;

/// <summary>What locking an order needs: its id and the (shop, order_bn) of its advisory lock.</summary>
internal sealed record OrderLockKey(long Id, long ShopId, string OrderBn);

/// <summary>
/// Serializes changes of one business key of a shop (an order_bn, a refund_bn) across processes: on
/// PostgreSQL a transaction advisory lock (it also covers a creation, when there is no row to lock
/// yet); on SQLite the transaction is already the only writer.
/// </summary>
internal static class OrderLocks
{
    public static async Task AcquireAsync(OmsDbContext db, long shopId, string key, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("order changes run in the caller's transaction");
        if (!db.Database.IsNpgsql()) return;
        var k = Key(shopId, key);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({k})", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// PostgreSQL, in one round trip: the order's advisory lock, then its row locked (<c>FOR UPDATE</c>);
    /// answers the order's id, or null when it does not exist yet (the lock then covers its creation).
    /// </summary>
    public static async Task<long?> AcquireAndFindOrderAsync(OmsDbContext db, long shopId, string orderBn, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException("order changes run in the caller's transaction");
        var sql = new Inventory.InventorySql(db);
        await using var cmd = sql.Command("SELECT pg_advisory_xact_lock(@k); SELECT id FROM orders WHERE shop_id = @s AND order_bn = @b FOR UPDATE", tx);
        sql.Add(cmd, "@k", Key(shopId, orderBn));
        sql.Add(cmd, "@s", shopId);
        sql.Add(cmd, "@b", orderBn);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.NextResultAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? r.GetInt64(0) : null;
    }

    /// <summary>
    /// PostgreSQL: the advisory locks of many (shop, order_bn) keys — in ascending lock-key order, so two batches cannot
    /// deadlock on them — then which of them exist (a key without a row stays locked for its creation), as two statements
    /// appended to <paramref name="batch"/>, to go with others in one round trip. Answers the reading of their result.
    /// </summary>
    public static ResultReader<HashSet<(long ShopId, string OrderBn)>> AppendAcquireManyAndFind(SqlBatch batch,
        IReadOnlyCollection<(long ShopId, string OrderBn)> keys)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(keys);
        if (!batch.IsNpgsql) throw new NotSupportedException("advisory locks are PostgreSQL's");
        if (keys.Count == 0) throw new ArgumentException("no keys to lock", nameof(keys));
        // the keys sorted ascending: unnest hands them to the locks in array order
        batch.Text.Append("SELECT pg_advisory_xact_lock(k) FROM unnest(")
            .Append(batch.P(keys.Select(k => Key(k.ShopId, k.OrderBn)).Distinct().Order().ToArray())).Append(") AS k;\n")
            .Append("SELECT o.shop_id, o.order_bn FROM orders o JOIN unnest(").Append(batch.P(keys.Select(k => k.ShopId).ToArray()))
            .Append(", ").Append(batch.P(keys.Select(k => k.OrderBn).ToArray()))
            .Append(") AS x(s, b) ON o.shop_id = x.s AND o.order_bn = x.b;\n");
        return async (r, ct) =>
        {
            var found = new HashSet<(long, string)>();
            if (!await r.NextResultAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("the order locks answered no second result");
            while (await r.ReadAsync(ct).ConfigureAwait(false)) found.Add((r.GetInt64(0), r.GetString(1)));
            return found;
        };
    }

    /// <summary>
    /// Locks several existing orders for a change that spans them (review, merge, revoke): on PostgreSQL each order's
    /// advisory lock and row lock, in ascending id order so two such changes cannot deadlock; on SQLite the transaction
    /// is already the only writer. Answers the ids that exist.
    /// </summary>
    public static async Task<IReadOnlyList<long>> LockOrdersAsync(OmsDbContext db, IEnumerable<long> orderIds, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("order changes run in the caller's transaction");
        var ids = orderIds.Distinct().Order().ToList();
        var keys = await db.Set<Order>().AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new OrderLockKey(o.Id, o.ShopId, o.OrderBn)).ToListAsync(ct).ConfigureAwait(false);
        return await LockKnownOrdersAsync(db, keys, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="LockOrdersAsync"/> for orders whose keys the caller already read (no query for them): on PostgreSQL one
    /// statement takes, per order in ascending id, its advisory lock and then its row (<c>FOR UPDATE</c>). Answers the ids
    /// that exist (on SQLite: the ids given).
    /// </summary>
    public static async Task<IReadOnlyList<long>> LockKnownOrdersAsync(OmsDbContext db, IReadOnlyCollection<OrderLockKey> orders, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("order changes run in the caller's transaction");
        var sorted = orders.DistinctBy(k => k.Id).OrderBy(k => k.Id).ToList();
        if (!db.Database.IsNpgsql() || sorted.Count == 0) return sorted.Select(k => k.Id).ToList();
        // one statement, a nested loop over the ids in ascending order: per order its advisory lock, then its row — the
        // order every other caller keeps
        var tx = db.Database.CurrentTransaction!.GetDbTransaction();
        var sql = new Inventory.InventorySql(db);
        await using var cmd = sql.Command("SELECT o.id FROM unnest(@ids, @keys) WITH ORDINALITY AS x(id, k, n) "
            + "CROSS JOIN LATERAL (SELECT pg_advisory_xact_lock(x.k)) AS a "
            + "CROSS JOIN LATERAL (SELECT orders.id FROM orders WHERE orders.id = x.id FOR UPDATE) AS o ORDER BY x.n", tx);
        sql.Add(cmd, "@ids", sorted.Select(k => k.Id).ToArray());
        sql.Add(cmd, "@keys", sorted.Select(k => Key(k.ShopId, k.OrderBn)).ToArray());
        var locked = new List<long>(sorted.Count);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) locked.Add(r.GetInt64(0));
        return locked;
    }

    /// <summary>
    /// <see cref="LockOrdersAsync"/>, then the orders read again with their items, tracked, ascending id: rows the context
    /// tracked from before the locks may be stale, so they are forgotten first. Only the orders that exist are answered.
    /// </summary>
    public static async Task<List<Order>> LockAndLoadAsync(OmsDbContext db, IReadOnlyCollection<long> orderIds, CancellationToken ct)
    {
        await LockOrdersAsync(db, orderIds, ct).ConfigureAwait(false);
        foreach (var e in db.ChangeTracker.Entries<Order>().Where(e => orderIds.Contains(e.Entity.Id)).ToList()) e.State = EntityState.Detached;
        foreach (var e in db.ChangeTracker.Entries<OrderItem>().Where(e => orderIds.Contains(e.Entity.OrderId)).ToList()) e.State = EntityState.Detached;
        return await db.Set<Order>().Include(o => o.Items).Where(o => orderIds.Contains(o.Id)).OrderBy(o => o.Id)
            .ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>FNV-1a over the shop id and the key: stable across processes (string.GetHashCode is not).</summary>
    internal static long Key(long shopId, string key)
    {
        unchecked
        {
            var h = 14695981039346656037UL;
            foreach (var b in BitConverter.GetBytes(shopId)) h = (h ^ b) * 1099511628211UL;
            foreach (var b in Encoding.UTF8.GetBytes(key)) h = (h ^ b) * 1099511628211UL;
            return (long)h;
        }
    }
}
