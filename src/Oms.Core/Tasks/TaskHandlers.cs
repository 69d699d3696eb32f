using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;

namespace Oms.Tasks;

/// <summary>
/// Idempotency by message id: a handler records its receipt in the same transaction as its
/// effect; a re-delivered message finds the receipt and does nothing again.
/// </summary>
public static class TaskReceipts
{
    /// <summary>True when this call recorded the receipt (first time), false when it was there already.</summary>
    public static async Task<bool> TryRecordAsync(OmsDbContext db, TaskContext context, DateTime nowUtc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(context);
        var rows = await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO task_receipt (message_id, type, at) VALUES ({0}, {1}, {2}) ON CONFLICT (message_id) DO NOTHING",
            [context.MessageId, TaskSql.Truncate(context.Message.Type, 100), TaskSql.Time(db.IsSqlite, nowUtc)], ct).ConfigureAwait(false);
        return rows == 1;
    }
}

/// <summary>
/// <c>tasks.ping</c>: proves the workers run end to end. Records its receipt (once per message id)
/// and then, if the payload asks (<c>{"holdMs": 2000}</c>, at most a minute), keeps its worker slot
/// for that long — how an operator (and the fault tests) see a task in flight.
/// </summary>
public sealed class PingHandler(OmsDbContext db, TimeProvider clock) : ITaskHandler
{
    public const string Type = "tasks.ping";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var first = await TaskReceipts.TryRecordAsync(db, context, clock.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        var hold = 0;
        using (var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(context.Payload) ? "{}" : context.Payload))
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("holdMs", out var h) && h.TryGetInt32(out var ms))
                hold = Math.Clamp(ms, 0, 60_000);
        if (hold > 0) await Task.Delay(TimeSpan.FromMilliseconds(hold), clock, cancellationToken).ConfigureAwait(false);
        return TaskResult.Success(first ? "pong" : "pong (already recorded)");
    }
}

/// <summary><c>tasks.init-timers</c> (kind <c>init</c>): puts the timer rows in place; enqueued by every worker host at start.</summary>
public sealed class InitTimersHandler(TimerScheduler timers) : ITaskHandler
{
    public const string Type = "tasks.init-timers";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        await timers.SyncAsync(cancellationToken).ConfigureAwait(false);
        return TaskResult.Success();
    }
}

/// <summary>
/// Timer <c>cleanup-task-history</c> (daily 03:00 China time): deletes task log lines, per-minute
/// stats, receipts and stale worker heartbeats older than two weeks. The failed list is kept until
/// someone retries or discards its entries.
/// </summary>
public sealed class TaskHistoryCleanupHandler(OmsDbContext db, TimeProvider clock) : ITaskHandler
{
    public const string TimerName = "cleanup-task-history";
    public static readonly TimeSpan Keep = TimeSpan.FromDays(14);

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var before = now - Keep;
        await TaskReceipts.TryRecordAsync(db, context, now, cancellationToken).ConfigureAwait(false);
        var log = await db.Set<TaskLogLine>().Where(l => l.At < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var stats = await db.Set<TaskMinuteStats>().Where(s => s.Minute < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var receipts = await db.Set<TaskReceipt>().Where(r => r.At < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<TaskWorkerBeat>().Where(b => b.BeatAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return TaskResult.Success($"deleted {log} log lines, {stats} stats rows, {receipts} receipts");
    }
}

/// <summary>Registration of the task system (<see cref="AddTasks"/>), task types and timers.</summary>
public static class TasksModule
{
    /// <summary>
    /// Registers the queue chosen by <c>Oms:Queue:Provider</c>, the registry, the admin service and the
    /// built-in task types and timers. Idempotent: the first call's configuration wins; without configuration, the defaults (database queue).
    /// Workers run only where <see cref="AddTaskWorkers"/> is also called.
    /// </summary>
    public static IServiceCollection AddTasks(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(TaskOptions))) return services;
        var options = TaskOptions.Read(configuration);
        services.AddSingleton(options);
        services.AddSingleton<TaskDb>();
        services.AddSingleton<TaskRegistry>();
        services.AddSingleton<TaskSwitches>();
        services.AddSingleton<TaskStatsRecorder>();
        services.AddSingleton<TimerScheduler>();
        services.AddSingleton<DatabaseTaskQueue>();
        if (options.Provider == QueueProvider.RabbitMq)
        {
            services.AddSingleton<RabbitMqTaskQueue>();
            services.AddSingleton<ITaskQueue>(sp => sp.GetRequiredService<RabbitMqTaskQueue>());
        }
        else
        {
            services.AddSingleton<ITaskQueue>(sp => sp.GetRequiredService<DatabaseTaskQueue>());
        }
        services.AddScoped<TaskManager>();

        services.AddTaskHandler<PingHandler>(PingHandler.Type, TaskKind.Task, maxConcurrency: 4);
        services.AddTaskHandler<InitTimersHandler>(InitTimersHandler.Type, TaskKind.Init, maxConcurrency: 1);
        services.AddTimer<TaskHistoryCleanupHandler>(TaskHistoryCleanupHandler.TimerName, "0 3 * * *");
        return services;
    }

    /// <summary>Runs the workers in this process (<c>oms serve</c>, <c>oms worker</c>).</summary>
    public static IServiceCollection AddTaskWorkers(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ImplementationType == typeof(TaskWorkerHost))) return services;
        services.AddSingleton<TaskWorkerHost>();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<TaskWorkerHost>());
        return services;
    }

    /// <summary>
    /// Registers a task type: its handler (resolved in a scope per task), kind, maximum concurrency,
    /// attempts (default 3) and the base of its exponential back-off (default 10 s, capped at 1 h).
    /// </summary>
    public static IServiceCollection AddTaskHandler<THandler>(this IServiceCollection services, string type, TaskKind kind,
        int maxConcurrency = 1, int maxAttempts = 3, TimeSpan? backoff = null, TimeSpan? maxBackoff = null)
        where THandler : class, ITaskHandler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        services.AddScoped<THandler>();
        services.AddSingleton(new TaskTypeRegistration(type, kind, typeof(THandler), maxConcurrency, maxAttempts,
            backoff ?? TimeSpan.FromSeconds(10), maxBackoff ?? TimeSpan.FromHours(1)));
        return services;
    }

    /// <summary>
    /// A cron timer (five fields, or six with seconds; read in China time). Each firing runs
    /// <typeparamref name="THandler"/> once as task type <c>timer.NAME</c>. The cron can be
    /// overridden by configuration <c>Oms:Tasks:Timers:NAME</c>.
    /// </summary>
    public static IServiceCollection AddTimer<THandler>(this IServiceCollection services, string name, string cron, int maxAttempts = 3)
        where THandler : class, ITaskHandler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        TimerDefinition.Parse(cron);
        var type = TimerDefinition.TypeFor(name);
        services.AddTaskHandler<THandler>(type, TaskKind.Timer, maxConcurrency: 1, maxAttempts: maxAttempts);
        services.AddSingleton(new TimerDefinition(name, cron, type));
        return services;
    }
}
