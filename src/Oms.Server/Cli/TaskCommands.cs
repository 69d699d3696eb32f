using System.CommandLine;
using System.Globalization;
using Oms.Tasks;

namespace Oms.Server.Cli;

/// <summary><c>oms worker</c> and <c>oms tasks status|start KIND|stop KIND</c>.</summary>
internal static class TaskCommands
{
    public static Command BuildWorker()
    {
        var worker = new Command("worker", "Run the task workers only (no web), for scale-out. Stops gracefully on SIGTERM.") { TreatUnmatchedTokensAsErrors = false };
        worker.SetAction((pr, ct) => OmsCommandLine.Guard(async () =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = pr.UnmatchedTokens.ToArray(),
                ContentRootPath = AppContext.BaseDirectory,
            });
            var options = TaskOptions.Read(builder.Configuration);
            // running tasks get the grace period, then a few seconds to settle
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(10));
            builder.Services.AddOmsCore(OmsCoreServices.ReadDatabaseOptions(builder.Configuration), builder.Configuration);
            builder.Services.AddTaskWorkers();
            Oms.Data.SqliteCheckpointerServices.AddSqliteCheckpointer(builder.Services);
            using var host = builder.Build();
            var db = host.Services.GetRequiredService<Oms.Data.DatabaseOptions>();
            if (db.Provider == Oms.Data.DatabaseProvider.Sqlite || builder.Configuration.GetValue<bool>("Oms:Database:MigrateOnStart"))
                await OmsCoreServices.MigrateAsync(host.Services, ct).ConfigureAwait(false);
            await host.RunAsync(ct).ConfigureAwait(false);
        }));
        return worker;
    }

    public static Command BuildTasks()
    {
        var tasks = new Command("tasks", "Background tasks: status, and stopping or starting a kind in every process.");

        var status = new Command("status", "Per kind: running, waiting, failed, done in the last minute, stopped or running.");
        status.SetAction((_, ct) => OmsCommandLine.Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            var rows = await scope.ServiceProvider.GetRequiredService<TaskManager>().StatusAsync(ct).ConfigureAwait(false);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-8} {1,-8} {2,8} {3,8} {4,8} {5,10}", "kind", "state", "running", "waiting", "failed", "done/min"));
            foreach (var r in rows)
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-8} {1,-8} {2,8} {3,8} {4,8} {5,10}",
                    r.Kind.Name(), r.Stopped ? "stopped" : "running", r.Running, r.Waiting, r.Failed, r.DoneLastMinute));
        }));
        tasks.Subcommands.Add(status);

        foreach (var stop in new[] { true, false })
        {
            var kindArg = new Argument<string>("kind") { Description = "timer, init, task, export or rpc" };
            var cmd = new Command(stop ? "stop" : "start",
                stop ? "Stop a kind: running tasks finish, no new ones are taken (all processes, within seconds)." : "Start a stopped kind again.") { kindArg };
            cmd.SetAction((pr, ct) => OmsCommandLine.Guard(async () =>
            {
                var kind = TaskKinds.Parse(pr.GetValue(kindArg));
                await using var sp = CliServices.Build();
                await using var scope = sp.CreateAsyncScope();
                var manager = scope.ServiceProvider.GetRequiredService<TaskManager>();
                if (stop) await manager.StopAsync(kind, "cli", ct).ConfigureAwait(false);
                else await manager.StartAsync(kind, "cli", ct).ConfigureAwait(false);
                Console.WriteLine($"{kind.Name()} {(stop ? "stopped" : "started")}");
            }));
            tasks.Subcommands.Add(cmd);
        }
        return tasks;
    }
}
