using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;

namespace Oms.Orders;

/// <summary>Which time the order list's range filters on.</summary>
public enum OrderTimeField
{
    /// <summary>下单时间 — the platform's createtime.</summary>
    Created,
    /// <summary>到达时间 — when the OMS received it.</summary>
    Arrived,
}

/// <summary>
/// The order list's filters; everything optional, combined with AND. Matching is exact (indexed)
/// except <see cref="OrderBn"/>, which also takes a list separated by commas, spaces or new lines.
/// Times are UTC (the page reads China time), <see cref="To"/> exclusive.
/// </summary>
public sealed record OrderListFilter
{
    public IReadOnlyCollection<long>? ShopIds { get; init; }
    public OrderTimeField TimeField { get; init; } = OrderTimeField.Created;
    public DateTime? From { get; init; }
    public DateTime? To { get; init; }
    /// <summary>One order_bn, or several separated by commas / spaces / new lines.</summary>
    public string? OrderBn { get; init; }
    /// <summary>The buyer: member_uname or buyer_id, exact.</summary>
    public string? Buyer { get; init; }
    /// <summary>The consignee's mobile, exact.</summary>
    public string? Mobile { get; init; }
    /// <summary>The consignee's name, exact.</summary>
    public string? ReceiverName { get; init; }
    /// <summary>A sales material code (an object's bn) or a basic material code (an item's bn).</summary>
    public string? Material { get; init; }

    /// <summary>True when a filter other than the shop is set: tab counts then come from a bounded COUNT, not the counters.</summary>
    public bool HasRowFilters =>
        From is not null || To is not null || !string.IsNullOrWhiteSpace(OrderBn) || !string.IsNullOrWhiteSpace(Buyer)
        || !string.IsNullOrWhiteSpace(Mobile) || !string.IsNullOrWhiteSpace(ReceiverName) || !string.IsNullOrWhiteSpace(Material);
}

/// <summary>One row of the order list: what the list shows, nothing more.</summary>
public sealed record OrderListRow
{
    public long Id { get; init; }
    public long ShopId { get; init; }
    public string ShopName { get; set; } = "";
    public required string OrderBn { get; init; }
    public DateTime CreateTime { get; init; }
    public DateTime ArrivedAt { get; init; }
    public string? ShipName { get; init; }
    public string? ShipProvince { get; init; }
    public string? ShipCity { get; init; }
    public decimal TotalAmount { get; init; }
    public decimal Payed { get; init; }
    public OrderStatus Status { get; init; }
    public PayStatus PayStatus { get; init; }
    public ShipStatus ShipStatus { get; init; }
    public ProcessStatus ProcessStatus { get; init; }
    public bool Pause { get; init; }
    public bool Abnormal { get; init; }
    public bool IsFail { get; init; }
    public bool IsCod { get; init; }
    /// <summary>买家留言, shown as a marker with the text as tooltip.</summary>
    public string? CustomMark { get; init; }
    /// <summary>Pieces: the quantities of the order's objects (not removed).</summary>
    public int ItemCount { get; init; }
    /// <summary><c>auto_status</c>: the automatic review's flags (DOMAIN.md §5), shown as reasons on unconfirmed orders.</summary>
    public long AutoStatus { get; init; }
}

/// <summary>
/// 订单列表 — the order list: filters, tabs, keyset pages newest first, and the tab counts (from the
/// counters when only shops are filtered, else a COUNT bounded at <see cref="CountLimit"/>). Raw SQL for
/// the WHERE clause so the tab predicates of <see cref="OrderTabs"/> are used verbatim (partial indexes
/// match them term for term); EF for the rows. Index design: Orders/README.md.
/// </summary>
public sealed partial class OrderListQuery(OmsDbContext db, OrderTabCounts counters, SettingsService settings)
{
    /// <summary>A filtered tab count stops at <see cref="CountLimit"/> and shows <c>10000+</c>.</summary>
    public const int DefaultCountLimit = 10_000;

    /// <summary>Where a filtered count stops (tests lower it).</summary>
    public int CountLimit { get; set; } = DefaultCountLimit;
    /// <summary>Page sizes the list offers.</summary>
    public static readonly IReadOnlyList<int> PageSizes = [20, 50, 100];
    /// <summary>At most this many order numbers in one search.</summary>
    public const int MaxOrderBns = 500;

    private readonly InventorySql _sql = new(db);

