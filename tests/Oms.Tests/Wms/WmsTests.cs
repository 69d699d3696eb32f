using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Outbox;
using Oms.Tests.Outbox;
using Oms.Tests.Tasks;
using Oms.Wms;

namespace Oms.Tests.Wms;

/// <summary>
/// Third-party warehouses over the matrix: channels through the OpenAPI, deliveries pushed to the fake warehouse
/// (<c>FakeMatrixRecorder</c>), its <c>wms.delivery.status_update</c> calls on the real <c>/api</c>, cancels, retries,
/// polling and material pushes — the inventory invariants after each scenario.
/// </summary>
public abstract class WmsTests<TFixture>(TFixture fx) : IClassFixture<TFixture> where TFixture : OutboxFixture
{
    private static Dictionary<string, string> P(params (string K, string V)[] p) => p.ToDictionary(x => x.K, x => x.V, StringComparer.Ordinal);

    [Fact]
    public async Task Channels_are_added_listed_and_refused_through_the_openapi_and_branches_accept_only_known_channels()
    {
        using var k = await WmsKit.CreateAsync(fx);
        var list = await fx.OpenApi.CallAsync("wmschannel.getList", P(("channel_bn", k.ChannelBn)));
        Assert.Equal(1, list.GetProperty("count").GetInt64());
        var row = list.GetProperty("lists")[0];
        Assert.Equal("matrix", row.GetProperty("adapter").GetString());
        Assert.Equal(k.Node, row.GetProperty("node_id").GetString());
        Assert.Equal(k.Branch.BranchBn, row.GetProperty("branches")[0].GetString());
        Assert.False(row.TryGetProperty("token", out _), "the token is never answered");

        var (code, sub) = await fx.OpenApi.CallErrorAsync("wmschannel.add", P(("channel_bn", k.ChannelBn), ("name", "x"), ("node_id", "n-other"), ("token", "t")));
        Assert.Equal("e000010", code);
        Assert.Contains("already exists", sub, StringComparison.Ordinal);
        (code, sub) = await fx.OpenApi.CallErrorAsync("wmschannel.add", P(("channel_bn", k.ChannelBn + "2"), ("name", "x"), ("token", "t")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("node_id", sub, StringComparison.Ordinal);
        (code, sub) = await fx.OpenApi.CallErrorAsync("wmschannel.add", P(("channel_bn", k.ChannelBn + "3"), ("name", "x"), ("adapter", "ftp")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("adapter", sub, StringComparison.Ordinal);
        (code, sub) = await fx.OpenApi.CallErrorAsync("wmschannel.add", P(("channel_bn", k.ChannelBn + "4"), ("name", "x"), ("adapter", "qimen"), ("app_key", "k")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("secret", sub, StringComparison.Ordinal);
        // a node id is a shop's or a channel's, never both
        (code, sub) = await fx.OpenApi.CallErrorAsync("wmschannel.add", P(("channel_bn", k.ChannelBn + "5"), ("name", "x"), ("node_id", k.Orders.Matrix.NodeId), ("token", "t")));
        Assert.Equal("e000010", code);
        Assert.Contains("shop", sub, StringComparison.Ordinal);
        (code, sub) = await fx.OpenApi.CallErrorAsync("shop.add", P(("shop_bn", k.ChannelBn + "S"), ("shop_name", "x"), ("shop_type", "taobao"), ("node_id", k.Node)));
        Assert.Equal("e000010", code);
        Assert.Contains("WMS channel", sub, StringComparison.Ordinal);
        Assert.Equal(0, (await fx.OpenApi.CallAsync("wmschannel.getList", P(("channel_bn", k.ChannelBn + "2,"+ k.ChannelBn + "5")))).GetProperty("count").GetInt64());

        (code, sub) = await fx.OpenApi.CallErrorAsync("branch.add", P(("branch_bn", k.ChannelBn + "B"), ("name", "x"), ("wms", "no-such-channel")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("wms", sub, StringComparison.Ordinal);
        var branch = await fx.OpenApi.CallAsync("branch.getList", P(("branch_bn", k.Branch.BranchBn)));
        Assert.Equal(k.ChannelBn, branch.GetProperty("lists")[0].GetProperty("wms").GetString());

        // the channel's node is bound on /api: a method for shops is refused as a business rule, not as an unknown node
        var msg = await k.Warehouse.FailAsync(k.Warehouse.Form("ome.order.status_update", P(("order_bn", "X1"), ("status", "dead")), "t-" + Guid.NewGuid().ToString("N")), "4007");
        Assert.Contains("wms", msg, StringComparison.Ordinal);
        // and a shop cannot call the warehouse method
        var (_, d) = await k.DeliveryAsync(1);
        var shopMsg = await k.StatusFailAsync(d.DeliveryBn, "ACCEPT", "4007", as_: k.Orders.Matrix);
        Assert.Contains("WMS", shopMsg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_is_pushed_with_the_protocol_fields_and_each_status_moves_it_forward_only()
    {
        using var k = await WmsKit.CreateAsync(fx);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        var push = Assert.Single(k.Sent(WmsMethods.SaleOrderCreate));
        Assert.True(push.SignOk, "signed with the channel's token");
        Assert.Equal(d.DeliveryBn, push.Form["out_order_code"]);
        Assert.Equal(k.Branch.BranchBn, push.Form["warehouse_code"]);
        Assert.Equal("SF", push.Form["logistics_code"]);
        Assert.Equal("李四", push.Form["receiver_name"]);
        Assert.Equal("浙江省", push.Form["receiver_state"]);
        Assert.Equal("wms", push.Form["node_type"]);
        using (var items = JsonDocument.Parse(push.Form["items"]))
        {
            var item = Assert.Single(items.RootElement.GetProperty("item").EnumerateArray());
            Assert.Equal(k.Orders.A, item.GetProperty("item_code").GetString());
            Assert.Equal(2, item.GetProperty("item_quantity").GetInt32());
            Assert.Equal(o.OrderBn, item.GetProperty("trade_code").GetString());
            Assert.Equal("0", item.GetProperty("is_gift").GetString());
            Assert.Equal("ZP", item.GetProperty("inventory_type").GetString());
            Assert.Equal(1, item.GetProperty("item_line_num").GetInt32());
        }
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync());

        await k.StatusSuccAsync(d.DeliveryBn, "ACCEPT", P(("out_delivery_bn", "OUT-" + d.Id)), "applied");
        Assert.Equal("OUT-" + d.Id, (await k.SyncAsync(d.Id)).OutDeliveryBn);
        foreach (var s in new[] { "PRINT", "PICK" }) await k.StatusSuccAsync(d.DeliveryBn, s, state: "applied");
        // out of order: never backwards
        await k.StatusSuccAsync(d.DeliveryBn, "ACCEPT", state: "ignored");
        Assert.Equal("PICK", (await k.ReadAsync(d.Id)).WmsStatus);
        // found by the warehouse's own number too
        await k.StatusSuccAsync("", "CHECK", P(("out_delivery_bn", "OUT-" + d.Id)), "applied");
        await k.StatusSuccAsync(d.DeliveryBn, "PACKAGE", state: "applied");
        await k.StatusSuccAsync(d.DeliveryBn, "UPDATE", P(("logistics", "ZTO"), ("logi_no", "ZT000001"), ("weight", "1.25"), ("volume", "0.5")), "applied");
        var updated = await k.ReadAsync(d.Id);
        Assert.Equal(("ZTO", "ZT000001", 1.25m, "PACKAGE"), (updated.LogiCode, updated.LogiNo, updated.Weight, updated.WmsStatus));
        Assert.Equal(0.5m, (await k.SyncAsync(d.Id)).Volume);

        // DELIVERY without logi_no: 4006, nothing changes
        var msg = await k.StatusFailAsync(d.DeliveryBn, "DELIVERY", "4006", P(("logi_no", "")));
        Assert.Contains("logi_no", msg, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Ready, (await k.ReadAsync(d.Id)).Status);
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync());
        // an unknown delivery, an unknown status
        await k.StatusFailAsync("D-NOPE-1", "ACCEPT", "4007");
        await k.StatusFailAsync(d.DeliveryBn, "LOST", "4006");

        await k.StatusSuccAsync(d.DeliveryBn, "DELIVERY", P(("logi_no", "SF1234567"), ("logistics", "SF")), "shipped");
        var shipped = await k.ReadAsync(d.Id);
        Assert.Equal((DeliveryStatus.Shipped, "SF1234567", "DELIVERY"), (shipped.Status, shipped.LogiNo, shipped.WmsStatus));
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        Assert.Equal(ShipStatus.Shipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);
        // a second DELIVERY ships nothing; a late ACCEPT changes nothing
        await k.StatusSuccAsync(d.DeliveryBn, "DELIVERY", P(("logi_no", "SF1234567")), "ignored");
        await k.StatusSuccAsync(d.DeliveryBn, "ACCEPT", state: "ignored");
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        Assert.Equal("DELIVERY", (await k.ReadAsync(d.Id)).WmsStatus);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Another_channel_may_not_report_on_this_channels_delivery()
    {
        using var k = await WmsKit.CreateAsync(fx);
        using var other = await WmsKit.CreateAsync(fx);
        var (_, d) = await k.DeliveryAsync(1);
        var msg = await k.StatusFailAsync(d.DeliveryBn, "ACCEPT", "4007", as_: other.Warehouse);
        Assert.Contains(other.ChannelBn, msg, StringComparison.Ordinal);
        Assert.Null((await k.ReadAsync(d.Id)).WmsStatus);
    }

    [Theory]
    [InlineData("CLOSE")]
    [InlineData("FAILED")]
    public async Task Close_or_failed_cancels_the_delivery_and_returns_the_order_to_review_marked_abnormal(string status)
    {
        using var k = await WmsKit.CreateAsync(fx);
        var (o, d) = await k.DeliveryAsync(3);
        await k.StatusSuccAsync(d.DeliveryBn, "ACCEPT");
        await k.StatusSuccAsync(d.DeliveryBn, status, P(("remark", "库存不足")), "cancelled");
        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d.Id)).Status);
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync());
        Assert.Equal(3, await k.Review.ShopFreezeAsync(k.Orders.A));
        var order = await k.Review.OrderAsync(o.Id);
        Assert.Equal(ProcessStatus.Unconfirmed, order.ProcessStatus);
        Assert.True(order.Abnormal);
        Assert.Contains("库存不足", order.AbnormalReason, StringComparison.Ordinal);
        await k.StatusSuccAsync(d.DeliveryBn, status, state: "ignored");
        await k.StatusFailAsync(d.DeliveryBn, "DELIVERY", "4007", P(("logi_no", "SF1")));
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync());
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Pausing_asks_the_warehouse_and_pauses_once_it_agrees_and_a_revoke_waits_the_same_way()
    {
        using var k = await WmsKit.CreateAsync(fx);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        k.Peer.Script(k.Node, "running");
        await k.PauseAsync(o.Id);
        // asked, not yet agreed: nothing moved, and no second cancel
        Assert.Equal(DeliveryStatus.Ready, (await k.ReadAsync(d.Id)).Status);
        Assert.False((await k.Review.OrderAsync(o.Id)).Pause);
        Assert.Equal(WmsCancelState.Pending, (await k.SyncAsync(d.Id)).CancelState);
        var again = await Assert.ThrowsAsync<DomainException>(() => k.RevokeAsync(d.Id));
        Assert.Contains("正在", again.Message, StringComparison.Ordinal);
        var task = await k.RunningCancelAsync();
        var cancel = k.Sent(WmsMethods.SaleOrderCancel)[0];
        Assert.Equal(d.DeliveryBn, cancel.Form["out_order_code"]);
        Assert.Equal(k.Branch.BranchBn, cancel.Form["warehouse_code"]);
        Assert.Equal("succ", (await k.CallbackAsync(task, "succ")).GetProperty("rsp").GetString());

        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d.Id)).Status);
        var paused = await k.Review.OrderAsync(o.Id);
        Assert.True(paused.Pause);
        Assert.Equal(ProcessStatus.Unconfirmed, paused.ProcessStatus);
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync());
        Assert.Equal(2, await k.Review.ShopFreezeAsync(k.Orders.A));
        await k.Review.AssertInvariantsAsync();

        // 打回: the same question, answered at once (succ) by the warehouse
        var (o2, d2) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d2.Id);
        await k.RevokeAsync(d2.Id);
        await k.WaitCancelAsync(d2.Id, WmsCancelState.Cancelled);
        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d2.Id)).Status);
        var back = await k.Review.OrderAsync(o2.Id);
        Assert.False(back.Pause);
        Assert.Equal(ProcessStatus.Unconfirmed, back.ProcessStatus);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_refused_cancel_is_listed_the_order_stays_unpaused_and_a_manual_cancel_or_a_retry_finishes_it()
    {
        using var k = await WmsKit.CreateAsync(fx);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        k.Peer.Script(k.Node, "running");
        await k.PauseAsync(o.Id);
        var task = await k.RunningCancelAsync();
        Assert.Equal("succ", (await k.CallbackAsync(task, "fail")).GetProperty("rsp").GetString());

        var dw = await k.SyncAsync(d.Id);
        Assert.Contains("不能取消", dw.CancelError, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Ready, (await k.ReadAsync(d.Id)).Status);
        Assert.False((await k.Review.OrderAsync(o.Id)).Pause);
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync());
        var listed = await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.CancelFailed, d.DeliveryBn, null));
        Assert.Equal(d.Id, Assert.Single(listed.Items).DeliveryId);
        Assert.Contains(await k.Orders.LogAsync(o.Id), l => l.Action == "delivery.revoke_failed");

        await k.WithWmsAsync(w => w.ManualCancelAsync(d.Id, "ops"));
        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d.Id)).Status);
        Assert.True((await k.Review.OrderAsync(o.Id)).Pause);
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync());
        Assert.Empty((await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.CancelFailed, d.DeliveryBn, null))).Items);
        await k.Review.AssertInvariantsAsync();

        // a cancel that finally fails (every attempt refused), then asked again and accepted
        var (o2, d2) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d2.Id);
        k.Peer.Script(k.Node, "fail", "fail", "fail", "fail", "fail");
        await k.RevokeAsync(d2.Id);
        await k.WaitCancelAsync(d2.Id, WmsCancelState.Failed);
        Assert.Contains("platform busy", (await k.SyncAsync(d2.Id)).CancelError, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Ready, (await k.ReadAsync(d2.Id)).Status);
        await k.WithWmsAsync(w => w.RetryCancelAsync(d2.Id, "ops"));
        await k.WaitCancelAsync(d2.Id, WmsCancelState.Cancelled);
        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d2.Id)).Status);
        Assert.Equal(ProcessStatus.Unconfirmed, (await k.Review.OrderAsync(o2.Id)).ProcessStatus);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_DELIVERY_while_a_cancel_is_pending_ships_and_the_cancel_is_reported_failed()
    {
        using var k = await WmsKit.CreateAsync(fx);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        k.Peer.Script(k.Node, "running");
        await k.RevokeAsync(d.Id);
        var task = await k.RunningCancelAsync();
        await k.StatusSuccAsync(d.DeliveryBn, "DELIVERY", P(("logi_no", "SF99")), "shipped");
        var dw = await k.SyncAsync(d.Id);
        Assert.Equal(WmsCancelState.Failed, dw.CancelState);
        Assert.Contains("已发货", dw.CancelError, StringComparison.Ordinal);
        // the warehouse's late "cancelled" changes nothing
        Assert.Equal("succ", (await k.CallbackAsync(task, "succ")).GetProperty("rsp").GetString());
        Assert.Equal(WmsCancelState.Failed, (await k.SyncAsync(d.Id)).CancelState);
        Assert.Equal(DeliveryStatus.Shipped, (await k.ReadAsync(d.Id)).Status);
        Assert.Equal(ShipStatus.Shipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_failing_push_is_retried_until_taken_and_a_finally_failed_push_is_listed_and_can_be_retried()
    {
        using var k = await WmsKit.CreateAsync(fx);
        k.Peer.Script(k.Node, "http500", "fail", "succ");
        var (_, d) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d.Id);
        var sent = k.Sent(WmsMethods.SaleOrderCreate);
        Assert.Equal(3, sent.Count);
        Assert.Single(sent.Select(r => r.Task).Distinct());

        k.Peer.Script(k.Node, "fail", "fail", "fail", "fail", "fail");
        var (_, d2) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d2.Id, WmsPushState.Failed);
        Assert.Contains("platform busy", (await k.SyncAsync(d2.Id)).PushError, StringComparison.Ordinal);
        var failed = await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.PushFailed, d2.DeliveryBn, null));
        Assert.Single(failed.Items);
        await k.WithWmsAsync(w => w.RetryPushAsync(d2.Id, "ops"));
        await k.WaitPushAsync(d2.Id);
        var d2Task = (await k.SyncAsync(d2.Id)).PushRequestId;
        Assert.Equal(6, k.Sent(WmsMethods.SaleOrderCreate).Count(r => r.Task == d2Task));
        Assert.Empty((await k.Review.WithAsync(sp => sp.GetRequiredService<WmsQuery>().ListAsync(WmsDeliveryTab.PushFailed, d2.DeliveryBn, null))).Items);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Polled_channels_are_queried_and_the_answer_goes_through_the_status_rules()
    {
        using var k = await WmsKit.CreateAsync(fx, poll: true);
        var (o, d) = await k.DeliveryAsync(2);
        await k.WaitPushAsync(d.Id);
        k.Peer.Script(k.Node, """{"rsp":"succ","res":"","data":{"status":"PICK","out_delivery_bn":"JD-1"}}""");
        Assert.True(await k.Review.WithAsync(sp => sp.GetRequiredService<WmsDeliveryService>().PollAsync()) >= 1);
        await TaskTestHost.EventuallyAsync(async () => (await k.ReadAsync(d.Id)).WmsStatus == "PICK", "poll applied PICK");
        Assert.Equal("JD-1", (await k.SyncAsync(d.Id)).OutDeliveryBn);
        var get = Assert.Single(k.Sent(WmsMethods.SaleOrderGet));
        Assert.Equal(d.DeliveryBn, get.Form["out_order_code"]);

        // a DELIVERY without waybill is noted and ships nothing
        k.Peer.Script(k.Node, """{"rsp":"succ","res":"","data":{"status":"DELIVERY"}}""");
        await TaskTestHost.EventuallyAsync(async () => (await k.SyncAsync(d.Id)).PollRequestId is null, "first poll settled");
        await k.WithWmsAsync(w => w.PollAsync());
        await TaskTestHost.EventuallyAsync(async () => (await k.SyncAsync(d.Id)).Remark?.Contains("logi_no", StringComparison.Ordinal) == true, "refused answer noted");
        Assert.Equal(DeliveryStatus.Ready, (await k.ReadAsync(d.Id)).Status);

        k.Peer.Script(k.Node, """{"rsp":"succ","res":"","data":{"status":"DELIVERY","logi_no":"JD0001","logistics":"JD"}}""");
        await TaskTestHost.EventuallyAsync(async () => (await k.SyncAsync(d.Id)).PollRequestId is null, "second poll settled");
        await k.WithWmsAsync(w => w.PollAsync());
        await TaskTestHost.EventuallyAsync(async () => (await k.ReadAsync(d.Id)).Status == DeliveryStatus.Shipped, "poll shipped it");
        Assert.Equal("JD0001", (await k.ReadAsync(d.Id)).LogiNo);
        Assert.Equal((8, 0, 0, 0), await k.CountersAsync());
        Assert.Equal(ShipStatus.Shipped, (await k.Review.OrderAsync(o.Id)).ShipStatus);
        // shipped deliveries are not asked again
        await TaskTestHost.EventuallyAsync(async () => (await k.SyncAsync(d.Id)).PollRequestId is null, "last poll settled");
        Assert.Equal(0, await k.Review.WithAsync(sp => sp.GetRequiredService<WmsDeliveryService>().PollAsync()));
        Assert.Equal(3, k.Sent(WmsMethods.SaleOrderGet).Count);
        await k.Review.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_new_or_changed_basic_material_is_sent_to_every_matrix_channel()
    {
        using var k = await WmsKit.CreateAsync(fx);
        var bn = k.Orders.Prefix + "NEW";
        await fx.OpenApi.CallAsync("basicmaterial.add", P(("material_bn", bn), ("material_name", "新品"), ("material_code", bn + "-BAR"), ("weight", "0.3")));
        await TaskTestHost.EventuallyAsync(() => k.Sent(WmsMethods.ItemAdd).Any(r => r.Form["item_code"] == bn), "item.add sent");
        var add = k.Sent(WmsMethods.ItemAdd).Single(r => r.Form["item_code"] == bn);
        Assert.True(add.SignOk);
        Assert.Equal("新品", add.Form["item_name"]);
        Assert.Equal(bn + "-BAR", add.Form["bar_code"]);
        await k.Review.DoAsync(async sp =>
        {
            var svc = sp.GetRequiredService<Oms.Catalog.BasicMaterialService>();
            var m = await svc.GetAsync(bn);
            await svc.UpdateAsync(Oms.Catalog.BasicMaterialInput.From(m) with { Name = "新品 改" }, "test");
        });
        await TaskTestHost.EventuallyAsync(() => k.Sent(WmsMethods.ItemUpdate).Any(r => r.Form["item_code"] == bn && r.Form["item_name"] == "新品 改"), "item.update sent");
    }

    [Fact]
    public async Task The_screens_add_a_channel_offer_it_to_branches_and_list_a_refused_cancel_with_a_manual_cancel()
    {
        using var k = await WmsKit.CreateAsync(fx);
        using var web = new Oms.Tests.Web.WebSession(fx);
        await web.LoginAsAdminAsync();
        var code = k.Orders.Prefix + "WEB";
        var saved = await web.PostAsync("/channels/wms-channels/edit", [new("Input.ChannelBn", code), new("Input.Name", "网页仓储"), new("Input.Adapter", "matrix"),
            new("Input.NodeId", code + "-node"), new("Input.Token", "tok"), new("Input.Poll", "false")], tokenFrom: "/channels/wms-channels/edit");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, saved.Status);
        var list = await web.GetAsync("/channels/wms-channels");
        Assert.Contains(code, list.Html, StringComparison.Ordinal);
        Assert.Contains(k.Branch.BranchBn, list.Html, StringComparison.Ordinal);
        var refused = await web.PostAsync("/channels/wms-channels/edit", [new("Input.ChannelBn", code + "X"), new("Input.Name", "x"), new("Input.Adapter", "matrix"),
            new("Input.NodeId", code + "-node"), new("Input.Token", "tok")], tokenFrom: "/channels/wms-channels/edit");
        Assert.Contains("already bound", refused.Html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{code}\"", (await web.GetAsync("/warehouses/branches/edit")).Html, StringComparison.Ordinal);

        var (o, d) = await k.DeliveryAsync(1);
        await k.WaitPushAsync(d.Id);
        k.Peer.Script(k.Node, "running");
        await k.RevokeAsync(d.Id);
        Assert.Equal("succ", (await k.CallbackAsync(await k.RunningCancelAsync(), "fail")).GetProperty("rsp").GetString());
        var failed = await web.GetAsync("/deliveries/wms/cancel_failed");
        Assert.Contains(d.DeliveryBn, failed.Html, StringComparison.Ordinal);
        Assert.Contains("ManualCancel", failed.Html, StringComparison.Ordinal);
        var done = await web.PostAsync("/deliveries/wms/cancel_failed?handler=ManualCancel", [new("delivery", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("bn", d.DeliveryBn)],
            tokenFrom: "/deliveries/wms/cancel_failed");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, done.Status);
        Assert.Equal(DeliveryStatus.Cancel, (await k.ReadAsync(d.Id)).Status);
        Assert.Equal(ProcessStatus.Unconfirmed, (await k.Review.OrderAsync(o.Id)).ProcessStatus);
        var after = (await web.GetAsync("/deliveries/wms/cancel_failed")).Html;
        Assert.Contains("已人工撤消", after, StringComparison.Ordinal);
        Assert.DoesNotContain($"id=\"wms-delivery-{d.Id}\"", after, StringComparison.Ordinal);
        Assert.Contains(d.DeliveryBn, (await web.GetAsync("/deliveries/wms")).Html, StringComparison.Ordinal);
        await k.Review.AssertInvariantsAsync();
    }
}

public sealed class SqliteWmsTests(SqliteOutboxFixture fx) : WmsTests<SqliteOutboxFixture>(fx);

public sealed class PostgresWmsTests(PostgresOutboxFixture fx) : WmsTests<PostgresOutboxFixture>(fx);
