using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Oms.Common;

namespace Oms.Simulators.Shop;

/// <summary>
/// The OMS's answer to one <c>/api</c> call (PROTOCOL.md §2): <c>{"rsp","res","msg","data"}</c>.
/// <see cref="State"/> and <see cref="DataOrderBn"/> are read from <c>data</c> when present.
/// An answer that is not that JSON (HTTP 500, an HTML page) has <see cref="Rsp"/> = "" and
/// <see cref="Res"/> = <c>http_STATUS</c> or <c>bad_json</c>.
/// </summary>
public sealed record MatrixAnswer(int HttpStatus, string Text, string Rsp, string Res, string Msg, string? State, string? DataOrderBn, string? DataJson)
{
    public bool IsSucc => Rsp == "succ";
    public bool IsProtocolAnswer => Rsp.Length > 0;

    /// <summary>Reads an answer body; never throws.</summary>
    public static MatrixAnswer Parse(string text, int httpStatus = 200)
    {
        text ??= "";
        if (httpStatus != 200) return new MatrixAnswer(httpStatus, text, "", "http_" + httpStatus.ToString(CultureInfo.InvariantCulture), "", null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rsp", out var rsp) || rsp.ValueKind != JsonValueKind.String)
                return new MatrixAnswer(httpStatus, text, "", "bad_json", "", null, null, null);
            string Str(string name) => root.TryGetProperty(name, out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString() ?? "",
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                _ => v.GetRawText(),
            } : "";
            string? state = null, bn = null, data = null;
            if (root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                data = d.GetRawText();
                if (d.ValueKind == JsonValueKind.Object)
                {
                    if (d.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.String) state = s.GetString();
                    if (d.TryGetProperty("order_bn", out var b) && b.ValueKind == JsonValueKind.String) bn = b.GetString();
                }
            }
            return new MatrixAnswer(httpStatus, text, rsp.GetString() ?? "", Str("res"), Str("msg"), state, bn, data);
        }
        catch (JsonException)
        {
            return new MatrixAnswer(httpStatus, text, "", "bad_json", "", null, null, null);
        }
    }

    /// <summary>A short outcome key: <c>succ:STATE</c> (<c>succ</c> without a state), <c>fail:RES</c>, or <c>error:http_500</c> / <c>error:bad_json</c>.</summary>
    public string Outcome => Rsp switch
    {
        "succ" => State is null ? "succ" : "succ:" + State,
        "" => "error:" + Res,
        _ => Rsp + ":" + Res,
    };
}

/// <summary>
/// How a signed form reaches the OMS: over HTTP (<see cref="HttpMatrixTransport"/>) or in-process
/// (e.g. <c>oms demo seed</c> calling the gateway directly). Transport failures throw.
/// </summary>
public interface IMatrixTransport
{
    Task<MatrixAnswer> SendAsync(IReadOnlyDictionary<string, string> signedForm, CancellationToken ct);
}

/// <summary>
/// POSTs form-urlencoded to <c>{url}/api</c> over one pooled <see cref="HttpClient"/>; thread-safe.
/// Any HTTP status is an answer (<see cref="MatrixAnswer.HttpStatus"/>); connection failures and
/// timeouts throw.
/// </summary>
public sealed class HttpMatrixTransport : IMatrixTransport, IDisposable
{
    private readonly HttpClient _http;
    public Uri Endpoint { get; }

