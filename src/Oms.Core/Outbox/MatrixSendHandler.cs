using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Outbox;

/// <summary>What the peer (or the transport) said to one attempt.</summary>
public sealed record MatrixAnswer(string Status, string? Code, string? Message, string? Body)
{
    public bool IsSucc => Status == ApiLogStatus.Succ;
    public bool IsRunning => Status == ApiLogStatus.Running;
}

/// <summary>
/// Posts a form to a matrix address and reads <c>{"rsp":"succ|running|fail","res","msg","data"}</c>.
/// A transport error, a timeout, a non-2xx status or an unreadable answer is a <c>fail</c> with code
/// <c>http</c>, <c>timeout</c> or <c>answer</c>. One pooled client for the process.
/// </summary>
public sealed class MatrixTransport : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<MatrixAnswer> PostAsync(string url, IReadOnlyDictionary<string, string> form, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var content = new FormUrlEncodedContent(form);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
            using var resp = await _http.PostAsync(new Uri(url), content, cts.Token).ConfigureAwait(false);
            var body = await resp.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode)
                return new MatrixAnswer(ApiLogStatus.Fail, "http", $"HTTP {(int)resp.StatusCode} from {url}", body);
            return Parse(body);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new MatrixAnswer(ApiLogStatus.Fail, "timeout", $"no answer from {url} within {timeout.TotalSeconds:0} s", null);
        }
        catch (HttpRequestException e)
        {
            return new MatrixAnswer(ApiLogStatus.Fail, "http", $"{url}: {e.Message}", null);
        }
    }

    public static MatrixAnswer Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rsp", out var rsp) || rsp.ValueKind != JsonValueKind.String)
                return new MatrixAnswer(ApiLogStatus.Fail, "answer", "the answer has no rsp", body);
            var res = root.TryGetProperty("res", out var r) && r.ValueKind is JsonValueKind.String or JsonValueKind.Number ? r.ToString() : null;
            var msg = root.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return rsp.GetString() switch
            {
                "succ" => new MatrixAnswer(ApiLogStatus.Succ, null, msg, body),
                "running" => new MatrixAnswer(ApiLogStatus.Running, null, msg, body),
                "fail" => new MatrixAnswer(ApiLogStatus.Fail, string.IsNullOrEmpty(res) ? "fail" : res, string.IsNullOrEmpty(msg) ? "the peer answered fail" : msg, body),
                var other => new MatrixAnswer(ApiLogStatus.Fail, "answer", $"unknown rsp '{other}'", body),
            };
        }
        catch (JsonException)
        {
            return new MatrixAnswer(ApiLogStatus.Fail, "answer", "the answer is not JSON", body);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// <c>matrix.send</c> (kind <c>rpc</c>): sends one outbox message. Idempotent by the message's state: a
/// redelivered task for a message already succeeded (or accepted as running) does nothing. Each attempt
/// is paced by <see cref="PeerRateLimiter"/>, signed with the peer's current token, posted to its
/// <c>api_url</c> (else <c>matrix.url</c>) and written to the API log. <c>succ</c> ends the message;
/// <c>running</c> waits for <c>POST /api/callback</c>; <c>fail</c>, a transport error or a missing address
/// fails the task, so the queue retries with back-off and, after the last attempt, puts it on the failed
/// list while the message becomes <c>failed</c> with the reason.
/// </summary>
public sealed class MatrixSendHandler(
    OmsDbContext db, MatrixPeers peers, SettingsService settings, MatrixTransport transport, PeerRateLimiter limiter,
    ApiLogWriter apiLog, TaskRegistry registry, TimeProvider clock, IServiceProvider services, OutboxOutcomes outcomes) : ITaskHandler
{
    public const string Type = "matrix.send";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = cancellationToken;
        var (message, skip) = await OutboxSend.OpenAsync(db, context.Payload, ct).ConfigureAwait(false);
        if (message is null) return skip!.Value;
        var id = message.Id;

        var last = context.Attempt >= registry.Get(Type).MaxAttempts;
        var attempt = message.Attempts + 1;
        var peer = await peers.FindAsync(message.PeerKind, message.PeerId, ct).ConfigureAwait(false);
        var url = peer?.ApiUrl;
        if (string.IsNullOrWhiteSpace(url)) url = await settings.GetTextAsync("matrix.url", ct).ConfigureAwait(false);

        MatrixAnswer answer;
        Dictionary<string, string>? form = null;
        var sw = new Stopwatch();
        if (peer is null)
            answer = new MatrixAnswer(ApiLogStatus.Fail, "config", $"the {message.PeerKind} {message.PeerId} no longer exists or is no longer bound to the matrix (node_id and token)", null);
        else if (string.IsNullOrWhiteSpace(url))
            answer = new MatrixAnswer(ApiLogStatus.Fail, "config", $"no address: the {message.PeerKind} has no api_url and the setting matrix.url is empty", null);
        else
        {
            var rate = await settings.GetIntAsync("matrix.rate_per_second", ct).ConfigureAwait(false);
            var timeout = TimeSpan.FromSeconds(await settings.GetIntAsync("matrix.timeout_seconds", ct).ConfigureAwait(false));
            var from = await settings.GetTextAsync("matrix.node_id", ct).ConfigureAwait(false);
            var callback = await CallbackUrlAsync(ct).ConfigureAwait(false);
            var parameters = JsonNode.Parse(message.Parameters) as JsonObject ?? [];
            // the date is the send slot the limiter granted (we wait for it below)
            var slot = await limiter.AcquireAsync(peer.NodeId, rate, ct).ConfigureAwait(false);
            form = MatrixForm.Build(peer, from, message.Method, message.Id, callback, slot, parameters);
            sw.Start();
            answer = await transport.PostAsync(url, form, timeout, ct).ConfigureAwait(false);
            sw.Stop();
        }

        await apiLog.WriteAsync(new ApiLogEntry
        {
            Direction = ApiLogDirection.Out,
            Method = message.Method,
            Peer = peer?.NodeId ?? message.PeerNodeId,
            Parameters = form is null ? ApiLogMasking.MaskForm(ParametersAsForm(message.Parameters)) : ApiLogMasking.MaskForm(form),
            Response = answer.Body,
            Status = answer.Status,
            ErrorCode = answer.Code,
            Message = answer.IsSucc ? null : answer.Message,
            DurationMs = (int)Math.Min(int.MaxValue, sw.ElapsedMilliseconds),
            Attempt = attempt,
            BusinessKey = message.BusinessKey,
            OutboxId = message.Id,
        }, ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var response = answer.Body is null ? null : ApiLogMasking.Cut(answer.Body, 4000 - 20);
        var open = db.Set<OutboxMessage>().Where(m => m.Id == id && (m.State == OutboxState.Pending || m.State == OutboxState.Failed));
        if (answer.IsSucc || answer.IsRunning)
        {
            var state = answer.IsSucc ? OutboxState.Succeeded : OutboxState.Running;
            DateTime? done = answer.IsSucc ? now : null;
            // conditional: a callback that already settled the message wins
            await outcomes.SettleAsync(db, message, answer.IsSucc ? new OutboxOutcome(message, true, null, answer.Body) : null, () => open.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, state).SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.LastError, (string?)null).SetProperty(m => m.Response, response)
                .SetProperty(m => m.UpdatedAt, now).SetProperty(m => m.CompletedAt, done), ct), ct).ConfigureAwait(false);
            return TaskResult.Success(state);
        }

        var reason = $"{answer.Code}: {answer.Message}";
        var next = last ? OutboxState.Failed : OutboxState.Pending;
        var error = ApiLogMasking.Cut(reason, 4000 - 20);
        await outcomes.SettleAsync(db, message, last ? new OutboxOutcome(message, false, reason, answer.Body) : null, () => open.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.State, next).SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LastError, error).SetProperty(m => m.Response, response)
            .SetProperty(m => m.UpdatedAt, now), ct), ct).ConfigureAwait(false);
        return TaskResult.Failure(reason);
    }


    private static Dictionary<string, string> ParametersAsForm(string json)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (JsonNode.Parse(json) is JsonObject o)
            foreach (var (k, v) in o) form[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString(MatrixForm.JsonOptions) ?? "";
        return form;
    }

    /// <summary>
    /// <c>callback_url</c>: the setting <c>matrix.callback_url</c>; else configuration <c>Oms:PublicUrl</c>
    /// + <c>/api/callback</c>; else the host's first concrete <c>urls</c> entry + <c>/api/callback</c>;
    /// else none (a peer that answers <c>running</c> then cannot call back).
    /// </summary>
    private async Task<string?> CallbackUrlAsync(CancellationToken ct)
    {
        var set = await settings.GetTextAsync("matrix.callback_url", ct).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(set)) return set;
        var config = services.GetService<IConfiguration>();
        var baseUrl = config?["Oms:PublicUrl"];
        if (string.IsNullOrWhiteSpace(baseUrl))
            baseUrl = config?["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(u => Uri.TryCreate(u, UriKind.Absolute, out var x) && x.Port != 0 && x.Host is not ("*" or "+" or "0.0.0.0" or "[::]"));
        return string.IsNullOrWhiteSpace(baseUrl) ? null : baseUrl.TrimEnd('/') + "/api/callback";
    }
}
