using System.Text.Json;
using System.Text.Json.Nodes;
using Oms.Common;
using Oms.Integration;
using Oms.Simulators.Cli;
using Oms.Simulators.Warehouse;
using static Oms.Tests.Simulators.VirtualWarehouseTestSupport;

namespace Oms.Tests.Simulators;

/// <summary>The virtual warehouse against a recording stand-in for the OMS, over real HTTP, matrix side.</summary>
public class VirtualWarehouseMatrixTests
{
    private static JsonObject Code(string code) => new() { ["out_order_code"] = code };

    [Fact]
    public async Task A_signed_create_is_answered_with_the_warehouse_code_and_called_back_accept_to_delivery()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms));

        var created = await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1001"));
        Assert.Equal("succ:", Rsp(created));
        var wmsCode = DataOf(created, "out_delivery_bn");
        Assert.StartsWith("VW", wmsCode, StringComparison.Ordinal);
        Assert.Equal(wmsCode, DataOf(created, "wms_order_code"));

        var posts = await oms.WaitForApiAsync(p => p.Count >= 4);
        await wh.WaitForIdleAsync("D1001");
        Assert.Equal(4, oms.Api.Count);
        Assert.Equal(["ACCEPT", "PICK", "PACKAGE", "DELIVERY"], posts.Select(p => p.Status));
        foreach (var p in posts)
        {
            var f = p.Form;
            Assert.Equal("wms.delivery.status_update", p.Method);
            Assert.Equal((Node, "json", "ecos.ome"), (f["node_id"], f["format"], f["app_id"]));
            Assert.True(MatrixSignature.Matches(f["sign"], MatrixSignature.Sign(f.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), Token)));
            Assert.False(MatrixSignature.Matches(f["sign"], MatrixSignature.Sign(f.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), "other-token")));
            Assert.True(ChinaTime.TryParse(f["date"], out var date) && (date - DateTime.UtcNow).Duration() < TimeSpan.FromMinutes(10));
            Assert.Equal(("D1001", wmsCode, "SF", "WH-SH"), (f["delivery_bn"], f["out_delivery_bn"], f["logistics"], f["warehouse"]));
            Assert.Equal("1.500", f["weight"]);
            using var items = JsonDocument.Parse(f["item"]);
            Assert.Equal(["MUG-350:2", "CABLE-C1:1"], items.RootElement.EnumerateArray().Select(i => i.GetProperty("product_bn").GetString() + ":" + i.GetProperty("num").GetString()));
        }
        Assert.Equal(4, posts.Select(p => p.Task).Distinct().Count());
        Assert.All(posts.Take(3), p => Assert.False(p.Form.ContainsKey("logi_no")));
        var waybill = posts[3].Form["logi_no"];
        Assert.StartsWith("SF", waybill, StringComparison.Ordinal);

        Assert.All(wh.Sent, s => Assert.True(s.Ok));
        Assert.Equal(posts.Select(p => p.Task), wh.Sent.Select(s => s.Task));
        var received = Assert.Single(wh.Received);
        Assert.True(received.SignOk);
        Assert.True(received.Accepted);

        // a warehouse asked later tells the same story
        var got = await PushAsync(wh, "store.wms.saleorder.get", Code("D1001"));
        Assert.Equal(("succ:", "DELIVERY", waybill, wmsCode), (Rsp(got), DataOf(got, "status"), DataOf(got, "logi_no"), DataOf(got, "out_delivery_bn")));
        // the same create again is the same order, not a second one
        Assert.Equal(wmsCode, DataOf(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1001")), "out_delivery_bn"));
        Assert.Single(wh.Orders);
    }

    [Fact]
    public async Task Bad_signatures_foreign_nodes_unknown_methods_and_bad_items_are_refused_and_nothing_is_created()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms));

        Assert.Equal("fail:4003", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"), token: "wrong-token")));
        Assert.Equal("fail:4004", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D2"), node: "other-node")));
        Assert.Equal("fail:4001", Rsp(await PushAsync(wh, "store.wms.stock.query", Code("D3"))));
        var noItems = CreateFields("D4");
        noItems.Remove("items");
        var refused = await PushAsync(wh, "store.wms.saleorder.create", noItems);
        Assert.Equal("fail:4006", Rsp(refused));
        Assert.Contains("items", refused.GetProperty("msg").GetString(), StringComparison.Ordinal);
        var zero = CreateFields("D5");
        zero["items"]!["item"]![1]!["item_quantity"] = "0";
        Assert.Contains("items.item[1].item_quantity", (await PushAsync(wh, "store.wms.saleorder.create", zero)).GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("fail:4007", Rsp(await PushAsync(wh, "store.wms.saleorder.get", Code("D1"))));

        Assert.Empty(wh.Orders);
        Assert.Equal([false, true, true, true, true, true], wh.Received.Select(r => r.SignOk));
        Assert.All(wh.Received, r => Assert.False(r.Accepted));
        Assert.Empty(oms.Api);
    }

    [Fact]
    public async Task Refuse_create_applies_to_the_order_codes_matching_its_pattern()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms) with { Rules = [new WarehouseRule("BAD-*", new WarehouseBehavior { RefuseCreate = true })] });

        var bad = await PushAsync(wh, "store.wms.saleorder.create", CreateFields("BAD-1"));
        Assert.Equal("fail:4007", Rsp(bad));
        Assert.Contains("refuse-create", bad.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("succ:", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("GOOD-1"))));
        await wh.WaitForIdleAsync("GOOD-1");
        Assert.Null(wh.Order("BAD-1"));
        Assert.All(oms.Api, p => Assert.Equal("GOOD-1", p.Form["delivery_bn"]));

        // refusal for every order of the warehouse
        wh.Behavior = new WarehouseBehavior { RefuseCreate = true };
        Assert.Equal("fail:4007", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("GOOD-2"))));
    }

    [Fact]
    public async Task Cancel_before_shipping_stops_the_order_and_after_shipping_is_refused()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms) with { Rules = [new WarehouseRule("HOLD-*", Hold)] });

        Assert.Equal("succ:", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("HOLD-1"))));
        Assert.Equal("NEW", DataOf(await PushAsync(wh, "store.wms.saleorder.get", Code("HOLD-1")), "status"));
        var cancelled = await PushAsync(wh, "store.wms.saleorder.cancel", Code("HOLD-1"));
        Assert.Equal("succ:", Rsp(cancelled));
        var state = await wh.WaitForIdleAsync("HOLD-1");     // the pending wait ends with the cancel
        Assert.True(state.Cancelled);
        Assert.Empty(wh.Sent);
        Assert.Equal("CLOSE", DataOf(await PushAsync(wh, "store.wms.saleorder.get", Code("HOLD-1")), "status"));
        Assert.Equal("succ:", Rsp(await PushAsync(wh, "store.wms.saleorder.cancel", Code("HOLD-1"))));     // again: still cancelled
        Assert.Equal("fail:4007", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("HOLD-1"))));

        Assert.Equal("succ:", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("SHIP-1"))));
        var delivery = await wh.WaitForCallbackAsync("SHIP-1", "DELIVERY");
        var late = await PushAsync(wh, "store.wms.saleorder.cancel", Code("SHIP-1"));
        Assert.Equal("fail:4007", Rsp(late));
        Assert.Contains("shipped", late.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Contains(delivery.Fields["logi_no"], late.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("DELIVERY", DataOf(await PushAsync(wh, "store.wms.saleorder.get", Code("SHIP-1")), "status"));
        Assert.Equal("fail:4007", Rsp(await PushAsync(wh, "store.wms.saleorder.cancel", Code("NEVER-SEEN"))));
    }

    [Fact]
    public async Task Refuse_cancel_keeps_the_order_going()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { RefuseCancel = true, Statuses = ["ACCEPT", "PICK"] }));
        Assert.Equal("succ:", Rsp(await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"))));
        var refused = await PushAsync(wh, "store.wms.saleorder.cancel", Code("D1"));
        Assert.Equal("fail:4007", Rsp(refused));
        Assert.Contains("refuse-cancel", refused.GetProperty("msg").GetString(), StringComparison.Ordinal);
        await wh.WaitForIdleAsync("D1");
        Assert.Equal(["ACCEPT", "PICK"], (await oms.WaitForApiAsync(p => p.Count >= 2)).Select(p => p.Status));
        Assert.False(wh.Order("D1")!.Cancelled);
    }

    [Fact]
    public async Task Duplicate_callbacks_send_delivery_twice_each_with_its_own_task()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { DuplicateCallbacks = true }));
        await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"));
        await wh.WaitForIdleAsync("D1");
        var posts = oms.Api;
        Assert.Equal(["ACCEPT", "PICK", "PACKAGE", "DELIVERY", "DELIVERY"], posts.Select(p => p.Status));
        Assert.NotEqual(posts[3].Task, posts[4].Task);
        Assert.Equal(posts[3].Form["logi_no"], posts[4].Form["logi_no"]);
    }

    [Fact]
    public async Task Out_of_order_callbacks_send_delivery_before_accept()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { OutOfOrder = true }));
        await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"));
        await wh.WaitForIdleAsync("D1");
        var posts = oms.Api;
        Assert.Equal(["DELIVERY", "ACCEPT", "PICK", "PACKAGE"], posts.Select(p => p.Status));
        Assert.All(posts, p => Assert.Equal(posts[0].Form["logi_no"], p.Form["logi_no"]));
        Assert.Equal("DELIVERY", DataOf(await PushAsync(wh, "store.wms.saleorder.get", Code("D1")), "status"));
    }

    [Fact]
    public async Task With_callbacks_off_the_order_moves_on_and_is_seen_only_by_polling()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { CallbacksOff = true, Statuses = ["ACCEPT", "PRINT", "DELIVERY"] }));
        await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"));
        var state = await wh.WaitForIdleAsync("D1");
        Assert.True(state.Shipped);
        var got = await PushAsync(wh, "store.wms.saleorder.get", Code("D1"));
        Assert.Equal(("DELIVERY", state.LogiNo, "1.500"), (DataOf(got, "status"), DataOf(got, "logi_no"), DataOf(got, "weight")));
        Assert.Contains("MUG-350", DataOf(got, "item"), StringComparison.Ordinal);
        Assert.Empty(oms.Api);
        Assert.Empty(wh.Sent);
    }

    [Fact]
    public async Task A_callback_the_OMS_did_not_take_is_retried_with_the_same_task()
    {
        await using var oms = await OmsStandIn.StartAsync();
        oms.ScriptApi("fail", "http500");
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { Statuses = ["ACCEPT"] }));
        await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"));
        await wh.WaitForIdleAsync("D1");
        Assert.Equal([1, 2, 3], wh.Sent.Select(s => s.Attempt));
        Assert.Equal([false, false, true], wh.Sent.Select(s => s.Ok));
        Assert.Single(oms.Api.Select(p => p.Task).Distinct());
        Assert.Contains("HTTP 500", wh.Sent[1].Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_mode_processes_the_request_but_answers_late_or_never()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms) with
        {
            Rules =
            [
                new WarehouseRule("NEVER-*", new WarehouseBehavior { AnswerDelay = Timeout.InfiniteTimeSpan, Statuses = ["ACCEPT"] }),
                new WarehouseRule("LATE-*", new WarehouseBehavior { AnswerDelay = TimeSpan.FromSeconds(1), Statuses = ["ACCEPT"] }),
            ],
        });
        using (var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(100) })
        {
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => PushAsync(wh, "store.wms.saleorder.create", CreateFields("NEVER-1"), http: impatient));
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => PushAsync(wh, "store.wms.saleorder.create", CreateFields("LATE-1"), http: impatient));
        }
        // the orders exist all the same: a caller that retries finds them
        await wh.WaitForCallbackAsync("NEVER-1", "ACCEPT");
        Assert.NotNull(wh.Order("LATE-1"));
        using var patient = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var late = await PushAsync(wh, "store.wms.saleorder.create", CreateFields("LATE-1"), http: patient);
        Assert.Equal(wh.Order("LATE-1")!.WmsCode, DataOf(late, "out_delivery_bn"));
    }

    [Fact]
    public async Task Item_add_is_answered_with_the_warehouse_item_codes()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms));
        var answer = await PushAsync(wh, "store.wms.item.add", new JsonObject
        {
            ["item_lists"] = new JsonArray(new JsonObject { ["item_code"] = "MUG-350", ["item_name"] = "马克杯" }, new JsonObject { ["item_code"] = "CABLE-C1" }),
        });
        Assert.Equal("succ:", Rsp(answer));
        Assert.Equal(["W-MUG-350", "W-CABLE-C1"], answer.GetProperty("data").GetProperty("succ").EnumerateArray().Select(e => e.GetProperty("wms_item_code").GetString()));
        Assert.Equal("succ:", Rsp(await PushAsync(wh, "store.wms.item.update", new JsonObject { ["item_lists"] = new JsonArray(new JsonObject { ["item_code"] = "MUG-350" }) })));
        Assert.Equal(["store.wms.item.add", "store.wms.item.update"], wh.Received.Select(r => r.Method));
    }

    [Fact]
    public async Task Recorded_traffic_and_orders_are_readable_over_http()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { Statuses = ["ACCEPT"] }));
        await PushAsync(wh, "store.wms.saleorder.create", CreateFields("D1"));
        await wh.WaitForIdleAsync("D1");
        using var http = new HttpClient();
        using var recorded = JsonDocument.Parse(await http.GetStringAsync(new Uri(wh.BaseUrl, "/recorded")));
        Assert.Equal("store.wms.saleorder.create", recorded.RootElement.GetProperty("received")[0].GetProperty("method").GetString());
        Assert.Equal("ACCEPT", recorded.RootElement.GetProperty("sent")[0].GetProperty("status").GetString());
        using var orders = JsonDocument.Parse(await http.GetStringAsync(new Uri(wh.BaseUrl, "/orders")));
        Assert.Equal("D1", orders.RootElement[0].GetProperty("OrderCode").GetString());
    }

    [Fact]
    public void Fail_modes_are_read_per_warehouse_and_per_order_code_pattern()
    {
        var (behavior, rules) = WarehouseRule.ParseFailModes(["duplicate", "delay=50", "refuse-create@BAD*", "timeout@SLOW-?", "timeout=1500@SLOW-?", "statuses=ACCEPT,delivery@P*"], new WarehouseBehavior());
        Assert.True(behavior.DuplicateCallbacks);
        Assert.Equal(TimeSpan.FromMilliseconds(50), behavior.Delay);
        Assert.Equal(["BAD*", "SLOW-?", "P*"], rules.Select(r => r.Pattern));
        Assert.True(rules[0].Behavior.RefuseCreate && rules[0].Behavior.DuplicateCallbacks);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), rules[1].Behavior.AnswerDelay);
        Assert.Equal(["ACCEPT", "DELIVERY"], rules[2].Behavior.Statuses);
        Assert.True(rules[1].Matches("SLOW-1"));
        Assert.False(rules[1].Matches("SLOW-12"));
        Assert.False(rules[0].Matches("xBAD"));
        Assert.Equal(Timeout.InfiniteTimeSpan, WarehouseRule.ParseFailModes(["timeout"], new WarehouseBehavior()).Behavior.AnswerDelay);
        Assert.Throws<FormatException>(() => WarehouseRule.ParseFailModes(["explode"], new WarehouseBehavior()));
        Assert.Throws<FormatException>(() => WarehouseRule.ParseFailModes(["statuses=ACCEPT,SHIPPED"], new WarehouseBehavior()));
        Assert.Throws<FormatException>(() => WarehouseRule.ParseFailModes(["refuse-create@"], new WarehouseBehavior()));
    }

    [Theory]
    [InlineData("--listen", "ftp://x")]
    [InlineData("--fail", "explode")]
    [InlineData("--statuses", "ACCEPT,SHIPPED")]
    [InlineData("--delay-ms", "-1")]
    public async Task The_wms_command_refuses_bad_options_with_exit_code_2(string option, string value)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SimCommandLine.RunAsync(["wms", "--node-id", "N", "--token", "T", option, value], output, error);
        Assert.Equal(SimCommandLine.InvalidOptions, code);
        Assert.StartsWith("error:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wms_command_needs_matrix_or_qimen_credentials()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(SimCommandLine.InvalidOptions, await SimCommandLine.RunAsync(["wms", "--listen", "http://127.0.0.1:0"], output, error));
        Assert.Contains("--node-id", error.ToString(), StringComparison.Ordinal);
    }
}