    public HttpMatrixTransport(Uri baseUrl, int maxConnections = 256, TimeSpan? timeout = null, string path = "/api")
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        Endpoint = new Uri(baseUrl.ToString().TrimEnd('/') + path);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    public async Task<MatrixAnswer> SendAsync(IReadOnlyDictionary<string, string> signedForm, CancellationToken ct)
    {
        using var content = new ByteArrayContent(FormCodec.Encode(signedForm));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var response = await _http.PostAsync(Endpoint, content, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return MatrixAnswer.Parse(text, (int)response.StatusCode);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>One send: the task id used, the answer (null on a transport error), the time it took.</summary>
public sealed record PushResult(MatrixPush Push, string Task, MatrixAnswer? Answer, TimeSpan Latency, Exception? Error)
{
    public bool IsSucc => Answer?.IsSucc == true;
    /// <summary><see cref="MatrixAnswer.Outcome"/>, or <c>error:transport</c> / <c>error:timeout</c>.</summary>
    public string Outcome => Answer?.Outcome ?? (Error is TaskCanceledException or TimeoutException ? "error:timeout" : "error:transport");
}

/// <summary>
/// Signs and sends shop pushes as the matrix does (PROTOCOL.md §1–2): the business fields plus
/// <c>method</c>, <c>node_id</c>, <c>date</c> (now, China time), <c>format=json</c>, <c>v=1.0</c>,
/// <c>app_id=ecos.ome</c>, <c>certi_id=""</c>, <c>task</c> (fresh unless the push carries one), and
/// <c>sign</c> with the shop's token over the flat form. Thread-safe.
/// </summary>
public sealed class MatrixPushClient : IDisposable
{
    private readonly IMatrixTransport _transport;
    private readonly bool _ownsTransport;
    private readonly TimeProvider _clock;
    private readonly string _taskPrefix;
    private long _tasks;

    public MatrixPushClient(IMatrixTransport transport, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _clock = clock ?? TimeProvider.System;
        _taskPrefix = "sim-" + Guid.NewGuid().ToString("N")[..10] + "-";
    }

    /// <summary>Pushes over HTTP to <c>{url}/api</c>.</summary>
    public MatrixPushClient(Uri url, int maxConnections = 256, TimeProvider? clock = null)
        : this(new HttpMatrixTransport(url, maxConnections), clock) => _ownsTransport = true;

    public IMatrixTransport Transport => _transport;

    /// <summary>A task id not used before by this client.</summary>
    public string NewTask() => _taskPrefix + Interlocked.Increment(ref _tasks).ToString(CultureInfo.InvariantCulture);

    /// <summary>The signed form for <paramref name="push"/>; <paramref name="signWith"/> overrides the shop's token (tests).</summary>
    public Dictionary<string, string> BuildForm(MatrixPush push, string task, string? signWith = null)
    {
        ArgumentNullException.ThrowIfNull(push);
        var form = new Dictionary<string, string>(push.Fields.Count + 10, StringComparer.Ordinal);
        foreach (var (k, v) in push.Fields) form[k] = v;
        form["method"] = push.Method;
        form["node_id"] = push.Shop.NodeId;
        form["date"] = ChinaTime.ToText(_clock.GetUtcNow().UtcDateTime);
        form["format"] = "json";
        form["v"] = "1.0";
        form["app_id"] = "ecos.ome";
        form["certi_id"] = "";
        form["task"] = task;
        form["sign"] = Sign(form, signWith ?? push.Shop.Token);
        return form;
    }

    /// <summary>PROTOCOL.md §1 over a flat form (every value a string; <c>sign</c> itself excluded).</summary>
    public static string Sign(IReadOnlyDictionary<string, string> form, string token) => FormCodec.Sign(form, token);

    /// <summary>Signs and sends; a transport error is returned in the result, not thrown (cancellation is).</summary>
    public async Task<PushResult> SendAsync(MatrixPush push, string? task = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(push);
        task ??= push.Task ?? NewTask();
        var form = BuildForm(push, task);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var answer = await _transport.SendAsync(form, ct).ConfigureAwait(false);
            return new PushResult(push, task, answer, Stopwatch.GetElapsedTime(started), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException
                                  || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return new PushResult(push, task, null, Stopwatch.GetElapsedTime(started), e);
        }
    }

    public void Dispose()
    {
        if (_ownsTransport && _transport is IDisposable d) d.Dispose();
    }
}
