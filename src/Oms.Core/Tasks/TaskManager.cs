using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;

namespace Oms.Tasks;

/// <summary>One kind's line in <c>oms tasks status</c> (and the admin page).</summary>
public sealed record KindStatus(TaskKind Kind, bool Stopped, long Running, long Waiting, long Failed, long DoneLastMinute);

/// <summary>
/// 任务管理: status per kind, the start/stop switches and the failed list (retry, discard).
/// One unit of work per call; changes are audited.
/// </summary>
public sealed class TaskManager(OmsDbContext db, ITaskQueue queue, TimeProvider clock, AuditLog audit)
{
    public async Task<IReadOnlyList<KindStatus>> StatusAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var depth = await queue.DepthAsync(ct).ConfigureAwait(false);
        var stopped = await db.Set<TaskKindState>().AsNoTracking().Where(s => s.Stopped).Select(s => s.Kind).ToListAsync(ct).ConfigureAwait(false);
        var failed = await db.Set<FailedTask>().AsNoTracking().GroupBy(f => f.Kind).Select(g => new { g.Key, N = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => (long)x.N, ct).ConfigureAwait(false);
        var minute = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(-1);
        var done = await db.Set<TaskMinuteStats>().AsNoTracking().Where(s => s.Minute >= minute).GroupBy(s => s.Kind)
            .Select(g => new { g.Key, N = g.Sum(s => s.Done) }).ToDictionaryAsync(x => x.Key, x => x.N, ct).ConfigureAwait(false);
        var beatSince = now - TimeSpan.FromSeconds(10);
        var running = await db.Set<TaskWorkerBeat>().AsNoTracking().Where(b => b.BeatAt >= beatSince).GroupBy(b => b.Kind)
            .Select(g => new { g.Key, N = g.Sum(b => b.Running) }).ToDictionaryAsync(x => x.Key, x => (long)x.N, ct).ConfigureAwait(false);
        return TaskKinds.All.Select(k => new KindStatus(
            k,
            stopped.Contains(k.Name()),
            depth[k].Leased ?? running.GetValueOrDefault(k.Name()),
            depth[k].Waiting,
            failed.GetValueOrDefault(k.Name()),
            done.GetValueOrDefault(k.Name()))).ToList();
    }

    /// <summary>Stops a kind in every process: running tasks finish, no new ones are taken (within a second or two).</summary>
    public Task StopAsync(TaskKind kind, string? userName, CancellationToken ct = default) => SwitchAsync(kind, true, userName, ct);

    public Task StartAsync(TaskKind kind, string? userName, CancellationToken ct = default) => SwitchAsync(kind, false, userName, ct);

    private async Task SwitchAsync(TaskKind kind, bool stop, string? userName, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.Set<TaskKindState>().FirstOrDefaultAsync(s => s.Kind == kind.Name(), ct).ConfigureAwait(false);
        if (row is null) db.Add(row = new TaskKindState { Kind = kind.Name() });
        row.Stopped = stop;
        row.UpdatedAt = now;
        row.UpdatedBy = userName;
        audit.Record(stop ? "tasks.stop" : "tasks.start", $"task-kind:{kind.Name()}", null, userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The newest failed tasks, optionally of one kind (a first page of <see cref="FailedPageAsync"/>).</summary>
    public async Task<IReadOnlyList<FailedTask>> FailedAsync(TaskKind? kind = null, int take = 50, CancellationToken ct = default) =>
        (await FailedPageAsync(kind, null, null, take, ct).ConfigureAwait(false)).Rows;

    /// <summary>
    /// The failed list newest first, optionally of one kind and one type, keyset-paged on
    /// (failed at, id) so rows failing in the same tick are neither skipped nor repeated; no OFFSET.
    /// </summary>
    public async Task<(IReadOnlyList<FailedTask> Rows, FailedCursor? Next)> FailedPageAsync(
        TaskKind? kind, string? type, FailedCursor? before, int take = 50, CancellationToken ct = default)
    {
        take = Math.Clamp(take, 1, 1000);
        var q = db.Set<FailedTask>().AsNoTracking();
        if (kind is { } k)
        {
            var name = k.Name();
            q = q.Where(f => f.Kind == name);
        }
        if (!string.IsNullOrWhiteSpace(type))
        {
            var t = type.Trim();
            q = q.Where(f => f.Type == t);
        }
        if (before is not null)
            q = q.Where(f => f.FailedAt < before.FailedAt || (f.FailedAt == before.FailedAt && string.Compare(f.Id, before.Id) < 0));
        var rows = await q.OrderByDescending(f => f.FailedAt).ThenByDescending(f => f.Id).Take(take + 1).ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count <= take) return (rows, null);
        rows.RemoveAt(take);
        var last = rows[^1];
        return (rows, new FailedCursor(last.FailedAt, last.Id));
    }

    /// <summary>The reasons of every failed attempt of a message, oldest first.</summary>
    public async Task<IReadOnlyList<TaskLogLine>> AttemptsAsync(string messageId, CancellationToken ct = default) =>
        await db.Set<TaskLogLine>().AsNoTracking().Where(l => l.MessageId == messageId).OrderBy(l => l.Id).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>Puts a failed task back on the queue with its attempts reset (same message id).</summary>
    public async Task RetryFailedAsync(string id, string? userName, CancellationToken ct = default)
    {
        var row = await FindFailedAsync(id, ct).ConfigureAwait(false);
        db.Remove(row);
        queue.Enqueue(db, [new TaskMessage(row.Id, row.Type, TaskKinds.Parse(row.Kind), row.Payload, 1, DateTime.MinValue)]);
        audit.Record("tasks.retry", $"task:{row.Id}", row.Type, userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Drops a failed task for good.</summary>
    public async Task DiscardFailedAsync(string id, string? userName, CancellationToken ct = default)
    {
        var row = await FindFailedAsync(id, ct).ConfigureAwait(false);
        db.Remove(row);
        audit.Record("tasks.discard", $"task:{row.Id}", $"{row.Type}: {row.LastError}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task<FailedTask> FindFailedAsync(string id, CancellationToken ct) =>
        await db.Set<FailedTask>().FirstOrDefaultAsync(f => f.Id == id, ct).ConfigureAwait(false)
        ?? throw new DomainException($"Task {id} is not on the failed list.");
}

/// <summary>
/// Position in the failed list (newest first): the failed-at time and the id, so rows failing in
/// the same tick are neither skipped nor repeated across pages. Text form <c>TICKS.ID</c>.
/// </summary>
public sealed record FailedCursor(DateTime FailedAt, string Id)
{
    public override string ToString() => FailedAt.Ticks.ToString(CultureInfo.InvariantCulture) + "." + Id;

    public static FailedCursor? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                       && ticks is >= 0 and <= 3155378975999999999
            ? new FailedCursor(new DateTime(ticks, DateTimeKind.Utc), text[(dot + 1)..])
            : null;
    }
}
