using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Integration;

namespace Oms.Tests.Outbox;

/// <summary>One request the fake peer received.</summary>
public sealed record PeerRequest(IReadOnlyDictionary<string, string> Form, bool SignOk, DateTime ArrivedUtc, string Answer)
{
    public string Task => Form.GetValueOrDefault("task") ?? "";
    public string Node => Form.GetValueOrDefault("to_node_id") ?? "";
}

/// <summary>
/// A matrix peer on 127.0.0.1:0 inside the test: checks each request's signature with the token of
/// its <c>to_node_id</c> the way a receiver must (JSON-valued fields decoded back into structures,
/// then the §1 assembly), records it, and answers from a per-node script (default succ).
/// </summary>
public sealed class FakeMatrixPeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public Uri Url { get; }
    public ConcurrentDictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _scripts = new(StringComparer.Ordinal);
    public ConcurrentQueue<PeerRequest> Requests { get; } = new();

    private FakeMatrixPeer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<FakeMatrixPeer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeMatrixPeer? peer = null;
        app.MapPost("/matrix", (HttpContext http) => peer!.HandleAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        peer = new FakeMatrixPeer(app, new Uri(new Uri(address), "/matrix"));
        return peer;
    }

    /// <summary>Answers for the next requests to <paramref name="node"/>: succ, fail, running, http500; then succ.</summary>
    public void Script(string node, params string[] answers) => _scripts[node] = new ConcurrentQueue<string>(answers);

    public IReadOnlyList<PeerRequest> For(string node) => Requests.Where(r => r.Node == node).ToList();

    private async Task HandleAsync(HttpContext http)
    {
        var f = await http.Request.ReadFormAsync();
        var form = f.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        var node = form.GetValueOrDefault("to_node_id") ?? "";
        var signOk = Tokens.TryGetValue(node, out var token) && MatrixSignature.Matches(form.GetValueOrDefault("sign"), MatrixSignature.Sign(Decode(form), token));
        var answer = !signOk ? "badsign" : _scripts.TryGetValue(node, out var q) && q.TryDequeue(out var a) ? a : "succ";
        Requests.Enqueue(new PeerRequest(form, signOk, DateTime.UtcNow, answer));
        if (answer == "http500")
        {
            http.Response.StatusCode = 500;
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer switch
        {
            "succ" => """{"rsp":"succ","res":"","data":{"received":true}}""",
            "running" => """{"rsp":"running","res":"","data":null}""",
            "fail" => """{"rsp":"fail","res":"w01","msg":"platform busy","data":null}""",
            _ => """{"rsp":"fail","res":"4003","msg":"sign error","data":null}""",
        });
    }

    /// <summary>The receiver's reading of a form: fields holding a JSON object or list are structures.</summary>
    private static JsonElement Decode(Dictionary<string, string> form)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in form)
        {
            JsonNode? node = JsonValue.Create(v);
            if (v.StartsWith('{') || v.StartsWith('['))
                node = JsonNode.Parse(v);
            obj[k] = node;
        }
        return JsonSerializer.SerializeToElement(obj);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
