using System.Globalization;
using Oms.Admin;
using Oms.Data;

namespace Oms.Inventory;

/// <summary>An expected freeze: for a shop (shop freeze) or a branch (store_freeze), of one basic material.</summary>
public sealed record ExpectedFreeze(long OwnerId, long BasicMaterialId, int Quantity);

/// <summary>
/// What a module that holds stock says should be frozen: orders report the shop freeze they hold
/// (active, not failed, remaining quantities not yet in deliveries), deliveries and outbound
/// documents the branch freeze (open, not shipped, not cancelled). Register implementations with
/// <c>services.AddScoped&lt;IFreezeSource, ...&gt;()</c>; <see cref="InventoryInvariants"/> sums all of them.
/// </summary>
public interface IFreezeSource
{
    /// <summary>Shown in violations, e.g. "orders".</summary>
    string Name { get; }

    /// <summary>Expected shop freeze per (shop, basic material); rows may repeat a key (they are summed).</summary>
    Task<IReadOnlyList<ExpectedFreeze>> ExpectedShopFreezeAsync(CancellationToken ct);

    /// <summary>Expected branch freeze per (branch, basic material); rows may repeat a key (they are summed).</summary>
    Task<IReadOnlyList<ExpectedFreeze>> ExpectedBranchFreezeAsync(CancellationToken ct);
}

/// <summary>
/// Checks the five inventory invariants of DOMAIN.md §2 over the whole database and answers
/// readable violations (empty = all hold). Used by tests after every scenario and by
/// operators as a health check.
/// </summary>
public sealed class InventoryInvariants(OmsDbContext db, IEnumerable<IFreezeSource> sources, SettingsService settings)
{
    private readonly InventorySql _sql = new(db);

    public Task<IReadOnlyList<string>> CheckAsync(CancellationToken ct = default) => CheckAsync([], ct);

    /// <summary>Checks with the registered freeze sources plus <paramref name="additionalSources"/>.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(IEnumerable<IFreezeSource> additionalSources, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(additionalSources);
        var all = sources.Concat(additionalSources).ToList();
        var allowNegative = await settings.GetBoolAsync("stock.allow_negative", ct).ConfigureAwait(false);
        var violations = new List<string>();

        var shopExpected = new Dictionary<(long, long), long>();
        var branchExpected = new Dictionary<(long, long), long>();
        foreach (var s in all)
        {
            foreach (var f in await s.ExpectedShopFreezeAsync(ct).ConfigureAwait(false))
                shopExpected[(f.OwnerId, f.BasicMaterialId)] = shopExpected.GetValueOrDefault((f.OwnerId, f.BasicMaterialId)) + f.Quantity;
            foreach (var f in await s.ExpectedBranchFreezeAsync(ct).ConfigureAwait(false))
                branchExpected[(f.OwnerId, f.BasicMaterialId)] = branchExpected.GetValueOrDefault((f.OwnerId, f.BasicMaterialId)) + f.Quantity;
        }

