using Oms.Data;
using Oms.Tasks;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Tasks;

/// <summary><c>oms tasks status|stop|start</c>, run as the real executable.</summary>
public abstract class TaskCliTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Tasks_status_stop_and_start_show_and_switch_each_kind()
    {
        await using var host = await TaskTestHost.CreateAsync(provider == DatabaseProvider.Sqlite ? QueueBackend.SqliteDatabase : QueueBackend.PostgresDatabase);
        var env = new Dictionary<string, string>
        {
            ["OMS_DATA_DIR"] = host.Database.DataDirectory,
            ["Oms__Database__Provider"] = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings__Postgres"] = provider == DatabaseProvider.Postgres ? host.Database.Options.ConnectionString : "",
        };
        await host.Queue.EnqueueAsync([TaskMessage.Create(PingHandler.Type, TaskKind.Task), TaskMessage.Create(PingHandler.Type, TaskKind.Task)]);

        var status = await OmsProcess.RunAsync(env, "tasks", "status");
        Assert.True(status.ExitCode == 0, status.Stderr);
        var lines = Lines(status.Stdout);
        Assert.Equal(["timer", "init", "task", "export", "rpc"], lines.Keys);
        Assert.Equal(["running", "0", "2", "0", "0"], lines["task"]);
        Assert.Equal("running", lines["export"][0]);

        var stop = await OmsProcess.RunAsync(env, "tasks", "stop", "task");
        Assert.True(stop.ExitCode == 0, stop.Stderr);
        Assert.Equal("stopped", Lines((await OmsProcess.RunAsync(env, "tasks", "status")).Stdout)["task"][0]);
        Assert.Equal("running", Lines((await OmsProcess.RunAsync(env, "tasks", "status")).Stdout)["rpc"][0]);

        var start = await OmsProcess.RunAsync(env, "tasks", "start", "task");
        Assert.True(start.ExitCode == 0, start.Stderr);
        Assert.Equal("running", Lines((await OmsProcess.RunAsync(env, "tasks", "status")).Stdout)["task"][0]);

        var unknown = await OmsProcess.RunAsync(env, "tasks", "stop", "nosuch");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("Unknown task kind 'nosuch'", unknown.Stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string[]> Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(p => p[0], p => p[1..]);
}

public sealed class SqliteTaskCliTests() : TaskCliTests(DatabaseProvider.Sqlite);

public sealed class PostgresTaskCliTests() : TaskCliTests(DatabaseProvider.Postgres);
