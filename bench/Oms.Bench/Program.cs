using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Oms;
using Oms.Data;
using Oms.Tasks;

// End-to-end task throughput: enqueue N no-op tasks, then let the worker host consume them.
//   dotnet run -c Release --project bench/Oms.Bench -- [N] [sqlite|postgres|rabbitmq ...]
// Outbox: N matrix requests written through Outbox.Add, sent to an in-process peer answering succ.
//   dotnet run -c Release --project bench/Oms.Bench -- outbox [N] [sqlite|postgres|rabbitmq ...]
// Order list: N orders (default 1,000,000) on PostgreSQL, then /orders rendered by the real web host.
//   dotnet run -c Release --project bench/Oms.Bench -- orders-list [N] [--keep]
// PostgreSQL and RabbitMQ come from OMS_TEST_POSTGRES / OMS_TEST_RABBITMQ (scripts/services.sh env).
// Intake: oms serve + the shop simulator's load generator, orders of 3 lines at concurrency 1, 8, 32.
//   dotnet run -c Release --project bench/Oms.Bench -- intake [N] [sqlite|postgres ...]
// Review: N clean orders, then automatic review by 1 and 2 reviewers (OMS_BENCH_REVIEWERS=1 only one); scenario mixed (default N 3,000) or hot (default 10,000).
//   dotnet run -c Release --project bench/Oms.Bench -- review [mixed|hot] [N] [sqlite|postgres ...]
// Review by worker processes: the same orders reviewed by 1 and 2 `oms worker` processes (OMS_BENCH_PROCESSES=1 only one), queued by their auto-review timer.
//   dotnet run -c Release --project bench/Oms.Bench -- review-workers [mixed|hot] [N] [sqlite|postgres ...]
// Pipeline: oms serve + demo + virtual warehouse; N orders pushed to /api until their write-backs arrived.
//   dotnet run -c Release --project bench/Oms.Bench -- pipeline [N] [sqlite|postgres ...]
if (args.Length > 0 && args[0] == "pipeline")
{
    var pn = args.Length > 1 && int.TryParse(args[1], out var pp) ? pp : 1_000;
    var pb = args.Length > 2 ? args.Skip(2).ToList() : ["sqlite", "postgres"];
    Console.WriteLine("| backend | orders | intake orders/s | end-to-end orders/s | seconds | shipped by the warehouse | write-backs |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (var backend in pb) Console.WriteLine(PipelineBench.Format(await PipelineBench.RunAsync(backend, pn)));
    return;
}
// Consign: N orders reviewed into deliveries (not timed), then batch consign by 1 and 2 workers in batches of 200.
//   dotnet run -c Release --project bench/Oms.Bench -- consign [N] [sqlite|postgres ...]
if (args.Length > 0 && args[0] == "consign")
{
    var cn = args.Length > 1 && int.TryParse(args[1], out var cp) ? cp : 3_000;
    var cb = args.Length > 2 ? args.Skip(2).ToList() : ["sqlite", "postgres"];
    // one small untimed round first: the bench runs in this process, and its first batches would otherwise pay the JIT
    // compilation of the whole consign path (a server on a busy day has long compiled it)
    Console.WriteLine("warm-up, not counted: " + ConsignBench.Format(await ConsignBench.RunAsync(cb[0], 600, 1, 200)));
    Console.WriteLine("| backend | workers | batch | deliveries | deliveries/s | shipped | write-backs | invariants |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (var backend in cb)
        foreach (var w in new[] { 1, 2 })
            Console.WriteLine(ConsignBench.Format(await ConsignBench.RunAsync(backend, cn, w, 200)));
    return;
}
if (args.Length > 0 && args[0] == "review")
{
    var rs = args.Length > 1 ? args[1] : "mixed";
    var rn = args.Length > 2 && int.TryParse(args[2], out var rp) ? rp : rs == "hot" ? 10_000 : 3_000;
    var rb = args.Length > 3 ? args.Skip(3).ToList() : ["sqlite", "postgres"];
    // one small untimed round first (JIT, as for consign)
    Console.WriteLine("warm-up, not counted: " + ReviewBench.Format(await ReviewBench.RunAsync(rb[0], rs, Math.Min(rn, 600), 1)));
    // OMS_BENCH_REVIEWERS=1 (comma separated) runs only those reviewer counts
    var reviewers = Environment.GetEnvironmentVariable("OMS_BENCH_REVIEWERS");
    int[] rw = string.IsNullOrWhiteSpace(reviewers) ? [1, 2] : reviewers.Split(',').Select(int.Parse).ToArray();
    Console.WriteLine("| backend | scenario | reviewers | orders | orders/s | reviewed | held | deliveries | invariants |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
    foreach (var backend in rb)
        foreach (var w in rw)
            Console.WriteLine(ReviewBench.Format(await ReviewBench.RunAsync(backend, rs, rn, w)));
    return;
}
if (args.Length > 0 && args[0] == "review-workers")
{
    var ws = args.Length > 1 ? args[1] : "mixed";
    var wn = args.Length > 2 && int.TryParse(args[2], out var wp) ? wp : 10_000;
    var wb = args.Length > 3 ? args.Skip(3).ToList() : ["sqlite", "postgres"];
    var processes = Environment.GetEnvironmentVariable("OMS_BENCH_PROCESSES");
    int[] pw = string.IsNullOrWhiteSpace(processes) ? [1, 2] : processes.Split(',').Select(int.Parse).ToArray();
    Console.WriteLine("| backend | scenario | worker processes | orders | orders/s | seconds | wall seconds | reviewed | held | deliveries | invariants |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var backend in wb)
        foreach (var p in pw)
            Console.WriteLine(ReviewBench.Format(await ReviewBench.RunProcessesAsync(backend, ws, wn, p)));
    return;
}
if (args.Length > 0 && args[0] == "intake")
{
    var io = args.Length > 1 && int.TryParse(args[1], out var ip) ? ip : 3_000;
    var ib = args.Length > 2 ? args.Skip(2).ToList() : ["sqlite", "postgres"];
    // OMS_BENCH_CONCURRENCY=32 (comma separated) runs only those concurrencies, e.g. to profile one
    var only = Environment.GetEnvironmentVariable("OMS_BENCH_CONCURRENCY");
    int[] levels = string.IsNullOrWhiteSpace(only) ? [1, 8, 32] : only.Split(',').Select(int.Parse).ToArray();
    foreach (var backend in ib) await IntakeBench.RunAsync(backend, io, levels);
    return;
}
if (args.Length > 0 && args[0] == "orders-list")
{
    var ln = args.Length > 1 && int.TryParse(args[1], out var lp) ? lp : 1_000_000;
    var (fill, recount, firstEver, results) = await OrderListBench.RunAsync(ln, args.Contains("--keep"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"orders-list postgres N={ln:N0}  fill {fill.TotalSeconds:F0} s  recount {recount.TotalMilliseconds:F0} ms  very first request {firstEver:F0} ms"));
    Console.WriteLine("| scenario | URL | rows | cold ms | warm median ms | warm p90 ms |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (var r in results)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | `{r.Url}` | {r.Rows} | {r.ColdMs:F1} | {r.WarmMedianMs:F1} | {r.WarmP90Ms:F1} |"));
    return;
}
if (args.Length > 0 && args[0] == "outbox")
{
    var on = args.Length > 1 && int.TryParse(args[1], out var op) ? op : 5_000;
    var ob = args.Length > 2 ? args.Skip(2).ToList() : ["sqlite", "postgres", "rabbitmq"];
    foreach (var backend in ob)
    {
        var r = await OutboxBench.RunAsync(backend, on);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outbox {backend,-9} N={on}  add {on / r.Add.TotalSeconds,8:F0}/s  send {on / r.Send.TotalSeconds,8:F0}/s  end-to-end {on / (r.Add + r.Send).TotalSeconds,8:F0}/s"));
    }
    return;
}
var n = args.Length > 0 && int.TryParse(args[0], out var parsed) ? parsed : 20_000;
var backends = args.Skip(1).DefaultIfEmpty("sqlite").ToList();
if (args.Length <= 1) backends = ["sqlite", "postgres", "rabbitmq"];
foreach (var backend in backends)
{
    var r = await TaskBench.RunAsync(backend, n);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{backend,-9} N={n}  enqueue {n / r.Enqueue.TotalSeconds,8:F0}/s  consume {n / r.Consume.TotalSeconds,8:F0}/s  enqueue-then-consume {n / (r.Enqueue + r.Consume).TotalSeconds,8:F0}/s  overlapped {n / r.Overlapped.TotalSeconds,8:F0}/s"));
}

internal sealed class NoopHandler(BenchCounter counter) : ITaskHandler
{
    public Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        counter.Hit();
        return Task.FromResult(TaskResult.Success());
    }
}

internal sealed class BenchCounter
{
    private int _count;
    public int Count => Volatile.Read(ref _count);
    public void Hit() => Interlocked.Increment(ref _count);
}

internal static class TaskBench
{
    public static async Task<(TimeSpan Enqueue, TimeSpan Consume, TimeSpan Overlapped)> RunAsync(string backend, int n)
    {
        var dir = Path.Combine(Path.GetTempPath(), "oms-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string? pgName = null;
        var pgAdmin = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES");
        DatabaseOptions db;
        if (backend == "postgres")
        {
            pgName = "oms_bench_" + Guid.NewGuid().ToString("N")[..8];
            await BenchPostgres.CreateAsync(pgAdmin, pgName);
            db = DatabaseOptions.ForPostgres(new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName }.ToString());
        }
        else
        {
            db = DatabaseOptions.ForSqliteFile(Path.Combine(dir, "oms.db"));
        }
        var prefix = "omsbench." + Guid.NewGuid().ToString("N")[..8];
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Oms:Queue:Provider"] = backend == "rabbitmq" ? "rabbitmq" : "database",
            ["ConnectionStrings:RabbitMq"] = Environment.GetEnvironmentVariable("OMS_TEST_RABBITMQ"),
            ["Oms:Queue:Prefix"] = prefix,
            ["Oms:Tasks:IdlePollMilliseconds"] = "20",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddOmsCore(db, config);
        services.AddSingleton<BenchCounter>();
        services.AddTaskHandler<NoopHandler>("bench.noop", TaskKind.Rpc, maxConcurrency: 64);
        services.AddTaskWorkers();
        await using var sp = services.BuildServiceProvider();
        await OmsCoreServices.MigrateAsync(sp);
        var queue = sp.GetRequiredService<ITaskQueue>();
        var registry = sp.GetRequiredService<TaskRegistry>();

        var sw = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, n).Chunk(1000))
            await queue.EnqueueAsync(chunk.Select(_ => registry.Message("bench.noop")).ToList());
        var enqueue = sw.Elapsed;

        var counter = sp.GetRequiredService<BenchCounter>();
        var worker = sp.GetRequiredService<TaskWorkerHost>();
        sw.Restart();
        await worker.StartAsync(CancellationToken.None);
        while (counter.Count < n) await Task.Delay(5);
        // done when every ack is written: nothing waiting or leased any more
        while (true)
        {
            var d = (await queue.DepthAsync())[TaskKind.Rpc];
            if (d.Waiting == 0 && (d.Leased ?? 0) == 0) break;
            await Task.Delay(5);
        }
        var consume = sw.Elapsed;

        // production shape: producers enqueue while the workers consume; from the first enqueue
        // until the last task is handled and acknowledged
        sw.Restart();
        foreach (var chunk in Enumerable.Range(0, n).Chunk(1000))
            await queue.EnqueueAsync(chunk.Select(_ => registry.Message("bench.noop")).ToList());
        while (counter.Count < 2 * n) await Task.Delay(5);
        while (true)
        {
            var d = (await queue.DepthAsync())[TaskKind.Rpc];
            if (d.Waiting == 0 && (d.Leased ?? 0) == 0) break;
            await Task.Delay(5);
        }
        var overlapped = sw.Elapsed;
        await worker.StopAsync(CancellationToken.None);
        if (queue is RabbitMqTaskQueue rabbit) await rabbit.DeleteQueuesAsync();
        await sp.DisposeAsync();
        if (pgName is not null)
        {
            await BenchPostgres.DropAsync(pgAdmin, pgName);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
        return (enqueue, consume, overlapped);
    }
}
