using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Oms;
using Oms.Admin;
using Oms.Channels;
using Oms.Data;
using Oms.Outbox;
using Oms.Tasks;

/// <summary>
/// Outbox send throughput: N requests written with <see cref="Oms.Outbox.Outbox.Add"/> (transactions of
/// 1,000), then the workers (matrix.send, concurrency 64, pacing set out of the way) post them to an
/// in-process Kestrel peer answering succ; done when every message is succeeded. Each send is a signed
/// form POST, an API log row in its own transaction and a conditional state update.
/// </summary>
internal static class OutboxBench
{
    public static async Task<(TimeSpan Add, TimeSpan Send)> RunAsync(string backend, int n)
    {
        var peerBuilder = WebApplication.CreateSlimBuilder();
        peerBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        peerBuilder.Logging.ClearProviders();
        await using var peer = peerBuilder.Build();
        peer.MapPost("/matrix", () => Results.Text("""{"rsp":"succ","res":"","data":null}""", "application/json"));
        await peer.StartAsync();
        var peerUrl = peer.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/matrix";

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
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Oms:Queue:Provider"] = backend == "rabbitmq" ? "rabbitmq" : "database",
            ["ConnectionStrings:RabbitMq"] = Environment.GetEnvironmentVariable("OMS_TEST_RABBITMQ"),
            ["Oms:Queue:Prefix"] = "omsbench." + Guid.NewGuid().ToString("N")[..8],
            ["Oms:Tasks:IdlePollMilliseconds"] = "20",
            ["Oms:Outbox:Concurrency"] = "64",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddOmsCore(db, config);
        services.AddTaskWorkers();
        await using var sp = services.BuildServiceProvider();
        await OmsCoreServices.MigrateAsync(sp);

        MatrixPeer target;
        await using (var scope = sp.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();
            await settings.SetAsync("matrix.rate_per_second", "10000", "bench");
            await settings.SetAsync("matrix.node_id", "1100000000", "bench");
            var ctx = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var shop = new Shop { ShopBn = "BENCH", Name = "bench", ShopType = "taobao", NodeId = "bench-node", Token = "bench-token", ApiUrl = peerUrl, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            ctx.Add(shop);
            await ctx.SaveChangesAsync();
            target = MatrixPeer.ForShop(shop);
        }

        var sw = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, n).Chunk(1000))
        {
            await using var scope = sp.CreateAsyncScope();
            var ctx = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<Oms.Outbox.Outbox>();
            await using var tx = await ctx.Database.BeginTransactionAsync();
            foreach (var i in chunk)
                outbox.Add(ctx, OutboundRequest.Create(target, "store.logistics.offline.send",
                    new { tid = "T" + i, company_code = "SF", logistics_no = "SF" + i }, "T" + i));
            await ctx.SaveChangesAsync();
            await tx.CommitAsync();
        }
        var add = sw.Elapsed;

        var worker = sp.GetRequiredService<TaskWorkerHost>();
        sw.Restart();
        await worker.StartAsync(CancellationToken.None);
        while (true)
        {
            await using var scope = sp.CreateAsyncScope();
            var done = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<OutboxMessage>().CountAsync(m => m.State == OutboxState.Succeeded);
            if (done >= n) break;
            await Task.Delay(50);
        }
        var send = sw.Elapsed;
        await worker.StopAsync(CancellationToken.None);
        if (sp.GetRequiredService<ITaskQueue>() is RabbitMqTaskQueue rabbit) await rabbit.DeleteQueuesAsync();
        await sp.DisposeAsync();
        await peer.StopAsync();
        if (pgName is not null)
        {
            await BenchPostgres.DropAsync(pgAdmin, pgName);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
        return (add, send);
    }
}
