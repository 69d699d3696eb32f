using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Data;
using Oms.Inventory;
using Oms.Orders;
using Oms.Simulators.Shop;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Orders;

/// <summary>The shop simulator's load against the real <c>/api</c>: repeats, updates and cancellations, then the books.</summary>
public abstract class IntakeLoadTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task A_mixed_load_with_repeats_updates_and_cancels_is_answered_and_stored_exactly()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var catalog = new SimCatalog(
            [new SalesItem(k.SA, "商品 A", 10m), new SalesItem(k.SB, "商品 B", 20m), new SalesItem(k.SAB, "组合 AB", 30m), new SalesItem(k.SG, "赠品", 0m, IsGift: true)],
            [new SimShop(k.Matrix.NodeId, k.Matrix.Token)]);
        using var client = new MatrixPushClient(server.BaseAddress);
        var report = await new LoadRunner(client, catalog, new LoadOptions
        {
            Orders = 150, Concurrency = 8, DuplicateTaskRate = 0.1, DuplicateContentRate = 0.1, UpdateRate = 0.1, CancelRate = 0.05, Seed = 5,
            Generator = new OrderGeneratorOptions { Prefix = k.Prefix + "L" },
        }).RunAsync();

        Assert.Equal(0, report.TransportErrors);
        Assert.Equal(150, report.SuccOrderBns.Count);
        Assert.Equal(0, report.DuplicateTaskMismatches);
        Assert.Equal(0, report.DuplicateContentNotUnchanged);
        Assert.Equal(report.Requests, report.SuccAnswers);
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var prefix = k.Prefix + "L";
        var stored = await db.Set<Order>().Where(o => o.ShopId == k.ShopId && o.OrderBn.StartsWith(prefix)).Select(o => new { o.OrderBn, o.Status }).ToListAsync();
        Assert.Equal(report.SuccOrderBns.Order(StringComparer.Ordinal), stored.Select(o => o.OrderBn).Order(StringComparer.Ordinal));
        Assert.Contains(stored, o => o.Status == OrderStatus.Dead);
        await k.AssertInvariantsAsync();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().VerifyAsync());
    }
}

public sealed class SqliteIntakeLoadTests(SqliteServerFixture server) : IntakeLoadTests<SqliteServerFixture>(server);

public sealed class PostgresIntakeLoadTests(PostgresServerFixture server) : IntakeLoadTests<PostgresServerFixture>(server);

/// <summary>
/// <c>oms serve</c> killed with SIGKILL in the middle of a load: every order answered <c>succ</c> is in
/// the database after a restart, none twice, and the books balance.
/// </summary>
public abstract class IntakeKillTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private Dictionary<string, string> _env = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _env = _db.ProcessEnvironment();
        _env["Oms__Database__MigrateOnStart"] = "true";
        _env["Logging__LogLevel__Default"] = "Warning";
        // the demo installation: its shops and sales materials are the simulator's SimCatalog.Demo
        var (code, _, err) = await OmsProcess.RunAsync(_env, "demo", "seed");
        Assert.True(code == 0, err);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task No_order_answered_succ_is_lost_when_the_server_is_killed_mid_load()
    {
        var (first, url) = await OmsProcess.ServeAsync(_env);
        LoadReport report;
        await using (first)
        {
            using var client = new MatrixPushClient(url);
            var load = new LoadRunner(client, SimCatalog.Demo, new LoadOptions
            {
                Orders = 3000, Concurrency = 8, UpdateRate = 0.05, Seed = 21, Generator = new OrderGeneratorOptions { Prefix = "KILL-" },
            }).RunAsync();
            // kill -9 once a good part of the orders is in, while pushes are in flight
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await CountAsync("KILL-") < 150 && DateTime.UtcNow < deadline && !load.IsCompleted) await Task.Delay(20);
            await first.KillAsync();
            report = await load;
        }
        Assert.True(report.TransportErrors > 0, "the kill happened before the load ended");
        Assert.NotEmpty(report.SuccOrderBns);

        // restart on the same database: everything answered succ is there, exactly once
        var (second, _) = await OmsProcess.ServeAsync(_env);
        await using (second)
        {
            await using var sp = Services();
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var stored = (await db.Set<Order>().Where(o => o.OrderBn.StartsWith("KILL-")).Select(o => o.OrderBn).ToListAsync()).ToHashSet(StringComparer.Ordinal);
            var lost = report.SuccOrderBns.Where(bn => !stored.Contains(bn)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} orders answered succ are missing, e.g. {string.Join(", ", lost.Take(5))}");
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync());
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().VerifyAsync());
        }
    }

    private async Task<int> CountAsync(string prefix)
    {
        await using var sp = Services();
        await using var scope = sp.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Order>().CountAsync(o => o.OrderBn.StartsWith(prefix));
    }

    private ServiceProvider Services() => _db.CoreServices();
}

public sealed class SqliteIntakeKillTests() : IntakeKillTests(DatabaseProvider.Sqlite);

public sealed class PostgresIntakeKillTests() : IntakeKillTests(DatabaseProvider.Postgres);
