using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary>
/// The order list on a real database: tab membership, the trigger-kept counters against COUNT(*) through
/// every kind of order change (also with concurrent writers), each filter, keyset paging, the degrade switch
/// and bounded counts. Every test works in shops of its own, so tests sharing the database do not interfere.
/// </summary>
public abstract class OrderListTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TFixture Fixture => fixture;

    [Fact]
    public async Task Each_tab_lists_exactly_the_orders_its_definition_describes()
    {
        var shop = await ShopAsync(fixture.Services);
        var random = new Random(20261126);
        var orders = new List<Order>();
        for (var i = 0; i < 240; i++)
            orders.Add(NewOrder(shop.Id, $"M{i}", o =>
            {
                o.Status = (OrderStatus)random.Next(3);
                o.PayStatus = (PayStatus)random.Next(9);
                o.ShipStatus = (ShipStatus)random.Next(5);
                o.Confirmed = random.Next(2) == 1;
                o.Pause = random.Next(4) == 0;
                o.Abnormal = random.Next(5) == 0;
                o.IsFail = random.Next(5) == 0;
                o.IsCod = random.Next(4) == 0;
            }));
        // the definitions' edges, named
        orders.Add(NewOrder(shop.Id, "COD-UNPAID", o => { o.IsCod = true; o.PayStatus = PayStatus.Unpaid; }));
        orders.Add(NewOrder(shop.Id, "PAYING", o => o.PayStatus = PayStatus.Paying));
        orders.Add(NewOrder(shop.Id, "REFUNDING", o => o.PayStatus = PayStatus.Refunding));
        orders.Add(NewOrder(shop.Id, "PAUSED-PAID", o => { o.PayStatus = PayStatus.Paid; o.Pause = true; }));
        orders.Add(NewOrder(shop.Id, "FAILED-DEAD", o => { o.IsFail = true; o.Status = OrderStatus.Dead; }));
        orders.Add(NewOrder(shop.Id, "PART-SHIPPED", o => { o.PayStatus = PayStatus.Paid; o.Confirmed = true; o.ShipStatus = ShipStatus.PartlyShipped; }));
        await InsertAsync(orders);

        foreach (var tab in OrderTabs.List)
        {
            var expected = orders.Where(o => OrderTabs.Matches(tab, o)).Select(o => o.Id).OrderByDescending(id => id).ToList();
            var listed = await AllPagesAsync(new OrderListFilter { ShopIds = [shop.Id] }, tab, 50);
            Assert.True(expected.SequenceEqual(listed), $"tab {tab.Key}: expected {expected.Count} orders, listed {listed.Count}");
        }
        bool In(string tab, string bn) => OrderTabs.Matches(OrderTabs.Find(tab), orders.Single(o => o.OrderBn.StartsWith(bn + "-", StringComparison.Ordinal)));
        Assert.True(In("to_process", "COD-UNPAID") && !In("to_pay", "COD-UNPAID"));
        Assert.True(In("to_pay", "PAYING") && !In("to_process", "PAYING"));
        Assert.True(In("to_process", "REFUNDING"));
        Assert.True(In("paused", "PAUSED-PAID") && !In("to_process", "PAUSED-PAID"));
        Assert.True(In("cancelled", "FAILED-DEAD") && !In("failed", "FAILED-DEAD"));
        Assert.True(In("to_ship", "PART-SHIPPED") && !In("shipped", "PART-SHIPPED"));
        await AssertCountersAsync(shop.Id, orders);
    }

    [Fact]
    public async Task Counters_follow_orders_through_pay_confirm_ship_cancel_pause_fail_and_delete()
    {
        var shop = await ShopAsync(fixture.Services);
        var other = await ShopAsync(fixture.Services);
        var orders = Enumerable.Range(0, 12).Select(i => NewOrder(shop.Id, $"C{i}")).ToList();
        orders.Add(NewOrder(other.Id, "OTHER", o => o.IsFail = true));
        await InsertAsync(orders);
        await AssertCountersAsync(shop.Id, orders);
        Assert.Equal(12, (await CountersAsync(shop.Id))["to_pay"].Value);

        // each step moves orders between tabs, through EF as the services will
        await ChangeAsync(orders, [0, 1, 2, 3, 4, 5], o => { o.PayStatus = PayStatus.Paid; o.Payed = o.TotalAmount; });
        await AssertCountersAsync(shop.Id, orders);
        await ChangeAsync(orders, [0, 1, 2, 3], o => { o.Confirmed = true; o.ProcessStatus = ProcessStatus.Splited; });
        await AssertCountersAsync(shop.Id, orders);
        await ChangeAsync(orders, [0, 1], o => o.ShipStatus = ShipStatus.Shipped);
        await ChangeAsync(orders, [2], o => o.ShipStatus = ShipStatus.PartlyShipped);
        await AssertCountersAsync(shop.Id, orders);
        await ChangeAsync(orders, [6, 7], o => { o.Status = OrderStatus.Dead; o.ProcessStatus = ProcessStatus.Cancel; });
        await AssertCountersAsync(shop.Id, orders);
        await ChangeAsync(orders, [4], o => o.Pause = true);
        await ChangeAsync(orders, [5], o => { o.Abnormal = true; o.AbnormalReason = "地址不全"; });
        await AssertCountersAsync(shop.Id, orders);
        await ChangeAsync(orders, [8, 9], o => o.IsFail = true);
        await AssertCountersAsync(shop.Id, orders);
        await ChangeAsync(orders, [8], o => o.IsFail = false);
        await ChangeAsync(orders, [4], o => o.Pause = false);
        await ChangeAsync(orders, [10], o => o.IsCod = true);
        // a change of columns no tab reads fires nothing that could drift
        await ChangeAsync(orders, [11], o => o.MarkText = "备注");
        await AssertCountersAsync(shop.Id, orders);
        // a raw UPDATE of many rows at once, as a batch action would
        await SqlAsync($"UPDATE orders SET ship_status = 1 WHERE shop_id = {shop.Id} AND confirmed = {(fixture.Provider == DatabaseProvider.Sqlite ? "1" : "TRUE")}");
        foreach (var o in orders.Where(o => o.ShopId == shop.Id && o.Confirmed)) o.ShipStatus = ShipStatus.Shipped;
        await AssertCountersAsync(shop.Id, orders);

        await using (var scope = fixture.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var gone = orders.Where(o => o.OrderBn.StartsWith("C0-", StringComparison.Ordinal) || o.OrderBn.StartsWith("C9-", StringComparison.Ordinal)).Select(o => o.Id).ToList();
            Assert.Equal(2, await db.Set<Order>().Where(o => gone.Contains(o.Id)).ExecuteDeleteAsync(Ct));
            orders.RemoveAll(o => gone.Contains(o.Id));
        }
        await AssertCountersAsync(shop.Id, orders);
        Assert.Equal(1, (await CountersAsync(other.Id))["failed"].Value);
        Assert.Equal(0, (await CountersAsync(other.Id))["to_pay"].Value);
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task Eight_concurrent_writers_of_one_shop_keep_the_counters_exact()
    {
        var shop = await ShopAsync(fixture.Services);
        const int writers = 8, perWriter = 15;
        var steps = new Action<Order>[]
        {
            o => o.PayStatus = PayStatus.Paid,
            o => o.Confirmed = true,
            o => o.ShipStatus = ShipStatus.Shipped,
        };
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                // one order per transaction, as intake works: insert, then move it along in later transactions
                long id;
                await using (var scope = fixture.Scope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
                    var order = NewOrder(shop.Id, $"W{w}-{i}", o => o.IsCod = i % 5 == 0);
                    db.Add(order);
                    await db.SaveChangesAsync(Ct);
                    id = order.Id;
                }
                foreach (var step in steps.Take(i % 4))
                {
                    await using var scope = fixture.Scope();
                    var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
                    await using var tx = await db.Database.BeginTransactionAsync(Ct);
                    var order = await db.Set<Order>().SingleAsync(o => o.Id == id, Ct);
                    step(order);
                    await db.SaveChangesAsync(Ct);
                    await tx.CommitAsync(Ct);
                }
            }
        }, Ct)));

        await using (var scope = fixture.Scope())
        {
            var all = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Order>().AsNoTracking().Where(o => o.ShopId == shop.Id).ToListAsync(Ct);
            Assert.Equal(writers * perWriter, all.Count);
            await AssertCountersAsync(shop.Id, all);
        }
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task Verify_names_a_drifted_counter_and_rebuild_repairs_it()
    {
        var shop = await ShopAsync(fixture.Services);
        var orders = Enumerable.Range(0, 5).Select(i => NewOrder(shop.Id, $"V{i}", o => o.PayStatus = PayStatus.Paid)).ToList();
        await InsertAsync(orders);
        // one of the shop's to_process shares drifts by 3 (which slot holds the counts depends on the database: the writing backend's on PostgreSQL)
        await SqlAsync($"UPDATE order_tab_count SET n = n + 3 WHERE shop_id = {shop.Id} AND tab = 'to_process' AND slot = (SELECT MIN(slot) FROM order_tab_count WHERE shop_id = {shop.Id} AND tab = 'to_process')");
        await SqlAsync($"DELETE FROM order_tab_count WHERE shop_id = {shop.Id} AND tab = 'all'");

        await using (var scope = fixture.Scope())
        {
            var counts = scope.ServiceProvider.GetRequiredService<OrderTabCounts>();
            var found = await counts.VerifyAsync(Ct);
            Assert.Equal(2, found.Count(m => m.ShopId == shop.Id));
            var process = found.Single(m => m.ShopId == shop.Id && m.Tab == "to_process");
            Assert.Equal((8, 5), (process.Counted, process.Actual));
            Assert.Equal($"shop {shop.ShopBn} (id {shop.Id}), tab to_process: counter says 8, orders say 5", process.ToString());
            Assert.Equal((0, 5), found.Where(m => m.ShopId == shop.Id && m.Tab == "all").Select(m => (m.Counted, m.Actual)).Single());

            Assert.True(await counts.RebuildAsync(Ct) > 0);
            Assert.Empty(await counts.VerifyAsync(Ct));
        }
        await AssertCountersAsync(shop.Id, orders);
        // the triggers go on from the rebuilt counters
        await ChangeAsync(orders, [0], o => o.Confirmed = true);
        await AssertCountersAsync(shop.Id, orders);
    }

    [Fact]
    public async Task Filters_find_orders_by_shop_time_order_number_buyer_mobile_receiver_and_material()
    {
        var shop = await ShopAsync(fixture.Services);
        var other = await ShopAsync(fixture.Services);
        var tag = Code("F");
        var t0 = new DateTime(2026, 3, 1, 4, 0, 0, DateTimeKind.Utc); // 12:00 China time
        var a = await new OrderBuilder(shop.Id, tag + "-A").With(o => { o.CreateTime = t0; o.ArrivedAt = t0.AddDays(2); o.MemberUname = "alice-" + tag; o.ShipMobile = "139" + tag; o.ShipName = "王五" + tag; })
            .Line("SM-" + tag, 2).SaveAsync(fixture.Services);
        var b = await new OrderBuilder(shop.Id, tag + "-B").With(o => { o.CreateTime = t0.AddDays(1); o.ArrivedAt = t0.AddDays(1); o.BuyerId = "buyer-id-" + tag; })
            .Line("OTHER-" + tag, 1, basicMaterialId: (await MaterialAsync(fixture.Services)).Id).SaveAsync(fixture.Services);
        var material = await MaterialAsync(fixture.Services);
        var c = await new OrderBuilder(other.Id, tag + "-C").With(o => { o.CreateTime = t0.AddDays(5); o.ArrivedAt = t0.AddDays(5); o.MemberUname = "alice-" + tag; })
            .Line("PKG-" + tag, 1).SaveAsync(fixture.Services);
        await using (var setup = fixture.Scope())
        {
            // a combination's part: the item carries the basic material code, its object the sales material code
            var db = setup.ServiceProvider.GetRequiredService<OmsDbContext>();
            var objectId = await db.Set<OrderObject>().Where(x => x.OrderId == c.Id).Select(x => x.Id).SingleAsync(Ct);
            db.Add(new OrderItem { OrderId = c.Id, ObjectId = objectId, BasicMaterialId = material.Id, Bn = material.MaterialBn, ItemType = "pkg", Quantity = 1 });
            await db.SaveChangesAsync(Ct);
        }
        var both = new[] { shop.Id, other.Id };

        async Task<List<long>> Find(OrderListFilter f) => await AllPagesAsync(f with { ShopIds = f.ShopIds ?? both }, OrderTabs.All, 20);
        Assert.Equal([b.Id, a.Id], await Find(new() { ShopIds = [shop.Id] }));
        Assert.Equal([c.Id], await Find(new() { ShopIds = [other.Id] }));
        // time: createtime by default, arrival on request; To is exclusive
        Assert.Equal([b.Id, a.Id], await Find(new() { From = t0, To = t0.AddDays(2) }));
        Assert.Equal([a.Id], await Find(new() { From = t0, To = t0.AddDays(1) }));
        Assert.Equal([c.Id, a.Id], await Find(new() { TimeField = OrderTimeField.Arrived, From = t0.AddDays(2) }));
        Assert.Equal([b.Id], await Find(new() { TimeField = OrderTimeField.Arrived, To = t0.AddDays(2) }));
        // order_bn: one, or a list with commas, spaces, new lines
        Assert.Equal([a.Id], await Find(new() { OrderBn = a.OrderBn }));
        Assert.Equal([c.Id, a.Id], await Find(new() { OrderBn = $" {a.OrderBn},{c.OrderBn}\n{a.OrderBn} " }));
        Assert.Equal([c.Id, b.Id], await Find(new() { OrderBn = $"{b.OrderBn}，{c.OrderBn} no-such" }));
        Assert.Empty(await Find(new() { OrderBn = tag }));
        // buyer: member_uname or buyer_id, exact
        Assert.Equal([c.Id, a.Id], await Find(new() { Buyer = "alice-" + tag }));
        Assert.Equal([b.Id], await Find(new() { Buyer = "buyer-id-" + tag }));
        Assert.Empty(await Find(new() { Buyer = "alice" }));
        Assert.Equal([a.Id], await Find(new() { Mobile = "139" + tag }));
        Assert.Equal([a.Id], await Find(new() { ReceiverName = "王五" + tag }));
        // material: the sales material code of an object, or the basic material code of an item
        Assert.Equal([a.Id], await Find(new() { Material = "SM-" + tag }));
        Assert.Equal([c.Id], await Find(new() { Material = "PKG-" + tag }));
        Assert.Equal([c.Id], await Find(new() { Material = material.MaterialBn }));
        Assert.Empty(await Find(new() { Material = "SM-" }));
        // combined, and with a tab
        Assert.Equal([a.Id], await Find(new() { Buyer = "alice-" + tag, ShopIds = [shop.Id] }));
        Assert.Empty(await AllPagesAsync(new() { OrderBn = a.OrderBn }, OrderTabs.Shipped, 20));
        Assert.Equal([a.Id], await AllPagesAsync(new() { OrderBn = a.OrderBn }, OrderTabs.ToPay, 20));

        await using var scope = fixture.Scope();
        var list = scope.ServiceProvider.GetRequiredService<OrderListQuery>();
        var row = (await list.ListAsync(new() { OrderBn = a.OrderBn }, OrderTabs.All, ct: Ct)).Items.Single();
        Assert.Equal((shop.Name, 2, "王五" + tag, 20m, t0), (row.ShopName, row.ItemCount, row.ShipName, row.TotalAmount, row.CreateTime));
        var tooMany = string.Join(",", Enumerable.Range(0, OrderListQuery.MaxOrderBns + 1).Select(i => "X" + i.ToString(CultureInfo.InvariantCulture)));
        var refused = await Assert.ThrowsAsync<ValidationException>(() => list.ListAsync(new() { OrderBn = tooMany }, OrderTabs.All, ct: Ct));
        Assert.Equal("OrderBn", refused.Field);
    }

    [Fact]
    public async Task Keyset_pages_walk_every_order_once_newest_first()
    {
        var shop = await ShopAsync(fixture.Services);
        var orders = Enumerable.Range(0, 47).Select(i => NewOrder(shop.Id, $"K{i}", o => o.PayStatus = i % 3 == 0 ? PayStatus.Paid : PayStatus.Unpaid)).ToList();
        await InsertAsync(orders);
        await using var scope = fixture.Scope();
        var list = scope.ServiceProvider.GetRequiredService<OrderListQuery>();
        foreach (var (tab, size) in new[] { (OrderTabs.All, 20), (OrderTabs.ToPay, 20), (OrderTabs.ToProcess, 50) })
        {
            var seen = new List<long>();
            long? before = null;
            var pages = 0;
            do
            {
                var page = await list.ListAsync(new() { ShopIds = [shop.Id] }, tab, before, size, Ct);
                Assert.True(page.Items.Count <= size);
                seen.AddRange(page.Items.Select(r => r.Id));
                before = page.NextBefore;
                pages++;
            } while (before is not null);
            var expected = orders.Where(o => OrderTabs.Matches(tab, o)).Select(o => o.Id).OrderByDescending(id => id).ToList();
            Assert.Equal(expected, seen);
            Assert.Equal(Math.Max(1, (expected.Count + size - 1) / size), pages);
        }
    }

    [Fact]
    public async Task Filtered_counts_are_exact_below_the_bound_and_shown_as_at_least_above_it()
    {
        var shop = await ShopAsync(fixture.Services);
        var tag = Code("B");
        var orders = Enumerable.Range(0, 9).Select(i => NewOrder(shop.Id, $"{tag}-{i}", o =>
        {
            o.MemberUname = "bob-" + tag;
            if (i < 2) o.IsFail = true;
            if (i >= 6) o.PayStatus = PayStatus.Paid;
        })).ToList();
        await InsertAsync(orders);
        await using var scope = fixture.Scope();
        var list = scope.ServiceProvider.GetRequiredService<OrderListQuery>();
        var filter = new OrderListFilter { Buyer = "bob-" + tag };

        var exact = await list.CountAsync(filter, Ct);
        Assert.Equal(new TabCount(9, false), exact["all"]);
        Assert.Equal(new TabCount(4, false), exact["to_pay"]);
        Assert.Equal(new TabCount(3, false), exact["to_process"]);
        Assert.Equal(new TabCount(2, false), exact["failed"]);
        Assert.Equal(new TabCount(0, false), exact["shipped"]);

        list.CountLimit = 3;
        var bounded = await list.CountAsync(filter, Ct);
        Assert.Equal("3+", bounded["all"].ToString());
        Assert.Equal("3+", bounded["to_pay"].ToString());
        Assert.Equal("3", bounded["to_process"].ToString());
        Assert.Equal("2", bounded["failed"].ToString());
        Assert.Equal("0", bounded["paused"].ToString());

        // the shop filter alone reads the counters (exact whatever the bound)
        var byShop = await list.CountAsync(new OrderListFilter { ShopIds = [shop.Id] }, Ct);
        Assert.Equal(new TabCount(9, false), byShop["all"]);
    }

    [Fact]
    public async Task The_degrade_switch_turns_tab_counts_off()
    {
        var shop = await ShopAsync(fixture.Services);
        await InsertAsync([NewOrder(shop.Id, "D1")]);
        await using var scope = fixture.Scope();
        var list = scope.ServiceProvider.GetRequiredService<OrderListQuery>();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();
        Assert.Equal(1, (await list.TabCountsAsync(new() { ShopIds = [shop.Id] }, Ct))!["all"].Value);
        await settings.SetAsync("ui.tab_counts", "false", "test", Ct);
        try
        {
            Assert.Null(await list.TabCountsAsync(new() { ShopIds = [shop.Id] }, Ct));
            Assert.Null(await list.TabCountsAsync(new() { Buyer = "x" }, Ct));
            Assert.Single((await list.ListAsync(new() { ShopIds = [shop.Id] }, OrderTabs.All, ct: Ct)).Items);
        }
        finally
        {
            await settings.SetAsync("ui.tab_counts", "true", "test", Ct);
        }
    }

    /// <summary>Inserts the orders in one transaction and keeps it open until disposed; for tests of writers side by side.</summary>
    internal async Task<(AsyncServiceScope Scope, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction Tx)> HoldInsertedAsync(IEnumerable<Order> orders)
    {
        var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var tx = await db.Database.BeginTransactionAsync(Ct);
        db.AddRange(orders);
        await db.SaveChangesAsync(Ct);
        return (scope, tx);
    }

    // ---- helpers

    internal static Order NewOrder(long shopId, string bn, Action<Order>? change = null)
    {
        var now = DateTime.UtcNow;
        var o = new Order
        {
            ShopId = shopId, OrderBn = bn + "-" + Guid.NewGuid().ToString("N")[..6], ShipName = "张三", ShipProvince = "浙江省", ShipCity = "杭州市",
            ShipMobile = "13800000000", MemberUname = "m-" + bn, TotalAmount = 10m, CreateTime = now, PlatformModified = now, ArrivedAt = now, UpdatedAt = now,
        };
        change?.Invoke(o);
        return o;
    }

    private async Task InsertAsync(IEnumerable<Order> orders)
    {
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        db.AddRange(orders);
        await db.SaveChangesAsync(Ct);
    }

    private async Task ChangeAsync(List<Order> orders, int[] which, Action<Order> change)
    {
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        foreach (var i in which)
        {
            var row = await db.Set<Order>().SingleAsync(o => o.Id == orders[i].Id, Ct);
            change(row);
            change(orders[i]);
        }
        await db.SaveChangesAsync(Ct);
    }

    private async Task SqlAsync(string sql)
    {
        await using var scope = fixture.Scope();
#pragma warning disable EF1002 // test-built SQL from ids
        await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Database.ExecuteSqlRawAsync(sql, Ct);
#pragma warning restore EF1002
    }

    private async Task<IReadOnlyDictionary<string, TabCount>> CountersAsync(long shopId)
    {
        await using var scope = fixture.Scope();
        return await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().FromCountersAsync([shopId], Ct);
    }

    /// <summary>The counters of the shop equal both the C# definition over <paramref name="orders"/> and COUNT(*) in SQL.</summary>
    private async Task AssertCountersAsync(long shopId, IReadOnlyCollection<Order> orders)
    {
        var counters = await CountersAsync(shopId);
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        foreach (var tab in OrderTabs.List)
        {
            var expected = orders.Count(o => o.ShopId == shopId && OrderTabs.Matches(tab, o));
#pragma warning disable EF1002 // the tab predicate is code, not input
            var counted = await db.Set<Order>().FromSqlRaw($"SELECT * FROM orders WHERE {tab.Sql()}").CountAsync(o => o.ShopId == shopId, Ct);
#pragma warning restore EF1002
            Assert.True(expected == counted, $"tab {tab.Key}: C# definition says {expected}, SQL predicate says {counted}");
            Assert.True(counters[tab.Key] == new TabCount(expected, false), $"tab {tab.Key}: counter says {counters[tab.Key]}, orders say {expected}");
        }
    }

    private async Task AssertVerifiedAsync()
    {
        await using var scope = fixture.Scope();
        var found = await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().VerifyAsync(Ct);
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    private async Task<List<long>> AllPagesAsync(OrderListFilter filter, OrderTab tab, int size)
    {
        await using var scope = fixture.Scope();
        var list = scope.ServiceProvider.GetRequiredService<OrderListQuery>();
        var ids = new List<long>();
        long? before = null;
        do
        {
            var page = await list.ListAsync(filter, tab, before, size, Ct);
            ids.AddRange(page.Items.Select(r => r.Id));
            before = page.NextBefore;
        } while (before is not null);
        return ids;
    }
}

