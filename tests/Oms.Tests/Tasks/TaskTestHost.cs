using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Data;
using Oms.Tasks;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Tasks;

public enum QueueBackend { SqliteDatabase, PostgresDatabase, RabbitMq }

/// <summary>What the test handlers saw: every delivery, and how many ran at once.</summary>
public sealed class TaskProbe
{
    public ConcurrentQueue<(string Id, int Attempt)> Deliveries { get; } = new();
    public ConcurrentDictionary<string, int> Handled { get; } = new();
    private int _running;
    private int _maxRunning;
    public int MaxRunning => Volatile.Read(ref _maxRunning);
    /// <summary>When true, "fail" payloads succeed (a fixed bug, for retrying from the failed list).</summary>
    public volatile bool Healed;

    public int Enter()
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen) { }
        return now;
    }

    public void Leave() => Interlocked.Decrement(ref _running);

    public int Attempts(string id) => Deliveries.Count(d => d.Id == id);
}

/// <summary><c>test.record</c>: records the delivery; payload <c>{"fail":true}</c> throws (until healed), <c>{"failUntil":N}</c> fails attempts below N.</summary>
public sealed class RecordingHandler(TaskProbe probe) : ITaskHandler
{
    public const string Type = "test.record";

    public Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        probe.Deliveries.Enqueue((context.MessageId, context.Attempt));
        using var doc = JsonDocument.Parse(context.Payload);
        if (doc.RootElement.TryGetProperty("fail", out _) && !probe.Healed)
            throw new InvalidOperationException("always broken");
        if (doc.RootElement.TryGetProperty("failUntil", out var until) && context.Attempt < until.GetInt32())
            return Task.FromResult(TaskResult.Failure($"not yet (attempt {context.Attempt})"));
        probe.Handled.AddOrUpdate(context.MessageId, 1, (_, n) => n + 1);
        return Task.FromResult(TaskResult.Success());
    }
}

/// <summary><c>test.slow</c>: holds its slot a while; limited to 2 at once.</summary>
public sealed class SlowHandler(TaskProbe probe) : ITaskHandler
{
    public const string Type = "test.slow";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        probe.Enter();
        try
        {
            await Task.Delay(150, cancellationToken);
            probe.Handled.AddOrUpdate(context.MessageId, 1, (_, n) => n + 1);
            return TaskResult.Success();
        }
        finally
        {
            probe.Leave();
        }
    }
}

/// <summary><c>test.hold</c> (kind task, one at a time): holds its slot for <c>{"ms": n}</c>, then records the task as handled.</summary>
public sealed class HoldingHandler(TaskProbe probe) : ITaskHandler
{
    public const string Type = "test.hold";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(context.Payload);
        await Task.Delay(doc.RootElement.GetProperty("ms").GetInt32(), cancellationToken);
        probe.Handled.AddOrUpdate(context.MessageId, 1, (_, n) => n + 1);
        return TaskResult.Success();
    }
}

/// <summary>The task system on a fresh database (and a fresh RabbitMQ prefix), with the test handlers.</summary>
public sealed class TaskTestHost : IAsyncDisposable
{
    public TestDatabase Database { get; private init; } = null!;
    public ServiceProvider Services { get; private init; } = null!;
    public TaskProbe Probe => Services.GetRequiredService<TaskProbe>();
    public ITaskQueue Queue => Services.GetRequiredService<ITaskQueue>();
    public TaskWorkerHost Worker => Services.GetRequiredService<TaskWorkerHost>();
    public Dictionary<string, string?> Settings { get; private init; } = null!;
    private bool _started;

    public static string? RabbitUri => Environment.GetEnvironmentVariable("OMS_TEST_RABBITMQ");

    public static async Task<TaskTestHost> CreateAsync(QueueBackend backend, Dictionary<string, string?>? extra = null)
    {
        var db = await TestDatabase.CreateAsync(backend == QueueBackend.PostgresDatabase ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite);
        var settings = new Dictionary<string, string?>
        {
            ["Oms:Queue:Provider"] = backend == QueueBackend.RabbitMq ? "rabbitmq" : "database",
            ["Oms:Queue:Prefix"] = "omstest." + Guid.NewGuid().ToString("N")[..10],
            ["Oms:Tasks:IdlePollMilliseconds"] = "50",
            ["Oms:Tasks:ControlPollMilliseconds"] = "200",
            ["Oms:Tasks:ShutdownGraceSeconds"] = "10",
        };
        if (backend == QueueBackend.RabbitMq)
        {
            if (string.IsNullOrEmpty(RabbitUri))
                throw new InvalidOperationException("OMS_TEST_RABBITMQ is not set: run ./test.sh, or source the env file of scripts/services.sh.");
            settings["ConnectionStrings:RabbitMq"] = RabbitUri;
        }
        if (extra is not null) foreach (var (k, v) in extra) settings[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddOmsCore(db.Options, config);
        services.AddSingleton<TaskProbe>();
        services.AddTaskHandler<RecordingHandler>(RecordingHandler.Type, TaskKind.Task, maxConcurrency: 4, maxAttempts: 3, backoff: TimeSpan.FromMilliseconds(100));
        services.AddTaskHandler<SlowHandler>(SlowHandler.Type, TaskKind.Export, maxConcurrency: 2);
        services.AddTaskHandler<HoldingHandler>(HoldingHandler.Type, TaskKind.Task, maxConcurrency: 1);
        services.AddTaskWorkers();
        var host = new TaskTestHost { Database = db, Services = services.BuildServiceProvider(), Settings = settings };
        await OmsCoreServices.MigrateAsync(host.Services);
        return host;
    }

    public async Task StartWorkersAsync()
    {
        _started = true;
        await Worker.StartAsync(CancellationToken.None);
    }

    public async Task StopWorkersAsync()
    {
        if (!_started) return;
        _started = false;
        await Worker.StopAsync(CancellationToken.None);
    }

    public TaskMessage Message(string type, object? payload = null) =>
        Services.GetRequiredService<TaskRegistry>().Message(type, JsonSerializer.Serialize(payload ?? new { }));

    public async Task<T> WithManagerAsync<T>(Func<TaskManager, Task<T>> body)
    {
        await using var scope = Services.CreateAsyncScope();
        return await body(scope.ServiceProvider.GetRequiredService<TaskManager>());
    }

    /// <summary>Waits until the condition holds (an upper bound for slow machines, not a speed claim).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("Timed out waiting for: " + what);
            await Task.Delay(50);
        }
    }

    public static Task EventuallyAsync(Func<bool> condition, string what, int seconds = 60) =>
        EventuallyAsync(() => Task.FromResult(condition()), what, seconds);

    public async ValueTask DisposeAsync()
    {
        await StopWorkersAsync();
        if (Services.GetService<ITaskQueue>() is RabbitMqTaskQueue rabbit)
            await rabbit.DeleteQueuesAsync();
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
