using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Fulfillment;
using Oms.Inventory;
using Oms.Orders;
using Oms.Outbox;
using Oms.Review;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Tests.Review;
using Oms.Warehouses;

namespace Oms.Tests.Fulfillment;

/// <summary>发货: stock, ledger, sales records, order ship status and the shop write-back — and every refusal writes nothing.</summary>
public abstract class ConsignTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static async Task<ReviewKit> KitAsync(ServerFixture server, string printRequired = "", string verifyRequired = "false")
    {
        var k = await ReviewKit.CreateAsync(server);
        await k.Orders.SetSettingAsync("print.required", printRequired);
        await k.Orders.SetSettingAsync("verify.required", verifyRequired);
        return k;
    }

    private static Task<ConsignResult> ConsignAsync(ReviewKit k, long deliveryId, string? logiNo, ConsignSource source = ConsignSource.Floor,
        string? logiCode = null, decimal? weight = null) =>
        k.WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var r = await sp.GetRequiredService<ConsignService>().ConsignAsync(deliveryId, new ConsignInput(logiNo, logiCode, weight), source, "packer");
            await tx.CommitAsync();
            return r;
        });

    private static Task<List<OutboxMessage>> WritebacksAsync(ReviewKit k, string orderBn) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.BusinessKey == orderBn && m.PeerKind == MatrixPeerKinds.Shop).OrderBy(m => m.CreatedAt).ToListAsync());

    private static Task<List<Sale>> SalesAsync(ReviewKit k, long orderId) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Sale>().AsNoTracking().Include(s => s.Items)
            .Where(s => s.OrderId == orderId).OrderBy(s => s.Id).ToListAsync());

    private static Task<List<StockLedgerLine>> LedgerAsync(ReviewKit k, string originalBn) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<StockLedgerLine>().AsNoTracking()
            .Where(l => l.OriginalBn == originalBn).OrderBy(l => l.BasicMaterialId).ToListAsync());

    private static Task<Delivery> DeliveryAsync(ReviewKit k, long id) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Delivery>().AsNoTracking().Include(d => d.Items).SingleAsync(d => d.Id == id));

    private static Task SetAsync(ReviewKit k, long deliveryId, Action<Delivery> change) =>
        k.DoAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            var d = await db.Set<Delivery>().Include(x => x.Items).SingleAsync(x => x.Id == deliveryId);
            change(d);
            await db.SaveChangesAsync();
        });

    [Fact]
    public async Task Consign_ships_stock_once_writes_ledger_sale_ship_status_and_the_shop_writeback()
    {
        using var k = await KitAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        var sf = await k.LogisticsAsync(branch, "SF");
        var o = await k.PushAsync([new Line(k.Orders.SA, 2, 30m, Oid: "11"), new Line(k.Orders.SAB, 1, 100m, Oid: "12")]);
        var d = await k.ConfirmAsync([o.Id], branch.Id, sf.Id);

        var r = await ConsignAsync(k, d.Id, " SF1234567890 ", weight: 1.5m);
        Assert.True(r.Shipped);
        var shipped = await DeliveryAsync(k, d.Id);
        Assert.Equal(DeliveryStatus.Shipped, shipped.Status);
        Assert.Equal(DeliveryProcess.Shipped, shipped.ProcessStatus);
        Assert.Equal("SF1234567890", shipped.LogiNo);
        Assert.Equal(1.5m, shipped.Weight);
        Assert.NotNull(shipped.ShippedAt);
        Assert.Equal((7, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.B));
        var ledger = await LedgerAsync(k, d.DeliveryBn);
        Assert.Equal([(-3, 7), (-2, 8)], ledger.Select(l => (l.Quantity, l.BalanceAfter)).ToList());
        Assert.All(ledger, l => Assert.Equal(StockMoveType.SalesOut, l.Type));

        var order = await k.OrderAsync(o.Id);
        Assert.Equal(ShipStatus.Shipped, order.ShipStatus);
        Assert.All(order.Items, i => Assert.Equal(i.Quantity, i.SendNum));
        var sale = Assert.Single(await SalesAsync(k, o.Id));
        Assert.StartsWith("S", sale.SaleBn);
        Assert.Equal(d.DeliveryBn, sale.DeliveryBn);
        Assert.Equal(5, sale.ItemNum);
        Assert.Equal(160m, sale.SaleAmount); // 2 × 30 + the combination's 100 split 60/40 over its parts
        Assert.Equal(order.Items.Sum(i => i.Amount), sale.SaleAmount);

        var wb = Assert.Single(await WritebacksAsync(k, o.OrderBn));
        Assert.Equal("store.logistics.offline.send", wb.Method);
        var p = JsonNode.Parse(wb.Parameters)!.AsObject();
        Assert.Equal(o.OrderBn, (string?)p["tid"]);
        Assert.Equal("SF", (string?)p["company_code"]);
        Assert.Equal("SF1234567890", (string?)p["logistics_no"]);
        Assert.Equal("0", (string?)p["is_split"]);
        Assert.Contains(await k.Orders.LogAsync(o.Id), l => l.Action == "delivery.consign" && l.Text.Contains("SF1234567890"));
        await k.AssertInvariantsAsync();

        var again = await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "X"));
        Assert.Contains("已发货", again.Message);
        Assert.Equal((7, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
    }

    [Fact]
    public async Task Floor_refusals_name_the_missing_step_and_change_nothing()
    {
        using var k = await KitAsync(server, printRequired: "stock,delivery,express", verifyRequired: "true");
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        var d = await k.ConfirmAsync([o.Id], branch.Id);

        Assert.Contains("备货单、发货单、快递单", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "YT1"))).Message);
        await SetAsync(k, d.Id, x => x.PrintStatus = PrintStatus.PickList | PrintStatus.Waybill);
        Assert.Contains("还没有打印发货单", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "YT1"))).Message);
        await SetAsync(k, d.Id, x => x.PrintStatus = PrintStatus.All);
        Assert.Contains("校验", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "YT1"))).Message);
        await SetAsync(k, d.Id, x => x.Items.ForEach(i => i.VerifyNum = i.Number));
        Assert.Contains("运单号", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "  "))).Message);
        Assert.Contains("第三方", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "YT1", ConsignSource.Warehouse))).Message);

        // nothing of the refusals stuck
        Assert.Equal(DeliveryStatus.Ready, (await DeliveryAsync(k, d.Id)).Status);
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Empty(await SalesAsync(k, o.Id));
        Assert.Empty(await WritebacksAsync(k, o.OrderBn));
        Assert.Equal(ShipStatus.NotShipped, (await k.OrderAsync(o.Id)).ShipStatus);
        await k.AssertInvariantsAsync();

        Assert.True((await ConsignAsync(k, d.Id, "YT1")).Shipped);
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));

        var o2 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m2");
        var d2 = await k.ConfirmAsync([o2.Id], branch.Id);
        await k.DoAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(d2.Id, "测试", "reviewer"));
        Assert.Contains("已撤销", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d2.Id, "YT2"))).Message);
        Assert.Contains("不存在", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, long.MaxValue, "YT2"))).Message);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_split_order_is_written_back_per_parcel_with_its_oids_and_ships_fully_with_the_last()
    {
        using var k = await KitAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        var zto = await k.LogisticsAsync(branch, "ZTO");
        var o = await k.PushAsync([new Line(k.Orders.SA, 2, Oid: "oid-a"), new Line(k.Orders.SB, 1, Oid: "oid-b")]);
        var itemA = o.Items.Single(i => i.Bn == k.Orders.A);
        var itemB = o.Items.Single(i => i.Bn == k.Orders.B);
        var create = (IReadOnlyList<DeliveryLine> lines) => k.WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var d = await sp.GetRequiredService<DeliveryService>().CreateAsync(new DeliveryDraft(branch.Id, zto.Id, lines), "reviewer");
            await tx.CommitAsync();
            return d;
        });
        var d1 = await create([new DeliveryLine(itemA.Id, 2)]);
        var d2 = await create([new DeliveryLine(itemB.Id, 1)]);

        await ConsignAsync(k, d1.Id, "ZTO-1");
        Assert.Equal(ShipStatus.PartlyShipped, (await k.OrderAsync(o.Id)).ShipStatus);
        var first = JsonNode.Parse(Assert.Single(await WritebacksAsync(k, o.OrderBn)).Parameters)!.AsObject();
        Assert.Equal(("1", "oid-a", "ZTO-1"), ((string?)first["is_split"], (string?)first["oid_list"], (string?)first["logistics_no"]));

        await ConsignAsync(k, d2.Id, "ZTO-2");
        Assert.Equal(ShipStatus.Shipped, (await k.OrderAsync(o.Id)).ShipStatus);
        var both = await WritebacksAsync(k, o.OrderBn);
        Assert.Equal(2, both.Count);
        Assert.Contains(both, m => (string?)JsonNode.Parse(m.Parameters)!["oid_list"] == "oid-b");
        Assert.Equal(2, (await SalesAsync(k, o.Id)).Count);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_warehouse_repeating_delivery_ships_once_and_may_change_the_carrier()
    {
        using var k = await KitAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 5 });
        await k.DoAsync(async sp =>
        {
            // a third-party branch needs a real WMS channel (the delivery is pushed to it when created)
            var channel = await sp.GetRequiredService<Oms.Wms.WmsChannelService>().CreateAsync(
                new Oms.Wms.WmsChannelInput(k.Orders.Prefix + "WMS", "测试仓储") { NodeId = k.Orders.Prefix + "wmsnode", Token = "wms-token" }, "test");
            var db = sp.GetRequiredService<OmsDbContext>();
            var b = await db.Set<Branch>().SingleAsync(x => x.Id == branch.Id);
            b.Wms = channel.ChannelBn;
            await db.SaveChangesAsync();
        });
        var yto = await k.LogisticsAsync(branch, "YTO");
        var o = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var d = await k.ConfirmAsync([o.Id], branch.Id);

        Assert.Contains("第三方仓库", (await Assert.ThrowsAsync<DomainException>(() => ConsignAsync(k, d.Id, "Y1"))).Message);
        var r1 = await ConsignAsync(k, d.Id, "YT-9", ConsignSource.Warehouse, logiCode: "YTO");
        var r2 = await ConsignAsync(k, d.Id, "YT-9", ConsignSource.Warehouse, logiCode: "YTO");
        Assert.True(r1.Shipped);
        Assert.False(r2.Shipped);
        var shipped = await DeliveryAsync(k, d.Id);
        Assert.Equal((yto.Id, "YTO", "YT-9"), (shipped.LogisticsId, shipped.LogiCode, shipped.LogiNo));
        Assert.Equal((4, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Single(await LedgerAsync(k, d.DeliveryBn));
        Assert.Single(await SalesAsync(k, o.Id));
        Assert.Single(await WritebacksAsync(k, o.OrderBn));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_batch_ships_what_it_can_and_reports_each_refusal()
    {
        using var k = await KitAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var d1 = await k.ConfirmAsync([(await k.PushAsync([new Line(k.Orders.SA, 1)], member: "b1")).Id], branch.Id);
        var d2 = await k.ConfirmAsync([(await k.PushAsync([new Line(k.Orders.SA, 2)], member: "b2")).Id], branch.Id);
        var d3 = await k.ConfirmAsync([(await k.PushAsync([new Line(k.Orders.SA, 3)], member: "b3")).Id], branch.Id);

        var outcomes = await k.WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var r = await sp.GetRequiredService<ConsignService>().ConsignBatchAsync(
                [(d1.Id, new ConsignInput("B-1")), (d2.Id, new ConsignInput(null)), (d3.Id, new ConsignInput("B-3"))], ConsignSource.Floor, "packer");
            await tx.CommitAsync();
            return r;
        });
        Assert.Equal([true, false, true], outcomes.Select(x => x.Shipped).ToList());
        Assert.Contains("运单号", outcomes[1].Error);
        Assert.Equal(d2.DeliveryBn, outcomes[1].DeliveryBn);
        Assert.Equal((6, 2, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal(DeliveryStatus.Ready, (await DeliveryAsync(k, d2.Id)).Status);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Counters_short_at_consign_refuse_only_the_short_delivery_and_nothing_of_it_is_written()
    {
        using var k = await KitAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var o1 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "s1");
        var o2 = await k.PushAsync([new Line(k.Orders.SA, 2)], member: "s2");
        var d1 = await k.ConfirmAsync([o1.Id], branch.Id);
        var d2 = await k.ConfirmAsync([o2.Id], branch.Id);
        // the freeze changed under the deliveries (stock is written last, after everything else of the batch)
        var material = k.Orders.Basic[k.Orders.A];
        await k.DoAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<BranchStock>()
            .Where(x => x.BranchId == branch.Id && x.BasicMaterialId == material).ExecuteUpdateAsync(u => u.SetProperty(x => x.StoreFreeze, 2)));

        var outcomes = await k.WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var r = await sp.GetRequiredService<ConsignService>().ConsignBatchAsync(
                [(d1.Id, new ConsignInput("S-1")), (d2.Id, new ConsignInput("S-2"))], ConsignSource.Floor, "packer");
            await tx.CommitAsync();
            return r;
        });
        Assert.Equal([true, false], outcomes.Select(x => x.Shipped).ToList());
        Assert.Equal(d2.DeliveryBn, outcomes[1].DeliveryBn);
        Assert.NotNull(outcomes[1].Error);
        Assert.Equal((9, 1, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Single(await SalesAsync(k, o1.Id));
        Assert.Single(await WritebacksAsync(k, o1.OrderBn));

        // alone: refused, and nothing of it stays
        await Assert.ThrowsAsync<InsufficientStockException>(() => ConsignAsync(k, d2.Id, "S-2"));
        Assert.Equal(DeliveryStatus.Ready, (await DeliveryAsync(k, d2.Id)).Status);
        Assert.Equal((9, 1, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Empty(await SalesAsync(k, o2.Id));
        Assert.Empty(await WritebacksAsync(k, o2.OrderBn));
        Assert.Empty(await LedgerAsync(k, d2.DeliveryBn));
        Assert.Equal(ShipStatus.NotShipped, (await k.OrderAsync(o2.Id)).ShipStatus);
        Assert.All((await k.OrderAsync(o2.Id)).Items, i => Assert.Equal(0, i.SendNum));
        Assert.DoesNotContain(await k.Orders.LogAsync(o2.Id), l => l.Action is "delivery.consign" or "delivery.writeback");

        // the freeze put right again, it ships
        await k.DoAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<BranchStock>()
            .Where(x => x.BranchId == branch.Id && x.BasicMaterialId == material).ExecuteUpdateAsync(u => u.SetProperty(x => x.StoreFreeze, 2)));
        await k.AssertInvariantsAsync();
        Assert.True((await ConsignAsync(k, d2.Id, "S-2")).Shipped);
        Assert.Equal((7, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Sales_are_listed_through_the_openapi()
    {
        using var k = await KitAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var from = DateTime.UtcNow.AddMinutes(-1);
        var o = await k.PushAsync([new Line(k.Orders.SA, 2, 25m)]);
        var d = await k.ConfirmAsync([o.Id], branch.Id);
        await ConsignAsync(k, d.Id, "L-1");
        var window = new Dictionary<string, string>
        {
            ["start_time"] = ChinaTime.ToText(from), ["end_time"] = ChinaTime.ToText(DateTime.UtcNow.AddMinutes(1)), ["branch_bn"] = branch.BranchBn,
        };
        var answer = await server.OpenApi.CallAsync("sales.getList", window);
        Assert.Equal(1, answer.GetProperty("count").GetInt64());
        var row = answer.GetProperty("lists")[0];
        Assert.Equal(o.OrderBn, row.GetProperty("order_bn").GetString());
        Assert.Equal(d.DeliveryBn, row.GetProperty("delivery_bn").GetString());
        Assert.Equal("L-1", row.GetProperty("logi_no").GetString());
        Assert.Equal("50", row.GetProperty("sale_amount").GetString());
        var item = Assert.Single(row.GetProperty("items").EnumerateArray());
        Assert.Equal((k.Orders.A, 2), (item.GetProperty("bn").GetString(), item.GetProperty("nums").GetInt32()));
        window["branch_bn"] = "NO-SUCH";
        var (code, sub) = await server.OpenApi.CallErrorAsync("sales.getList", window);
        Assert.Equal(("e000006", true), (code, sub.Contains("branch_bn", StringComparison.Ordinal)));
    }
}

public sealed class SqliteConsignTests(SqliteServerFixture server) : ConsignTests<SqliteServerFixture>(server);

public sealed class PostgresConsignTests(PostgresServerFixture server) : ConsignTests<PostgresServerFixture>(server);
