using System.Text.Json;
using Oms.Common;
using Oms.Integration;
using Oms.Simulators.Matrix;

namespace Oms.Tests.Simulators;

public class FakeMatrixRecorderSimulatorTests
{
    /// <summary>A form as the OMS sends it (PROTOCOL.md §3): nested values signed as structures.</summary>
    private static Dictionary<string, string> Outbound(string node, string token, string method, string task)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = "ecos.ome", ["method"] = method, ["date"] = ChinaTime.ToText(DateTime.UtcNow), ["format"] = "json", ["v"] = "1",
            ["from_node_id"] = "1100000000", ["to_node_id"] = node, ["node_type"] = "taobao", ["task"] = task,
            ["tid"] = "T-" + task, ["list_quantity"] = """[{"bn":"A1","quantity":5},{"bn":"商品B","quantity":0,"price":12.5}]""",
            ["memo"] = "[not json",
        };
        form["sign"] = MatrixSignature.Sign(FakeMatrixRecorder.Decode(form), token);
        return form;
    }

    private static async Task<(int Status, string Body)> PostAsync(HttpClient http, Uri url, Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var resp = await http.PostAsync(url, content);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }

    private static string Rsp(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("rsp").GetString() + ":" + doc.RootElement.GetProperty("res").GetString();
    }

    [Fact]
    public async Task The_recorder_verifies_each_signature_with_the_token_of_its_node_and_answers_from_the_script()
    {
        await using var recorder = await FakeMatrixRecorder.StartAsync(tokens: [new("node-a", "token-a")]);
        recorder.Tokens["node-b"] = "token-b";
        recorder.Script("node-a", "fail", "running", "http500");
        using var http = new HttpClient();

        var answers = new List<(int, string)>();
        for (var i = 1; i <= 4; i++) answers.Add(await PostAsync(http, recorder.Url, Outbound("node-a", "token-a", "store.items.quantity.list.update", "t" + i)));
        Assert.Equal(200, answers[0].Item1);
        Assert.Equal("fail:w01", Rsp(answers[0].Item2));
        Assert.Equal("running:", Rsp(answers[1].Item2));
        Assert.Equal(500, answers[2].Item1);
        Assert.Equal("succ:", Rsp(answers[3].Item2));

        // wrong token, unknown node: refused as a receiver would, recorded as such
        var bad = await PostAsync(http, recorder.Url, Outbound("node-b", "token-a", "store.trade.memo.update", "t5"));
        Assert.Equal("fail:4003", Rsp(bad.Body));
        var unknown = await PostAsync(http, recorder.Url, Outbound("node-c", "token-c", "store.trade.memo.update", "t6"));
        Assert.Equal("fail:4003", Rsp(unknown.Body));
        var good = await PostAsync(http, new Uri(recorder.BaseUrl, "/api"), Outbound("node-b", "token-b", "store.trade.memo.update", "t7"));
        Assert.Equal("succ:", Rsp(good.Body));

        var a = recorder.For("node-a");
        Assert.Equal(["t1", "t2", "t3", "t4"], a.Select(r => r.Task));
        Assert.Equal(["fail", "running", "http500", "succ"], a.Select(r => r.Answer));
        Assert.All(a, r => Assert.True(r.SignOk));
        Assert.Equal("商品B", JsonDocument.Parse(a[0].Form["list_quantity"]).RootElement[1].GetProperty("bn").GetString());
        Assert.Equal([false, true], recorder.For("node-b").Select(r => r.SignOk));
        Assert.Equal(3, recorder.ForMethod("store.trade.memo.update").Count);
        Assert.Equal(7, recorder.Requests.Count);
        Assert.Throws<ArgumentException>(() => recorder.Script("node-a", "maybe"));

        recorder.Clear();
        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task Another_process_reads_recorded_requests_and_scripts_answers_over_http()
    {
        await using var recorder = await FakeMatrixRecorder.StartAsync(tokens: [new("n1", "k1"), new("n2", "k2")]);
        using var http = new HttpClient();
        var remote = new MatrixRecorderClient(http, recorder.BaseUrl);
        await remote.ScriptAsync("n1", ["fail"]);

        Assert.Equal("fail:w01", Rsp((await PostAsync(http, recorder.Url, Outbound("n1", "k1", "store.trade.shipping.add", "a1"))).Body));
        await PostAsync(http, recorder.Url, Outbound("n1", "k1", "store.trade.shipping.add", "a2"));
        await PostAsync(http, recorder.Url, Outbound("n2", "k2", "store.wms.saleorder.create", "b1"));

        var all = await remote.RecordedAsync();
        Assert.Equal(["a1", "a2", "b1"], all.Select(r => r.Task));
        var n1 = await remote.RecordedAsync(node: "n1");
        Assert.Equal(["fail", "succ"], n1.Select(r => r.Answer));
        Assert.All(n1, r => Assert.True(r.SignOk));
        var wms = Assert.Single(await remote.RecordedAsync(method: "store.wms.saleorder.create"));
        Assert.Equal("n2", wms.Node);
        Assert.Equal("T-b1", wms.Form["tid"]);
        Assert.Single(await remote.RecordedAsync(task: "a2"));
        Assert.Empty(await remote.RecordedAsync(method: "store.trade.shipping.add", node: "n2"));

        // the raw JSON as a script in any language would read it
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(recorder.BaseUrl, "/recorded?node=n2")));
        Assert.Equal(1, doc.RootElement.GetProperty("count").GetInt32());
        var row = doc.RootElement.GetProperty("requests")[0];
        Assert.True(row.GetProperty("sign_ok").GetBoolean());
        Assert.Equal("store.wms.saleorder.create", row.GetProperty("method").GetString());
        Assert.Equal("1100000000", row.GetProperty("form").GetProperty("from_node_id").GetString());

        using var badScript = new FormUrlEncodedContent(new Dictionary<string, string> { ["node"] = "n1", ["answers"] = "maybe" });
        Assert.Equal(400, (int)(await http.PostAsync(new Uri(recorder.BaseUrl, "/script"), badScript)).StatusCode);
        using var token = new FormUrlEncodedContent(new Dictionary<string, string> { ["node"] = "n3", ["token"] = "k3" });
        Assert.Equal(200, (int)(await http.PostAsync(new Uri(recorder.BaseUrl, "/token"), token)).StatusCode);
        Assert.Equal("k3", recorder.Tokens["n3"]);
    }
}
