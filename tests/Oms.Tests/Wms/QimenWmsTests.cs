using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Deliveries;
using Oms.Integration.Qimen;
using Oms.Inventory;
using Oms.Orders;
using Oms.Outbox;
using Oms.Simulators.Warehouse;
using Oms.Tests.Outbox;
using Oms.Tests.Tasks;
using Oms.Wms;

namespace Oms.Tests.Wms;

/// <summary>
/// Third-party warehouses over Qimen: channels with the <c>qimen</c> adapter, deliveries pushed by <c>qimen.send</c> to the
/// virtual warehouse's Qimen side, its <c>deliveryorder.confirm</c> on the real <c>/qimen</c>, refusals, cancels, retries and
/// polling — the inventory invariants after each stock-moving scenario.
/// </summary>
public abstract class QimenWmsTests<TFixture>(TFixture fx) : IClassFixture<TFixture> where TFixture : OutboxFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static QimenDeliveryOrderConfirmRequest Confirm(string code, string status, string? expressCode = "SF0001", string? deliveryOrderId = null) => new()
    {
        DeliveryOrder = new QimenConfirmedDeliveryOrder
        {
            DeliveryOrderCode = code, DeliveryOrderId = deliveryOrderId, Status = status, OrderType = "JYCK", OperateTime = DateTime.UtcNow,
        },
        Packages = expressCode is null ? [] : [new QimenPackage { LogisticsCode = "SF", ExpressCode = expressCode, Weight = 1.5m }],
    };

    [Fact]
    public async Task A_delivery_is_pushed_signed_to_the_qimen_warehouse_and_its_confirm_on_qimen_ships_it_once()
    {
        await using var k = await QimenWmsKit.CreateAsync(fx, new WarehouseBehavior { DuplicateCallbacks = true });
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);

        var push = Assert.Single(k.Received(QimenMethods.DeliveryOrderCreate, d.DeliveryBn));
        Assert.True(push.SignOk, "signed with the channel's secret");
        Assert.True(QimenSignature.Verify(push.Fields, push.Body, k.Secret));
        Assert.Equal((k.AppKey, k.CustomerId, "2.0", "md5", "xml"),
            (push.Fields["app_key"], push.Fields["customerId"], push.Fields["v"], push.Fields["sign_method"], push.Fields["format"]));
        var create = QimenDeliveryOrderCreateRequest.Parse(push.Body);
        Assert.Equal((d.DeliveryBn, "JYCK", k.Branch.BranchBn, "SF"),
            (create.DeliveryOrder.DeliveryOrderCode, create.DeliveryOrder.OrderType, create.DeliveryOrder.WarehouseCode, create.DeliveryOrder.LogisticsCode));
        Assert.Equal(("李四", "浙江省"), (create.DeliveryOrder.Receiver.Name, create.DeliveryOrder.Receiver.Province));
        var line = Assert.Single(create.OrderLines);
        Assert.Equal(("1", o.OrderBn, k.Orders.A, 2, "ZP"), (line.OrderLineNo, line.SourceOrderCode, line.ItemCode, line.PlanQty, line.InventoryType));
        Assert.NotNull(line.ActualPrice);
        Assert.False(string.IsNullOrEmpty(line.ItemName));
        // the warehouse's number is kept
        Assert.Equal(k.Wh.Order(d.DeliveryBn)!.WmsCode, (await k.SyncAsync(d.Id)).OutDeliveryBn);

        // the warehouse goes through its statuses and confirms DELIVERED twice (same outBizCode)
        await k.WaitStatusAsync(d.Id, DeliveryStatus.Shipped);
        await k.Wh.WaitForIdleAsync(d.DeliveryBn, Wait);
        var confirms = k.Wh.Sent.Where(s => s.OrderCode == d.DeliveryBn && s.Method == QimenMethods.DeliveryOrderConfirm).ToList();
        Assert.Equal(2, confirms.Count);
        Assert.All(confirms, c => Assert.True(c.Ok, c.Answer));
        Assert.Contains(confirms, c => c.Answer.Contains("<state>shipped</state>", StringComparison.Ordinal));
        Assert.Contains(confirms, c => c.Answer.Contains("<state>ignored</state>", StringComparison.Ordinal));

        var shipped = await k.ReadAsync(d.Id);
        Assert.Equal((DeliveryStatus.Shipped, k.Wh.Order(d.DeliveryBn)!.LogiNo, "DELIVERY"), (shipped.Status, shipped.LogiNo, shipped.WmsStatus));
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        var ledger = await k.WithDbAsync(db => db.Set<StockLedgerLine>().AsNoTracking().Where(l => l.OriginalBn == d.DeliveryBn).ToListAsync());
        Assert.Equal((-2, 8), ledger.Select(l => (l.Quantity, l.BalanceAfter)).Single());
        Assert.Equal(ShipStatus.Shipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);

        // one more confirm, by hand: answered success, nothing ships twice
        using var client = new QimenClient();
        var again = await client.DeliveryOrderConfirmAsync(k.OmsEndpoint(), Confirm(d.DeliveryBn, "DELIVERED", shipped.LogiNo), Wait);
        Assert.True(again.IsSuccess, again.Response.Message);
        Assert.Equal("ignored", again.Response.Fields["state"]);
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        Assert.Single(await k.WithDbAsync(db => db.Set<StockLedgerLine>().AsNoTracking().Where(l => l.OriginalBn == d.DeliveryBn).ToListAsync()));

        // the API log: the push out (peer = channel, sign masked), every confirm in
        var outLog = Assert.Single(await k.ApiLogAsync(d.DeliveryBn, QimenMethods.DeliveryOrderCreate));
        Assert.Equal((ApiLogDirection.Out, k.ChannelBn, ApiLogStatus.Succ, 1), (outLog.Direction, outLog.Peer, outLog.Status, outLog.Attempt));
        Assert.Contains("\"sign\":\"***\"", outLog.Parameters, StringComparison.Ordinal);
        Assert.DoesNotContain(k.Secret, outLog.Parameters, StringComparison.Ordinal);
        Assert.Contains("<deliveryOrderCode>", outLog.Parameters, StringComparison.Ordinal);
        Assert.Contains("success", outLog.Response, StringComparison.Ordinal);
        await TaskTestHost.EventuallyAsync(async () => (await k.ApiLogAsync(d.DeliveryBn, QimenMethods.DeliveryOrderConfirm)).Count == 3, "three confirms logged");
        Assert.All(await k.ApiLogAsync(d.DeliveryBn, QimenMethods.DeliveryOrderConfirm), e =>
            Assert.Equal((ApiLogDirection.In, k.ChannelBn, ApiLogStatus.Succ), (e.Direction, e.Peer, e.Status)));
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_bad_sign_an_unknown_app_key_another_channels_confirm_or_a_waybill_less_DELIVERED_is_refused_and_changes_nothing()
    {
        await using var k = await QimenWmsKit.CreateAsync(fx, QimenWmsKit.Hold);
        await using var other = await QimenWmsKit.CreateAsync(fx, QimenWmsKit.Hold);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        using var client = new QimenClient();

        async Task<QimenResponse> RefusedAsync(QimenEndpoint endpoint, QimenDeliveryOrderConfirmRequest confirm, string code)
        {
            var r = await client.DeliveryOrderConfirmAsync(endpoint, confirm, Wait);
            Assert.False(r.IsTransportError, r.Response.Message);
            Assert.True(!r.IsSuccess && r.Response.Code == code, $"{r.Response.Code}: {r.Response.Message}");
            return r.Response;
        }

        var delivered = Confirm(d.DeliveryBn, "DELIVERED", "SF-BAD-1");
        await RefusedAsync(k.OmsEndpoint(secret: "not-the-secret"), delivered, QimenErrorCodes.SignCheckFailure);
        await RefusedAsync(k.OmsEndpoint(appKey: "qm-nobody"), delivered, QimenErrorCodes.InvalidAppKey);
        var foreign = await RefusedAsync(other.OmsEndpoint(), delivered, QimenErrorCodes.BusinessRefused);
        Assert.Contains(other.ChannelBn, foreign.Message, StringComparison.Ordinal);
        var noWaybill = await RefusedAsync(k.OmsEndpoint(), Confirm(d.DeliveryBn, "DELIVERED", expressCode: null), QimenErrorCodes.BusinessRefused);
        Assert.Contains("expressCode", noWaybill.Message, StringComparison.Ordinal);
        var unknown = await RefusedAsync(k.OmsEndpoint(), Confirm("D-NOPE-" + k.Orders.Prefix, "DELIVERED"), QimenErrorCodes.BusinessRefused);
        Assert.Contains("不存在", unknown.Message, StringComparison.Ordinal);
        var partial = await RefusedAsync(k.OmsEndpoint(), Confirm(d.DeliveryBn, "PARTDELIVERED"), QimenErrorCodes.InvalidParameter);
        Assert.Contains("部分发货", partial.Message, StringComparison.Ordinal);
        var entry = await client.SendAsync(k.OmsEndpoint(), QimenMethods.EntryOrderConfirm, "<request><entryOrder><entryOrderCode>E1</entryOrderCode></entryOrder></request>", Wait);
        Assert.Equal((false, QimenErrorCodes.InvalidMethod), (entry.IsSuccess, entry.Response.Code));
        Assert.Contains("not supported", entry.Response.Message, StringComparison.Ordinal);

        // nothing changed
        var still = await k.ReadAsync(d.Id);
        Assert.Equal((DeliveryStatus.Ready, (string?)null, (string?)null), (still.Status, still.WmsStatus, still.LogiNo));
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync());
        Assert.Equal(ShipStatus.NotShipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);
        await TaskTestHost.EventuallyAsync(async () => (await k.ApiLogAsync(d.DeliveryBn, QimenMethods.DeliveryOrderConfirm)).Count(e => e.Status == ApiLogStatus.Fail) >= 5,
            "refused confirms logged");
        Assert.All(await k.ApiLogAsync(d.DeliveryBn, QimenMethods.DeliveryOrderConfirm), e => Assert.Equal(ApiLogDirection.In, e.Direction));

        // the channel's own progress report goes through
        var accept = await client.DeliveryOrderConfirmAsync(k.OmsEndpoint(), Confirm(d.DeliveryBn, "ACCEPT", expressCode: null), Wait);
        Assert.True(accept.IsSuccess, accept.Response.Message);
        Assert.Equal("applied", accept.Response.Fields["state"]);
        Assert.Equal("ACCEPT", (await k.ReadAsync(d.Id)).WmsStatus);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_refused_create_fails_after_the_retries_is_listed_and_a_manual_retry_pushes_and_ships_it()
    {
        await using var k = await QimenWmsKit.CreateAsync(fx, new WarehouseBehavior { RefuseCreate = true });
        var (o, d) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d.Id, WmsPushState.Failed);
        Assert.Contains("refuse-create", (await k.SyncAsync(d.Id)).PushError, StringComparison.Ordinal);
        Assert.Equal(OutboxModule.DefaultMaxAttempts, k.Received(QimenMethods.DeliveryOrderCreate, d.DeliveryBn).Count);
        var attempts = await k.ApiLogAsync(d.DeliveryBn, QimenMethods.DeliveryOrderCreate);
        Assert.Equal(Enumerable.Range(1, OutboxModule.DefaultMaxAttempts), attempts.Select(a => a.Attempt));
        Assert.All(attempts, a => Assert.Equal((ApiLogDirection.Out, ApiLogStatus.Fail, QimenErrorCodes.BusinessRefused), (a.Direction, a.Status, a.ErrorCode)));
        var requestId = (await k.SyncAsync(d.Id)).PushRequestId!;
        Assert.Equal(OutboxState.Failed, (await k.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == requestId))).State);
        Assert.True(await k.Review.WithAsync(sp => sp.GetRequiredService<ApiLogService>().CanRetryAsync(attempts[^1])));
        var failed = await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.PushFailed, d.DeliveryBn, null));
        Assert.Equal(d.Id, Assert.Single(failed.Items).DeliveryId);
        Assert.Equal((10, 1, 0, 0), await k.CountersAsync());

        // the warehouse takes orders again: 重试推送 sends the same request, which is taken and shipped
        k.Wh.Behavior = new WarehouseBehavior();
        await k.WithWmsAsync(w => w.RetryPushAsync(d.Id, "ops"));
        await k.WaitPushAsync(d.Id);
        Assert.Equal(requestId, (await k.SyncAsync(d.Id)).PushRequestId);
        Assert.Empty((await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.PushFailed, d.DeliveryBn, null))).Items);
        await k.WaitStatusAsync(d.Id, DeliveryStatus.Shipped);
        Assert.Equal((9, 0, 0, 0), await k.CountersAsync());
        Assert.Equal(ShipStatus.Shipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Pausing_asks_the_qimen_warehouse_to_cancel_and_pauses_once_it_agrees_and_a_refused_cancel_is_listed()
    {
        await using var k = await QimenWmsKit.CreateAsync(fx, QimenWmsKit.Hold);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        await k.PauseAsync(o.Id);
        await k.WaitCancelAsync(d.Id, WmsCancelState.Cancelled);
        var cancel = QimenOrderCancelRequest.Parse(Assert.Single(k.Received(QimenMethods.OrderCancel, d.DeliveryBn)).Body);
        Assert.Equal((d.DeliveryBn, k.Branch.BranchBn, "JYCK", k.Wh.Order(d.DeliveryBn)!.WmsCode), (cancel.OrderCode, cancel.WarehouseCode, cancel.OrderType, cancel.OrderId));
        Assert.True(k.Wh.Order(d.DeliveryBn)!.Cancelled);
        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d.Id)).Status);
        var paused = await k.Review.OrderAsync(o.Id);
        Assert.True(paused.Pause);
        Assert.Equal(ProcessStatus.Unconfirmed, paused.ProcessStatus);
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync());
        await k.Review.AssertInvariantsAsync();

        // a warehouse that refuses: after the retries the cancel is failed and listed, the delivery stays
        k.Wh.Behavior = QimenWmsKit.Hold with { RefuseCancel = true };
        var (o2, d2) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d2.Id);
        await k.RevokeAsync(d2.Id);
        await k.WaitCancelAsync(d2.Id, WmsCancelState.Failed);
        Assert.Contains("refuse-cancel", (await k.SyncAsync(d2.Id)).CancelError, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Ready, (await k.ReadAsync(d2.Id)).Status);
        var listed = await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.CancelFailed, d2.DeliveryBn, null));
        Assert.Equal(d2.Id, Assert.Single(listed.Items).DeliveryId);
        Assert.Contains(await k.Orders.LogAsync(o2.Id), l => l.Action == "delivery.revoke_failed");
        Assert.Equal((10, 1, 0, 0), await k.CountersAsync());
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_polled_qimen_channel_is_queried_and_the_answer_ships_the_delivery()
    {
        await using var k = await QimenWmsKit.CreateAsync(fx, new WarehouseBehavior { CallbacksOff = true }, poll: true);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        var done = await k.Wh.WaitForIdleAsync(d.DeliveryBn, Wait);
        Assert.True(done.Shipped);
        Assert.Empty(k.Wh.Sent);
        Assert.True(await k.Review.WithAsync(sp => sp.GetRequiredService<WmsDeliveryService>().PollAsync()) >= 1);
        await k.WaitStatusAsync(d.Id, DeliveryStatus.Shipped);
        var query = QimenDeliveryOrderQueryRequest.Parse(Assert.Single(k.Received(QimenMethods.DeliveryOrderQuery, d.DeliveryBn)).Body);
        Assert.Equal((d.DeliveryBn, k.Branch.BranchBn), (query.OrderCode, query.WarehouseCode));
        var shipped = await k.ReadAsync(d.Id);
        Assert.Equal((done.LogiNo, "DELIVERY"), (shipped.LogiNo, shipped.WmsStatus));
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        Assert.Equal(ShipStatus.Shipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);
        await TaskTestHost.EventuallyAsync(async () => (await k.SyncAsync(d.Id)).PollRequestId is null, "poll settled");
        Assert.Equal(0, await k.Review.WithAsync(sp => sp.GetRequiredService<WmsDeliveryService>().PollAsync()));
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_new_basic_material_is_synchronized_to_the_qimen_channel()
    {
        await using var k = await QimenWmsKit.CreateAsync(fx);
        var bn = k.Orders.Prefix + "QNEW";
        await fx.OpenApi.CallAsync("basicmaterial.add", new Dictionary<string, string>
        {
            ["material_bn"] = bn, ["material_name"] = "奇门新品", ["material_code"] = bn + "-BAR", ["weight"] = "0.3",
        });
        await k.Wh.WaitForReceivedAsync(r => r.Any(x => x.Method == QimenMethods.SingleItemSynchronize && x.Body.Contains(bn, StringComparison.Ordinal)), Wait);
        var sync = k.Wh.Received.First(x => x.Method == QimenMethods.SingleItemSynchronize && x.Body.Contains(bn, StringComparison.Ordinal));
        Assert.True(sync.SignOk);
        var item = QimenSingleItemSynchronizeRequest.Parse(sync.Body);
        Assert.Equal(("add", k.CustomerId, "奇门新品", bn + "-BAR", 0.3m), (item.ActionType, item.OwnerCode, item.ItemName, item.BarCode, item.GrossWeight));
        // the warehouse took it: the request ends succeeded, nothing left to retry
        await TaskTestHost.EventuallyAsync(async () =>
        {
            await using var scope = fx.Scope();
            return await scope.ServiceProvider.GetRequiredService<Oms.Data.OmsDbContext>().Set<Oms.Outbox.OutboxMessage>()
                .AnyAsync(m => m.BusinessKey == bn && m.Method == QimenMethods.SingleItemSynchronize && m.State == Oms.Outbox.OutboxState.Succeeded);
        }, "the item synchronization succeeded");
    }
}

public sealed class SqliteQimenWmsTests(SqliteOutboxFixture fx) : QimenWmsTests<SqliteOutboxFixture>(fx);

public sealed class PostgresQimenWmsTests(PostgresOutboxFixture fx) : QimenWmsTests<PostgresOutboxFixture>(fx);