public sealed class SqliteOrderListTests(SqliteCoreFixture f) : OrderListTests<SqliteCoreFixture>(f);

public sealed class PostgresOrderListTests(PostgresCoreFixture f) : OrderListTests<PostgresCoreFixture>(f)
{
    /// <summary>
    /// The tab counters' slot is the writing backend's: a transaction that moved many orders of a shop (here: inserted 40
    /// with consecutive ids, as an intake or review batch does) holds only its own slot's counter rows, so another backend
    /// counting an order of the same shop does not wait for its commit. With a slot by order id the first transaction held
    /// all sixteen, and the second waited (here: failed on its lock timeout).
    /// </summary>
    [Fact]
    public async Task A_batch_of_orders_in_an_open_transaction_does_not_hold_another_backends_counters()
    {
        var ct = TestContext.Current.CancellationToken;
        var shop = await ShopAsync(Fixture.Services);
        var (holder, tx) = await HoldInsertedAsync(Enumerable.Range(0, 40).Select(i => NewOrder(shop.Id, $"H{i}", o => o.PayStatus = PayStatus.Paid)));
        await using (holder)
        await using (tx)
        {
            var holderPid = await BackendPidAsync(holder.ServiceProvider.GetRequiredService<OmsDbContext>(), ct);
            // a connection of another backend whose slot differs (pids meet modulo 16 now and then: open until one does not)
            var scopes = new List<AsyncServiceScope>();
            try
            {
                OmsDbContext other;
                while (true)
                {
                    var s = Fixture.Scope();
                    scopes.Add(s);
                    other = s.ServiceProvider.GetRequiredService<OmsDbContext>();
                    await other.Database.OpenConnectionAsync(ct);
                    if (await BackendPidAsync(other, ct) % OrderTabCountSql.Slots != holderPid % OrderTabCountSql.Slots) break;
                }
                await using var otherTx = await other.Database.BeginTransactionAsync(ct);
                await other.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '3s'", ct);
                var late = NewOrder(shop.Id, "LATE", o => o.PayStatus = PayStatus.Paid);
                other.Add(late);
                await other.SaveChangesAsync(ct); // waits (and fails after 3 s) if the holder's counter rows are in its way
                await otherTx.CommitAsync(ct);
            }
            finally
            {
                foreach (var s in scopes) await s.DisposeAsync();
            }
            await tx.CommitAsync(ct);
        }
        await using var scope = Fixture.Scope();
        var counts = await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().FromCountersAsync([shop.Id], ct);
        Assert.Equal((41L, 41L), (counts["all"].Value, counts["to_process"].Value));
        Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().VerifyAsync(ct), m => m.ShopId == shop.Id);
    }

    private static async Task<int> BackendPidAsync(OmsDbContext db, CancellationToken ct) =>
        await db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync(ct);
}
