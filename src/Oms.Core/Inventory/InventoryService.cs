using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Admin;
using Oms.Common;
using Oms.Data;

namespace Oms.Inventory;

/// <summary>A quantity of one basic material in one branch (and, for store changes, its unit price on the ledger).</summary>
public sealed record StockMoveLine(long BranchId, long BasicMaterialId, int Quantity, decimal UnitPrice = 0);

/// <summary>A quantity of one basic material held for one shop (店铺冻结).</summary>
public sealed record ShopFreezeLine(long ShopId, long BasicMaterialId, int Quantity);

/// <summary>A quantity moving between a shop's freeze and a branch's freeze (review, revoke, pause).</summary>
public sealed record FreezeMoveLine(long ShopId, long BranchId, long BasicMaterialId, int Quantity);

/// <summary>What the ledger (出入库明细) records about a change of <c>store</c>.</summary>
public sealed record LedgerEntry(StockMoveType Type, string? OriginalBn, string? Operator = null, string? Memo = null);

/// <summary><c>store</c> of a branch and material right after one line was applied.</summary>
public sealed record StockBalance(long BranchId, long BasicMaterialId, int Quantity, int StoreAfter);

/// <summary>
/// The only code that changes stock counters (<c>branch_stock</c>, <c>shop_freeze</c>). Every
/// operation runs in the caller's open transaction, as one conditional SQL statement per counter
/// row that cannot take a counter below zero, and writes a ledger line for each change of
/// <c>store</c>. A refused operation throws <see cref="InsufficientStockException"/> and leaves
/// nothing of itself behind (the lines already applied are rolled back to a savepoint), so the
/// caller may catch it and try something else in the same transaction.
/// Rows are locked in a fixed order — branch rows by (branch, material), then shop rows by
/// (shop, material) — so concurrent transactions on PostgreSQL do not deadlock.
/// </summary>
public sealed class InventoryService(OmsDbContext db, SettingsService settings, TimeProvider clock)
{
    private const string Savepoint = "oms_inventory";
    private readonly InventorySql _sql = new(db);

    // ---- store: ledger-writing moves ------------------------------------------------------

    /// <summary>Store + (direct in, gift/sample in, stocktake gain, return in, transfer in). Always succeeds.</summary>
    public Task<IReadOnlyList<StockBalance>> ReceiveAsync(IReadOnlyList<StockMoveLine> lines, LedgerEntry ledger, CancellationToken ct = default) =>
        StoreMovesAsync(lines, ledger, +1, BranchOp.Receive, ct);

    /// <summary>
    /// Store − of free stock (direct out, gift/sample out, stocktake loss): refused when
    /// <c>store − store_freeze</c> is short. Stock already frozen for a delivery or an outbound
    /// document leaves through <see cref="ShipFromFreezeAsync"/> instead.
    /// </summary>
    public Task<IReadOnlyList<StockBalance>> IssueAsync(IReadOnlyList<StockMoveLine> lines, LedgerEntry ledger, CancellationToken ct = default) =>
        StoreMovesAsync(lines, ledger, -1, BranchOp.Issue, ct);

    /// <summary>
    /// Delivery shipped / transfer out or purchase return shipped: <c>store_freeze</c> − and
    /// <c>store</c> − together, with a ledger line (sales out, transfer out, purchase return out).
    /// </summary>
    public Task<IReadOnlyList<StockBalance>> ShipFromFreezeAsync(IReadOnlyList<StockMoveLine> lines, LedgerEntry ledger, CancellationToken ct = default) =>
        StoreMovesAsync(lines, ledger, -1, BranchOp.ShipFromFreeze, ct);

