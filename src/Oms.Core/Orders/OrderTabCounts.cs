using System.Data;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Channels;
using Oms.Data;
using Oms.Inventory;

namespace Oms.Orders;

/// <summary>A tab's count as shown: exact, or "at least" when a filtered count stopped at the bound (shown <c>10000+</c>).</summary>
public readonly record struct TabCount(long Value, bool AtLeast)
{
    public override string ToString() =>
        Value.ToString(CultureInfo.InvariantCulture) + (AtLeast ? "+" : "");
}

/// <summary>One disagreement between <c>order_tab_count</c> and the orders themselves.</summary>
public sealed record TabCountMismatch(long ShopId, string? ShopBn, string Tab, long Counted, long Actual)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"shop {ShopBn ?? "?"} (id {ShopId}), tab {Tab}: counter says {Counted}, orders say {Actual}");
}

/// <summary>
/// 页签计数 — the order list's tab counts from <c>order_tab_count</c> (kept by triggers, so reading them
/// costs a few hundred rows whatever the number of orders), plus the operator's check and rebuild.
/// </summary>
public sealed class OrderTabCounts(OmsDbContext db)
{
    private readonly InventorySql _sql = new(db);

    /// <summary>Every tab's count over the given shops (all shops when null), summed from the counter rows.</summary>
    public async Task<IReadOnlyDictionary<string, TabCount>> FromCountersAsync(IReadOnlyCollection<long>? shopIds, CancellationToken ct = default)
    {
        var sql = new StringBuilder("SELECT tab, SUM(n) FROM order_tab_count");
        if (shopIds is { Count: > 0 })
            sql.Append(" WHERE shop_id IN (").AppendJoin(", ", shopIds.Select((_, i) => "@s" + i.ToString(CultureInfo.InvariantCulture))).Append(')');
        sql.Append(" GROUP BY tab");
        var result = OrderTabs.List.ToDictionary(t => t.Key, _ => new TabCount(0, false), StringComparer.Ordinal);
        await _sql.WithConnectionAsync(async tx =>
        {
            await using var cmd = _sql.Command(sql.ToString(), tx);
            var i = 0;
            foreach (var id in shopIds ?? []) _sql.Add(cmd, "@s" + (i++).ToString(CultureInfo.InvariantCulture), id);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                if (result.ContainsKey(r.GetString(0)))
                    result[r.GetString(0)] = new TabCount(r.IsDBNull(1) ? 0 : InventorySql.ToLong(r.GetValue(1)), false);
            return 0;
        }, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Compares the counters with COUNT(*) over the orders, per shop and tab, in one consistent snapshot.
    /// Empty when they agree; otherwise one readable line per difference (fix with <see cref="RebuildAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<TabCountMismatch>> VerifyAsync(CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = db.IsSqlite
                ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false)
                : await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            var actual = await ActualAsync(ct).ConfigureAwait(false);
            var counted = new Dictionary<(long, string), long>();
            await using (var cmd = _sql.Command("SELECT shop_id, tab, SUM(n) FROM order_tab_count GROUP BY shop_id, tab", tx.GetDbTransaction()))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                    counted[(InventorySql.ToLong(r.GetValue(0)), r.GetString(1))] = InventorySql.ToLong(r.GetValue(2));
            await tx.CommitAsync(ct).ConfigureAwait(false);

            var shopBns = await db.Set<Shop>().AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.ShopBn, ct).ConfigureAwait(false);
            var mismatches = new List<TabCountMismatch>();
            foreach (var key in actual.Keys.Union(counted.Keys).OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal))
            {
                var a = actual.GetValueOrDefault(key);
                var c = counted.GetValueOrDefault(key);
                if (a != c) mismatches.Add(new TabCountMismatch(key.Item1, shopBns.GetValueOrDefault(key.Item1), key.Item2, c, a));
            }
            return (IReadOnlyList<TabCountMismatch>)mismatches;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Recounts every shop's tabs from the orders and replaces the counters, blocking order writes for the
    /// duration (PostgreSQL: SHARE lock on <c>orders</c>; SQLite: the write transaction) so no trigger delta is
    /// lost or counted twice. One scan of <c>orders</c>. Returns the number of counter rows written.
    /// </summary>
    public async Task<int> RebuildAsync(CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            var t = tx.GetDbTransaction();
            if (!db.IsSqlite)
            {
                await using var lockCmd = _sql.Command("LOCK TABLE orders IN SHARE MODE", t);
                await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await using (var del = _sql.Command("DELETE FROM order_tab_count", t))
                await del.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            var actual = await ActualAsync(ct).ConfigureAwait(false);
            var rows = 0;
            foreach (var chunk in actual.Where(kv => kv.Value != 0).Chunk(200))
            {
                var sql = new StringBuilder("INSERT INTO order_tab_count (shop_id, tab, slot, n) VALUES ");
                await using var ins = _sql.Command("", t);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var n = i.ToString(CultureInfo.InvariantCulture);
                    sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@s{n}, @t{n}, 0, @n{n})");
                    _sql.Add(ins, "@s" + n, chunk[i].Key.ShopId);
                    _sql.Add(ins, "@t" + n, chunk[i].Key.Tab);
                    _sql.Add(ins, "@n" + n, chunk[i].Value);
                }
                ins.CommandText = sql.ToString();
                rows += await ins.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return rows;
        }).ConfigureAwait(false);
    }

    /// <summary>COUNT per shop and tab over the orders: one scan, one SUM(CASE …) per tab.</summary>
    private async Task<Dictionary<(long ShopId, string Tab), long>> ActualAsync(CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT shop_id");
        foreach (var tab in OrderTabs.List)
            sql.Append(CultureInfo.InvariantCulture, $", SUM(CASE WHEN {tab.Sql()} THEN 1 ELSE 0 END)");
        sql.Append(" FROM orders GROUP BY shop_id");
        var result = new Dictionary<(long, string), long>();
        await using var cmd = _sql.Command(sql.ToString(), db.Database.CurrentTransaction?.GetDbTransaction());
        cmd.CommandTimeout = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var shop = InventorySql.ToLong(r.GetValue(0));
            for (var i = 0; i < OrderTabs.List.Count; i++)
            {
                var n = InventorySql.ToLong(r.GetValue(i + 1));
                if (n != 0) result[(shop, OrderTabs.List[i].Key)] = n;
            }
        }
        return result;
    }
}
