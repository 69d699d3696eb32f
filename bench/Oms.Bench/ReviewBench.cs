using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Oms.Catalog;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Review;
using Oms.Server;
using Oms.Server.Cli;
using Oms.Simulators.Shop;
using Oms.Tasks;
using Oms.Warehouses;

/// <summary>
/// Automatic review from the staging area to delivery notices, in process: the demo installation (shops, branches,
/// carriers, materials) on a fresh database, N clean paid orders pushed through the in-process matrix gateway, buffer 0,
/// then W reviewers (each its own scope and connection, as <c>autorder</c> tasks run) take batches of AutoReviewService.BatchSize due orders until
/// none is left. Scenarios: <c>mixed</c> (1–3 lines over the demo catalogue, plenty of stock) and <c>hot</c> (one SKU,
/// single-unit orders, stock for half of them: the oversell race). Reports orders/second and checks the invariants.
/// </summary>
internal static class ReviewBench
{
    public sealed record Row(string Backend, string Scenario, int Workers, int Orders, double Seconds, int Reviewed, int Held, int Skipped, int Deliveries, string Invariants);

    public static Task<Row> RunAsync(string backend, string scenario, int orders, int workers) =>
        WithInstallationAsync(backend, scenario, orders, async (sp, due) =>
        {
            var (seconds, reviewed, held, skipped) = await ReviewAllAsync(sp, due, workers);
            await using var check = sp.CreateAsyncScope();
            var violations = await check.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync();
            var deliveries = await check.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Delivery>().CountAsync();
            return new Row(backend, scenario, workers, due.Count, seconds, reviewed, held, skipped, deliveries,
                violations.Count == 0 ? "hold" : violations.Count + " violated: " + violations[0]);
        });

    /// <summary>
    /// A fresh installation with <paramref name="orders"/> clean paid orders pushed through the in-process gateway and the
    /// buffer set to 0; runs <paramref name="body"/> with the due order ids, then drops everything.
    /// </summary>
    public static async Task<T> WithInstallationAsync<T>(string backend, string scenario, int orders, Func<IServiceProvider, List<long>, Task<T>> body)
    {
        await using var installation = await Installation.OpenAsync(backend, scenario, hotUnits: orders / 2);
        var sp = installation.Services;
        await installation.PushAsync("RB", orders, seed: 7);
        await SetAsync(sp, "order.buffer_minutes", "0");
        await installation.AnalyzeAsync();
        List<long> due;
        await using (var scope = sp.CreateAsyncScope())
            due = await scope.ServiceProvider.GetRequiredService<AutoReviewService>().DueAsync(int.MaxValue);
        return await body(sp, due);
    }

    public sealed record ProcessRow(string Backend, string Scenario, int Processes, int Orders, double Seconds, double WallSeconds, int Reviewed, int Held, int Deliveries, string Invariants);

