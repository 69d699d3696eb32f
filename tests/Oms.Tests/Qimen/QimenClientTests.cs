using Oms.Common;
using Oms.Integration.Qimen;
using Oms.Tests.Simulators;

namespace Oms.Tests.Qimen;

/// <summary>The client against a real Kestrel listener standing in for a Qimen warehouse.</summary>
public class QimenClientTests
{
    private static QimenEndpoint Endpoint(OmsStandIn peer) => new(new Uri(peer.BaseUrl, "/qimen").ToString(), "app-1", "s3cret", "cust-9");

    [Fact]
    public async Task Create_posts_the_signed_query_and_xml_body_and_reads_the_reply()
    {
        await using var peer = await OmsStandIn.StartAsync();
        using var client = new QimenClient();
        var request = QimenXmlTests.SampleCreate();

        var result = await client.DeliveryOrderCreateAsync(Endpoint(peer), request, TimeSpan.FromSeconds(30));

        Assert.True(result.IsSuccess);
        Assert.False(result.IsTransportError);
        Assert.Equal("ok", result.Response.Message);
        var post = Assert.Single(peer.Qimen);
        Assert.Equal("text/xml; charset=utf-8", post.ContentType);
        Assert.Equal(request.ToXml(), post.Body);
        Assert.Equal(QimenMethods.DeliveryOrderCreate, post.Method);
        Assert.Equal(("app-1", "cust-9", "2.0", "md5", "xml"), (post.Query["app_key"], post.Query["customerId"], post.Query["v"], post.Query["sign_method"], post.Query["format"]));
        Assert.True(ChinaTime.TryParse(post.Query["timestamp"], out var sent));
        Assert.True((sent - DateTime.UtcNow).Duration() < TimeSpan.FromMinutes(10));
        // what the peer received verifies with the secret; the Chinese body arrived intact
        Assert.True(QimenSignature.Verify(post.Query, post.Body, "s3cret"));
        Assert.Equal(request, QimenDeliveryOrderCreateRequest.Parse(post.Body) with { OrderLines = request.OrderLines });
        Assert.Equal(post.Query["sign"], result.Query["sign"]);
    }

    [Fact]
    public async Task A_failure_reply_is_the_peers_answer_not_a_transport_error()
    {
        await using var peer = await OmsStandIn.StartAsync();
        peer.ScriptQimen("fail");
        using var client = new QimenClient();
        var result = await client.OrderCancelAsync(Endpoint(peer), new QimenOrderCancelRequest { OrderCode = "D1", WarehouseCode = "W" }, TimeSpan.FromSeconds(30));
        Assert.False(result.IsSuccess);
        Assert.False(result.IsTransportError);
        Assert.Equal("business-refused", result.Response.Code);
        Assert.Equal(QimenMethods.OrderCancel, Assert.Single(peer.Qimen).Method);
    }

    [Fact]
    public async Task Transport_problems_become_failures_with_http_answer_and_timeout_codes()
    {
        await using var peer = await OmsStandIn.StartAsync();
        peer.ScriptQimen("http500", "garbage", "hang");
        using var client = new QimenClient();
        var cancel = new QimenOrderCancelRequest { OrderCode = "D1", WarehouseCode = "W" };

        var http500 = await client.OrderCancelAsync(Endpoint(peer), cancel, TimeSpan.FromSeconds(30));
        Assert.Equal((QimenResponse.HttpCode, 500, true), (http500.Response.Code, http500.HttpStatus, http500.IsTransportError));
        var garbage = await client.OrderCancelAsync(Endpoint(peer), cancel, TimeSpan.FromSeconds(30));
        Assert.Equal((QimenResponse.AnswerCode, "<html>oops</html>"), (garbage.Response.Code, garbage.ResponseBody));
        var hang = await client.OrderCancelAsync(Endpoint(peer), cancel, TimeSpan.FromMilliseconds(300));
        Assert.Equal(QimenResponse.TimeoutCode, hang.Response.Code);
        Assert.True(hang.IsTransportError);

        // nobody listening
        var closed = await client.OrderCancelAsync(new QimenEndpoint("http://127.0.0.1:1/qimen", "a", "s", "c"), cancel, TimeSpan.FromSeconds(30));
        Assert.Equal(QimenResponse.HttpCode, closed.Response.Code);
        Assert.False(closed.IsSuccess);
    }
}
