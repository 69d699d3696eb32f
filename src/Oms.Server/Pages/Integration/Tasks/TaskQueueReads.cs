using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Oms.Data;
using Oms.Server.Web;
using Oms.Tasks;

namespace Oms.Server.Pages.Integration.Tasks;

/// <summary>One kind's line on the queue page: <see cref="TaskManager.StatusAsync"/> plus the last hour's throughput.</summary>
public sealed record KindRow(KindStatus Status, long DoneLastHour, long FailedLastHour);

/// <summary>A timer as registered (cron after configuration overrides) with its row in <c>task_timer</c>, if the workers made it yet.</summary>
public sealed record TimerRow(string Name, string Cron, string Type, DateTime NextRunAt, DateTime? LastRunAt);

/// <summary>
/// The read side of the task queue pages that <see cref="TaskManager"/> does not answer: throughput
/// over an hour, timers and one failed task.
/// Reads only; every change goes through <see cref="TaskManager"/> (audited).
/// </summary>
public static class TaskQueueReads
{
    public const int FailedPageSize = 50;

    public static async Task<IReadOnlyList<KindRow>> KindsAsync(TaskManager tasks, OmsDbContext db, DateTime nowUtc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(db);
        var status = await tasks.StatusAsync(ct).ConfigureAwait(false);
        var since = nowUtc.AddHours(-1);
        var hour = await db.Set<TaskMinuteStats>().AsNoTracking().Where(s => s.Minute >= since).GroupBy(s => s.Kind)
            .Select(g => new { g.Key, Done = g.Sum(s => s.Done), Failed = g.Sum(s => s.Failed) })
            .ToDictionaryAsync(x => x.Key, ct).ConfigureAwait(false);
        return status.Select(s => new KindRow(s,
            hour.TryGetValue(s.Kind.Name(), out var h) ? h.Done : 0,
            hour.TryGetValue(s.Kind.Name(), out var f) ? f.Failed : 0)).ToList();
    }

    public static async Task<IReadOnlyList<TimerRow>> TimersAsync(OmsDbContext db, TaskRegistry registry, DateTime nowUtc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(registry);
        var rows = await db.Set<TaskTimerRow>().AsNoTracking().ToDictionaryAsync(t => t.Name, StringComparer.Ordinal, ct).ConfigureAwait(false);
        return registry.Timers.Select(t => rows.TryGetValue(t.Name, out var r)
                ? new TimerRow(t.Name, t.Cron, t.Type, r.NextRunAt, r.LastRunAt)
                : new TimerRow(t.Name, t.Cron, t.Type, TimerDefinition.Next(t.Cron, nowUtc), null))
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    public static Task<FailedTask?> FailedTaskAsync(OmsDbContext db, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Set<FailedTask>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
    }

    /// <summary>The label of a kind in the current language.</summary>
    public static string KindLabel(IStringLocalizer<SharedResource> l, TaskKind kind)
    {
        ArgumentNullException.ThrowIfNull(l);
        return kind switch
        {
            TaskKind.Timer => l["Tasks.Kind.Timer"],
            TaskKind.Init => l["Tasks.Kind.Init"],
            TaskKind.Task => l["Tasks.Kind.Task"],
            TaskKind.Export => l["Tasks.Kind.Export"],
            TaskKind.Rpc => l["Tasks.Kind.Rpc"],
            _ => kind.Name(),
        };
    }

    /// <summary>The kind of a stored row, or null for a name this version does not know.</summary>
    public static TaskKind? TryKind(string? name) =>
        TaskKinds.All.Where(k => string.Equals(k.Name(), name?.Trim(), StringComparison.OrdinalIgnoreCase)).Select(k => (TaskKind?)k).FirstOrDefault();
}