    /// <summary>
    /// Review as it runs in production: <paramref name="processes"/> <c>oms worker</c> processes (each running
    /// <c>autorder</c> tasks two at a time) and the <c>auto-review</c> timer queueing the due orders. Automatic review on,
    /// buffer 0. The workers first review 12,000 warm-up orders per process (their JIT, not counted); then the timers are stopped in every
    /// process (the persisted kind switch), N orders pushed, and the timers started again. Timed from the first scan's
    /// queueing (seen by polling every 10 ms) until every order is reviewed or held (polled every 100 ms); wall time counts
    /// from the timers' start, with the wait for the next firing.
    /// </summary>
    public static async Task<ProcessRow> RunProcessesAsync(string backend, string scenario, int orders, int processes)
    {
        // the batch path's methods run once per batch: each process needs some sixty batches before the JIT's last tier has
        // them (tier 0, instrumented, optimized). With 30 batches in all, a profile of the timed phase still showed 40 % of the
        // worker's CPU in the JIT, and two processes (half the warm-up each) were slower than one. A worker on a promotion
        // day is long warm.
        var warmUp = processes * 60 * AutoReviewService.BatchSize;
        await using var installation = await Installation.OpenAsync(backend, scenario, hotUnits: orders / 2 + warmUp);
        var sp = installation.Services;
        await SetAsync(sp, "order.buffer_minutes", "0");
        await SetAsync(sp, "review.auto_enabled", "true");
        var workers = Enumerable.Range(0, processes).Select(_ => IntakeBench.Start(installation.ProcessEnv, "worker")).ToList();
        try
        {
            await installation.PushAsync("RW", warmUp, seed: 11);
            await WaitSettledAsync(sp, "RW", warmUp, workers, TimeSpan.FromMinutes(10));
            await SwitchTimersAsync(sp, stop: true);
            // every process reads the switches once a second (TaskOptions.ControlPoll); a firing already claimed finishes
            await Task.Delay(TimeSpan.FromSeconds(3));
            await installation.PushAsync("RB", orders, seed: 7);
            await installation.AnalyzeAsync();
            long firstId;
            await using (var first = sp.CreateAsyncScope())
                firstId = await first.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Orders.Order>().Where(o => o.OrderBn.StartsWith("RB")).MinAsync(o => o.Id);
            var wall = Stopwatch.StartNew();
            await SwitchTimersAsync(sp, stop: false);
            await WaitQueuedAsync(sp, firstId, TimeSpan.FromMinutes(1));
            var queued = wall.Elapsed;
            await WaitSettledAsync(sp, "RB", orders, workers, TimeSpan.FromMinutes(10));
            var settled = wall.Elapsed;
            var seconds = (settled - queued).TotalSeconds;
            var wallSeconds = settled.TotalSeconds;

            await using var scope = sp.CreateAsyncScope();
            var s = scope.ServiceProvider;
            var db = s.GetRequiredService<OmsDbContext>();
            var reviewed = await db.Set<Oms.Orders.Order>().CountAsync(o => o.OrderBn.StartsWith("RB") && o.Confirmed);
            var held = await db.Set<Oms.Orders.Order>().CountAsync(o => o.OrderBn.StartsWith("RB") && !o.Confirmed && o.AutoStatus != 0);
            var deliveries = await db.Set<Delivery>().CountAsync();
            var violations = await s.GetRequiredService<InventoryInvariants>().CheckAsync();
            return new ProcessRow(backend, scenario, processes, orders, seconds, wallSeconds, reviewed, held, deliveries,
                violations.Count == 0 ? "hold" : violations.Count + " violated: " + violations[0]);
        }
        finally
        {
            foreach (var w in workers)
            {
                if (!w.HasExited) w.Kill(entireProcessTree: true);
                await w.WaitForExitAsync();
                w.Dispose();
            }
        }
    }

    /// <summary>Until the first scan has queued an order from <paramref name="firstId"/> on (a review state row; polled every 10 ms by primary key).</summary>
    private static async Task WaitQueuedAsync(IServiceProvider sp, long firstId, TimeSpan patience)
    {
        var sw = Stopwatch.StartNew();
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        while (!await db.Set<OrderReviewState>().AnyAsync(r => r.OrderId >= firstId))
        {
            if (sw.Elapsed > patience) throw new TimeoutException($"no order queued for review after {patience}");
            await Task.Delay(10);
        }
    }

