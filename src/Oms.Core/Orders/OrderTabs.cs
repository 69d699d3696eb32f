using System.Globalization;
using System.Text;

namespace Oms.Orders;

/// <summary>
/// One tab of the order list (订单列表页签): a key, a stable code stored in <c>order_tab_count.tab</c>,
/// and its membership predicate as SQL over the <c>orders</c> columns. The predicate text is written
/// once, with <c>{p}</c> before every column so the same text serves the list (bare column names, so
/// partial indexes match term for term), the triggers (<c>NEW.</c> / <c>OLD.</c>) and the rebuild.
/// It uses only what SQLite and PostgreSQL both read the same: integer enums, boolean columns as
/// <c>col</c> / <c>NOT col</c>, <c>IN (…)</c>.
/// </summary>
public sealed class OrderTab
{
    internal OrderTab(string key, string template, bool indexed)
    {
        Key = key;
        Template = template;
        Indexed = indexed;
    }

    /// <summary>URL and storage key (<c>order_tab_count.tab</c>), e.g. <c>to_pay</c>.</summary>
    public string Key { get; }

    /// <summary>The predicate with <c>{p}</c> where a column prefix goes.</summary>
    public string Template { get; }

    /// <summary>A small tab: it has a partial index on <c>(id)</c> so its newest rows are a short index scan.</summary>
    public bool Indexed { get; }

    /// <summary>The predicate over columns with <paramref name="prefix"/> (<c>""</c>, <c>"NEW."</c>, <c>"OLD."</c>, <c>"o."</c>).</summary>
    public string Sql(string prefix = "") => Template.Replace("{p}", prefix, StringComparison.Ordinal);

    /// <summary>The resource key of its label (<c>Orders.Tab.{Key}</c>).</summary>
    public string LabelKey => "Orders.Tab." + Key;

    /// <summary>The partial index's name when <see cref="Indexed"/>.</summary>
    public string IndexName => "ix_orders_tab_" + Key;

    public override string ToString() => Key;
}

/// <summary>
/// The tabs of the order list, in display order — the one definition of what each tab holds.
/// Changing a predicate changes the triggers that keep <c>order_tab_count</c>: it needs a new migration
/// that re-creates them (<see cref="OrderTabCountSql.CreateTriggers"/>) and a recount
/// (<c>oms orders recount</c>); the partial indexes follow by EF's model diff in the same migration.
/// </summary>
public static class OrderTabs
{
    private const string Active = "{p}status = 0";

    /// <summary>全部.</summary>
    public static readonly OrderTab All = new("all", "1 = 1", false);

    /// <summary>待付款 — active, not failed, not COD, unpaid / partly paid / paying.</summary>
    public static readonly OrderTab ToPay = new("to_pay",
        $"{Active} AND NOT {{p}}is_fail AND NOT {{p}}is_cod AND {{p}}pay_status IN (0, 3, 8)", true);

    /// <summary>待处理 — active, not failed, not reviewed, not paused, and COD or paid (or with refunds in progress).</summary>
    public static readonly OrderTab ToProcess = new("to_process",
        $"{Active} AND NOT {{p}}is_fail AND NOT {{p}}confirmed AND NOT {{p}}pause AND ({{p}}is_cod OR {{p}}pay_status IN (1, 2, 4, 5, 6, 7))", true);

    /// <summary>待发货 — active, reviewed, not (or partly) shipped.</summary>
    public static readonly OrderTab ToShip = new("to_ship",
        $"{Active} AND {{p}}confirmed AND {{p}}ship_status IN (0, 2)", true);

    /// <summary>已发货 — shipped, partly returned or returned. Most orders end here: no partial index.</summary>
    public static readonly OrderTab Shipped = new("shipped",
        "{p}ship_status IN (1, 3, 4)", false);

    /// <summary>已取消 — status dead.</summary>
    public static readonly OrderTab Cancelled = new("cancelled",
        "{p}status = 1", true);

    /// <summary>失败订单 — failed (unmatched material) and not cancelled.</summary>
    public static readonly OrderTab Failed = new("failed",
        "{p}is_fail AND {p}status <> 1", true);

    /// <summary>暂停/异常 — active and paused or abnormal.</summary>
    public static readonly OrderTab Paused = new("paused",
        $"{Active} AND ({{p}}pause OR {{p}}abnormal)", true);

    public static readonly IReadOnlyList<OrderTab> List = [All, ToPay, ToProcess, ToShip, Shipped, Cancelled, Failed, Paused];