    /// <summary>
    /// Many documents shipped at once (batch consign): like <see cref="ShipFromFreezeAsync"/> for every line, but the lines
    /// are summed per (branch, material) and each row's conditional update goes out in one command (rows in lock order),
    /// then one ledger line per input line (input order, each with the balance right after it) in one more. All or nothing:
    /// a short row refuses the whole call and nothing of it stays.
    /// </summary>
    public async Task ShipFromFreezeManyAsync(IReadOnlyList<(StockMoveLine Line, LedgerEntry Ledger)> lines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return;
        Validate(lines.Select(l => l.Line).ToList());
        var tx = _sql.RequireTransaction();
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = SummedInLockOrder(lines, l => l.Line.BranchId, l => l.Line.BasicMaterialId, l => l.Line.Quantity);
        var spec = Ops[BranchOp.ShipFromFreeze];
        await GuardedAsync(true, async () =>
        {
            var after = await ApplyBranchRowsAsync(tx, spec, rows, now, ct).ConfigureAwait(false);

            // balances line by line: the row's store before the batch, minus each line in input order
            var running = rows.ToDictionary(r => (r.OwnerId, r.BasicMaterialId), r => after[(r.OwnerId, r.BasicMaterialId)] + r.Quantity);
            var ledger = new RowInserter(db);
            foreach (var (line, entry) in lines)
            {
                var key = (line.BranchId, line.BasicMaterialId);
                running[key] -= line.Quantity;
                ledger.Add(new StockLedgerLine
                {
                    BranchId = line.BranchId, BasicMaterialId = line.BasicMaterialId, Quantity = -line.Quantity, Type = entry.Type,
                    OriginalBn = entry.OriginalBn, BalanceAfter = running[key], UnitPrice = line.UnitPrice, Operator = entry.Operator,
                    Memo = entry.Memo is { Length: > 1000 } m ? m[..1000] : entry.Memo, CreatedAt = now,
                });
            }
            await ledger.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Purchase received (partly or fully): <c>arrive_store</c> −, <c>store</c> +, ledger purchase in.</summary>
    public Task<IReadOnlyList<StockBalance>> ReceiveArrivalAsync(IReadOnlyList<StockMoveLine> lines, LedgerEntry ledger, CancellationToken ct = default) =>
        StoreMovesAsync(lines, ledger, +1, BranchOp.ReceiveArrival, ct);

    // ---- branch freeze (仓库冻结) ---------------------------------------------------------

    /// <summary>
    /// Transfer out / purchase return created: <c>store_freeze</c> + when <c>store − store_freeze ≥ n</c>
    /// (without that check when the setting <c>stock.allow_negative</c> is on).
    /// </summary>
    public async Task FreezeBranchAsync(IReadOnlyList<StockMoveLine> lines, CancellationToken ct = default)
    {
        var op = await AllowNegativeAsync(ct).ConfigureAwait(false) ? BranchOp.FreezeUnchecked : BranchOp.Freeze;
        await CounterMovesAsync(lines, op, ct).ConfigureAwait(false);
    }

    /// <summary>Outbound document cancelled: <c>store_freeze</c> −, refused below 0.</summary>
    public Task ReleaseBranchFreezeAsync(IReadOnlyList<StockMoveLine> lines, CancellationToken ct = default) =>
        CounterMovesAsync(lines, BranchOp.ReleaseFreeze, ct);

    // ---- shop freeze (店铺冻结) -----------------------------------------------------------

    /// <summary>
    /// Order created or updated (matched lines) / failed order re-matched: shop freeze +. No upper
    /// bound: orders are accepted even when the shop is oversold.
    /// </summary>
    public Task FreezeShopAsync(IReadOnlyList<ShopFreezeLine> lines, CancellationToken ct = default) =>
        ShopMovesAsync(lines, +1, ct);

    /// <summary>Order cancelled / items removed / remaining cancelled: shop freeze −, refused below 0.</summary>
    public Task ReleaseShopFreezeAsync(IReadOnlyList<ShopFreezeLine> lines, CancellationToken ct = default) =>
        ShopMovesAsync(lines, -1, ct);

    /// <summary>
    /// Delivery created (review): shop freeze −, branch freeze + (refused when the branch's free
    /// stock is short, unless <c>stock.allow_negative</c>; refused when the shop freeze is short).
    /// </summary>
    public async Task MoveShopFreezeToBranchAsync(IReadOnlyList<FreezeMoveLine> lines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var op = await AllowNegativeAsync(ct).ConfigureAwait(false) ? BranchOp.FreezeUnchecked : BranchOp.Freeze;
        await MovesAsync(lines, op, -1, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="MoveShopFreezeToBranchAsync"/> for a whole batch of deliveries (automatic review on SQLite; on PostgreSQL the
    /// batch sends the same moves with its other writes, <see cref="AppendMoveShopFreezeToBranchManyAsync"/>): the lines summed per
    /// (shop, branch, material), each branch row's conditional update (free stock must cover it) in one command, then each
    /// shop row's in one more — rows in the usual lock order. All or nothing: a short row throws
    /// <see cref="InsufficientStockException"/> and nothing of the call stays.
    /// </summary>
    public async Task MoveShopFreezeToBranchManyAsync(IReadOnlyList<FreezeMoveLine> lines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return;
        foreach (var l in lines) CheckQuantity(l.Quantity);
        var spec = Ops[await AllowNegativeAsync(ct).ConfigureAwait(false) ? BranchOp.FreezeUnchecked : BranchOp.Freeze];
        var tx = _sql.RequireTransaction();
        var now = clock.GetUtcNow().UtcDateTime;
        var branchRows = SummedInLockOrder(lines, l => l.BranchId, l => l.BasicMaterialId, l => l.Quantity);
        var shopRows = SummedInLockOrder(lines, l => l.ShopId, l => l.BasicMaterialId, l => l.Quantity);
        await GuardedAsync(true, async () =>
        {
            await ApplyBranchRowsAsync(tx, spec, branchRows, now, ct).ConfigureAwait(false);
            await using var cmd = _sql.Command("", tx);
            var text = new System.Text.StringBuilder();
            for (var i = 0; i < shopRows.Count; i++)
            {
                var suffix = i.ToString(CultureInfo.InvariantCulture);
                text.Append(ShopReleaseRow("@s" + suffix, "@m" + suffix, "@n" + suffix)).Append(";\n");
                _sql.Add(cmd, "@s" + suffix, shopRows[i].OwnerId);
                _sql.Add(cmd, "@m" + suffix, shopRows[i].BasicMaterialId);
                _sql.Add(cmd, "@n" + suffix, shopRows[i].Quantity);
            }
            _sql.Add(cmd, "@now", now);
            cmd.CommandText = text.ToString();
            if (await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != shopRows.Count)
                throw new InsufficientStockException("Cannot release the shop freeze of a batch of deliveries: a shop's freeze is short.");
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// PostgreSQL: <see cref="MoveShopFreezeToBranchManyAsync"/>'s moves appended to the caller's command
    /// (<paramref name="batch"/>) after its other writes (statements answering no rows), so that all of them go in one round
    /// trip: the branch rows locked in key order and conditionally updated (set-wise, from arrays), then the shop rows the same
    /// way. Nothing undoes itself here, the caller holds a savepoint: it runs <paramref name="batch"/> as a reader and passes
    /// that reader to the answer, which reads every result and throws <see cref="InsufficientStockException"/> when a row came
    /// up short.
    /// </summary>
    internal async Task<Func<DbDataReader, CancellationToken, Task>> AppendMoveShopFreezeToBranchManyAsync(SqlBatch batch,
        IReadOnlyList<FreezeMoveLine> lines, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(lines);
        if (!batch.IsNpgsql) throw new NotSupportedException("the freeze move joins another command on PostgreSQL only");
        foreach (var l in lines) CheckQuantity(l.Quantity);
        var spec = Ops[await AllowNegativeAsync(ct).ConfigureAwait(false) ? BranchOp.FreezeUnchecked : BranchOp.Freeze];
        var branchRows = SummedInLockOrder(lines, l => l.BranchId, l => l.BasicMaterialId, l => l.Quantity);
        var shopRows = SummedInLockOrder(lines, l => l.ShopId, l => l.BasicMaterialId, l => l.Quantity);
        var now = batch.P(clock.GetUtcNow().UtcDateTime);
        batch.Text.Append(spec.RowsOver(batch.P(branchRows.Select(r => r.OwnerId).ToArray()), batch.P(branchRows.Select(r => r.BasicMaterialId).ToArray()),
            batch.P(branchRows.Select(r => r.Quantity).ToArray()), now)).Append(";\n");
        var s = batch.P(shopRows.Select(r => r.OwnerId).ToArray());
        var m = batch.P(shopRows.Select(r => r.BasicMaterialId).ToArray());
        batch.Text.Append(CultureInfo.InvariantCulture, $"SELECT 1 FROM shop_freeze f JOIN unnest({s}, {m}) AS v(s, m) ON f.shop_id = v.s AND f.basic_material_id = v.m ")
            .Append("ORDER BY f.shop_id, f.basic_material_id FOR UPDATE OF f;\n")
            .Append(CultureInfo.InvariantCulture, $"UPDATE shop_freeze SET quantity = quantity - v.n, updated_at = {now} FROM unnest({s}, {m}, {batch.P(shopRows.Select(r => r.Quantity).ToArray())}) AS v(s, m, n) ")
            .Append("WHERE shop_id = v.s AND basic_material_id = v.m AND quantity >= v.n RETURNING shop_id, basic_material_id;\n");
        return async (r, token) =>
        {
            // the lock selects answer one column, the branch update three, the shop update two; other statements none
            int branches = 0, shops = 0;
            do
            {
                while (await r.ReadAsync(token).ConfigureAwait(false))
                {
                    if (r.FieldCount == 3) branches++;
                    else if (r.FieldCount == 2) shops++;
                }
            }
            while (await r.NextResultAsync(token).ConfigureAwait(false));
            if (branches != branchRows.Count)
                throw new InsufficientStockException("Cannot freeze a batch of deliveries in their branches: a branch's free stock is short.");
            if (shops != shopRows.Count)
                throw new InsufficientStockException("Cannot release the shop freeze of a batch of deliveries: a shop's freeze is short.");
        };
    }

    /// <summary>
    /// Delivery cancelled / sent back / revoked, or order paused with open deliveries: branch
    /// freeze −, shop freeze + (the order returns to review).
    /// </summary>
    public Task MoveBranchFreezeToShopAsync(IReadOnlyList<FreezeMoveLine> lines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return MovesAsync(lines, BranchOp.ReleaseFreeze, +1, ct);
    }

    // ---- in transit (在途) and defective (次品) -------------------------------------------

    /// <summary>Purchase (or incoming transfer) approved: <c>arrive_store</c> +.</summary>
    public Task AddArrivingAsync(IReadOnlyList<StockMoveLine> lines, CancellationToken ct = default) =>
        CounterMovesAsync(lines, BranchOp.AddArrive, ct);

    /// <summary>Purchase cancelled after approval: <c>arrive_store</c> − (the remaining quantity), refused below 0.</summary>
    public Task ReleaseArrivingAsync(IReadOnlyList<StockMoveLine> lines, CancellationToken ct = default) =>
        CounterMovesAsync(lines, BranchOp.ReleaseArrive, ct);

    /// <summary>
    /// Defective units received (e.g. a return judged defective): <c>defective_store</c> +.
    /// Defective units are not on-hand <c>store</c>, so no ledger line.
    /// </summary>
    public Task AddDefectiveAsync(IReadOnlyList<StockMoveLine> lines, CancellationToken ct = default) =>
        CounterMovesAsync(lines, BranchOp.AddDefective, ct);

    /// <summary>Defective units scrapped or returned to the supplier: <c>defective_store</c> −, refused below 0.</summary>
    public Task RemoveDefectiveAsync(IReadOnlyList<StockMoveLine> lines, CancellationToken ct = default) =>
        CounterMovesAsync(lines, BranchOp.RemoveDefective, ct);

    // ---- machinery ------------------------------------------------------------------------

    private enum BranchOp { Receive, Issue, ShipFromFreeze, ReceiveArrival, Freeze, FreezeUnchecked, ReleaseFreeze, AddArrive, ReleaseArrive, AddDefective, RemoveDefective }

    /// <summary>
    /// One kind of branch_stock change: an upsert of <see cref="Column"/> (moves that only add) or a conditional update
    /// (<see cref="Set"/> where <see cref="Condition"/>), both written over a quantity expression (a parameter for one row,
    /// <c>v.n</c> for a set of rows).
    /// </summary>
    private sealed record OpSql(string? Column, Func<string, string>? Set, Func<string, string>? Condition, string What, string AvailableLabel)
    {
        /// <summary>The statement for one row: parameters <c>@b</c>, <c>@m</c>, <c>@n</c>, <c>@now</c>; answers <c>store</c> after it.</summary>
        public string Sql => Row("@b", "@m", "@n");

        /// <summary>The one-row statement over the parameters named <paramref name="b"/>, <paramref name="m"/>, <paramref name="n"/>.</summary>
        public string Row(string b, string m, string n) => Column is { } c
            ? $"INSERT INTO branch_stock (branch_id, basic_material_id, store, store_freeze, arrive_store, defective_store, updated_at) " +
              $"VALUES ({b}, {m}, {Only(c, "store", n)}, {Only(c, "store_freeze", n)}, {Only(c, "arrive_store", n)}, {Only(c, "defective_store", n)}, @now) " +
              $"ON CONFLICT (branch_id, basic_material_id) DO UPDATE SET {c} = branch_stock.{c} + {n}, updated_at = @now RETURNING store"
            : $"UPDATE branch_stock SET {Set!(n)}, updated_at = @now WHERE branch_id = {b} AND basic_material_id = {m} AND {Condition!(n)} RETURNING store";

        /// <summary>
        /// PostgreSQL, the same for many rows (arrays <c>@b</c>, <c>@m</c>, <c>@n</c>, one element per row, rows distinct):
        /// one set-wise statement answering (branch, material, store after) for each row it changed. The rows are locked in
        /// (branch, material) order first — by the <c>ORDER BY</c> of the insert, or a <c>FOR UPDATE</c> select before the
        /// update (an update joined to an array has no order of its own) — the lock order every other caller keeps.
        /// </summary>
        public string Rows => _rows ??= RowsOver("@b", "@m", "@n", "@now");

        // built once per kind (the statement of every set-wise stock move on PostgreSQL), as before RowsOver existed
        private string? _rows;

        /// <summary><see cref="Rows"/> over the parameters named <paramref name="b"/>, <paramref name="m"/>, <paramref name="n"/> and <paramref name="now"/>.</summary>
        public string RowsOver(string b, string m, string n, string now) => Column is { } c
            ? $"INSERT INTO branch_stock (branch_id, basic_material_id, store, store_freeze, arrive_store, defective_store, updated_at) " +
              $"SELECT v.b, v.m, {Only(c, "store", "v.n")}, {Only(c, "store_freeze", "v.n")}, {Only(c, "arrive_store", "v.n")}, {Only(c, "defective_store", "v.n")}, {now} " +
              $"FROM unnest({b}, {m}, {n}) AS v(b, m, n) ORDER BY v.b, v.m " +
              $"ON CONFLICT (branch_id, basic_material_id) DO UPDATE SET {c} = branch_stock.{c} + excluded.{c}, updated_at = excluded.updated_at " +
              "RETURNING branch_id, basic_material_id, store"
            : $"SELECT 1 FROM branch_stock s JOIN unnest({b}, {m}) AS v(b, m) ON s.branch_id = v.b AND s.basic_material_id = v.m " +
              "ORDER BY s.branch_id, s.basic_material_id FOR UPDATE OF s;\n" +
              $"UPDATE branch_stock SET {Set!("v.n")}, updated_at = {now} FROM unnest({b}, {m}, {n}) AS v(b, m, n) " +
              $"WHERE branch_id = v.b AND basic_material_id = v.m AND {Condition!("v.n")} RETURNING branch_id, basic_material_id, store";

        private static string Only(string column, string wanted, string n) => column == wanted ? n : "0";
    }

    private static OpSql Upsert(string column, string what) => new(column, null, null, what, "");

    private static OpSql Update(Func<string, string> set, Func<string, string> condition, string what, string availableLabel) =>
        new(null, set, condition, what, availableLabel);

    private static readonly Dictionary<BranchOp, OpSql> Ops = new()
    {
        [BranchOp.Receive] = Upsert("store", "receive"),
        [BranchOp.Issue] = Update(n => $"store = store - {n}", n => $"store - store_freeze >= {n}", "issue", "free stock (store − store_freeze)"),
        [BranchOp.ShipFromFreeze] = Update(n => $"store = store - {n}, store_freeze = store_freeze - {n}", n => $"store_freeze >= {n} AND store >= {n}",
            "ship from the warehouse freeze", "frozen and on hand"),
        [BranchOp.ReceiveArrival] = Update(n => $"store = store + {n}, arrive_store = arrive_store - {n}", n => $"arrive_store >= {n}", "receive from in-transit", "in transit"),
        [BranchOp.Freeze] = Update(n => $"store_freeze = store_freeze + {n}", n => $"store - store_freeze >= {n}", "freeze", "free stock (store − store_freeze)"),
        [BranchOp.FreezeUnchecked] = Upsert("store_freeze", "freeze"),
        [BranchOp.ReleaseFreeze] = Update(n => $"store_freeze = store_freeze - {n}", n => $"store_freeze >= {n}", "release the warehouse freeze of", "frozen"),
        [BranchOp.AddArrive] = Upsert("arrive_store", "add in-transit"),
        [BranchOp.ReleaseArrive] = Update(n => $"arrive_store = arrive_store - {n}", n => $"arrive_store >= {n}", "release in-transit", "in transit"),
        [BranchOp.AddDefective] = Upsert("defective_store", "add defective"),
        [BranchOp.RemoveDefective] = Update(n => $"defective_store = defective_store - {n}", n => $"defective_store >= {n}", "remove defective", "defective"),
    };

    private const string ShopAdd =
        "INSERT INTO shop_freeze (shop_id, basic_material_id, quantity, updated_at) VALUES (@s, @m, @n, @now) " +
        "ON CONFLICT (shop_id, basic_material_id) DO UPDATE SET quantity = shop_freeze.quantity + @n, updated_at = @now";

    private static readonly string ShopRelease = ShopReleaseRow("@s", "@m", "@n");

    /// <summary>The shop-freeze release of one row over the parameters named <paramref name="s"/>, <paramref name="m"/>, <paramref name="n"/>.</summary>
    private static string ShopReleaseRow(string s, string m, string n) =>
        $"UPDATE shop_freeze SET quantity = quantity - {n}, updated_at = @now WHERE shop_id = {s} AND basic_material_id = {m} AND quantity >= {n}";

    /// <summary>
    /// Lines summed per (owner — a branch or a shop —, material), ordered by that key: the lock order every writer of stock
    /// rows keeps.
    /// </summary>
    private static List<(long OwnerId, long BasicMaterialId, int Quantity)> SummedInLockOrder<T>(IEnumerable<T> lines,
        Func<T, long> owner, Func<T, long> material, Func<T, int> quantity) =>
        lines.GroupBy(l => (Owner: owner(l), Material: material(l)))
            .Select(g => (g.Key.Owner, g.Key.Material, checked(g.Sum(quantity))))
            .OrderBy(r => r.Item1).ThenBy(r => r.Item2).ToList();

    private const string LedgerInsert =
        "INSERT INTO stock_ledger (branch_id, basic_material_id, quantity, type, original_bn, balance_after, unit_price, \"operator\", memo, created_at) " +
        "VALUES (@b, @m, @q, @t, @bn, @bal, @price, @op, @memo, @now)";

    private async Task<bool> AllowNegativeAsync(CancellationToken ct) =>
        await settings.GetBoolAsync("stock.allow_negative", ct).ConfigureAwait(false);

    private async Task<IReadOnlyList<StockBalance>> StoreMovesAsync(
        IReadOnlyList<StockMoveLine> lines, LedgerEntry ledger, int sign, BranchOp op, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        Validate(lines);
        var tx = _sql.RequireTransaction();
        var now = clock.GetUtcNow().UtcDateTime;
        var results = new StockBalance[lines.Count];
        await GuardedAsync(lines.Count > 1, async () =>
        {
            foreach (var i in SortedIndexes(lines))
            {
                var line = lines[i];
                var store = await ApplyBranchAsync(tx, op, line.BranchId, line.BasicMaterialId, line.Quantity, now, ct).ConfigureAwait(false);
                await using var cmd = _sql.Command(LedgerInsert, tx);
                _sql.Add(cmd, "@b", line.BranchId);
                _sql.Add(cmd, "@m", line.BasicMaterialId);
                _sql.Add(cmd, "@q", checked(sign * line.Quantity));
                _sql.Add(cmd, "@t", (int)ledger.Type);
                _sql.Add(cmd, "@bn", ledger.OriginalBn);
                _sql.Add(cmd, "@bal", store);
                _sql.Add(cmd, "@price", line.UnitPrice);
                _sql.Add(cmd, "@op", ledger.Operator);
                _sql.Add(cmd, "@memo", ledger.Memo is { Length: > 1000 } m ? m[..1000] : ledger.Memo);
                _sql.Add(cmd, "@now", now);
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                results[i] = new StockBalance(line.BranchId, line.BasicMaterialId, line.Quantity, store);
            }
        }, ct).ConfigureAwait(false);
        return results;
    }

    private async Task CounterMovesAsync(IReadOnlyList<StockMoveLine> lines, BranchOp op, CancellationToken ct)
    {
        Validate(lines);
        var tx = _sql.RequireTransaction();
        var now = clock.GetUtcNow().UtcDateTime;
        await GuardedAsync(lines.Count > 1, async () =>
        {
            foreach (var i in SortedIndexes(lines))
                await ApplyBranchAsync(tx, op, lines[i].BranchId, lines[i].BasicMaterialId, lines[i].Quantity, now, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    private async Task ShopMovesAsync(IReadOnlyList<ShopFreezeLine> lines, int sign, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var l in lines) CheckQuantity(l.Quantity);
        var tx = _sql.RequireTransaction();
        var now = clock.GetUtcNow().UtcDateTime;
        if (sign > 0)
        {
            // an addition cannot be refused: one multi-row upsert, no savepoint (the intake's hot path)
            await AddShopFreezeAsync(tx, lines, now, ct).ConfigureAwait(false);
            return;
        }
        await GuardedAsync(lines.Count > 1, async () =>
        {
            foreach (var l in lines.OrderBy(l => l.ShopId).ThenBy(l => l.BasicMaterialId))
                await ApplyShopAsync(tx, sign, l.ShopId, l.BasicMaterialId, l.Quantity, now, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    private const string ShopFreezeUpsert = " ON CONFLICT (shop_id, basic_material_id) DO UPDATE SET quantity = shop_freeze.quantity + excluded.quantity, updated_at = excluded.updated_at";

    /// <summary>Shop freeze + for every (shop, material) of <paramref name="lines"/> in one statement, rows in lock order.</summary>
    private async Task AddShopFreezeAsync(DbTransaction tx, IReadOnlyList<ShopFreezeLine> lines, DateTime now, CancellationToken ct)
    {
        var rows = SummedInLockOrder(lines, l => l.ShopId, l => l.BasicMaterialId, l => l.Quantity);
        if (rows.Count == 0) return;
        if (db.Database.IsNpgsql())
        {
            await using var batch = new SqlBatch(db);
            AppendShopFreezeRows(batch, rows, now);
            await batch.ExecuteAsync(ct).ConfigureAwait(false);
            return;
        }
        var values = string.Join(", ", rows.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"(@s{i}, @m{i}, @n{i}, @now)")));
        await using var cmd = _sql.Command(
            "INSERT INTO shop_freeze (shop_id, basic_material_id, quantity, updated_at) VALUES " + values + ShopFreezeUpsert, tx);
        for (var i = 0; i < rows.Count; i++)
        {
            _sql.Add(cmd, string.Create(CultureInfo.InvariantCulture, $"@s{i}"), rows[i].OwnerId);
            _sql.Add(cmd, string.Create(CultureInfo.InvariantCulture, $"@m{i}"), rows[i].BasicMaterialId);
            _sql.Add(cmd, string.Create(CultureInfo.InvariantCulture, $"@n{i}"), rows[i].Quantity);
        }
        _sql.Add(cmd, "@now", now);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// PostgreSQL: <see cref="FreezeShopAsync"/> appended to <paramref name="batch"/>'s statements, so it goes with the batch's
    /// other writes in one round trip (the intake's new orders: their rows, then their freeze).
    /// </summary>
    internal void AppendFreezeShop(SqlBatch batch, IReadOnlyList<ShopFreezeLine> lines)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(lines);
        if (!batch.IsNpgsql) throw new NotSupportedException("the shop freeze joins another command on PostgreSQL only");
        foreach (var l in lines) CheckQuantity(l.Quantity);
        var rows = SummedInLockOrder(lines, l => l.ShopId, l => l.BasicMaterialId, l => l.Quantity);
        if (rows.Count > 0) AppendShopFreezeRows(batch, rows, clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The one upsert of summed shop-freeze additions, rows in lock order; one prepared text whatever the row count (a VALUES
    /// list per count would crowd the prepared statements out).
    /// </summary>
    private static void AppendShopFreezeRows(SqlBatch batch, List<(long OwnerId, long BasicMaterialId, int Quantity)> rows, DateTime now)
    {
        batch.Text.Append("INSERT INTO shop_freeze (shop_id, basic_material_id, quantity, updated_at) SELECT v.s, v.m, v.n, ").Append(batch.P(now))
            .Append(" FROM unnest(").Append(batch.P(rows.Select(r => r.OwnerId).ToArray())).Append(", ")
            .Append(batch.P(rows.Select(r => r.BasicMaterialId).ToArray())).Append(", ")
            .Append(batch.P(rows.Select(r => r.Quantity).ToArray())).Append(") WITH ORDINALITY AS v(s, m, n, i) ORDER BY v.i")
            .Append(ShopFreezeUpsert).Append(";\n");
    }

    private async Task MovesAsync(IReadOnlyList<FreezeMoveLine> lines, BranchOp branchOp, int shopSign, CancellationToken ct)
    {
        foreach (var l in lines) CheckQuantity(l.Quantity);
        var tx = _sql.RequireTransaction();
        var now = clock.GetUtcNow().UtcDateTime;
        await GuardedAsync(true, async () =>
        {
            // All branch rows first, then all shop rows, each in key order: the same lock order as every other caller.
            foreach (var l in lines.OrderBy(l => l.BranchId).ThenBy(l => l.BasicMaterialId))
                await ApplyBranchAsync(tx, branchOp, l.BranchId, l.BasicMaterialId, l.Quantity, now, ct).ConfigureAwait(false);
            foreach (var l in lines.OrderBy(l => l.ShopId).ThenBy(l => l.BasicMaterialId))
                await ApplyShopAsync(tx, shopSign, l.ShopId, l.BasicMaterialId, l.Quantity, now, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>One statement on one branch_stock row; returns <c>store</c> after it.</summary>
    private async Task<int> ApplyBranchAsync(DbTransaction tx, BranchOp op, long branchId, long materialId, int n, DateTime now, CancellationToken ct)
    {
        var spec = Ops[op];
        object? result;
        await using (var cmd = _sql.Command(spec.Sql, tx))
        {
            _sql.Add(cmd, "@b", branchId);
            _sql.Add(cmd, "@m", materialId);
            _sql.Add(cmd, "@n", n);
            _sql.Add(cmd, "@now", now);
            result = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }
        if (result is null or DBNull) throw await RefusalAsync(tx, spec, branchId, materialId, n, ct).ConfigureAwait(false);
        return InventorySql.ToInt(result);
    }

    /// <summary>
    /// Many rows (already summed and in lock order) in one command: on PostgreSQL one set-wise statement over arrays
    /// (<see cref="OpSql.Rows"/>), on SQLite the one-row statement per row (one writer: no lock order to keep, nothing to
    /// gain from arrays). Answers <c>store</c> after each row, or throws the refusal of the first short one (the caller's
    /// savepoint undoes the rest).
    /// </summary>
    private async Task<Dictionary<(long, long), int>> ApplyBranchRowsAsync(DbTransaction tx, OpSql spec,
        IReadOnlyList<(long BranchId, long BasicMaterialId, int Quantity)> rows, DateTime now, CancellationToken ct)
    {
        var after = new Dictionary<(long, long), int>(rows.Count);
        await using (var cmd = _sql.Command("", tx))
        {
            _sql.Add(cmd, "@now", now);
            if (db.IsSqlite)
            {
                var text = new System.Text.StringBuilder();
                for (var i = 0; i < rows.Count; i++)
                {
                    var suffix = i.ToString(CultureInfo.InvariantCulture);
                    text.Append(spec.Row("@b" + suffix, "@m" + suffix, "@n" + suffix)).Append(";\n");
                    _sql.Add(cmd, "@b" + suffix, rows[i].BranchId);
                    _sql.Add(cmd, "@m" + suffix, rows[i].BasicMaterialId);
                    _sql.Add(cmd, "@n" + suffix, rows[i].Quantity);
                }
                cmd.CommandText = text.ToString();
                // one result per statement, in the rows' order: an empty one is a short row
                await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                for (var i = 0; i < rows.Count; i++)
                {
                    if (i > 0 && !await r.NextResultAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("fewer results than statements");
                    if (await r.ReadAsync(ct).ConfigureAwait(false)) after[(rows[i].BranchId, rows[i].BasicMaterialId)] = InventorySql.ToInt(r.GetValue(0));
                }
            }
            else
            {
                cmd.CommandText = spec.Rows;
                _sql.Add(cmd, "@b", rows.Select(r => r.BranchId).ToArray());
                _sql.Add(cmd, "@m", rows.Select(r => r.BasicMaterialId).ToArray());
                _sql.Add(cmd, "@n", rows.Select(r => r.Quantity).ToArray());
                // the update's rows (after the lock select's, which has one column)
                await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                do
                {
                    while (await r.ReadAsync(ct).ConfigureAwait(false))
                        if (r.FieldCount == 3) after[(r.GetInt64(0), r.GetInt64(1))] = r.GetInt32(2);
                }
                while (await r.NextResultAsync(ct).ConfigureAwait(false));
            }
        }
        foreach (var row in rows)
            if (!after.ContainsKey((row.BranchId, row.BasicMaterialId)))
                throw await RefusalAsync(tx, spec, row.BranchId, row.BasicMaterialId, row.Quantity, ct).ConfigureAwait(false);
        return after;
    }

    private async Task ApplyShopAsync(DbTransaction tx, int sign, long shopId, long materialId, int n, DateTime now, CancellationToken ct)
    {
        await using var cmd = _sql.Command(sign > 0 ? ShopAdd : ShopRelease, tx);
        _sql.Add(cmd, "@s", shopId);
        _sql.Add(cmd, "@m", materialId);
        _sql.Add(cmd, "@n", n);
        _sql.Add(cmd, "@now", now);
        if (await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1) return;

        await using var q = _sql.Command(
            "SELECT s.shop_bn, m.material_bn, COALESCE(f.quantity, 0) FROM shop s CROSS JOIN basic_material m " +
            "LEFT JOIN shop_freeze f ON f.shop_id = s.id AND f.basic_material_id = m.id WHERE s.id = @s AND m.id = @m", tx);
        _sql.Add(q, "@s", shopId);
        _sql.Add(q, "@m", materialId);
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
            throw new InsufficientStockException($"Shop #{shopId} or basic material #{materialId} does not exist.");
        throw new InsufficientStockException(string.Create(CultureInfo.InvariantCulture,
            $"Cannot release the shop freeze of {r.GetString(1)} in shop {r.GetString(0)}: wanted {n}, frozen {InventorySql.ToInt(r.GetValue(2))}."));
    }

    private async Task<InsufficientStockException> RefusalAsync(DbTransaction tx, OpSql spec, long branchId, long materialId, int n, CancellationToken ct)
    {
        await using var q = _sql.Command(
            "SELECT b.branch_bn, m.material_bn, COALESCE(s.store, 0), COALESCE(s.store_freeze, 0), COALESCE(s.arrive_store, 0), COALESCE(s.defective_store, 0) " +
            "FROM branch b CROSS JOIN basic_material m LEFT JOIN branch_stock s ON s.branch_id = b.id AND s.basic_material_id = m.id " +
            "WHERE b.id = @b AND m.id = @m", tx);
        _sql.Add(q, "@b", branchId);
        _sql.Add(q, "@m", materialId);
        await using var r = await q.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
            return new InsufficientStockException($"Branch #{branchId} or basic material #{materialId} does not exist.");
        var (store, freeze, arrive, defective) = (InventorySql.ToInt(r.GetValue(2)), InventorySql.ToInt(r.GetValue(3)), InventorySql.ToInt(r.GetValue(4)), InventorySql.ToInt(r.GetValue(5)));
        var available = spec.AvailableLabel switch
        {
            "frozen" => freeze,
            "frozen and on hand" => Math.Min(freeze, store),
            "in transit" => arrive,
            "defective" => defective,
            _ => Math.Max(0, store - freeze),
        };
        return new InsufficientStockException(string.Create(CultureInfo.InvariantCulture,
            $"Not enough stock to {spec.What} {r.GetString(1)} in branch {r.GetString(0)}: wanted {n}, available {available} ({spec.AvailableLabel}; store {store}, store_freeze {freeze})."));
    }

    /// <summary>Runs the moves of one call; when it fails, undoes the lines it already applied.</summary>
    private async Task GuardedAsync(bool severalStatements, Func<Task> body, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction!;
        if (!severalStatements)
        {
            await body().ConfigureAwait(false);
            return;
        }
        await tx.CreateSavepointAsync(Savepoint, ct).ConfigureAwait(false);
        try
        {
            await body().ConfigureAwait(false);
        }
        catch
        {
            await tx.RollbackToSavepointAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await tx.ReleaseSavepointAsync(Savepoint, ct).ConfigureAwait(false);
    }

    private static IEnumerable<int> SortedIndexes(IReadOnlyList<StockMoveLine> lines) =>
        Enumerable.Range(0, lines.Count).OrderBy(i => lines[i].BranchId).ThenBy(i => lines[i].BasicMaterialId).ThenBy(i => i);

    private static void Validate(IReadOnlyList<StockMoveLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var l in lines)
        {
            CheckQuantity(l.Quantity);
            if (l.UnitPrice < 0) throw new ArgumentOutOfRangeException(nameof(lines), "A unit price is never negative.");
        }
    }

    private static void CheckQuantity(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "A stock move quantity is a positive number.");
    }
}
