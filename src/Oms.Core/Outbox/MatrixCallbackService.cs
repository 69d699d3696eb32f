using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Data;
using Oms.Integration;

namespace Oms.Outbox;

/// <summary>The answer to <c>POST /api/callback</c>: success, or a matrix error code and message.</summary>
public sealed record CallbackResult(bool Ok, string? Code = null, string? Message = null)
{
    public static readonly CallbackResult Accepted = new(true);
}

/// <summary>
/// The asynchronous answer to a request the peer took with <c>rsp=running</c> (PROTOCOL.md §3):
/// form fields <c>task</c>, <c>rsp</c>, <c>res</c>, <c>msg</c>, <c>data</c>, <c>node_id</c>, <c>sign</c>, signed
/// flat (§1) with the peer's token (or <c>matrix.system_token</c> when set, as on <c>/api</c>). The
/// <c>task</c> names the outbox message and so the peer whose token checks the sign: an unknown task
/// cannot be verified and is refused as a sign error (4003), like a wrong sign; a <c>node_id</c> other
/// than the peer's is 4004. <c>succ</c> settles the message as succeeded, <c>fail</c> as failed with
/// <c>res: msg</c>. A repeated callback for a settled message changes nothing and is answered succ.
/// </summary>
public sealed class MatrixCallbackService(OmsDbContext db, MatrixPeers peers, SettingsService settings, ApiLogWriter apiLog, TimeProvider clock,
    OutboxOutcomes outcomes)
{
    public async Task<CallbackResult> HandleAsync(IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var sw = Stopwatch.StartNew();
        OutboxMessage? message = null;
        var result = await CheckAndApplyAsync(form, m => message = m, ct).ConfigureAwait(false);
        sw.Stop();
        await apiLog.WriteAsync(new ApiLogEntry
        {
            Direction = ApiLogDirection.In,
            Method = "callback" + (message is null ? "" : ":" + message.Method),
            Peer = form.TryGetValue("node_id", out var n) && n.Length > 0 ? "node:" + n : null,
            Parameters = ApiLogMasking.MaskForm(form),
            Status = result.Ok ? ApiLogStatus.Succ : ApiLogStatus.Fail,
            ErrorCode = result.Code,
            Message = result.Message,
            Response = result.Ok ? null : $"{result.Code}: {result.Message}",
            DurationMs = (int)sw.ElapsedMilliseconds,
            Attempt = 1,
            BusinessKey = message?.BusinessKey,
            OutboxId = message?.Id,
        }, ct).ConfigureAwait(false);
        return result;
    }

    private async Task<CallbackResult> CheckAndApplyAsync(IReadOnlyDictionary<string, string> form, Action<OutboxMessage> found, CancellationToken ct)
    {
        var task = form.GetValueOrDefault("task")?.Trim();
        if (string.IsNullOrEmpty(task)) return new CallbackResult(false, "4006", "task is required");
        var message = await db.Set<OutboxMessage>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == task, ct).ConfigureAwait(false);
        if (message is null) return new CallbackResult(false, "4003", "sign error: unknown task");
        var peer = await peers.FindAsync(message.PeerKind, message.PeerId, ct).ConfigureAwait(false);
        if (peer is null) return new CallbackResult(false, "4004", "the peer of this task is no longer bound");

        var fields = form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToList();
        var sign = form.GetValueOrDefault("sign");
        var ok = MatrixSignature.Matches(sign, MatrixSignature.Sign(fields, peer.Token));
        if (!ok)
        {
            var system = await settings.GetTextAsync("matrix.system_token", ct).ConfigureAwait(false);
            ok = system.Length > 0 && MatrixSignature.Matches(sign, MatrixSignature.Sign(fields, system));
        }
        if (!ok) return new CallbackResult(false, "4003", "sign error");
        found(message);
        if (form.TryGetValue("node_id", out var node) && node.Length > 0 && node != peer.NodeId)
            return new CallbackResult(false, "4004", $"node_id {node} is not the peer of this task");

        var rsp = form.GetValueOrDefault("rsp")?.Trim();
        if (rsp is not ("succ" or "fail")) return new CallbackResult(false, "4006", "rsp must be succ or fail");
        var now = clock.GetUtcNow().UtcDateTime;
        var full = new JsonObject
        {
            ["rsp"] = rsp,
            ["res"] = form.GetValueOrDefault("res"),
            ["msg"] = form.GetValueOrDefault("msg"),
            ["data"] = Data(form.GetValueOrDefault("data")),
        }.ToJsonString(MatrixForm.JsonOptions);
        var answer = ApiLogMasking.Cut(full, 4000 - 20);
        var open = db.Set<OutboxMessage>().Where(m => m.Id == task && m.State != OutboxState.Succeeded);
        // a module listening to this method (IOutboxOutcome) reacts in the same transaction as the settling update
        await using var tx = outcomes.Handles(message.Method) && db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false)
            : null;
        int settled;
        if (rsp == "succ")
        {
            settled = await open.ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Succeeded).SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.Response, answer).SetProperty(m => m.UpdatedAt, now).SetProperty(m => m.CompletedAt, now), ct).ConfigureAwait(false);
        }
        else
        {
            var reason = ApiLogMasking.Cut($"{form.GetValueOrDefault("res")}: {form.GetValueOrDefault("msg")}", 4000 - 20);
            settled = await open.Where(m => m.State != OutboxState.Failed).ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Failed)
                .SetProperty(m => m.LastError, reason).SetProperty(m => m.Response, answer)
                .SetProperty(m => m.UpdatedAt, now).SetProperty(m => m.CompletedAt, now), ct).ConfigureAwait(false);
        }
        if (tx is not null)
        {
            if (settled > 0)
                await outcomes.NotifyAsync(new OutboxOutcome(message, rsp == "succ",
                    rsp == "succ" ? null : $"{form.GetValueOrDefault("res")}: {form.GetValueOrDefault("msg")}", full), ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        return CallbackResult.Accepted;
    }

    private static JsonNode? Data(string? data)
    {
        if (string.IsNullOrWhiteSpace(data)) return null;
        try { return JsonNode.Parse(data); }
        catch (JsonException) { return data; }
    }
}