    /// <summary>The tab with this key; <see cref="All"/> for null, empty or unknown keys.</summary>
    public static OrderTab Find(string? key) =>
        List.FirstOrDefault(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase)) ?? All;

    /// <summary>The columns the predicates read (an update touching none of them cannot move an order between tabs).</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["shop_id", "status", "pay_status", "ship_status", "confirmed", "pause", "abnormal", "is_fail", "is_cod"];

    /// <summary>
    /// The tab an order belongs to, evaluated in C# over an entity (for tests and screens that hold the
    /// order already). Must agree with the SQL; <c>OrderListTabMembershipTests</c> checks both against each other.
    /// </summary>
    public static bool Matches(OrderTab tab, Order o)
    {
        ArgumentNullException.ThrowIfNull(tab);
        ArgumentNullException.ThrowIfNull(o);
        var active = o.Status == OrderStatus.Active;
        var pay = (int)o.PayStatus;
        return tab.Key switch
        {
            "all" => true,
            "to_pay" => active && !o.IsFail && !o.IsCod && pay is 0 or 3 or 8,
            "to_process" => active && !o.IsFail && !o.Confirmed && !o.Pause && (o.IsCod || pay is 1 or 2 or 4 or 5 or 6 or 7),
            "to_ship" => active && o.Confirmed && o.ShipStatus is ShipStatus.NotShipped or ShipStatus.PartlyShipped,
            "shipped" => o.ShipStatus is ShipStatus.Shipped or ShipStatus.PartlyReturned or ShipStatus.Returned,
            "cancelled" => o.Status == OrderStatus.Dead,
            "failed" => o.IsFail && o.Status != OrderStatus.Dead,
            "paused" => active && (o.Pause || o.Abnormal),
            _ => throw new ArgumentOutOfRangeException(nameof(tab), tab.Key, "unknown tab"),
        };
    }
}

/// <summary>
/// SQL that keeps <c>order_tab_count</c> in step with <c>orders</c>, generated from <see cref="OrderTabs"/>
/// so the predicates exist once. Used by the migrations (create / drop the triggers) and by tests.
/// </summary>
public static class OrderTabCountSql
{
    /// <summary>
    /// Spreads one shop's counter over this many rows so concurrent writers rarely wait for each other. On PostgreSQL the
    /// slot is the writing backend's (<c>pg_backend_pid() % Slots</c>): two transactions writing orders at once — the
    /// intake's batch and a review or consign batch of hundreds of orders, or two server processes — touch different
    /// counter rows (unless their pids meet modulo 16), where a slot by order id had a batch of consecutive ids lock all
    /// sixteen and every other writer wait for its commit. A slot's own value means nothing (an order counted in one slot
    /// may be uncounted from another, so it can go below zero); the count is the SUM over the slots. SQLite has one
    /// writer at a time: <c>id % Slots</c> there.
    /// </summary>
    public const int Slots = 16;

    private const string Function = "order_tab_count_apply";
    private static readonly string[] SqliteTriggers = ["trg_orders_tab_count_ins", "trg_orders_tab_count_upd", "trg_orders_tab_count_del"];

    /// <summary>
    /// The delta rows of one trigger firing: −1 per tab an old row matched, +1 per tab a new row matches, summed per
    /// (shop, tab, slot) and kept only when not zero (membership changed), in (shop, tab, slot) order so two transactions
    /// lock counter rows in the same order. <paramref name="statement"/>: PostgreSQL's statement trigger, over every row the
    /// statement touched (its transition tables <c>old_rows</c> and <c>new_rows</c>) — one upsert per statement however
    /// many orders it wrote (a batch of intake, review or consign writes hundreds at once); otherwise SQLite's row trigger
    /// (<c>OLD</c>, <c>NEW</c>).
    /// </summary>
    private static string Upsert(bool hasOld, bool hasNew, bool statement)
    {
        var (o, fromOld) = statement ? ("o.", " FROM old_rows o") : ("OLD.", "");
        var (n, fromNew) = statement ? ("n.", " FROM new_rows n") : ("NEW.", "");
        var parts = new List<string>();
        var (oldSlot, newSlot) = statement ? (BackendSlot, BackendSlot) : ($"{o}id % {Slots}", $"{n}id % {Slots}");
        foreach (var t in OrderTabs.List)
        {
            if (hasOld)
                parts.Add($"SELECT {o}shop_id AS shop_id, '{t.Key}' AS tab, {oldSlot} AS slot, -1 AS d{fromOld} WHERE {t.Sql(o)}");
            if (hasNew)
                parts.Add($"SELECT {n}shop_id AS shop_id, '{t.Key}' AS tab, {newSlot} AS slot, 1 AS d{fromNew} WHERE {t.Sql(n)}");
        }
        var sb = new StringBuilder();
        sb.Append("INSERT INTO order_tab_count (shop_id, tab, slot, n)\n  SELECT x.shop_id, x.tab, x.slot, SUM(x.d) FROM (\n    ");
        sb.Append(string.Join("\n    UNION ALL ", parts));
        // WHERE 1 = 1: SQLite needs a WHERE before an upsert's ON CONFLICT after a SELECT with FROM
        sb.Append("\n  ) AS x WHERE 1 = 1 GROUP BY x.shop_id, x.tab, x.slot HAVING SUM(x.d) <> 0 ORDER BY x.shop_id, x.tab, x.slot\n");
        sb.Append("  ON CONFLICT (shop_id, tab, slot) DO UPDATE SET n = order_tab_count.n + excluded.n;");
        return sb.ToString();
    }

