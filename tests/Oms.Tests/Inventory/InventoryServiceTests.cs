using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using Oms.Warehouses;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Inventory;

/// <summary>Each freeze move of DOMAIN.md §2: its effect, its refusal (which changes nothing), and its ledger lines.</summary>
public abstract class InventoryServiceTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime where TFixture : CoreFixture
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
    }

    public async ValueTask DisposeAsync()
    {
        await AssertInvariantsAsync(S, Book);
        GC.SuppressFinalize(this);
    }

    private StockMoveLine Line(int n, decimal price = 0) => new(_branch.Id, _m.Id, n, price);
    private static LedgerEntry Entry(StockMoveType type = StockMoveType.DirectIn) => new(type, "DOC-1", "tester", "memo");

    private Task ReceiveAsync(int n) => StockAsync(S, inv => inv.ReceiveAsync([Line(n, 12.5m)], Entry()));

    [Fact]
    public async Task Receive_adds_store_and_writes_a_ledger_line_with_the_balance()
    {
        await ReceiveAsync(7);
        await ReceiveAsync(3);
        Assert.Equal((10, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        var ledger = await LedgerAsync(S, _branch.Id, _m.Id);
        Assert.Equal([7, 3], ledger.Select(l => l.Quantity));
        Assert.Equal([7, 10], ledger.Select(l => l.BalanceAfter));
        Assert.All(ledger, l =>
        {
            Assert.Equal(StockMoveType.DirectIn, l.Type);
            Assert.Equal("DOC-1", l.OriginalBn);
            Assert.Equal("tester", l.Operator);
            Assert.Equal("memo", l.Memo);
            Assert.Equal(12.5m, l.UnitPrice);
        });
    }

    [Fact]
    public async Task Issue_takes_only_free_stock_and_a_refusal_changes_nothing()
    {
        await ReceiveAsync(10);
        await StockAsync(S, inv => inv.FreezeBranchAsync([Line(4)]));
        Book.Branch(_branch.Id, _m.Id, 4);

        var e = await RefusedAsync(() => StockAsync(S, inv => inv.IssueAsync([Line(7)], Entry(StockMoveType.DirectOut))));
        Assert.Contains(_m.MaterialBn, e.Message, StringComparison.Ordinal);
        Assert.Contains(_branch.BranchBn, e.Message, StringComparison.Ordinal);
        Assert.Contains("wanted 7", e.Message, StringComparison.Ordinal);
        Assert.Contains("available 6", e.Message, StringComparison.Ordinal);
        Assert.Equal((10, 4, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        Assert.Single(await LedgerAsync(S, _branch.Id, _m.Id));

        await StockAsync(S, inv => inv.IssueAsync([Line(6)], Entry(StockMoveType.DirectOut)));
        Assert.Equal((4, 4, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        var last = (await LedgerAsync(S, _branch.Id, _m.Id))[^1];
        Assert.Equal((-6, 4, StockMoveType.DirectOut), (last.Quantity, last.BalanceAfter, last.Type));

        await StockAsync(S, inv => inv.ReleaseBranchFreezeAsync([Line(4)]));
        Book.Branch(_branch.Id, _m.Id, -4);
    }

    [Fact]
    public async Task Issue_from_a_material_never_received_is_refused()
    {
        var e = await RefusedAsync(() => StockAsync(S, inv => inv.IssueAsync([Line(1)], Entry(StockMoveType.DirectOut))));
        Assert.Contains("available 0", e.Message, StringComparison.Ordinal);
        Assert.Null(await RowAsync(S, _branch.Id, _m.Id));
    }

    [Fact]
    public async Task Branch_freeze_needs_free_stock_and_release_cannot_go_below_zero()
    {
        await ReceiveAsync(5);
        await StockAsync(S, inv => inv.FreezeBranchAsync([Line(3)]));
        await RefusedAsync(() => StockAsync(S, inv => inv.FreezeBranchAsync([Line(3)])));
        Assert.Equal((5, 3, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        await StockAsync(S, inv => inv.FreezeBranchAsync([Line(2)]));
        Assert.Equal((5, 5, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));

        await RefusedAsync(() => StockAsync(S, inv => inv.ReleaseBranchFreezeAsync([Line(6)])));
        Assert.Equal((5, 5, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        await StockAsync(S, inv => inv.ReleaseBranchFreezeAsync([Line(5)]));
        Assert.Equal((5, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        Assert.Single(await LedgerAsync(S, _branch.Id, _m.Id));
    }

    [Fact]
    public async Task Shipping_releases_branch_freeze_and_store_together_and_writes_sales_out()
    {
        await ReceiveAsync(8);
        await StockAsync(S, inv => inv.FreezeBranchAsync([Line(5)]));
        Book.Branch(_branch.Id, _m.Id, 5);
        await RefusedAsync(() => StockAsync(S, inv => inv.ShipFromFreezeAsync([Line(6)], new LedgerEntry(StockMoveType.SalesOut, "DLV-1"))));
        Assert.Equal((8, 5, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));

        await StockAsync(S, inv => inv.ShipFromFreezeAsync([Line(5)], new LedgerEntry(StockMoveType.SalesOut, "DLV-1")));
        Book.Branch(_branch.Id, _m.Id, -5);
        Assert.Equal((3, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        var last = (await LedgerAsync(S, _branch.Id, _m.Id))[^1];
        Assert.Equal((-5, 3, StockMoveType.SalesOut, "DLV-1"), (last.Quantity, last.BalanceAfter, last.Type, last.OriginalBn));
    }

    [Fact]
    public async Task Shop_freeze_has_no_upper_bound_and_release_cannot_go_below_zero()
    {
        await StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 50)]));
        await StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 5)]));
        Assert.Equal(55, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        var e = await RefusedAsync(() => StockAsync(S, inv => inv.ReleaseShopFreezeAsync([new ShopFreezeLine(_shop.Id, _m.Id, 56)])));
        Assert.Contains(_shop.ShopBn, e.Message, StringComparison.Ordinal);
        Assert.Equal(55, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        await StockAsync(S, inv => inv.ReleaseShopFreezeAsync([new ShopFreezeLine(_shop.Id, _m.Id, 55)]));
        Assert.Equal(0, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        await RefusedAsync(() => StockAsync(S, inv => inv.ReleaseShopFreezeAsync([new ShopFreezeLine(_shop.Id, _m.Id, 1)])));
    }

    [Fact]
    public async Task Review_moves_shop_freeze_to_branch_freeze_and_revoke_moves_it_back()
    {
        await ReceiveAsync(4);
        await StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 6)]));
        var move = new FreezeMoveLine(_shop.Id, _branch.Id, _m.Id, 5);

        // the branch has only 4: refused, the shop freeze is untouched
        await RefusedAsync(() => StockAsync(S, inv => inv.MoveShopFreezeToBranchAsync([move])));
        Assert.Equal(6, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        Assert.Equal((4, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));

        await StockAsync(S, inv => inv.MoveShopFreezeToBranchAsync([move with { Quantity = 4 }]));
        Assert.Equal(2, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        Assert.Equal((4, 4, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));

        await RefusedAsync(() => StockAsync(S, inv => inv.MoveBranchFreezeToShopAsync([move])));
        await StockAsync(S, inv => inv.MoveBranchFreezeToShopAsync([move with { Quantity = 4 }]));
        Assert.Equal(6, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        Assert.Equal((4, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));

        await StockAsync(S, inv => inv.ReleaseShopFreezeAsync([new ShopFreezeLine(_shop.Id, _m.Id, 6)]));
    }

    [Fact]
    public async Task A_move_refused_on_the_shop_side_leaves_the_branch_side_undone()
    {
        await ReceiveAsync(10);
        await StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 2)]));
        // the branch freeze succeeds first, then the shop freeze (2) is short of 3: the whole move is undone
        await RefusedAsync(() => StockAsync(S, inv => inv.MoveShopFreezeToBranchAsync([new FreezeMoveLine(_shop.Id, _branch.Id, _m.Id, 3)])));
        Assert.Equal((10, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        Assert.Equal(2, await ShopFreezeAsync(S, _shop.Id, _m.Id));
        await StockAsync(S, inv => inv.ReleaseShopFreezeAsync([new ShopFreezeLine(_shop.Id, _m.Id, 2)]));
    }

    [Fact]
    public async Task A_refused_batch_undoes_its_earlier_lines_and_the_transaction_goes_on()
    {
        var other = await MaterialAsync(S);
        await ReceiveAsync(5);
        await StockAsync(S, async inv =>
        {
            // sorted by material: _m (5 available) first, then other (none): refused as a whole
            var e = await RefusedAsync(() => inv.IssueAsync([new StockMoveLine(_branch.Id, other.Id, 1), Line(2)], Entry(StockMoveType.DirectOut)));
            Assert.Contains(other.MaterialBn, e.Message, StringComparison.Ordinal);
            // the caller catches the refusal and does something else in the same transaction
            var balances = await inv.IssueAsync([Line(1)], Entry(StockMoveType.DirectOut));
            Assert.Equal(4, Assert.Single(balances).StoreAfter);
        });
        Assert.Equal((4, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
        Assert.Equal([5, 4], (await LedgerAsync(S, _branch.Id, _m.Id)).Select(l => l.BalanceAfter));
    }

    [Fact]
    public async Task Batch_results_follow_the_input_order()
    {
        var b2 = await BranchAsync(S);
        var balances = new List<StockBalance>();
        await StockAsync(S, async inv => balances.AddRange(await inv.ReceiveAsync(
            [new StockMoveLine(b2.Id, _m.Id, 9), Line(2), Line(3)], Entry())));
        Assert.Equal([(b2.Id, 9), (_branch.Id, 2), (_branch.Id, 5)], balances.Select(b => (b.BranchId, b.StoreAfter)));
    }

    [Fact]
    public async Task Purchases_move_in_transit_stock_into_store()
    {
        await StockAsync(S, inv => inv.AddArrivingAsync([Line(10)]));
        Assert.Equal((0, 0, 10, 0), await CountersAsync(S, _branch.Id, _m.Id));
        await RefusedAsync(() => StockAsync(S, inv => inv.ReceiveArrivalAsync([Line(11)], new LedgerEntry(StockMoveType.PurchaseIn, "PO-1"))));
        await StockAsync(S, inv => inv.ReceiveArrivalAsync([Line(6, 3m)], new LedgerEntry(StockMoveType.PurchaseIn, "PO-1")));
        Assert.Equal((6, 0, 4, 0), await CountersAsync(S, _branch.Id, _m.Id));
        var line = Assert.Single(await LedgerAsync(S, _branch.Id, _m.Id));
        Assert.Equal((6, 6, StockMoveType.PurchaseIn, 3m), (line.Quantity, line.BalanceAfter, line.Type, line.UnitPrice));
        await RefusedAsync(() => StockAsync(S, inv => inv.ReleaseArrivingAsync([Line(5)])));
        await StockAsync(S, inv => inv.ReleaseArrivingAsync([Line(4)]));
        Assert.Equal((6, 0, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
    }

    [Fact]
    public async Task Defective_stock_is_counted_apart_from_store()
    {
        await StockAsync(S, inv => inv.AddDefectiveAsync([Line(3)]));
        await RefusedAsync(() => StockAsync(S, inv => inv.RemoveDefectiveAsync([Line(4)])));
        await StockAsync(S, inv => inv.RemoveDefectiveAsync([Line(1)]));
        Assert.Equal((0, 0, 0, 2), await CountersAsync(S, _branch.Id, _m.Id));
        Assert.Empty(await LedgerAsync(S, _branch.Id, _m.Id));
    }

    [Fact]
    public async Task Every_operation_requires_the_callers_transaction()
    {
        await using var scope = fixture.Scope();
        var inv = scope.ServiceProvider.GetRequiredService<InventoryService>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => inv.ReceiveAsync([Line(1)], Entry(), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidOperationException>(() => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 1)], TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidOperationException>(() => inv.FreezeBranchAsync([Line(1)], TestContext.Current.CancellationToken));
        Assert.Null(await RowAsync(S, _branch.Id, _m.Id));
    }

    [Fact]
    public async Task Quantities_must_be_positive()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StockAsync(S, inv => inv.ReceiveAsync([Line(0)], Entry())));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, -1)])));
    }

    [Fact]
    public async Task Allow_negative_lets_freeze_exceed_store_but_no_counter_below_zero()
    {
        await ReceiveAsync(2);
        await SetAllowNegativeAsync(true);
        try
        {
            await StockAsync(S, inv => inv.FreezeBranchAsync([Line(5)]));
            Book.Branch(_branch.Id, _m.Id, 5);
            Assert.Equal((2, 5, 0, 0), await CountersAsync(S, _branch.Id, _m.Id));
            // invariant 5 is waived while the setting is on
            await AssertInvariantsAsync(S, Book);
            // free stock is negative: nothing can be issued; shipping cannot take store below 0
            await RefusedAsync(() => StockAsync(S, inv => inv.IssueAsync([Line(1)], Entry(StockMoveType.DirectOut))));
            await RefusedAsync(() => StockAsync(S, inv => inv.ShipFromFreezeAsync([Line(3)], new LedgerEntry(StockMoveType.SalesOut, "D"))));
            await RefusedAsync(() => StockAsync(S, inv => inv.ReleaseBranchFreezeAsync([Line(6)])));
            await StockAsync(S, inv => inv.ReleaseBranchFreezeAsync([Line(5)]));
            Book.Branch(_branch.Id, _m.Id, -5);
        }
        finally
        {
            await SetAllowNegativeAsync(false);
        }
        await RefusedAsync(() => StockAsync(S, inv => inv.FreezeBranchAsync([Line(3)])));
    }

    private async Task SetAllowNegativeAsync(bool on)
    {
        await using var scope = fixture.Scope();
        await scope.ServiceProvider.GetRequiredService<SettingsService>().SetAsync("stock.allow_negative", on ? "true" : "false", "test");
    }

    [Fact]
    public async Task Sellable_counts_online_supplying_branches_minus_all_shop_freezes()
    {
        var otherShop = await ShopAsync(S);
        var b2 = await BranchAsync(S, online: true, _shop);
        var offline = await BranchAsync(S, online: false, _shop);
        var notSupplying = await BranchAsync(S, online: true, otherShop);
        await StockAsync(S, inv => inv.ReceiveAsync(
            [Line(10), new StockMoveLine(b2.Id, _m.Id, 5), new StockMoveLine(offline.Id, _m.Id, 100), new StockMoveLine(notSupplying.Id, _m.Id, 100)], Entry()));
        await StockAsync(S, inv => inv.FreezeBranchAsync([new StockMoveLine(b2.Id, _m.Id, 2), new StockMoveLine(notSupplying.Id, _m.Id, 50)]));
        Book.Branch(b2.Id, _m.Id, 2);
        Book.Branch(notSupplying.Id, _m.Id, 50);
        await StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(_shop.Id, _m.Id, 3), new ShopFreezeLine(otherShop.Id, _m.Id, 4)]));
        Book.Shop(_shop.Id, _m.Id, 3);
        Book.Shop(otherShop.Id, _m.Id, 4);
        var never = await MaterialAsync(S);

        await using var scope = fixture.Scope();
        var q = scope.ServiceProvider.GetRequiredService<StockQueries>();
        var sellable = await q.SellableAsync(_shop.Id, [_m.Id, never.Id], TestContext.Current.CancellationToken);
        Assert.Equal(10 + 5 - 2 - 3 - 4, sellable[_m.Id]);
        Assert.Equal(0, sellable[never.Id]);
        // the other shop: 100 − 50 − 7
        Assert.Equal(43, (await q.SellableAsync(otherShop.Id, [_m.Id], TestContext.Current.CancellationToken))[_m.Id]);

        var totals = (await q.TotalsAsync([_m.Id], TestContext.Current.CancellationToken))[_m.Id];
        Assert.Equal((215, 52, 7, 0), (totals.Store, totals.BranchFreeze, totals.ShopFreeze, totals.ArriveStore));
        Assert.Equal(215 - 59, totals.Available);

        // oversold: never below 0
        await StockAsync(S, inv => inv.FreezeShopAsync([new ShopFreezeLine(otherShop.Id, _m.Id, 100)]));
        Book.Shop(otherShop.Id, _m.Id, 100);
        Assert.Equal(0, (await q.SellableAsync(_shop.Id, [_m.Id], TestContext.Current.CancellationToken))[_m.Id]);
    }

    [Fact]
    public async Task Sales_material_sellable_follows_its_type()
    {
        var a = _m;
        var b = await MaterialAsync(S);
        await StockAsync(S, inv => inv.ReceiveAsync([new StockMoveLine(_branch.Id, a.Id, 10), new StockMoveLine(_branch.Id, b.Id, 7)], Entry()));
        var normal = await SalesMaterialAsync(S, SalesMaterialType.Normal, (a, 1));
        var gift = await SalesMaterialAsync(S, SalesMaterialType.Gift, (b, 2));
        var combo = await SalesMaterialAsync(S, SalesMaterialType.Combination, (a, 3), (b, 2));
        var bag = await SalesMaterialAsync(S, SalesMaterialType.LuckyBag, (a, 1), (b, 4));
        var pick = await SalesMaterialAsync(S, SalesMaterialType.PickOne, (a, 1), (b, 1));
        var empty = await SalesMaterialAsync(S, SalesMaterialType.Normal);

        await using var scope = fixture.Scope();
        var s = await scope.ServiceProvider.GetRequiredService<StockQueries>()
            .SalesMaterialSellableAsync(_shop.Id, [normal.Id, gift.Id, combo.Id, bag.Id, pick.Id, empty.Id], TestContext.Current.CancellationToken);
        Assert.Equal(10, s[normal.Id]);
        Assert.Equal(3, s[gift.Id]);
        Assert.Equal(Math.Min(10 / 3, 7 / 2), s[combo.Id]);
        Assert.Equal(Math.Min(10, 7 / 4), s[bag.Id]);
        Assert.Equal(17, s[pick.Id]);
        Assert.Equal(0, s[empty.Id]);
    }
}

public sealed class SqliteInventoryServiceTests(SqliteCoreFixture f) : InventoryServiceTests<SqliteCoreFixture>(f);

public sealed class PostgresInventoryServiceTests(PostgresCoreFixture f) : InventoryServiceTests<PostgresCoreFixture>(f);
