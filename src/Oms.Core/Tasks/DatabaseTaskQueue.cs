using Microsoft.EntityFrameworkCore;
using Oms.Data;

namespace Oms.Tasks;

/// <summary>Creates short-lived contexts for the task machinery's own units of work.</summary>
public sealed class TaskDb(DatabaseOptions options)
{
    private readonly DbContextOptions<OmsDbContext> _options = options.Build();
    public bool IsSqlite { get; } = options.Provider == DatabaseProvider.Sqlite;
    public OmsDbContext Create() => new(_options);
}

/// <summary>
/// The default backend: the <c>task_queue</c> table. A lease moves a row's <c>visible_at</c> to the
/// lease expiry, so a worker that dies (even by SIGKILL) loses nothing: the row becomes visible
/// again and is re-delivered. Done rows are deleted; failed ones move to <c>task_failed</c>.
/// </summary>
public sealed class DatabaseTaskQueue(TaskDb taskDb, TimeProvider clock, TaskOptions options, TaskRegistry registry) : ITaskQueue
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public QueueProvider Provider => QueueProvider.Database;
    private TimeSpan LeaseTime => options.LeaseTime;
    private TimeProvider Clock => clock;

    public void Enqueue(OmsDbContext db, IEnumerable<TaskMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(messages);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var m in messages) db.Add(Row(m, now));
    }

    void ITaskQueue.Enqueue(RowInserter rows, IEnumerable<TaskMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(messages);
        var now = clock.GetUtcNow().UtcDateTime;
        rows.AddRange(messages.Select(m => Row(m, now)));
    }

    public async Task EnqueueAsync(IReadOnlyCollection<TaskMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        await using var db = taskDb.Create();
        Enqueue(db, messages);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    internal TaskQueueRow Row(TaskMessage m, DateTime now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(m.Id);
        var reg = registry.Find(m.Type);
        return new TaskQueueRow
        {
            Id = m.Id,
            Type = m.Type,
            Kind = m.Kind.Name(),
            Payload = m.Payload,
            State = TaskQueueRow.Ready,
            Attempts = Math.Max(0, m.Attempt - 1),
            MaxAttempts = reg?.MaxAttempts ?? 3,
            VisibleAt = m.NotBefore < now ? now : m.NotBefore,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    public Task<ITaskConsumer> OpenConsumerAsync(TaskKind kind, int prefetch, CancellationToken ct = default) =>
        Task.FromResult<ITaskConsumer>(new Consumer(this, kind));

    public async Task<IReadOnlyDictionary<TaskKind, QueueDepth>> DepthAsync(CancellationToken ct = default)
    {
        await using var db = taskDb.Create();
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Set<TaskQueueRow>().AsNoTracking()
            .GroupBy(r => r.Kind)
            .Select(g => new { Kind = g.Key, Leased = g.Count(r => r.State == TaskQueueRow.Leased && r.VisibleAt > now), All = g.Count() })
            .ToListAsync(ct).ConfigureAwait(false);
        var result = TaskKinds.All.ToDictionary(k => k, _ => new QueueDepth(0, 0));
        foreach (var r in rows)
            result[TaskKinds.Parse(r.Kind)] = new QueueDepth(r.All - r.Leased, r.Leased);
        return result;
    }

    /// <summary>
    /// Leases up to <paramref name="max"/> visible rows of a kind (any kind when null), oldest first; with
    /// <paramref name="perType"/>, at most its count of each type it names, and of the types it does not name only when
    /// <paramref name="others"/> (what is left of max). PostgreSQL
    /// skips rows other workers hold (<c>FOR UPDATE SKIP LOCKED</c>); SQLite has one writer, so a
    /// single <c>UPDATE … RETURNING</c> in an immediate transaction is already exclusive.
    /// <paramref name="countAttempt"/> is false for the RabbitMQ relay, which only moves rows.
    /// </summary>
    internal async Task<IReadOnlyList<LeasedTask>> LeaseAsync(TaskKind? kind, int max, IReadOnlyDictionary<string, int>? perType, bool others,
        TimeSpan leaseTime, bool countAttempt, CancellationToken ct)
    {
        await using var db = taskDb.Create();
        var sqlite = taskDb.IsSqlite;
        var now = clock.GetUtcNow().UtcDateTime;
        var kindFilter = kind is null ? "" : "kind = @kind AND ";
        // per type: one ordered, limited pick of each named type with room (together at most max), so a type whose slots
        // are full is not taken at all; with others, one more pick of the types not named (no handler: they fail at once)
        var named = perType?.Keys.Order(StringComparer.Ordinal).ToList();
        var picks = new List<(string Filter, string Limit, int N)>();
        var usedNames = new SortedSet<int>();
        if (perType is null) picks.Add(("", "@n", max));
        else
        {
            // the types not named get one of max when looked for (the slot a task of no handler takes until it fails)
            others = others && max > 0;
            var left = others ? max - 1 : max;
            for (var i = 0; i < named!.Count; i++)
            {
                var n = Math.Min(perType[named[i]], left);
                if (n <= 0) continue;
                picks.Add(($"type = @t{i} AND ", $"@n{picks.Count}", n));
                usedNames.Add(i);
                left -= n;
            }
            if (others)
            {
                usedNames.UnionWith(Enumerable.Range(0, named.Count));
                picks.Add((named.Count == 0 ? "" : $"type NOT IN ({string.Join(", ", named.Select((_, i) => $"@t{i}"))}) AND ", $"@n{picks.Count}", left + 1));
            }
            if (picks.Count == 0) return [];
        }
        string Pick((string Filter, string Limit, int N) p) =>
            $"SELECT id FROM task_queue WHERE {kindFilter}{p.Filter}visible_at <= @now ORDER BY visible_at LIMIT {p.Limit}{(sqlite ? "" : " FOR UPDATE SKIP LOCKED")}";
        string picked;
        if (perType is null) picked = sqlite ? Pick(picks[0]) : $"({Pick(picks[0])})";
        else if (sqlite) picked = string.Join(" UNION ALL ", picks.Select(p => $"SELECT id FROM ({Pick(p)})"));
        else picked = "(" + string.Join(" UNION ALL ", picks.Select((_, i) => $"SELECT id FROM c{i}")) + ")";
        var ctes = perType is null || sqlite ? "" : "WITH " + string.Join(", ", picks.Select((p, i) => $"c{i} AS ({Pick(p)})")) + "\n";
        var sql = sqlite
            ? $"""
               UPDATE task_queue SET state = 1, attempts = attempts + @inc, visible_at = @until, lease_owner = @owner, updated_at = @now
               WHERE id IN ({picked})
               RETURNING id, type, kind, payload, attempts, max_attempts, last_error
               """
            : $"""
               {ctes}UPDATE task_queue t SET state = 1, attempts = t.attempts + @inc, visible_at = @until, lease_owner = @owner, updated_at = @now
               FROM {picked} s
               WHERE t.id = s.id
               RETURNING t.id, t.type, t.kind, t.payload, t.attempts, t.max_attempts, t.last_error
               """;
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var list = new List<LeasedTask>(max);
        await using (var cmd = TaskSql.Command(db, sql))
        {
            cmd.With("@inc", countAttempt ? 1 : 0).With("@until", TaskSql.Time(sqlite, now + leaseTime)).With("@owner", _owner)
               .With("@now", TaskSql.Time(sqlite, now));
            if (kind is not null) cmd.With("@kind", kind.Value.Name());
            if (perType is null) cmd.With("@n", max);
            else
            {
                foreach (var i in usedNames) cmd.With($"@t{i}", named![i]);
                for (var i = 0; i < picks.Count; i++) cmd.With($"@n{i}", picks[i].N);
            }
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var attempts = r.GetInt32(4);
                var msg = new TaskMessage(r.GetString(0), r.GetString(1), TaskKinds.Parse(r.GetString(2)), r.GetString(3),
                    countAttempt ? attempts : attempts + 1, DateTime.MinValue);
                list.Add(new LeasedTask(msg, r.GetInt32(5), r.IsDBNull(6) ? null : r.GetString(6)));
            }
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return list;
    }

    /// <summary>
    /// Deletes leased rows (done, or handed over to RabbitMQ). A row put back to ready meanwhile (a
    /// retry scheduled by another delivery of the same message) stays.
    /// </summary>
    internal async Task DeleteAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct)
    {
        await using var db = taskDb.Create();
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        foreach (var chunk in tasks.Chunk(500))
        {
            await using var cmd = TaskSql.Command(db, "");
            cmd.CommandText = $"DELETE FROM task_queue WHERE state = 1 AND id IN ({cmd.InList("i", chunk.Select(t => t.Message.Id))})";
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task ExtendAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct)
    {
        await using var db = taskDb.Create();
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var until = TaskSql.Time(taskDb.IsSqlite, clock.GetUtcNow().UtcDateTime + options.LeaseTime);
        foreach (var chunk in tasks.Chunk(500))
        {
            await using var cmd = TaskSql.Command(db, "");
            cmd.CommandText = $"UPDATE task_queue SET visible_at = @until WHERE state = 1 AND lease_owner = @owner AND id IN ({cmd.InList("i", chunk.Select(t => t.Message.Id))})";
            cmd.With("@until", until).With("@owner", _owner);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task RetryAsync(LeasedTask task, string reason, DateTime retryAt, CancellationToken ct)
    {
        await using var db = taskDb.Create();
        var sqlite = taskDb.IsSqlite;
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var cmd = TaskSql.Command(db,
            "UPDATE task_queue SET state = 0, visible_at = @at, lease_owner = NULL, last_error = @err, updated_at = @now WHERE id = @id AND attempts = @attempt"))
        {
            cmd.With("@at", TaskSql.Time(sqlite, retryAt)).With("@err", TaskSql.Truncate(reason, 4000)).With("@now", TaskSql.Time(sqlite, now))
               .With("@id", task.Message.Id).With("@attempt", task.Message.Attempt);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        TaskFailures.Log(db, task.Message, "retry", reason, now);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private async Task FailAsync(LeasedTask task, string reason, CancellationToken ct)
    {
        await using var db = taskDb.Create();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await db.Set<TaskQueueRow>().Where(r => r.Id == task.Message.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await TaskFailures.MoveToFailedAsync(db, task.Message, reason, now, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private sealed class Consumer(DatabaseTaskQueue queue, TaskKind kind) : ITaskConsumer
    {
        private static readonly TimeSpan OthersEvery = TimeSpan.FromSeconds(1);
        private DateTime _othersAt;

        /// <summary>
        /// Types <paramref name="perType"/> does not name (no handler here: they go to the failed list at once) are looked for
        /// at most once a second: finding none means walking the kind's whole backlog of ready rows.
        /// </summary>
        public async Task<IReadOnlyList<LeasedTask>> ReceiveAsync(int max, IReadOnlyDictionary<string, int>? perType, TimeSpan wait, Task? wake, CancellationToken ct)
        {
            var now = queue.Clock.GetUtcNow().UtcDateTime;
            var others = now >= _othersAt;
            if (others) _othersAt = now + OthersEvery;
            var leased = await queue.LeaseAsync(kind, max, perType, others, queue.LeaseTime, countAttempt: true, ct).ConfigureAwait(false);
            if (leased.Count == 0 && wait > TimeSpan.Zero)
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var delay = Task.Delay(wait, queue.Clock, waiting.Token);
                await Task.WhenAny(delay, wake ?? delay).ConfigureAwait(false);
                await waiting.CancelAsync().ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
            return leased;
        }

        public Task AckAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct) => queue.DeleteAsync(tasks, ct);
        public Task RetryAsync(LeasedTask task, string reason, DateTime retryAt, CancellationToken ct) => queue.RetryAsync(task, reason, retryAt, ct);
        public Task FailAsync(LeasedTask task, string reason, CancellationToken ct) => queue.FailAsync(task, reason, ct);
        public Task KeepAliveAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct) => queue.ExtendAsync(tasks, ct);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The failed list and the failure log, shared by both backends.</summary>
internal static class TaskFailures
{
    public static void Log(OmsDbContext db, TaskMessage m, string outcome, string reason, DateTime now) =>
        db.Add(new TaskLogLine
        {
            MessageId = m.Id,
            Type = TaskSql.Truncate(m.Type, 100),
            Kind = m.Kind.Name(),
            Attempt = m.Attempt,
            Outcome = outcome,
            Error = TaskSql.Truncate(reason, 4000),
            At = now,
        });

    /// <summary>Adds the failed-list row (replacing an older one of the same id) and the log line; the caller saves.</summary>
    public static async Task MoveToFailedAsync(OmsDbContext db, TaskMessage m, string reason, DateTime now, CancellationToken ct)
    {
        await db.Set<FailedTask>().Where(f => f.Id == m.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        db.Add(new FailedTask
        {
            Id = m.Id,
            Type = m.Type,
            Kind = m.Kind.Name(),
            Payload = m.Payload,
            Attempts = m.Attempt,
            LastError = TaskSql.Truncate(reason, 4000),
            CreatedAt = now,
            FailedAt = now,
        });
        Log(db, m, "failed", reason, now);
    }
}
