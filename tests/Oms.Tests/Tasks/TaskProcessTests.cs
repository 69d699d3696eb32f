using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Tasks;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Tasks;

/// <summary>An <c>oms worker</c> process, for tests that kill or stop it.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(IDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        psi.ArgumentList.Add(OmsProcess.OmsDll);
        psi.ArgumentList.Add("worker");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        var p = Process.Start(psi)!;
        var w = new WorkerProcess(p);
        p.OutputDataReceived += (_, e) => { lock (w._output) w._output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (w._output) w._output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return w;
    }

    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops it; waits for the graceful exit.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>Fault and scale-out behaviour with real <c>oms worker</c> processes.</summary>
public abstract partial class TaskProcessTests(DatabaseProvider provider)
{
    private static Dictionary<string, string> Env(TaskTestHost host, DatabaseProvider provider, Dictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["OMS_DATA_DIR"] = host.Database.DataDirectory,
            ["Oms__Database__Provider"] = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings__Postgres"] = provider == DatabaseProvider.Postgres ? host.Database.Options.ConnectionString : "",
            ["Oms__Tasks__LeaseSeconds"] = "3",
            ["Oms__Tasks__IdlePollMilliseconds"] = "100",
        };
        if (extra is not null) foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    private QueueBackend Backend => provider == DatabaseProvider.Sqlite ? QueueBackend.SqliteDatabase : QueueBackend.PostgresDatabase;

    private static async Task<T> QueryAsync<T>(TaskTestHost host, Func<OmsDbContext, Task<T>> q)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await q(scope.ServiceProvider.GetRequiredService<OmsDbContext>());
    }

    [Fact]
    public async Task A_worker_killed_mid_task_loses_nothing_and_the_task_takes_effect_once()
    {
        await using var host = await TaskTestHost.CreateAsync(Backend);
        var ping = TaskMessage.Create(PingHandler.Type, TaskKind.Task, """{"holdMs": 20000}""");
        await host.Queue.EnqueueAsync([ping]);

        // a lease long enough that a starved keep-alive on a loaded 2-core machine does not let it lapse
        var env = Env(host, provider, new() { ["Oms__Tasks__LeaseSeconds"] = "10" });
        await using (var first = WorkerProcess.Start(env))
        {
            // the handler has written its receipt and now holds the task: kill -9 mid-task
            await TaskTestHost.EventuallyAsync(() => QueryAsync(host, db => db.Set<TaskReceipt>().AnyAsync(r => r.MessageId == ping.Id)), "the task started: " + first.Output);
            await first.KillAsync();
        }
        var row = await QueryAsync(host, db => db.Set<TaskQueueRow>().AsNoTracking().SingleAsync(r => r.Id == ping.Id));
        Assert.Equal(TaskQueueRow.Leased, row.State);
        Assert.Equal(1, row.Attempts);

        await using var second = WorkerProcess.Start(env);
        await TaskTestHost.EventuallyAsync(() => QueryAsync(host, async db => !await db.Set<TaskQueueRow>().AnyAsync()), "the task redelivered and done: " + second.Output);
        await second.TerminateAsync();
        Assert.Equal(1, await QueryAsync(host, db => db.Set<TaskReceipt>().CountAsync(r => r.MessageId == ping.Id)));
        Assert.Empty(await QueryAsync(host, db => db.Set<FailedTask>().ToListAsync()));
        Assert.Contains("Task workers", second.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Timer cleanup-task-history fired for (\S+);")]
    private static partial Regex FiredLine();

    [Fact]
    public async Task A_timer_fires_once_per_period_across_two_worker_processes()
    {
        await using var host = await TaskTestHost.CreateAsync(Backend);
        // every 5 seconds instead of daily: the same claim, more periods per minute of test time
        // firings are logged at debug level (the auto-review timer fires every 2 s): this test reads them
        var env = Env(host, provider, new()
        {
            ["Oms__Tasks__Timers__cleanup-task-history"] = "*/5 * * * * *",
            ["Logging__LogLevel__Oms.Tasks.TimerScheduler"] = "Debug",
        });
        await using var a = WorkerProcess.Start(env);
        await using var b = WorkerProcess.Start(env);
        await TaskTestHost.EventuallyAsync(() => a.Output.Contains("Task workers", StringComparison.Ordinal) && b.Output.Contains("Task workers", StringComparison.Ordinal), "both workers started");
        const string type = "timer.cleanup-task-history";
        await TaskTestHost.EventuallyAsync(() => QueryAsync(host, db => db.Set<TaskReceipt>().CountAsync(r => r.Type == type)).ContinueWith(t => t.Result >= 5, TaskScheduler.Default), "five firings handled", 120);
        await a.TerminateAsync();
        await b.TerminateAsync();

        var dues = FiredLine().Matches(a.Output).Concat(FiredLine().Matches(b.Output)).Select(m => m.Groups[1].Value).ToList();
        Assert.True(dues.Count >= 5, a.Output + b.Output);
        Assert.Equal(dues.Count, dues.Distinct().Count());
        var receipts = await QueryAsync(host, db => db.Set<TaskReceipt>().CountAsync(r => r.Type == type));
        var queued = await QueryAsync(host, db => db.Set<TaskQueueRow>().CountAsync(r => r.Type == type));
        Assert.Equal(dues.Count, receipts + queued);
    }
}

public sealed class SqliteTaskProcessTests() : TaskProcessTests(DatabaseProvider.Sqlite);

public sealed class PostgresTaskProcessTests() : TaskProcessTests(DatabaseProvider.Postgres);
