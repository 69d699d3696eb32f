using System.Collections.Concurrent;
using System.Globalization;
using Oms.Common;
using Oms.Integration;
using Oms.Simulators.Shop;
using static Oms.Tests.Simulators.SimulatorTestSupport;

namespace Oms.Tests.Simulators;

public class MatrixPushClientSimulatorTests
{
    /// <summary>Keeps the forms it is given and answers succ.</summary>
    private sealed class CapturingTransport : IMatrixTransport
    {
        public ConcurrentQueue<IReadOnlyDictionary<string, string>> Forms { get; } = new();

        public Task<MatrixAnswer> SendAsync(IReadOnlyDictionary<string, string> signedForm, CancellationToken ct)
        {
            Forms.Enqueue(signedForm);
            return Task.FromResult(MatrixAnswer.Parse("""{"rsp":"succ","res":"","data":{"order_bn":"X","order_id":1,"state":"created"}}"""));
        }
    }

    private static bool Verifies(IReadOnlyDictionary<string, string> form, string token) =>
        MatrixSignature.Matches(form["sign"], MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), token));

    [Fact]
    public void The_signed_form_verifies_with_the_shop_token_and_not_with_another()
    {
        var push = Generator().Next();
        using var client = new MatrixPushClient(new CapturingTransport(), new FixedClock(Noon));
        var form = client.BuildForm(push, "task-9");

        Assert.True(Verifies(form, push.Shop.Token));
        Assert.False(Verifies(form, push.Shop.Token + "x"));
        Assert.False(Verifies(form, "demo-token-1900000009"));
        var tampered = new Dictionary<string, string>(form) { ["total_amount"] = "0.01" };
        Assert.False(Verifies(tampered, push.Shop.Token));

        Assert.Equal("ome.order.add", form["method"]);
        Assert.Equal(push.Shop.NodeId, form["node_id"]);
        Assert.Equal(ChinaTime.ToText(Noon.UtcDateTime), form["date"]);
        Assert.Equal("2025-06-18 12:00:00", form["date"]);
        Assert.Equal("json", form["format"]);
        Assert.Equal("1.0", form["v"]);
        Assert.Equal("ecos.ome", form["app_id"]);
        Assert.Equal("", form["certi_id"]);
        Assert.Equal("task-9", form["task"]);
        foreach (var (k, v) in push.Fields) Assert.Equal(v, form[k]);
        Assert.Matches("^[0-9A-F]{32}$", form["sign"]);
    }

    [Fact]
    public async Task Each_send_gets_a_fresh_task_unless_one_is_given()
    {
        var transport = new CapturingTransport();
        using var client = new MatrixPushClient(transport);
        var g = Generator();
        var push = g.Next();
        var a = await client.SendAsync(push);
        var b = await client.SendAsync(push);
        var c = await client.SendAsync(OrderGenerator.Duplicate(push, a.Task));
        var d = await client.SendAsync(push, "given");
        Assert.NotEqual(a.Task, b.Task);
        Assert.False(string.IsNullOrEmpty(a.Task));
        Assert.Equal(a.Task, c.Task);
        Assert.Equal("given", d.Task);
        Assert.Equal([a.Task, b.Task, a.Task, "given"], transport.Forms.Select(f => f["task"]));
        Assert.All(transport.Forms, f => Assert.True(Verifies(f, push.Shop.Token)));
        Assert.True(a.IsSucc);
        Assert.Equal("succ:created", a.Outcome);
        Assert.True(a.Latency >= TimeSpan.Zero);

        var memo = g.MemoUpdate(push, "备注");
        await client.SendAsync(memo);
        var sent = transport.Forms.Last();
        Assert.Equal("ome.order.memo_update", sent["method"]);
        Assert.Equal("备注", sent["mark_text"]);
        Assert.True(Verifies(sent, push.Shop.Token));
    }

    [Fact]
    public async Task A_refused_connection_is_a_transport_error_not_an_exception()
    {
        // a port that was free a moment ago: nothing listens there
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new MatrixPushClient(new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)));
        var r = await client.SendAsync(Generator().Next());
        Assert.Null(r.Answer);
        Assert.NotNull(r.Error);
        Assert.Equal("error:transport", r.Outcome);
    }

    [Fact]
    public async Task The_fast_signature_and_body_equal_the_reference_signature_and_form_encoding()
    {
        var g = Generator(seed: 21);
        using var client = new MatrixPushClient(new CapturingTransport());
        for (var i = 0; i < 200; i++)
        {
            var form = client.BuildForm(g.Next(), "t" + i);
            form["memo"] = "a b&c=d+e%f/中文 ~._-*'()!" + i;
            form["empty"] = "";
            Assert.Equal(MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), "tok"), FormCodec.Sign(form, "tok"));
            using var reference = new FormUrlEncodedContent(form);
            Assert.Equal(await reference.ReadAsByteArrayAsync(), FormCodec.Encode(form));
        }
        // keys beyond ASCII are ordered by their UTF-8 bytes: the reference path
        var odd = new Dictionary<string, string>(StringComparer.Ordinal) { ["b"] = "1", ["é"] = "2", ["\uFF21"] = "3", ["😀"] = "4", ["a"] = "5" };
        Assert.Equal(MatrixSignature.Sign(odd.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), "tok"), FormCodec.Sign(odd, "tok"));
    }

    [Theory]
    [InlineData("""{"rsp":"succ","res":"","data":{"order_bn":"A1","order_id":5,"state":"unchanged"}}""", 200, "succ:unchanged", "A1")]
    [InlineData("""{"rsp":"succ","res":"","data":{}}""", 200, "succ", null)]
    [InlineData("""{"rsp":"fail","res":"4006","msg":"order_bn is required","data":null}""", 200, "fail:4006", null)]
    [InlineData("<html>oops</html>", 200, "error:bad_json", null)]
    [InlineData("", 500, "error:http_500", null)]
    [InlineData("""{"rsp":"succ","res":"","data":{"order_bn":"A2","state":"queued"}}""", 200, "succ:queued", "A2")]
    public void Answers_are_read_into_an_outcome(string text, int status, string outcome, string? orderBn)
    {
        var a = MatrixAnswer.Parse(text, status);
        Assert.Equal(outcome, a.Outcome);
        Assert.Equal(orderBn, a.DataOrderBn);
        Assert.Equal(text, a.Text);
        Assert.Equal(outcome.StartsWith("succ", StringComparison.Ordinal), a.IsSucc);
    }
}
