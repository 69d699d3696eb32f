using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Simulators.Warehouse;
using Oms.Tests.Orders;
using Oms.Tests.Outbox;
using Oms.Tests.Review;
using Oms.Tests.Tasks;
using Oms.Warehouses;
using Oms.Wms;

namespace Oms.Tests.Wms;

/// <summary>
/// The third-party path against the simulators' virtual warehouse over the matrix (the real host with its workers): callbacks
/// out of order, a refused cancel, a warehouse whose answers time out — stock moves once and the invariants hold.
/// </summary>
public abstract class VirtualWarehousePathTests<TFixture>(TFixture fx) : IClassFixture<TFixture> where TFixture : OutboxFixture
{
    private sealed record Setup(ReviewKit Kit, VirtualWarehouse Wh, Branch Branch, long LogisticsId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Wh.DisposeAsync();
            Kit.Dispose();
        }
    }

    private async Task<Setup> SetupAsync(WarehouseBehavior behavior)
    {
        var k = await ReviewKit.CreateAsync(fx);
        var node = "vw" + Guid.NewGuid().ToString("N")[..10];
        var token = "vwtok-" + Guid.NewGuid().ToString("N");
        var wh = await VirtualWarehouse.StartAsync(new VirtualWarehouseOptions
        {
            OmsUrl = fx.BaseAddress, NodeId = node, Token = token, Delay = TimeSpan.FromMilliseconds(50), Behavior = behavior,
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
        var sf = await k.LogisticsAsync(branch, "SF");
        return new Setup(k, wh, branch, sf.Id);
    }

    private static Task<DeliveryWms> SyncAsync(ReviewKit k, long deliveryId) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<DeliveryWms>().AsNoTracking().SingleAsync(x => x.DeliveryId == deliveryId));

    private static Task<int> SalesOutLinesAsync(ReviewKit k, string deliveryBn) =>
        k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Oms.Inventory.StockLedgerLine>().CountAsync(l => l.OriginalBn == deliveryBn));

    [Fact]
    public async Task Callbacks_out_of_order_ship_once_and_never_move_the_delivery_back()
    {
        await using var s = await SetupAsync(new WarehouseBehavior { OutOfOrder = true });
        var k = s.Kit;
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        var d = await k.ConfirmAsync([o.Id], s.Branch.Id, s.LogisticsId);
        // DELIVERY comes first, then ACCEPT, PICK, PACKAGE
        await s.Wh.WaitForSentAsync(sent => sent.Count(x => x.OrderCode == d.DeliveryBn && x.Ok) >= 4, TimeSpan.FromSeconds(60));
        Assert.Equal("DELIVERY", s.Wh.Sent.First(x => x.OrderCode == d.DeliveryBn).Status);

        Assert.Equal(ShipStatus.Shipped, (await k.OrderAsync(o.Id)).ShipStatus);
        Assert.Equal(DeliveryStatus.Shipped, (await k.DeliveriesOfAsync(o.Id)).Single().Status);
        Assert.Equal("DELIVERY", (await SyncAsync(k, d.Id)).WmsStatus);
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync(s.Branch.Id, k.Orders.A));
        Assert.Equal(1, await SalesOutLinesAsync(k, d.DeliveryBn));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_cancel_the_warehouse_refuses_leaves_the_delivery_and_lists_it()
    {
        await using var s = await SetupAsync(new WarehouseBehavior { RefuseCancel = true, CallbacksOff = true });
        var k = s.Kit;
        var o = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var d = await k.ConfirmAsync([o.Id], s.Branch.Id, s.LogisticsId);
        await TaskTestHost.EventuallyAsync(async () => (await SyncAsync(k, d.Id)).PushState == WmsPushState.Pushed, "pushed");

        await k.DoAsync(sp => sp.GetRequiredService<ReviewService>().PauseAsync(o.Id, "买家要求暂缓", "reviewer"));
        await TaskTestHost.EventuallyAsync(async () => (await SyncAsync(k, d.Id)).CancelState == WmsCancelState.Failed, "the refused cancel listed");
        var order = await k.OrderAsync(o.Id);
        Assert.False(order.Pause);
        Assert.Equal(DeliveryStatus.Ready, (await k.DeliveriesOfAsync(o.Id)).Single().Status);
        Assert.Equal((10, 1, 0, 0), await k.CountersAsync(s.Branch.Id, k.Orders.A));
        Assert.True(s.Wh.Received.Count(r => r.Method == WmsMethods.SaleOrderCancel) >= 1);
        Assert.False(s.Wh.Order(d.DeliveryBn)!.Cancelled);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_warehouse_whose_answers_time_out_still_ships_the_delivery_once()
    {
        await using var s = await SetupAsync(new WarehouseBehavior { AnswerDelay = TimeSpan.FromSeconds(3) });
        var k = s.Kit;
        await fx.SetAsync("matrix.timeout_seconds", "1");
        try
        {
            var o = await k.PushAsync([new Line(k.Orders.SA, 3)]);
            var d = await k.ConfirmAsync([o.Id], s.Branch.Id, s.LogisticsId);
            // the answer never comes in time, but the warehouse took the order and reports DELIVERY
            await TaskTestHost.EventuallyAsync(async () => (await k.OrderAsync(o.Id)).ShipStatus == ShipStatus.Shipped, "shipped despite the time-outs");
            Assert.Contains(s.Wh.Received, r => r.Method == WmsMethods.SaleOrderCreate && r.OrderCode == d.DeliveryBn);
            Assert.Equal((7, 0, 0, 0), await k.CountersAsync(s.Branch.Id, k.Orders.A));
            Assert.Equal(1, await SalesOutLinesAsync(k, d.DeliveryBn));
            await k.AssertInvariantsAsync();
        }
        finally
        {
            await fx.SetAsync("matrix.timeout_seconds", "30");
        }
    }
}

public sealed class SqliteVirtualWarehousePathTests(SqliteOutboxFixture fx) : VirtualWarehousePathTests<SqliteOutboxFixture>(fx);

public sealed class PostgresVirtualWarehousePathTests(PostgresOutboxFixture fx) : VirtualWarehousePathTests<PostgresOutboxFixture>(fx);
