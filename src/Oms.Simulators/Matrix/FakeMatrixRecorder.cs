using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Common;
using Oms.Integration;

namespace Oms.Simulators.Matrix;

/// <summary>One request the recorder received, with the answer it gave.</summary>
public sealed record RecordedRequest(IReadOnlyDictionary<string, string> Form, bool SignOk, DateTime ArrivedUtc, string Answer)
{
    public string Task => Form.GetValueOrDefault("task") ?? "";
    public string Node => Form.GetValueOrDefault("to_node_id") ?? "";
    public string Method => Form.GetValueOrDefault("method") ?? "";
}

/// <summary>The scripted answers a node can be given.</summary>
public static class RecorderAnswers
{
    public const string Succ = "succ";
    public const string Fail = "fail";
    public const string Running = "running";
    public const string Http500 = "http500";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Succ, Fail, Running, Http500 };
}

/// <summary>
/// A fake matrix peer (a shop platform or a warehouse behind the matrix) for the OMS's outbound requests
/// (PROTOCOL.md §3), on Kestrel at 127.0.0.1 (port 0 = any free one). Every request to <c>POST /matrix</c>
/// (also <c>/</c> and <c>/api</c>) is checked the way a receiver must — JSON-valued fields decoded back into
/// structures, then the §1 assembly — with the token of its <c>to_node_id</c>, recorded, and answered
/// from that node's script (default succ; a bad signature is answered <c>fail 4003</c>).
/// In-process: <see cref="Requests"/>, <see cref="For"/>, <see cref="ForMethod"/>, <see cref="Script"/>.
/// Over HTTP: <c>GET /recorded?method=&amp;node=&amp;task=</c>, <c>POST /script</c> (<c>node</c>,
/// <c>answers</c> comma separated), <c>POST /token</c> (<c>node</c>, <c>token</c>), <c>POST /clear</c>.
/// </summary>
public sealed class FakeMatrixRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    /// <summary>Where matrix requests go: <c>{BaseUrl}matrix</c>.</summary>
    public Uri Url { get; }
    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }
    /// <summary>Tokens by node id (<c>to_node_id</c>); add or change at any time.</summary>
    public ConcurrentDictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    private FakeMatrixRecorder(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        Url = new Uri(baseUrl, "/matrix");
    }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0 = any free port).</summary>
    public static async Task<FakeMatrixRecorder> StartAsync(int port = 0, IEnumerable<KeyValuePair<string, string>>? tokens = null, string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeMatrixRecorder? recorder = null;
        app.MapPost("/matrix", (HttpContext http) => recorder!.HandleAsync(http));
        app.MapPost("/api", (HttpContext http) => recorder!.HandleAsync(http));
        app.MapPost("/", (HttpContext http) => recorder!.HandleAsync(http));
        app.MapGet("/recorded", (HttpContext http) => recorder!.ServeRecordedAsync(http));
        app.MapPost("/script", (Func<HttpContext, Task<IResult>>)(http => recorder!.ScriptOverHttpAsync(http)));
        app.MapPost("/token", (Func<HttpContext, Task<IResult>>)(http => recorder!.TokenOverHttpAsync(http)));
        app.MapPost("/clear", () => { recorder!.Clear(); return Results.Ok(); });
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        recorder = new FakeMatrixRecorder(app, new Uri(address.TrimEnd('/') + "/"));
        if (tokens is not null) foreach (var (node, token) in tokens) recorder.Tokens[node] = token;
        return recorder;
    }

    /// <summary>
    /// Answers for the next requests to <paramref name="node"/>: succ, fail, running, http500, or a whole JSON answer
    /// (text starting with <c>{</c>, e.g. a warehouse's <c>{"rsp":"succ","data":{"status":"DELIVERY",…}}</c>); then succ.
    /// </summary>
    public void Script(string node, params string[] answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        foreach (var a in answers)
            if (!RecorderAnswers.All.Contains(a) && !a.StartsWith('{'))
                throw new ArgumentException($"unknown answer '{a}' (succ, fail, running, http500, or a JSON answer)", nameof(answers));
        _scripts[node] = new ConcurrentQueue<string>(answers);
    }

    /// <summary>Every request received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public IReadOnlyList<RecordedRequest> For(string node) => Filter(null, node, null);

    public IReadOnlyList<RecordedRequest> ForMethod(string method) => Filter(method, null, null);

    public IReadOnlyList<RecordedRequest> Filter(string? method, string? node, string? task)
    {
        var list = new List<RecordedRequest>();
        foreach (var r in _requests)
            if ((method is null || r.Method == method) && (node is null || r.Node == node) && (task is null || r.Task == task))
                list.Add(r);
        return list;
    }

    /// <summary>Forgets recorded requests and scripts (tokens stay).</summary>
    public void Clear()
    {
        _requests.Clear();
        _scripts.Clear();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var f = await http.Request.ReadFormAsync().ConfigureAwait(false);
        var form = new Dictionary<string, string>(f.Count, StringComparer.Ordinal);
        foreach (var (k, v) in f) form[k] = v.ToString();
        var node = form.GetValueOrDefault("to_node_id") ?? "";
        var signOk = Tokens.TryGetValue(node, out var token) && token.Length > 0
                     && MatrixSignature.Matches(form.GetValueOrDefault("sign"), MatrixSignature.Sign(Decode(form), token));
        var answer = !signOk ? "badsign" : _scripts.TryGetValue(node, out var q) && q.TryDequeue(out var a) ? a : RecorderAnswers.Succ;
        _requests.Enqueue(new RecordedRequest(form, signOk, DateTime.UtcNow, answer));
        if (answer == RecorderAnswers.Http500)
        {
            http.Response.StatusCode = 500;
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer switch
        {
            RecorderAnswers.Succ => """{"rsp":"succ","res":"","data":{"received":true}}""",
            RecorderAnswers.Running => """{"rsp":"running","res":"","data":null}""",
            RecorderAnswers.Fail => """{"rsp":"fail","res":"w01","msg":"platform busy","data":null}""",
            var raw when raw.StartsWith('{') => raw,
            _ => """{"rsp":"fail","res":"4003","msg":"sign error","data":null}""",
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// The receiver's reading of a form: a field holding a JSON object or list is a structure (PROTOCOL.md §3
    /// signs nested values); a value that only looks like one stays text.
    /// </summary>
    public static JsonElement Decode(IReadOnlyDictionary<string, string> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var obj = new JsonObject();
        foreach (var (k, v) in form)
        {
            JsonNode? node = JsonValue.Create(v);
            if (v.StartsWith('{') || v.StartsWith('['))
            {
                try { node = JsonNode.Parse(v); }
                catch (JsonException) { /* text after all */ }
            }
            obj[k] = node;
        }
        return JsonSerializer.SerializeToElement(obj);
    }

    private async Task ServeRecordedAsync(HttpContext http)
    {
        string? Q(string name) => http.Request.Query.TryGetValue(name, out var v) && v.ToString().Length > 0 ? v.ToString() : null;
        var rows = Filter(Q("method"), Q("node"), Q("task"));
        var list = new List<object>(rows.Count);
        foreach (var r in rows)
            list.Add(new { method = r.Method, node = r.Node, task = r.Task, sign_ok = r.SignOk, answer = r.Answer, arrived = ChinaTime.ToText(r.ArrivedUtc), form = r.Form });
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new { count = list.Count, requests = list }, JsonOptions)).ConfigureAwait(false);
    }

    private async Task<IResult> ScriptOverHttpAsync(HttpContext http)
    {
        var f = await http.Request.ReadFormAsync().ConfigureAwait(false);
        var node = f["node"].ToString();
        var answers = f["answers"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (node.Length == 0) return Results.BadRequest("node is required");
        try
        {
            Script(node, answers);
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(e.Message);
        }
        return Results.Ok();
    }

    private async Task<IResult> TokenOverHttpAsync(HttpContext http)
    {
        var f = await http.Request.ReadFormAsync().ConfigureAwait(false);
        var node = f["node"].ToString();
        var token = f["token"].ToString();
        if (node.Length == 0 || token.Length == 0) return Results.BadRequest("node and token are required");
        Tokens[node] = token;
        return Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Reads a recorder's <c>GET /recorded</c> from another process.</summary>
public sealed class MatrixRecorderClient(HttpClient http, Uri baseUrl)
{
    /// <summary>The recorded requests matching the filters (null = any).</summary>
    public async Task<IReadOnlyList<RecordedRequest>> RecordedAsync(string? method = null, string? node = null, string? task = null, CancellationToken ct = default)
    {
        var q = new List<string>();
        if (method is not null) q.Add("method=" + Uri.EscapeDataString(method));
        if (node is not null) q.Add("node=" + Uri.EscapeDataString(node));
        if (task is not null) q.Add("task=" + Uri.EscapeDataString(task));
        var uri = new Uri(baseUrl, "/recorded" + (q.Count > 0 ? "?" + string.Join('&', q) : ""));
        using var doc = JsonDocument.Parse(await http.GetStringAsync(uri, ct).ConfigureAwait(false));
        var list = new List<RecordedRequest>();
        foreach (var r in doc.RootElement.GetProperty("requests").EnumerateArray())
        {
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in r.GetProperty("form").EnumerateObject()) form[p.Name] = p.Value.GetString() ?? "";
            ChinaTime.TryParse(r.GetProperty("arrived").GetString(), out var arrived);
            list.Add(new RecordedRequest(form, r.GetProperty("sign_ok").GetBoolean(), arrived, r.GetProperty("answer").GetString() ?? ""));
        }
        return list;
    }

    /// <summary>Scripts the next answers for <paramref name="node"/>.</summary>
    public async Task ScriptAsync(string node, IEnumerable<string> answers, CancellationToken ct = default)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["node"] = node, ["answers"] = string.Join(',', answers) });
        using var resp = await http.PostAsync(new Uri(baseUrl, "/script"), content, ct).ConfigureAwait(false);
        resp.EnsureSuccessStatusCode();
    }
}