    private static readonly string BackendSlot = $"pg_backend_pid() % {Slots}";

    private static string UpdateOfColumns => string.Join(", ", OrderTabs.Columns);

    /// <summary>
    /// The statements that (re-)create the triggers on <paramref name="postgres"/> or SQLite; run after <see cref="DropTriggers"/>
    /// when re-creating. PostgreSQL's fire once per statement with its transition tables (an update trigger with transition
    /// tables cannot name columns, so it fires on every update of orders; a statement that moves no order between tabs sums
    /// to nothing and writes nothing). SQLite has no statement triggers: one firing per row there.
    /// </summary>
    public static string CreateTriggers(bool postgres)
    {
        if (postgres)
        {
            return $"""
                CREATE OR REPLACE FUNCTION {Function}() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                  IF TG_OP = 'INSERT' THEN
                    {Upsert(false, true, statement: true)}
                  ELSIF TG_OP = 'UPDATE' THEN
                    {Upsert(true, true, statement: true)}
                  ELSE
                    {Upsert(true, false, statement: true)}
                  END IF;
                  RETURN NULL;
                END
                $fn$;
                CREATE TRIGGER {SqliteTriggers[0]} AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {Function}();
                CREATE TRIGGER {SqliteTriggers[1]} AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {Function}();
                CREATE TRIGGER {SqliteTriggers[2]} AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {Function}();
                """;
        }
        return $"""
            CREATE TRIGGER {SqliteTriggers[0]} AFTER INSERT ON orders BEGIN
            {Upsert(false, true, statement: false)}
            END;
            CREATE TRIGGER {SqliteTriggers[1]} AFTER UPDATE OF {UpdateOfColumns} ON orders BEGIN
            {Upsert(true, true, statement: false)}
            END;
            CREATE TRIGGER {SqliteTriggers[2]} AFTER DELETE ON orders BEGIN
            {Upsert(true, false, statement: false)}
            END;
            """;
    }

    /// <summary>
    /// Replaces every counter with a recount from the orders, in SQL only (for migrations; one scan per tab).
    /// <see cref="OrderTabCounts.RebuildAsync"/> does the same at run time in one scan and under a lock.
    /// </summary>
    public static string RebuildAll(bool postgres)
    {
        _ = postgres; // the same text on both
        var parts = OrderTabs.List.Select(t => $"SELECT shop_id, '{t.Key}', 0, COUNT(*) FROM orders WHERE {t.Sql()} GROUP BY shop_id");
        return "DELETE FROM order_tab_count;\nINSERT INTO order_tab_count (shop_id, tab, slot, n)\n"
               + string.Join("\nUNION ALL ", parts) + ";\n";
    }

    /// <summary>Drops the triggers (and on PostgreSQL their function).</summary>
    public static string DropTriggers(bool postgres)
    {
        var sb = new StringBuilder();
        foreach (var t in SqliteTriggers)
            sb.Append(CultureInfo.InvariantCulture, $"DROP TRIGGER IF EXISTS {t}{(postgres ? " ON orders" : "")};\n");
        if (postgres) sb.Append(CultureInfo.InvariantCulture, $"DROP FUNCTION IF EXISTS {Function}();\n");
        return sb.ToString();
    }
}
