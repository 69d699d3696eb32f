using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Oms.Tasks;

/// <summary>
/// The workers of one process (<c>oms serve</c> and <c>oms worker</c>): one consumer loop per kind
/// with the kind's concurrency, the control loop (kind switches, heartbeat, stats, lease
/// extension), the timer loop and, with RabbitMQ, the outbox relay. On shutdown it takes no new
/// tasks, lets running ones finish for <see cref="TaskOptions.ShutdownGrace"/>, then cancels them.
/// </summary>
public sealed partial class TaskWorkerHost(
    ITaskQueue queue,
    TaskRegistry registry,
    TaskOptions options,
    TaskDb taskDb,
    TaskSwitches switches,
    TaskStatsRecorder stats,
    TimerScheduler timers,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<TaskWorkerHost> log) : BackgroundService
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    private readonly ConcurrentDictionary<TaskKind, KindState> _kinds = new();
    private readonly Dictionary<string, SemaphoreSlim> _typeSlots = registry.Types.ToDictionary(t => t.Type, t => new SemaphoreSlim(Math.Max(1, t.MaxConcurrency)), StringComparer.Ordinal);
    private readonly CancellationTokenSource _handlerCts = new();

    private long _controlTicks;

    /// <summary>How many times the control loop has read the switches (tests and diagnostics).</summary>
    public long ControlTicks => Interlocked.Read(ref _controlTicks);

    /// <summary>True while the kind's consumer is open (false once a stop switch has taken effect).</summary>
    public bool IsConsuming(TaskKind kind) => _kinds.TryGetValue(kind, out var s) && s.Consumer is not null;

    /// <summary>Tasks this process runs right now, per kind.</summary>
    public int Running(TaskKind kind) => _kinds.TryGetValue(kind, out var s) ? s.InFlight.Count : 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var reg = stoppingToken.Register(() => _handlerCts.CancelAfter(options.ShutdownGrace));
        LogStarted(log, _owner, queue.Provider.ToString(), string.Join(",", registry.Types.Select(t => t.Kind).Distinct().Select(k => k.Name())));
        await ForeverAsync("startup", async ct =>
        {
            await switches.RefreshAsync(ct).ConfigureAwait(false);
            if (registry.Timers.Count > 0)
                await queue.EnqueueAsync([registry.Message(InitTimersHandler.Type)], ct).ConfigureAwait(false);
            return false;
        }, stoppingToken).ConfigureAwait(false);

        var loops = registry.Types.Select(t => t.Kind).Distinct().Select(k => RunKindAsync(k, stoppingToken)).ToList();
        loops.Add(ForeverAsync("control", async ct => { await ControlOnceAsync(ct).ConfigureAwait(false); await Task.Delay(options.ControlPoll, clock, ct).ConfigureAwait(false); return true; }, stoppingToken));
        loops.Add(ForeverAsync("timers", async ct =>
        {
            if (!switches.IsStopped(TaskKind.Timer)) await timers.FireDueAsync(ct).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), clock, ct).ConfigureAwait(false);
            return true;
        }, stoppingToken));
        if (queue is RabbitMqTaskQueue rabbit)
            loops.Add(ForeverAsync("relay", async ct =>
            {
                if (await rabbit.RelayOnceAsync(500, ct).ConfigureAwait(false) == 0)
                    await Task.Delay(options.IdlePoll, clock, ct).ConfigureAwait(false);
                return true;
            }, stoppingToken));
        await Task.WhenAll(loops).ConfigureAwait(false);

        try
        {
            await stats.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await using var db = taskDb.Create();
            await db.Set<TaskWorkerBeat>().Where(b => b.Owner == _owner).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLoopError(log, "shutdown", e);
        }
        LogStopped(log, _owner);
    }

    public override void Dispose()
    {
        _handlerCts.Dispose();
        foreach (var s in _typeSlots.Values) s.Dispose();
        foreach (var k in _kinds.Values) k.Slots.Dispose();
        base.Dispose();
    }

    /// <summary>Runs a step until it returns false or the host stops; an error is logged and the step retried.</summary>
    private async Task ForeverAsync(string name, Func<CancellationToken, Task<bool>> step, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!await step(stopping).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogLoopError(log, name, e);
                try { await Task.Delay(TimeSpan.FromSeconds(2), clock, stopping).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private sealed class KindState(int concurrency, IEnumerable<TaskTypeRegistration> types)
    {
        public int Concurrency { get; } = concurrency;
        public SemaphoreSlim Slots { get; } = new(concurrency);
        /// <summary>Per registered type of the kind: its concurrency and the tasks of it this process holds (leased, not settled).</summary>
        private readonly Dictionary<string, (int Max, StrongBox<int> Held)> _types =
            types.ToDictionary(t => t.Type, t => (Math.Max(1, t.MaxConcurrency), new StrongBox<int>()), StringComparer.Ordinal);
        private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// What the next lease may take: per type, the slots it has free (0 for a full one), so a process never holds
        /// tasks it cannot start while another process could.
        /// </summary>
        public Dictionary<string, int> Room() =>
            _types.ToDictionary(t => t.Key, t => Math.Max(0, t.Value.Max - Volatile.Read(ref t.Value.Held.Value)), StringComparer.Ordinal);

        public void Hold(string type)
        {
            if (_types.TryGetValue(type, out var t)) Interlocked.Increment(ref t.Held.Value);
        }

        /// <summary>A task of the type settled: its slot is free, and a loop waiting for one wakes.</summary>
        public void Settle(string type)
        {
            if (_types.TryGetValue(type, out var t)) Interlocked.Decrement(ref t.Held.Value);
            Volatile.Read(ref _settled).TrySetResult();
        }

        /// <summary>Completes at the next <see cref="Settle"/> after the last <see cref="Rearm"/>.</summary>
        public Task Settled => Volatile.Read(ref _settled).Task;

        public void Rearm()
        {
            if (Volatile.Read(ref _settled).Task.IsCompleted)
                Volatile.Write(ref _settled, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        /// <summary>Running tasks and when their lease was last extended.</summary>
        public ConcurrentDictionary<LeasedTask, DateTime> InFlight { get; } = new(ReferenceEqualityComparer.Instance);
        public ITaskConsumer? Consumer { get; set; }
        public Channel<LeasedTask>? Acks { get; set; }
        public Task? AckLoop { get; set; }
    }

    private async Task RunKindAsync(TaskKind kind, CancellationToken stopping)
    {
        await Task.Yield();
        var state = _kinds[kind] = new KindState(Math.Max(1, registry.Concurrency(kind)), registry.Types.Where(t => t.Kind == kind));
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (switches.IsStopped(kind))
                    {
                        if (state.Consumer is not null)
                        {
                            await CloseAsync(state).ConfigureAwait(false);
                            LogKindPaused(log, kind.Name());
                        }
                        await Task.Delay(options.ControlPoll, clock, stopping).ConfigureAwait(false);
                        continue;
                    }
                    if (state.Consumer is null)
                    {
                        state.Consumer = await queue.OpenConsumerAsync(kind, state.Concurrency, stopping).ConfigureAwait(false);
                        state.Acks = Channel.CreateUnbounded<LeasedTask>(new UnboundedChannelOptions { SingleReader = true });
                        state.AckLoop = AckLoopAsync(state.Consumer, state.Acks.Reader);
                    }
                    await state.Slots.WaitAsync(stopping).ConfigureAwait(false);
                    var free = 1;
                    while (free < state.Concurrency && state.Slots.Wait(0)) free++;
                    // a type whose slots are all busy is not leased (its tasks stay for another process); when nothing
                    // could be leased, the wait ends as soon as one of this kind's tasks settles and frees its type's slot
                    state.Rearm();
                    IReadOnlyList<LeasedTask> batch;
                    try
                    {
                        batch = await state.Consumer.ReceiveAsync(free, state.Room(), options.IdlePoll, state.Settled, stopping).ConfigureAwait(false);
                    }
                    catch
                    {
                        state.Slots.Release(free);
                        throw;
                    }
                    if (batch.Count < free) state.Slots.Release(free - batch.Count);
                    var now = clock.GetUtcNow().UtcDateTime;
                    foreach (var t in batch)
                    {
                        state.Hold(t.Message.Type);
                        state.InFlight[t] = now;
                        _ = RunOneAsync(kind, state, state.Consumer, state.Acks!.Writer, t);
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogLoopError(log, kind.Name(), e);
                    await CloseAsync(state).ConfigureAwait(false);
                    try { await Task.Delay(TimeSpan.FromSeconds(2), clock, stopping).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                }
            }
        }
        finally
        {
            await CloseAsync(state).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the kind's running tasks, flushes their acks, and returns the rest to the queue.</summary>
    private async Task CloseAsync(KindState state)
    {
        if (state.Consumer is null) return;
        for (var i = 0; i < state.Concurrency; i++)
            await state.Slots.WaitAsync().ConfigureAwait(false);
        state.Slots.Release(state.Concurrency);
        state.Acks!.Writer.TryComplete();
        await state.AckLoop!.ConfigureAwait(false);
        try
        {
            await state.Consumer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLoopError(log, "close", e);
        }
        state.Consumer = null;
    }

    private async Task AckLoopAsync(ITaskConsumer consumer, ChannelReader<LeasedTask> reader)
    {
        var batch = new List<LeasedTask>(500);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 500 && reader.TryRead(out var t)) batch.Add(t);
            try
            {
                await consumer.AckAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // not acknowledged: the tasks are delivered again, and idempotent handlers make that harmless
                LogLoopError(log, "ack", e);
            }
            batch.Clear();
        }
    }

    private async Task RunOneAsync(TaskKind kind, KindState state, ITaskConsumer consumer, ChannelWriter<LeasedTask> acks, LeasedTask task)
    {
        await Task.Yield();
        var m = task.Message;
        try
        {
            var reg = registry.Find(m.Type);
            if (reg is null)
            {
                await consumer.FailAsync(task, $"No handler is registered for task type '{m.Type}'.", CancellationToken.None).ConfigureAwait(false);
                stats.Failed(kind);
                return;
            }
            if (task.MaxAttempts > 0 && m.Attempt > reg.MaxAttempts)
            {
                // the database re-delivered a lease that expired: the worker died or the handler never returned
                var reason = $"Delivered {m.Attempt} times without finishing (worker stopped or lease expired). Last error: {task.LastError ?? "none"}";
                await consumer.FailAsync(task, reason, CancellationToken.None).ConfigureAwait(false);
                stats.Failed(kind);
                LogFailed(log, m.Type, m.Id, m.Attempt, reason);
                return;
            }
            var result = await HandleAsync(reg, m).ConfigureAwait(false);
            if (result.Succeeded)
            {
                acks.TryWrite(task);
                stats.Done(kind);
            }
            else if (m.Attempt >= reg.MaxAttempts)
            {
                await consumer.FailAsync(task, result.Message!, CancellationToken.None).ConfigureAwait(false);
                stats.Failed(kind);
                LogFailed(log, m.Type, m.Id, m.Attempt, result.Message!);
            }
            else
            {
                var delay = reg.Backoff(m.Attempt);
                await consumer.RetryAsync(task, result.Message!, clock.GetUtcNow().UtcDateTime + delay, CancellationToken.None).ConfigureAwait(false);
                LogRetry(log, m.Type, m.Id, m.Attempt, delay.TotalSeconds, result.Message!);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // left unsettled: the lease expires (or the channel closes) and the task is delivered again
            LogLoopError(log, "settle " + m.Type, e);
        }
        finally
        {
            state.InFlight.TryRemove(task, out _);
            state.Settle(m.Type);
            state.Slots.Release();
        }
    }

    private async Task<TaskResult> HandleAsync(TaskTypeRegistration reg, TaskMessage m)
    {
        var slot = _typeSlots[reg.Type];
        try
        {
            await slot.WaitAsync(_handlerCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return TaskResult.Failure("Stopped before the task could start.");
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (ITaskHandler)scope.ServiceProvider.GetRequiredService(reg.HandlerType);
            var result = await handler.HandleAsync(new TaskContext(m, scope.ServiceProvider), _handlerCts.Token).ConfigureAwait(false);
            return result.Succeeded || !string.IsNullOrWhiteSpace(result.Message) ? result : TaskResult.Failure("The handler failed without a reason.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return TaskResult.Failure(string.IsNullOrWhiteSpace(e.Message) ? e.GetType().Name : e.Message);
        }
        finally
        {
            slot.Release();
        }
    }

    private async Task ControlOnceAsync(CancellationToken ct)
    {
        await switches.RefreshAsync(ct).ConfigureAwait(false);
        await stats.FlushAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = taskDb.Create())
        {
            foreach (var kind in _kinds.Keys)
            {
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO task_worker (owner, kind, running, beat_at) VALUES ({0}, {1}, {2}, {3}) " +
                    "ON CONFLICT (owner, kind) DO UPDATE SET running = excluded.running, beat_at = excluded.beat_at",
                    [_owner, kind.Name(), Running(kind), TaskSql.Time(taskDb.IsSqlite, now)], ct).ConfigureAwait(false);
            }
            await db.Database.ExecuteSqlRawAsync("DELETE FROM task_worker WHERE beat_at < {0}",
                [TaskSql.Time(taskDb.IsSqlite, now - TimeSpan.FromMinutes(1))], ct).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _controlTicks);
        // a running task keeps its database lease: extend it once a third of the lease time has passed
        foreach (var state in _kinds.Values)
        {
            if (state.Consumer is not { } consumer) continue;
            var due = state.InFlight.Where(kv => now - kv.Value > options.LeaseTime / 3).Select(kv => kv.Key).ToList();
            if (due.Count == 0) continue;
            await consumer.KeepAliveAsync(due, ct).ConfigureAwait(false);
            foreach (var t in due) state.InFlight.TryUpdate(t, now, state.InFlight.GetValueOrDefault(t));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task workers {Owner} started on the {Provider} queue for kinds {Kinds}")]
    private static partial void LogStarted(ILogger logger, string owner, string provider, string kinds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task workers {Owner} stopped")]
    private static partial void LogStopped(ILogger logger, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task kind {Kind} is stopped: running tasks finished, no new ones are taken")]
    private static partial void LogKindPaused(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task worker loop {Loop} failed; retrying")]
    private static partial void LogLoopError(ILogger logger, string loop, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Type} {Id} attempt {Attempt} failed, retry in {Seconds}s: {Reason}")]
    private static partial void LogRetry(ILogger logger, string type, string id, int attempt, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {Type} {Id} failed on attempt {Attempt}, moved to the failed list: {Reason}")]
    private static partial void LogFailed(ILogger logger, string type, string id, int attempt, string reason);
}

/// <summary>The persisted start/stop switches of the kinds, as this process last read them.</summary>
public sealed class TaskSwitches(TaskDb taskDb)
{
    private volatile HashSet<string> _stopped = [];

    public bool IsStopped(TaskKind kind) => _stopped.Contains(kind.Name());

    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var db = taskDb.Create();
        var stopped = await db.Set<TaskKindState>().AsNoTracking().Where(s => s.Stopped).Select(s => s.Kind).ToListAsync(ct).ConfigureAwait(false);
        _stopped = stopped.ToHashSet(StringComparer.Ordinal);
    }
}

/// <summary>Counts finished tasks in memory and adds them to <c>task_stats</c> once a second.</summary>
public sealed class TaskStatsRecorder(TaskDb taskDb, TimeProvider clock)
{
    private readonly ConcurrentDictionary<TaskKind, StrongBox> _done = new();
    private readonly ConcurrentDictionary<TaskKind, StrongBox> _failed = new();

    private sealed class StrongBox { public long Value; }

    public void Done(TaskKind kind) => Interlocked.Increment(ref _done.GetOrAdd(kind, _ => new StrongBox()).Value);
    public void Failed(TaskKind kind) => Interlocked.Increment(ref _failed.GetOrAdd(kind, _ => new StrongBox()).Value);

    public async Task FlushAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var minute = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        await using var db = taskDb.Create();
        foreach (var kind in TaskKinds.All)
        {
            var done = _done.TryGetValue(kind, out var d) ? Interlocked.Exchange(ref d.Value, 0) : 0;
            var failed = _failed.TryGetValue(kind, out var f) ? Interlocked.Exchange(ref f.Value, 0) : 0;
            if (done == 0 && failed == 0) continue;
            try
            {
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO task_stats (kind, minute, done, failed) VALUES ({0}, {1}, {2}, {3}) " +
                    "ON CONFLICT (kind, minute) DO UPDATE SET done = task_stats.done + excluded.done, failed = task_stats.failed + excluded.failed",
                    [kind.Name(), TaskSql.Time(taskDb.IsSqlite, minute), done, failed], ct).ConfigureAwait(false);
            }
            catch
            {
                // a flush cancelled by shutdown (or a failed write) keeps its counts for the next flush
                Interlocked.Add(ref _done.GetOrAdd(kind, _ => new StrongBox()).Value, done);
                Interlocked.Add(ref _failed.GetOrAdd(kind, _ => new StrongBox()).Value, failed);
                throw;
            }
        }
    }
}

/// <summary>
/// Fires due timers. Every process runs this; a firing is claimed by moving <c>next_run_at</c>
/// from the due time it read to the next one in one conditional update, in the same transaction as
/// the enqueue of the timer task — exactly one process wins each period.
/// </summary>
public sealed partial class TimerScheduler(TaskDb taskDb, ITaskQueue queue, TaskRegistry registry, TimeProvider clock, ILogger<TimerScheduler> log)
{
    public async Task<int> FireDueAsync(CancellationToken ct)
    {
        if (registry.Timers.Count == 0) return 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var names = registry.Timers.Select(t => t.Name).ToList();
        List<TaskTimerRow> due;
        await using (var db = taskDb.Create())
            due = await db.Set<TaskTimerRow>().AsNoTracking().Where(t => names.Contains(t.Name) && t.NextRunAt <= now).ToListAsync(ct).ConfigureAwait(false);
        var fired = 0;
        foreach (var row in due)
        {
            var def = registry.Timers.First(t => t.Name == row.Name);
            var next = TimerDefinition.Next(def.Cron, now);
            await using var db = taskDb.Create();
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            var won = await db.Database.ExecuteSqlRawAsync(
                "UPDATE task_timer SET next_run_at = {0}, last_run_at = {1} WHERE name = {2} AND next_run_at = {1}",
                [TaskSql.Time(taskDb.IsSqlite, next), TaskSql.Time(taskDb.IsSqlite, row.NextRunAt), row.Name], ct).ConfigureAwait(false);
            if (won != 1) continue;
            var payload = JsonSerializer.Serialize(new { timer = row.Name, due = row.NextRunAt });
            queue.Enqueue(db, [new TaskMessage(Guid.NewGuid().ToString(), def.Type, TaskKind.Timer, payload, 1, DateTime.MinValue)]);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            fired++;
            LogFired(log, row.Name, row.NextRunAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), next.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
        return fired;
    }

    /// <summary>Puts a row in place for every registered timer; a changed cron moves its next run.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = taskDb.Create();
        foreach (var t in registry.Timers)
        {
            var next = TaskSql.Time(taskDb.IsSqlite, TimerDefinition.Next(t.Cron, now));
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO task_timer (name, cron, type, next_run_at) VALUES ({0}, {1}, {2}, {3}) ON CONFLICT (name) DO NOTHING",
                [t.Name, t.Cron, t.Type, next], ct).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync(
                "UPDATE task_timer SET cron = {1}, type = {2}, next_run_at = {3} WHERE name = {0} AND (cron <> {1} OR type <> {2})",
                [t.Name, t.Cron, t.Type, next], ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer {Name} fired for {Due}; next run {Next}")]
    private static partial void LogFired(ILogger logger, string name, string due, string next);
}