    /// <summary>Until every order numbered <paramref name="prefix"/>… is confirmed or held (auto_status set); a worker that exits fails the run.</summary>
    private static async Task WaitSettledAsync(IServiceProvider sp, string prefix, int orders, IReadOnlyList<Process> workers, TimeSpan patience)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (workers.FirstOrDefault(w => w.HasExited) is { } gone) throw new InvalidOperationException($"oms worker exited with {gone.ExitCode}");
            await using (var scope = sp.CreateAsyncScope())
            {
                var settled = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Orders.Order>()
                    .CountAsync(o => o.OrderBn.StartsWith(prefix) && (o.Confirmed || o.AutoStatus != 0));
                if (settled >= orders) return;
                if (sw.Elapsed > patience) throw new TimeoutException($"{settled} of {orders} {prefix} orders settled after {patience}");
            }
            await Task.Delay(100);
        }
    }

    private static async Task SwitchTimersAsync(IServiceProvider sp, bool stop)
    {
        await using var scope = sp.CreateAsyncScope();
        var tasks = scope.ServiceProvider.GetRequiredService<TaskManager>();
        if (stop) await tasks.StopAsync(TaskKind.Timer, "bench");
        else await tasks.StartAsync(TaskKind.Timer, "bench");
    }

    private static async Task SetAsync(IServiceProvider sp, string key, string value)
    {
        await using var scope = sp.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Oms.Admin.SettingsService>().SetAsync(key, value, "bench");
    }

    /// <summary>
    /// The demo installation on a new database (<see cref="SeedAsync"/>), its host built but not serving, so no worker runs
    /// in it; <see cref="ProcessEnv"/> is the environment of an <c>oms</c> process on the same database. Disposing drops it.
    /// </summary>
    private sealed class Installation : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _dir;
        private readonly string? _pgName;
        private readonly string _pgAdmin;
        private readonly string _scenario;
        private SimCatalog _catalog = null!;

        private Installation(WebApplication app, string dir, string? pgName, string pgAdmin, string scenario, Dictionary<string, string> processEnv)
        {
            _app = app; _dir = dir; _pgName = pgName; _pgAdmin = pgAdmin; _scenario = scenario; ProcessEnv = processEnv;
        }

        public IServiceProvider Services => _app.Services;
        public Dictionary<string, string> ProcessEnv { get; }

        public static async Task<Installation> OpenAsync(string backend, string scenario, int hotUnits)
        {
            var (dir, env) = IntakeBench.NewInstallation("oms-review-", backend);
            var pgAdmin = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55432;Username=postgres";
            string? pgName = null;
            if (backend == "postgres")
            {
                pgName = "oms_review_" + Guid.NewGuid().ToString("N")[..8];
                await BenchPostgres.CreateAsync(pgAdmin, pgName);
                env["ConnectionStrings__Postgres"] = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName, MaxPoolSize = 100 }.ToString();
            }
            var app = OmsWebHost.Build([], b =>
            {
                // the same settings as the processes', in configuration's own spelling
                b.Configuration.AddInMemoryCollection(env.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)));
                b.Logging.SetMinimumLevel(LogLevel.Warning);
            });
            var installation = new Installation(app, dir, pgName, pgAdmin, scenario, env);
            try
            {
                await OmsWebHost.PrepareAsync(app);
                installation._catalog = await SeedAsync(app.Services, scenario, hotUnits);
                return installation;
            }
            catch
            {
                await installation.DisposeAsync();
                throw;
            }
        }

        /// <summary><paramref name="orders"/> clean paid orders numbered <paramref name="prefix"/>…, pushed at concurrency 8.</summary>
        public async Task PushAsync(string prefix, int orders, int seed)
        {
            using var client = new MatrixPushClient(new InProcessMatrixTransport(Services));
            await new LoadRunner(client, _catalog, new LoadOptions
            {
                Orders = orders, Concurrency = 8, Seed = seed,
                Generator = new OrderGeneratorOptions
                {
                    Prefix = prefix, GiftRate = 0, CodRate = 0, UnpaidRate = 0, InvoiceRate = 0, BuyerMessageRate = 0, SellerMemoRate = 0,
                    MinLines = 1, MaxLines = _scenario == "hot" ? 1 : 3, MaxQuantity = _scenario == "hot" ? 1 : 2,
                },
            }).RunAsync(CancellationToken.None);
        }

        public async Task AnalyzeAsync()
        {
            await using var scope = Services.CreateAsyncScope();
            await BenchPostgres.AnalyzeAsync(scope.ServiceProvider.GetRequiredService<OmsDbContext>());
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            if (_pgName is not null) await BenchPostgres.DropAsync(_pgAdmin, _pgName);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// <paramref name="workers"/> reviewers (each its own scope, as <c>autorder</c> tasks run) take batches of
    /// <see cref="AutoReviewService.BatchSize"/> until none is left.
    /// </summary>
    public static async Task<(double Seconds, int Reviewed, int Held, int Skipped)> ReviewAllAsync(IServiceProvider sp, List<long> due, int workers)
    {
        var batches = Channel.CreateUnbounded<long[]>();
        foreach (var chunk in due.Chunk(AutoReviewService.BatchSize)) batches.Writer.TryWrite(chunk);
        batches.Writer.Complete();
        int reviewed = 0, held = 0, skipped = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var batch in batches.Reader.ReadAllAsync())
            {
                await using var scope = sp.CreateAsyncScope();
                foreach (var r in await scope.ServiceProvider.GetRequiredService<AutoReviewService>().ReviewAsync(batch))
                {
                    var n = r.MergedOrderIds.Count;
                    if (r.Outcome == AutoReviewOutcome.Reviewed) Interlocked.Add(ref reviewed, n);
                    else if (r.Outcome == AutoReviewOutcome.Held) Interlocked.Add(ref held, n);
                    else Interlocked.Increment(ref skipped);
                }
            }
        })));
        return (sw.Elapsed.TotalSeconds, reviewed, held, skipped);
    }

    /// <summary>The demo installation; <c>mixed</c>: 100,000 more of every material in the main branch; <c>hot</c>: one SKU with <paramref name="hotUnits"/> units.</summary>
    private static async Task<SimCatalog> SeedAsync(IServiceProvider sp, string scenario, int hotUnits)
    {
        await using var scope = sp.CreateAsyncScope();
        var s = scope.ServiceProvider;
        await DemoSeed.RunAsync(s, CancellationToken.None);
        var db = s.GetRequiredService<OmsDbContext>();
        var hz = await db.Set<Branch>().SingleAsync(b => b.BranchBn == "DEMO-HZ");
        var shops = SimCatalog.DemoShops.Take(1).ToList();
        if (scenario == "hot")
        {
            var basic = await s.GetRequiredService<BasicMaterialService>().CreateAsync(new BasicMaterialInput("HOT-1", "爆款") { RetailPrice = 99m, Weight = 0.3m }, "bench");
            await s.GetRequiredService<SalesMaterialService>().CreateAsync(
                new SalesMaterialInput("S-HOT-1", "爆款", SalesMaterialType.Normal, [new BindingPart("HOT-1", 1, null)]) { RetailPrice = 99m }, "bench");
            await ReceiveAsync(s, [new StockMoveLine(hz.Id, basic.Id, hotUnits)]);
            return new SimCatalog([new SalesItem("S-HOT-1", "爆款", 99m) { Weight = 0.3m }], shops);
        }
        var ids = await db.Set<BasicMaterial>().Select(m => m.Id).ToListAsync();
        await ReceiveAsync(s, ids.Select(id => new StockMoveLine(hz.Id, id, 100_000)).ToList());
        return new SimCatalog(SimCatalog.DemoItems.Where(i => !i.IsGift), shops);
    }

    private static async Task ReceiveAsync(IServiceProvider s, IReadOnlyList<StockMoveLine> lines)
    {
        var db = s.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        await s.GetRequiredService<InventoryService>().ReceiveAsync(lines, new LedgerEntry(StockMoveType.DirectIn, "BENCH"));
        await tx.CommitAsync();
    }

    public static string Format(Row r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Backend} | {r.Scenario} | {r.Workers} | {r.Orders} | {r.Orders / r.Seconds:F0} | {r.Reviewed} | {r.Held} | {r.Deliveries} | {r.Invariants} |");

    public static string Format(ProcessRow r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Backend} | {r.Scenario} | {r.Processes} | {r.Orders} | {r.Orders / r.Seconds:F0} | {r.Seconds:F2} | {r.WallSeconds:F2} | {r.Reviewed} | {r.Held} | {r.Deliveries} | {r.Invariants} |");
}
