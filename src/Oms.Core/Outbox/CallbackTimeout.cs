using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Outbox;

/// <summary>
/// A peer that answered <c>rsp=running</c> promised a callback. When none arrives within
/// <c>matrix.callback_timeout_minutes</c>, the request becomes <c>failed</c> with that reason and an
/// API-log line, so it shows up where people look and can be retried — it never waits forever.
/// </summary>
public sealed class OutboxCallbackTimeout(OmsDbContext db, ApiLogWriter apiLog, TimeProvider clock, OutboxOutcomes outcomes)
{
    public const int Batch = 500;

    /// <summary>Fails running requests not answered within <paramref name="timeout"/>; returns how many.</summary>
    public async Task<int> ExpireAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now - timeout;
        var stale = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.State == OutboxState.Running && m.UpdatedAt < cutoff)
            .OrderBy(m => m.UpdatedAt).Take(Batch).ToListAsync(ct).ConfigureAwait(false);
        var reason = $"no callback within {timeout.TotalMinutes:0} minutes after the peer answered running";
        var expired = 0;
        foreach (var m in stale)
        {
            // conditional: a callback that lands meanwhile wins; a listening module reacts in the same transaction
            await using var tx = outcomes.Handles(m.Method) ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
            var changed = await db.Set<OutboxMessage>()
                .Where(x => x.Id == m.Id && x.State == OutboxState.Running && x.UpdatedAt < cutoff)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.State, OutboxState.Failed)
                    .SetProperty(x => x.LastError, reason)
                    .SetProperty(x => x.UpdatedAt, now)
                    .SetProperty(x => x.CompletedAt, now), ct).ConfigureAwait(false);
            if (tx is not null)
            {
                if (changed > 0) await outcomes.NotifyAsync(new OutboxOutcome(m, false, "callback_timeout: " + reason, null), ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
            if (changed == 0) continue;
            expired++;
            await apiLog.WriteAsync(new ApiLogEntry
            {
                Direction = ApiLogDirection.Out,
                Method = m.Method,
                Peer = m.PeerNodeId,
                Status = ApiLogStatus.Fail,
                ErrorCode = "callback_timeout",
                Message = reason,
                Attempt = m.Attempts,
                BusinessKey = m.BusinessKey,
                OutboxId = m.Id,
            }, ct).ConfigureAwait(false);
        }
        return expired;
    }
}

/// <summary>Timer <c>expire-outbox-callbacks</c> (every 5 minutes).</summary>
public sealed class OutboxCallbackTimeoutHandler(OutboxCallbackTimeout sweep, SettingsService settings) : ITaskHandler
{
    public const string TimerName = "expire-outbox-callbacks";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var minutes = await settings.GetIntAsync("matrix.callback_timeout_minutes", cancellationToken).ConfigureAwait(false);
        var n = await sweep.ExpireAsync(TimeSpan.FromMinutes(minutes), cancellationToken).ConfigureAwait(false);
        return TaskResult.Success($"{n} running requests without a callback marked failed");
    }
}
