using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using Oms.Warehouses;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Inventory;

/// <summary>The checker itself: each kind of violation, made with raw SQL in a transaction that is rolled back, is reported.</summary>
public abstract class InventoryInvariantsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime where TFixture : CoreFixture
{
    private IServiceProvider S => fixture.Services;
    private FreezeBook Book => FreezeBook.For(fixture);
    private Shop _shop = null!;
    private Branch _branch = null!;
    private BasicMaterial _m = null!;

    public async ValueTask InitializeAsync()
    {
        _shop = await ShopAsync(S);
        _branch = await BranchAsync(S, online: true, _shop);
        _m = await MaterialAsync(S);
        await StockAsync(S, async inv =>
        {
            await inv.ReceiveAsync([new StockMoveLine(_branch.Id, _m.Id, 10)], new LedgerEntry(StockMoveType.DirectIn, "IN-1"));
            await inv.FreezeBranchAsync([new StockMoveLine(_branch.Id, _m.Id, 3)]);
            await inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 2)]);
        });
        Book.Branch(_branch.Id, _m.Id, 3);
        Book.Shop(_shop.Id, _m.Id, 2);
        await AssertInvariantsAsync(S, Book);
    }

    public async ValueTask DisposeAsync()
    {
        // every corruption was rolled back
        await AssertInvariantsAsync(S, Book);
        GC.SuppressFinalize(this);
    }

    private string Row => string.Create(CultureInfo.InvariantCulture, $"branch_id = {_branch.Id} AND basic_material_id = {_m.Id}");
    private string ShopRow => string.Create(CultureInfo.InvariantCulture, $"shop_id = {_shop.Id} AND basic_material_id = {_m.Id}");

    /// <summary>Applies <paramref name="sql"/> in a transaction, checks, and rolls back.</summary>
    private async Task<IReadOnlyList<string>> CheckCorruptedAsync(string sql, bool bypassCheckConstraints = false, IFreezeSource? extra = null)
    {
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        if (bypassCheckConstraints)
        {
            if (db.IsSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA ignore_check_constraints = ON");
            else await db.Database.ExecuteSqlRawAsync(
                "ALTER TABLE branch_stock DROP CONSTRAINT ck_branch_stock_store_freeze; ALTER TABLE shop_freeze DROP CONSTRAINT ck_shop_freeze_quantity");
        }
        try
        {
            await db.Database.ExecuteSqlRawAsync(sql);
            var sources = extra is null ? new IFreezeSource[] { Book } : [Book, extra];
            return await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync(sources);
        }
        finally
        {
            if (bypassCheckConstraints && db.IsSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA ignore_check_constraints = OFF");
        }
    }

    private void AssertReported(IReadOnlyList<string> violations, string tag, string contains)
    {
        Assert.True(violations.Any(v => v.StartsWith(tag, StringComparison.Ordinal) && v.Contains(contains, StringComparison.Ordinal)),
            $"expected a {tag} violation mentioning {contains}, got:\n{string.Join("\n", violations)}");
        Assert.All(violations, v => Assert.Contains(_m.MaterialBn, v, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_negative_branch_counter_is_reported()
    {
        var v = await CheckCorruptedAsync($"UPDATE branch_stock SET store_freeze = -1 WHERE {Row}", bypassCheckConstraints: true);
        AssertReported(v, "[1]", "store_freeze of " + _m.MaterialBn);
    }

    [Fact]
    public async Task A_negative_shop_freeze_is_reported()
    {
        var v = await CheckCorruptedAsync($"UPDATE shop_freeze SET quantity = -1 WHERE {ShopRow}", bypassCheckConstraints: true);
        AssertReported(v, "[1]", _shop.ShopBn);
    }

    [Fact]
    public async Task Store_that_differs_from_the_ledger_is_reported()
    {
        var v = await CheckCorruptedAsync($"UPDATE branch_stock SET store = store + 1 WHERE {Row}");
        AssertReported(v, "[2]", "ledger lines sum to 10");
        Assert.Single(v);
    }

    [Fact]
    public async Task Ledger_lines_without_a_stock_row_are_reported()
    {
        var v = await CheckCorruptedAsync($"DELETE FROM branch_stock WHERE {Row}");
        AssertReported(v, "[2]", "no stock row");
    }

    [Fact]
    public async Task A_stock_row_without_ledger_lines_is_reported()
    {
        var v = await CheckCorruptedAsync($"DELETE FROM stock_ledger WHERE {Row}");
        AssertReported(v, "[2]", "ledger lines sum to 0");
    }

    [Fact]
    public async Task Shop_freeze_that_no_order_holds_is_reported()
    {
        var v = await CheckCorruptedAsync($"UPDATE shop_freeze SET quantity = quantity + 1 WHERE {ShopRow}");
        AssertReported(v, "[3]", "open orders hold 2");
        Assert.Single(v);
    }

    [Fact]
    public async Task Branch_freeze_that_no_delivery_holds_is_reported()
    {
        var v = await CheckCorruptedAsync($"UPDATE branch_stock SET store_freeze = store_freeze + 1 WHERE {Row}");
        AssertReported(v, "[4]", "hold 3");
        Assert.Single(v);
    }

    [Fact]
    public async Task Expected_freezes_without_rows_are_reported()
    {
        var extra = new FreezeBook();
        var other = await BranchAsync(S);
        extra.Branch(other.Id, _m.Id, 4);
        extra.Shop(_shop.Id, _m.Id, 1);
        var v = await CheckCorruptedAsync("SELECT 1", extra: extra);
        Assert.Contains(v, x => x.StartsWith("[4]", StringComparison.Ordinal) && x.Contains("no stock row", StringComparison.Ordinal));
        Assert.Contains(v, x => x.StartsWith("[3]", StringComparison.Ordinal) && x.Contains("open orders hold 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Branch_freeze_above_store_is_reported()
    {
        var v = await CheckCorruptedAsync($"UPDATE branch_stock SET store_freeze = 11 WHERE {Row}");
        AssertReported(v, "[5]", "more than store 10");
    }

    [Fact]
    public async Task Registered_freeze_sources_are_used()
    {
        await using var scope = fixture.Scope();
        var invariants = new InventoryInvariants(
            scope.ServiceProvider.GetRequiredService<OmsDbContext>(), [Book],
            scope.ServiceProvider.GetRequiredService<Oms.Admin.SettingsService>());
        Assert.Empty(await invariants.CheckAsync(TestContext.Current.CancellationToken));
        // without the book, the freezes this class holds are unexplained
        var bare = await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync(TestContext.Current.CancellationToken);
        Assert.Contains(bare, x => x.StartsWith("[4]", StringComparison.Ordinal) && x.Contains(_m.MaterialBn, StringComparison.Ordinal));
    }
}

public sealed class SqliteInventoryInvariantsTests(SqliteCoreFixture f) : InventoryInvariantsTests<SqliteCoreFixture>(f);

public sealed class PostgresInventoryInvariantsTests(PostgresCoreFixture f) : InventoryInvariantsTests<PostgresCoreFixture>(f);
