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
    /// A fresh installation (the demo data on a new database, the host built but not serving, so no worker runs) with
    /// <paramref name="orders"/> clean paid orders pushed through the in-process gateway and the buffer set to 0; runs
    /// <paramref name="body"/> with the due order ids, then drops everything.
    /// </summary>
    public static async Task<T> WithInstallationAsync<T>(string backend, string scenario, int orders, Func<IServiceProvider, List<long>, Task<T>> body)
    {
        var dir = Path.Combine(Path.GetTempPath(), "oms-review-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var settings = new Dictionary<string, string?>
        {
            ["OMS_DATA_DIR"] = dir,
            ["Oms:Database:Provider"] = backend,
            ["Oms:Database:MigrateOnStart"] = "true",
            ["Oms:Admin:InitialPassword"] = "Bench-Password-1",
        };
        string? pgName = null;
        var pgAdmin = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55432;Username=postgres";
        if (backend == "postgres")
        {
            pgName = "oms_review_" + Guid.NewGuid().ToString("N")[..8];
            await BenchPostgres.CreateAsync(pgAdmin, pgName);
            settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName, MaxPoolSize = 100 }.ToString();
        }
        var app = OmsWebHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        try
        {
            await OmsWebHost.PrepareAsync(app);
            var sp = app.Services;
            var catalog = await SeedAsync(sp, scenario, orders);
            using (var client = new MatrixPushClient(new InProcessMatrixTransport(sp)))
            {
                await new LoadRunner(client, catalog, new LoadOptions
                {
                    Orders = orders, Concurrency = 8, Seed = 7,
                    Generator = new OrderGeneratorOptions
                    {
                        Prefix = "RB", GiftRate = 0, CodRate = 0, UnpaidRate = 0, InvoiceRate = 0, BuyerMessageRate = 0, SellerMemoRate = 0,
                        MinLines = 1, MaxLines = scenario == "hot" ? 1 : 3, MaxQuantity = scenario == "hot" ? 1 : 2,
                    },
                }).RunAsync(CancellationToken.None);
            }

            await using (var scope = sp.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<Oms.Admin.SettingsService>().SetAsync("order.buffer_minutes", "0", "bench");
            List<long> due;
            await using (var scope = sp.CreateAsyncScope())
                await BenchPostgres.AnalyzeAsync(scope.ServiceProvider.GetRequiredService<OmsDbContext>());
            await using (var scope = sp.CreateAsyncScope())
                due = await scope.ServiceProvider.GetRequiredService<AutoReviewService>().DueAsync(int.MaxValue);

            return await body(sp, due);
        }
        finally
        {
            await app.DisposeAsync();
            if (pgName is not null)
            {
                await BenchPostgres.DropAsync(pgAdmin, pgName);
            }
            try { Directory.Delete(dir, true); } catch (IOException) { }
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

    /// <summary>The demo installation; <c>mixed</c>: 100,000 more of every material in the main branch; <c>hot</c>: one SKU with stock for half the orders.</summary>
    private static async Task<SimCatalog> SeedAsync(IServiceProvider sp, string scenario, int orders)
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
            await ReceiveAsync(s, [new StockMoveLine(hz.Id, basic.Id, orders / 2)]);
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
}