    /// <summary>One page of the tab's orders matching <paramref name="filter"/>, newest first, ids below <paramref name="before"/>.</summary>
    public async Task<KeysetPage<OrderListRow>> ListAsync(OrderListFilter filter, OrderTab tab, long? before = null, int pageSize = 20, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(tab);
        pageSize = Math.Clamp(pageSize, 1, PageSizes[^1]);
        var (where, parameters) = Where(filter, tab);
        if (before is { } b)
        {
            where += " AND id < @before";
            parameters.Add(("@before", b));
        }
        // the WHERE text is built from constants (tab predicates, column names); every value is a parameter
#pragma warning disable EF1003
        var query = db.Set<Order>()
            .FromSqlRaw("SELECT * FROM orders WHERE " + where, parameters.Select(p => (object)Parameter(p.Name, p.Value)).ToArray())
            .AsNoTracking()
            .OrderByDescending(o => o.Id)
            .Take(pageSize + 1)
            .Select(o => new OrderListRow
            {
                Id = o.Id, ShopId = o.ShopId, OrderBn = o.OrderBn, CreateTime = o.CreateTime, ArrivedAt = o.ArrivedAt,
                ShipName = o.ShipName, ShipProvince = o.ShipProvince, ShipCity = o.ShipCity,
                TotalAmount = o.TotalAmount, Payed = o.Payed,
                Status = o.Status, PayStatus = o.PayStatus, ShipStatus = o.ShipStatus, ProcessStatus = o.ProcessStatus,
                Pause = o.Pause, Abnormal = o.Abnormal, IsFail = o.IsFail, IsCod = o.IsCod, CustomMark = o.CustomMark, AutoStatus = o.AutoStatus,
                ItemCount = o.Objects.Where(x => !x.Deleted).Sum(x => x.Quantity),
            });
#pragma warning restore EF1003
        var rows = await query.ToListAsync(ct).ConfigureAwait(false);
        long? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(pageSize);
            next = rows[^1].Id;
        }
        if (rows.Count > 0)
        {
            var shopIds = rows.Select(r => r.ShopId).Distinct().ToList();
            var names = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id))
                .ToDictionaryAsync(s => s.Id, s => s.Name, ct).ConfigureAwait(false);
            foreach (var r in rows) r.ShopName = names.GetValueOrDefault(r.ShopId) ?? "";
        }
        return new KeysetPage<OrderListRow>(rows, next);
    }

    /// <summary>
    /// Every tab's count for <paramref name="filter"/>, or null when the degrade switch <c>ui.tab_counts</c>
    /// is off (then no count query runs at all).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, TabCount>?> TabCountsAsync(OrderListFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!await settings.GetBoolAsync("ui.tab_counts", ct).ConfigureAwait(false)) return null;
        return await CountAsync(filter, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Every tab's count, ignoring the degrade switch: from the counters when at most shops are filtered;
    /// otherwise one pass over at most <see cref="CountLimit"/>+1 matching orders, and only if that many
    /// match, one bounded COUNT per tab (each then "10000+" or exact).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, TabCount>> CountAsync(OrderListFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!filter.HasRowFilters) return await counters.FromCountersAsync(filter.ShopIds, ct).ConfigureAwait(false);

        var (where, parameters) = Where(filter, OrderTabs.All);
        var bound = (CountLimit + 1).ToString(CultureInfo.InvariantCulture);
        var sql = new StringBuilder("SELECT COUNT(*)");
        foreach (var tab in OrderTabs.List.Skip(1))
            sql.Append(CultureInfo.InvariantCulture, $", SUM(CASE WHEN {tab.Sql()} THEN 1 ELSE 0 END)");
        sql.Append(CultureInfo.InvariantCulture,
            $" FROM (SELECT {string.Join(", ", OrderTabs.Columns)} FROM orders WHERE {where} LIMIT {bound}) AS x");
        var result = new Dictionary<string, TabCount>(StringComparer.Ordinal);
        await _sql.WithConnectionAsync(async tx =>
        {
            long all;
            await using (var cmd = Command(sql.ToString(), parameters, tx))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await r.ReadAsync(ct).ConfigureAwait(false);
                all = InventorySql.ToLong(r.GetValue(0));
                for (var i = 1; i < OrderTabs.List.Count; i++)
                    result[OrderTabs.List[i].Key] = new TabCount(r.IsDBNull(i) ? 0 : InventorySql.ToLong(r.GetValue(i)), false);
            }
            if (all <= CountLimit)
            {
                result[OrderTabs.All.Key] = new TabCount(all, false);
                return 0;
            }
            result[OrderTabs.All.Key] = new TabCount(CountLimit, true);
            // the filter matches more than the bound: each tab counted on its own, bounded too
            foreach (var tab in OrderTabs.List.Skip(1))
            {
                await using var cmd = Command(
                    $"SELECT COUNT(*) FROM (SELECT 1 AS one FROM orders WHERE {where} AND {tab.Sql()} LIMIT {bound}) AS x", parameters, tx);
                var n = InventorySql.ToLong((await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!);
                result[tab.Key] = n > CountLimit ? new TabCount(CountLimit, true) : new TabCount(n, false);
            }
            return 0;
        }, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>The shops for the shop filter, by name.</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> ShopsAsync(CancellationToken ct = default) =>
        (await db.Set<Shop>().AsNoTracking().OrderBy(s => s.Name).ThenBy(s => s.Id).Select(s => new { s.Id, s.Name })
            .ToListAsync(ct).ConfigureAwait(false)).Select(s => (s.Id, s.Name)).ToList();

    /// <summary>The order numbers of a search field: split on commas (also full-width), spaces and new lines, duplicates dropped.</summary>
    public static IReadOnlyList<string> SplitOrderBns(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : Separators().Split(text.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The WHERE clause (columns unqualified, so partial-index predicates match) and its parameters.</summary>
    private (string Sql, List<(string Name, object Value)> Parameters) Where(OrderListFilter f, OrderTab tab)
    {
        var terms = new List<string>();
        var ps = new List<(string, object)>();
        if (tab != OrderTabs.All) terms.Add(tab.Sql());
        if (f.ShopIds is { Count: > 0 } shops)
        {
            var names = shops.Select((id, i) => { var n = "@shop" + i.ToString(CultureInfo.InvariantCulture); ps.Add((n, id)); return n; });
            terms.Add($"shop_id IN ({string.Join(", ", names)})");
        }
        var timeColumn = f.TimeField == OrderTimeField.Arrived ? "arrived_at" : "create_time";
        if (f.From is { } from) { terms.Add($"{timeColumn} >= @from"); ps.Add(("@from", from)); }
        if (f.To is { } to) { terms.Add($"{timeColumn} < @to"); ps.Add(("@to", to)); }
        var bns = SplitOrderBns(f.OrderBn);
        if (bns.Count > MaxOrderBns)
            throw new ValidationException("OrderBn", $"Search at most {MaxOrderBns} order numbers at once ({bns.Count} given).");
        if (bns.Count == 1) { terms.Add("order_bn = @bn0"); ps.Add(("@bn0", bns[0])); }
        else if (bns.Count > 1)
        {
            var names = bns.Select((bn, i) => { var n = "@bn" + i.ToString(CultureInfo.InvariantCulture); ps.Add((n, bn)); return n; });
            terms.Add($"order_bn IN ({string.Join(", ", names)})");
        }
        if (Text(f.Buyer) is { } buyer) { terms.Add("(member_uname = @buyer OR buyer_id = @buyer)"); ps.Add(("@buyer", buyer)); }
        if (Text(f.Mobile) is { } mobile) { terms.Add("ship_mobile = @mobile"); ps.Add(("@mobile", mobile)); }
        if (Text(f.ReceiverName) is { } name) { terms.Add("ship_name = @name"); ps.Add(("@name", name)); }
        if (Text(f.Material) is { } material)
        {
            // the orders holding the code, from both line tables' (bn, order_id) indexes, then the newest of them.
            // PostgreSQL: as an array, so the plan is primary-key lookups of those orders; as IN (…) it chose a merge
            // join walking orders backwards from the newest (70 ms at 1M orders for a code on 400 orders, EXPLAIN in README).
            const string lines = "SELECT order_id FROM order_object WHERE bn = @material UNION SELECT order_id FROM order_item WHERE bn = @material";
            terms.Add(db.IsSqlite ? $"id IN ({lines})" : $"id = ANY(ARRAY({lines}))");
            ps.Add(("@material", material));
        }
        return (terms.Count == 0 ? "1 = 1" : string.Join(" AND ", terms), ps);
    }

    private static string? Text(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private DbParameter Parameter(string name, object value)
    {
        using var cmd = db.Database.GetDbConnection().CreateCommand();
        _sql.Add(cmd, name, value);
        var p = cmd.Parameters[0];
        cmd.Parameters.Clear();
        return p;
    }

    private DbCommand Command(string sql, List<(string Name, object Value)> parameters, DbTransaction? tx)
    {
        var cmd = _sql.Command(sql, tx);
        foreach (var (name, value) in parameters) _sql.Add(cmd, name, value);
        return cmd;
    }

    [GeneratedRegex(@"[\s,，;；]+")]
    private static partial Regex Separators();
}
