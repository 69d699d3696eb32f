using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Channels;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Orders;
using Oms.Simulators.Warehouse;
using Oms.Tests.Orders;
using Oms.Tests.Outbox;
using Oms.Tests.Review;
using Oms.Tests.Tasks;
using Oms.Warehouses;

namespace Oms.Tests.Acceptance;

/// <summary>
/// Issue #6's "done means", from outside: an order pushed to <c>/api</c> is reviewed automatically, shipped — by a
/// third-party warehouse (the simulators' virtual warehouse, over the matrix) or on the own floor through the handheld
/// OpenAPI <c>pda_delivery.*</c> — and written back to the shop exactly once (the fixture's fake matrix peer records it).
/// The real host runs its workers: the auto-review timer, the outbox sender.
/// </summary>
public abstract class FulfillmentAcceptanceTests<TFixture>(TFixture fx) : IClassFixture<TFixture> where TFixture : OutboxFixture
{
    /// <summary>A shop whose matrix address is the fixture's fake peer, with automatic review on and buffer 0.</summary>
    private async Task<ReviewKit> ShopAsync()
    {
        var k = await ReviewKit.CreateAsync(fx);
        fx.Peer.Tokens[k.Orders.Matrix.NodeId] = k.Orders.Matrix.Token;
        await k.DoAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            var shop = await db.Set<Shop>().SingleAsync(s => s.Id == k.Orders.ShopId);
            shop.ApiUrl = fx.Peer.Url.ToString();
            await db.SaveChangesAsync();
        });
        await k.Orders.SetSettingAsync("review.auto_enabled", "true");
        return k;
    }

    private static Task<List<StockLedgerLine>> LedgerAsync(ReviewKit k, string deliveryBn) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<StockLedgerLine>().AsNoTracking().Where(l => l.OriginalBn == deliveryBn).ToListAsync());

    private async Task<Delivery> DeliveryOfAsync(ReviewKit k, long orderId)
    {
        await TaskTestHost.EventuallyAsync(async () => (await k.DeliveriesOfAsync(orderId)).Count > 0, "the order reviewed into a delivery by the timer");
        return (await k.DeliveriesOfAsync(orderId)).Single();
    }

    /// <summary>The shop's write-backs of one order as the fake matrix received them (signature checked).</summary>
    private IReadOnlyList<Oms.Simulators.Matrix.RecordedRequest> Writebacks(ReviewKit k, string orderBn) =>
        fx.Peer.Filter("store.logistics.offline.send", k.Orders.Matrix.NodeId, null).Where(r => r.Form.GetValueOrDefault("tid") == orderBn).ToList();

    [Fact]
    public async Task An_order_ships_through_a_third_party_warehouse_and_is_written_back_once()
    {
        using var k = await ShopAsync();
        var node = "vw" + Guid.NewGuid().ToString("N")[..10];
        var token = "vwtok-" + Guid.NewGuid().ToString("N");
        await using var wh = await VirtualWarehouse.StartAsync(new VirtualWarehouseOptions
        {
            OmsUrl = fx.BaseAddress, NodeId = node, Token = token, Delay = TimeSpan.FromMilliseconds(50),
            // the warehouse says DELIVERY twice: the OMS must ship once
            Behavior = new WarehouseBehavior { DuplicateCallbacks = true },
        });
        var channel = k.Orders.Prefix + "VW";
        await fx.OpenApi.CallAsync("wmschannel.add", new Dictionary<string, string>
        {
            ["channel_bn"] = channel, ["name"] = "模拟仓储", ["adapter"] = "matrix", ["node_id"] = node, ["token"] = token, ["api_url"] = wh.MatrixUrl.ToString(),
        });
        var branchBn = k.Orders.Prefix + "VWH";
        await fx.OpenApi.CallAsync("branch.add", new Dictionary<string, string>
        {
            ["branch_bn"] = branchBn, ["name"] = "第三方仓 " + branchBn, ["wms"] = channel, ["shops"] = "S" + k.Orders.Matrix.NodeId,
        });
        var branch = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Branch>().AsNoTracking().SingleAsync(b => b.BranchBn == branchBn));
        await k.ReceiveAsync(branch.Id, k.Orders.A, 10);
        await k.LogisticsAsync(branch, "SF");

        var o = await k.PushAsync([new Line(k.Orders.SA, 3)]);
        var d = await DeliveryOfAsync(k, o.Id);
        Assert.Equal(branch.Id, d.BranchId);
        await TaskTestHost.EventuallyAsync(async () => (await k.OrderAsync(o.Id)).ShipStatus == ShipStatus.Shipped, "shipped by the warehouse's DELIVERY");
        await TaskTestHost.EventuallyAsync(() => Writebacks(k, o.OrderBn).Count >= 1, "the write-back at the shop's matrix");
        // the duplicate DELIVERY has been answered too before we count
        await TaskTestHost.EventuallyAsync(() => wh.Sent.Count(s => s.Status == "DELIVERY" && s.OrderCode == d.DeliveryBn) >= 2, "both DELIVERY callbacks sent");

        var shipped = (await k.DeliveriesOfAsync(o.Id)).Single();
        var waybill = wh.Order(d.DeliveryBn)!.LogiNo;
        Assert.False(string.IsNullOrEmpty(waybill));
        Assert.Equal((DeliveryStatus.Shipped, waybill), (shipped.Status, shipped.LogiNo));
        Assert.Equal((7, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        var line = Assert.Single(await LedgerAsync(k, d.DeliveryBn));
        Assert.Equal((-3, StockMoveType.SalesOut), (line.Quantity, line.Type));
        var wb = Assert.Single(Writebacks(k, o.OrderBn));
        Assert.True(wb.SignOk);
        Assert.Equal((waybill, "SF"), (wb.Form["logistics_no"], wb.Form["company_code"]));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_order_ships_from_the_own_floor_through_the_handheld_openapi_and_is_written_back_once()
    {
        using var k = await ShopAsync();
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        await k.LogisticsAsync(branch, "ZTO");
        var o = await k.PushAsync([new Line(k.Orders.SA, 1), new Line(k.Orders.SB, 2)]);
        var d = await DeliveryOfAsync(k, o.Id);
        Assert.Equal(branch.Id, d.BranchId);

        var api = fx.OpenApi;
        var list = await api.CallAsync("pda_delivery.getList", new Dictionary<string, string> { ["branch_bn"] = branch.BranchBn });
        Assert.Contains(list.GetProperty("lists").EnumerateArray(), r => r.GetProperty("delivery_bn").GetString() == d.DeliveryBn);
        var waybill = "ZTO" + Guid.NewGuid().ToString("N")[..10];
        foreach (var doc in new[] { "stock", "delivery" })
            await api.CallAsync("pda_delivery.print", new Dictionary<string, string> { ["delivery_bn"] = d.DeliveryBn, ["doc"] = doc });
        await api.CallAsync("pda_delivery.print", new Dictionary<string, string> { ["delivery_bn"] = d.DeliveryBn, ["doc"] = "express", ["logi_no"] = waybill });
        var (code, _) = await api.CallErrorAsync("pda_delivery.consign", new Dictionary<string, string> { ["delivery_bn"] = d.DeliveryBn });
        Assert.Equal("e000010", code); // not verified yet: refused, nothing shipped
        await api.CallAsync("pda_delivery.check", new Dictionary<string, string> { ["logi_no"] = waybill, ["barcodes"] = $"{k.Orders.A}:1;{k.Orders.B}:2" });
        await api.CallAsync("pda_delivery.consign", new Dictionary<string, string> { ["delivery_bn"] = d.DeliveryBn, ["weight"] = "1.2" });

        Assert.Equal(ShipStatus.Shipped, (await k.OrderAsync(o.Id)).ShipStatus);
        Assert.Equal((9, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.B));
        Assert.Equal(2, (await LedgerAsync(k, d.DeliveryBn)).Count);
        await TaskTestHost.EventuallyAsync(() => Writebacks(k, o.OrderBn).Count >= 1, "the write-back at the shop's matrix");
        var again = await api.CallErrorAsync("pda_delivery.consign", new Dictionary<string, string> { ["delivery_bn"] = d.DeliveryBn });
        Assert.Equal("e000010", again.Code);
        var wb = Assert.Single(Writebacks(k, o.OrderBn));
        Assert.Equal((waybill, "ZTO", "0"), (wb.Form["logistics_no"], wb.Form["company_code"], wb.Form["is_split"]));
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteFulfillmentAcceptanceTests(SqliteOutboxFixture fx) : FulfillmentAcceptanceTests<SqliteOutboxFixture>(fx);

public sealed class PostgresFulfillmentAcceptanceTests(PostgresOutboxFixture fx) : FulfillmentAcceptanceTests<PostgresOutboxFixture>(fx);
