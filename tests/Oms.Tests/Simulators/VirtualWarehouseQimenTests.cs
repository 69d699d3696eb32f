using Oms.Common;
using Oms.Integration.Qimen;
using Oms.Simulators.Warehouse;
using Oms.Tests.Qimen;
using static Oms.Tests.Simulators.VirtualWarehouseTestSupport;

namespace Oms.Tests.Simulators;

/// <summary>The virtual warehouse's Qimen side, driven by the OMS-side <see cref="QimenClient"/>, calling back a recording stand-in.</summary>
public class VirtualWarehouseQimenTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static QimenEndpoint Endpoint(VirtualWarehouse wh, string secret = "qm-secret", string appKey = "qm-app") =>
        new(wh.QimenUrl.ToString(), appKey, secret, "qm-customer");

    private static QimenOrderCancelRequest Cancel(string code) => new() { OrderCode = code, WarehouseCode = "WH-SH", CancelReason = "买家取消" };

    [Fact]
    public async Task Qimen_create_is_confirmed_delivered_with_a_signed_callback_and_answered_by_query()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms));
        using var client = new QimenClient();

        var created = await client.DeliveryOrderCreateAsync(Endpoint(wh), QimenXmlTests.SampleCreate("Q1"), Wait);
        Assert.True(created.IsSuccess, created.Response.Message);
        var wmsId = created.Response.Fields["deliveryOrderId"];
        Assert.StartsWith("VW", wmsId, StringComparison.Ordinal);

        var post = Assert.Single(await oms.WaitForQimenAsync(p => p.Count >= 1));
        await wh.WaitForIdleAsync("Q1");
        Assert.Single(oms.Qimen);
        Assert.Equal(QimenMethods.DeliveryOrderConfirm, post.Method);
        Assert.Equal(("qm-app", "qm-customer", "2.0", "md5", "xml"), (post.Query["app_key"], post.Query["customerId"], post.Query["v"], post.Query["sign_method"], post.Query["format"]));
        Assert.Equal("text/xml; charset=utf-8", post.ContentType);
        Assert.True(QimenSignature.Verify(post.Query, post.Body, "qm-secret"));
        Assert.False(QimenSignature.Verify(post.Query, post.Body, "another-secret"));
        Assert.True(ChinaTime.TryParse(post.Query["timestamp"], out var at) && (at - DateTime.UtcNow).Duration() < TimeSpan.FromMinutes(10));
        // the OMS's own inbound check accepts it
        var inbound = await QimenServerRequest.ReadAsync(post.Query, post.Body, (_, _, _) => ValueTask.FromResult<string?>("qm-secret"), DateTime.UtcNow);
        Assert.True(inbound.IsValid, inbound.Failure?.Message);
        var confirm = inbound.DeliveryOrderConfirm!;
        Assert.Equal(("Q1", wmsId, "DELIVERED", "WH-SH"), (confirm.DeliveryOrder.DeliveryOrderCode, confirm.DeliveryOrder.DeliveryOrderId, confirm.DeliveryOrder.Status, confirm.DeliveryOrder.WarehouseCode));
        var package = Assert.Single(confirm.Packages);
        Assert.Equal("SF", package.LogisticsCode);
        Assert.StartsWith("SF", package.ExpressCode, StringComparison.Ordinal);
        Assert.Equal(1.5m, package.Weight);
        Assert.Equal([new QimenPackageItem("MUG-350", 2), new QimenPackageItem("GIFT-1", 1)], package.Items);
        Assert.Equal(["MUG-350:2/2", "GIFT-1:1/1"], confirm.OrderLines.Select(l => $"{l.ItemCode}:{l.ActualQty}/{l.PlanQty}"));
        var sent = Assert.Single(wh.Sent);
        Assert.True(sent.Ok);
        Assert.Equal(WarehouseProtocol.Qimen, sent.Protocol);

        var query = await client.DeliveryOrderQueryAsync(Endpoint(wh), new QimenDeliveryOrderQueryRequest { OrderCode = "Q1" }, Wait);
        Assert.True(query.IsSuccess);
        var state = QimenDeliveryOrderConfirmRequest.FromResponse(query.Response);
        Assert.Equal(("DELIVERED", package.ExpressCode), (state.DeliveryOrder.Status, Assert.Single(state.Packages).ExpressCode));

        // shipped: the cancel is refused
        var cancel = await client.OrderCancelAsync(Endpoint(wh), Cancel("Q1"), Wait);
        Assert.False(cancel.IsSuccess);
        Assert.Equal(QimenErrorCodes.BusinessRefused, cancel.Response.Code);
        Assert.Contains("shipped", cancel.Response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Qimen_calls_with_a_wrong_secret_unknown_app_key_or_bad_body_are_refused()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms));
        using var client = new QimenClient();
        var create = QimenXmlTests.SampleCreate("Q1");

        Assert.Equal(QimenErrorCodes.SignCheckFailure, (await client.DeliveryOrderCreateAsync(Endpoint(wh, secret: "wrong"), create, Wait)).Response.Code);
        Assert.Equal(QimenErrorCodes.InvalidAppKey, (await client.DeliveryOrderCreateAsync(Endpoint(wh, appKey: "other"), create, Wait)).Response.Code);
        var bad = await client.SendAsync(Endpoint(wh), QimenMethods.DeliveryOrderCreate, "<request><deliveryOrder><deliveryOrderCode>Q2</deliveryOrderCode></deliveryOrder></request>", Wait);
        Assert.Equal(QimenErrorCodes.InvalidParameter, bad.Response.Code);
        Assert.Contains("request/deliveryOrder/warehouseCode", bad.Response.Message, StringComparison.Ordinal);
        Assert.Equal(QimenErrorCodes.InvalidMethod, (await client.SendAsync(Endpoint(wh), QimenMethods.EntryOrderCreate, "<request/>", Wait)).Response.Code);

        Assert.Empty(wh.Orders);
        Assert.Equal([false, false, true, true], wh.Received.Select(r => r.SignOk));
        Assert.Empty(oms.Qimen);
    }

    [Fact]
    public async Task Qimen_cancel_before_shipping_stops_the_order()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms) with { Rules = [new WarehouseRule("HOLD-*", Hold)] });
        using var client = new QimenClient();
        Assert.True((await client.DeliveryOrderCreateAsync(Endpoint(wh), QimenXmlTests.SampleCreate("HOLD-1"), Wait)).IsSuccess);

        var before = await client.DeliveryOrderQueryAsync(Endpoint(wh), new QimenDeliveryOrderQueryRequest { OrderCode = "HOLD-1" }, Wait);
        Assert.Equal("NEW", QimenDeliveryOrderConfirmRequest.FromResponse(before.Response).DeliveryOrder.Status);
        var cancel = await client.OrderCancelAsync(Endpoint(wh), Cancel("HOLD-1"), Wait);
        Assert.True(cancel.IsSuccess, cancel.Response.Message);
        await wh.WaitForIdleAsync("HOLD-1");
        var after = await client.DeliveryOrderQueryAsync(Endpoint(wh), new QimenDeliveryOrderQueryRequest { OrderCode = "HOLD-1" }, Wait);
        Assert.Equal("CANCELED", QimenDeliveryOrderConfirmRequest.FromResponse(after.Response).DeliveryOrder.Status);
        Assert.Empty(wh.Sent);
        Assert.Empty(oms.Qimen);
        Assert.False((await client.OrderCancelAsync(Endpoint(wh), Cancel("UNKNOWN"), Wait)).IsSuccess);
    }

    [Fact]
    public async Task Qimen_duplicate_mode_confirms_twice_with_the_same_out_biz_code_and_refuse_create_refuses()
    {
        await using var oms = await OmsStandIn.StartAsync();
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms, new WarehouseBehavior { DuplicateCallbacks = true }) with
        {
            Rules = [new WarehouseRule("NO-*", new WarehouseBehavior { RefuseCreate = true })],
        });
        using var client = new QimenClient();

        var refused = await client.DeliveryOrderCreateAsync(Endpoint(wh), QimenXmlTests.SampleCreate("NO-1"), Wait);
        Assert.Equal((false, QimenErrorCodes.BusinessRefused), (refused.IsSuccess, refused.Response.Code));
        Assert.Null(wh.Order("NO-1"));

        Assert.True((await client.DeliveryOrderCreateAsync(Endpoint(wh), QimenXmlTests.SampleCreate("Q1"), Wait)).IsSuccess);
        await wh.WaitForIdleAsync("Q1");
        var posts = oms.Qimen;
        Assert.Equal(2, posts.Count);
        var codes = posts.Select(p => QimenDeliveryOrderConfirmRequest.Parse(p.Body).DeliveryOrder.OutBizCode).ToList();
        Assert.Equal(codes[0], codes[1]);
        Assert.All(posts, p => Assert.True(QimenSignature.Verify(p.Query, p.Body, "qm-secret")));
    }

    [Fact]
    public async Task Qimen_confirm_the_OMS_refused_is_retried()
    {
        await using var oms = await OmsStandIn.StartAsync();
        oms.ScriptQimen("fail");
        await using var wh = await VirtualWarehouse.StartAsync(Options(oms));
        using var client = new QimenClient();
        Assert.True((await client.DeliveryOrderCreateAsync(Endpoint(wh), QimenXmlTests.SampleCreate("Q1"), Wait)).IsSuccess);
        await wh.WaitForIdleAsync("Q1");
        Assert.Equal([false, true], wh.Sent.Select(s => s.Ok));
        Assert.Contains("refused by the stand-in", wh.Sent[0].Answer, StringComparison.Ordinal);
        Assert.Equal(2, oms.Qimen.Count);
    }
}