        await _sql.WithConnectionAsync(async tx =>
        {
            // 1, 4, 5: every branch row.
            var seenBranch = new HashSet<(long, long)>();
            await ReadAsync(tx,
                "SELECT s.branch_id, s.basic_material_id, b.branch_bn, m.material_bn, s.store, s.store_freeze, s.arrive_store, s.defective_store " +
                "FROM branch_stock s JOIN branch b ON b.id = s.branch_id JOIN basic_material m ON m.id = s.basic_material_id",
                r =>
                {
                    var key = (InventorySql.ToLong(r[0]), InventorySql.ToLong(r[1]));
                    var where = $"{r[3]} in branch {r[2]}";
                    int store = InventorySql.ToInt(r[4]), freeze = InventorySql.ToInt(r[5]), arrive = InventorySql.ToInt(r[6]), defective = InventorySql.ToInt(r[7]);
                    seenBranch.Add(key);
                    if (store < 0) violations.Add(Text($"[1] store of {where} is negative: {store}"));
                    if (freeze < 0) violations.Add(Text($"[1] store_freeze of {where} is negative: {freeze}"));
                    if (arrive < 0) violations.Add(Text($"[1] arrive_store of {where} is negative: {arrive}"));
                    if (defective < 0) violations.Add(Text($"[1] defective_store of {where} is negative: {defective}"));
                    var expected = branchExpected.GetValueOrDefault(key);
                    if (freeze != expected)
                        violations.Add(Text($"[4] store_freeze of {where} is {freeze} but open deliveries and outbound documents hold {expected}"));
                    if (!allowNegative && freeze > store)
                        violations.Add(Text($"[5] store_freeze of {where} is {freeze}, more than store {store}"));
                }, ct).ConfigureAwait(false);
            foreach (var ((branch, material), expected) in branchExpected)
                if (expected != 0 && !seenBranch.Contains((branch, material)))
                    violations.Add(Text($"[4] {await CodeAsync(tx, "basic_material", "material_bn", material, ct).ConfigureAwait(false)} in branch {await CodeAsync(tx, "branch", "branch_bn", branch, ct).ConfigureAwait(false)} has no stock row but open deliveries and outbound documents hold {expected}"));

            // 1, 3: every shop freeze row.
            var seenShop = new HashSet<(long, long)>();
            await ReadAsync(tx,
                "SELECT f.shop_id, f.basic_material_id, s.shop_bn, m.material_bn, f.quantity " +
                "FROM shop_freeze f JOIN shop s ON s.id = f.shop_id JOIN basic_material m ON m.id = f.basic_material_id",
                r =>
                {
                    var key = (InventorySql.ToLong(r[0]), InventorySql.ToLong(r[1]));
                    var where = $"{r[3]} in shop {r[2]}";
                    var quantity = InventorySql.ToInt(r[4]);
                    seenShop.Add(key);
                    if (quantity < 0) violations.Add(Text($"[1] shop freeze of {where} is negative: {quantity}"));
                    var expected = shopExpected.GetValueOrDefault(key);
                    if (quantity != expected)
                        violations.Add(Text($"[3] shop freeze of {where} is {quantity} but open orders hold {expected}"));
                }, ct).ConfigureAwait(false);
            foreach (var ((shop, material), expected) in shopExpected)
                if (expected != 0 && !seenShop.Contains((shop, material)))
                    violations.Add(Text($"[3] {await CodeAsync(tx, "basic_material", "material_bn", material, ct).ConfigureAwait(false)} in shop {await CodeAsync(tx, "shop", "shop_bn", shop, ct).ConfigureAwait(false)} has no freeze row but open orders hold {expected}"));

            // 2: store = Σ ledger, both ways round (stock rows without ledger lines and ledger lines without a stock row).
            const string ledger = "SELECT branch_id, basic_material_id, SUM(quantity) AS total FROM stock_ledger GROUP BY branch_id, basic_material_id";
            await ReadAsync(tx,
                $"SELECT b.branch_bn, m.material_bn, s.store, COALESCE(l.total, 0) FROM branch_stock s " +
                $"LEFT JOIN ({ledger}) l ON l.branch_id = s.branch_id AND l.basic_material_id = s.basic_material_id " +
                $"JOIN branch b ON b.id = s.branch_id JOIN basic_material m ON m.id = s.basic_material_id " +
                $"WHERE s.store <> COALESCE(l.total, 0) " +
                $"UNION ALL " +
                $"SELECT b.branch_bn, m.material_bn, NULL, l.total FROM ({ledger}) l " +
                $"JOIN branch b ON b.id = l.branch_id JOIN basic_material m ON m.id = l.basic_material_id " +
                $"WHERE l.total <> 0 AND NOT EXISTS (SELECT 1 FROM branch_stock s WHERE s.branch_id = l.branch_id AND s.basic_material_id = l.basic_material_id)",
                r => violations.Add(r[2] is DBNull
                    ? Text($"[2] {r[1]} in branch {r[0]} has ledger lines summing to {r[3]} but no stock row")
                    : Text($"[2] store of {r[1]} in branch {r[0]} is {r[2]} but its ledger lines sum to {r[3]}")),
                ct).ConfigureAwait(false);
            return 0;
        }, ct).ConfigureAwait(false);
        return violations;
    }

    private async Task ReadAsync(System.Data.Common.DbTransaction? tx, string sql, Action<object[]> row, CancellationToken ct)
    {
        await using var cmd = _sql.Command(sql, tx);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var values = new object[r.FieldCount];
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            r.GetValues(values);
            row(values);
        }
    }

    /// <summary>The code of a row for a message (rare: only for expected freezes without a counter row).</summary>
    private async Task<string> CodeAsync(System.Data.Common.DbTransaction? tx, string table, string column, long id, CancellationToken ct)
    {
        await using var cmd = _sql.Command($"SELECT {column} FROM {table} WHERE id = @id", tx);
        _sql.Add(cmd, "@id", id);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string ?? Text($"#{id} (missing)");
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
