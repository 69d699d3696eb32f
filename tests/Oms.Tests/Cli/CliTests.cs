using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Inventory;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Cli;

/// <summary>The operator commands of PROTOCOL.md §6, run as the real executable.</summary>
public abstract class CliTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private Dictionary<string, string> _env = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _env = _db.ProcessEnvironment();
        var (code, _, err) = await OmsProcess.RunAsync(_env, "migrate");
        Assert.True(code == 0, err);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Settings_set_and_get_round_trip_with_typed_values()
    {
        Assert.Equal("10", (await OmsProcess.RunAsync(_env, "settings", "get", "order.buffer_minutes")).Stdout.Trim());
        var set = await OmsProcess.RunAsync(_env, "settings", "set", "order.buffer_minutes", "3");
        Assert.Equal(0, set.ExitCode);
        Assert.Equal("3", (await OmsProcess.RunAsync(_env, "settings", "get", "order.buffer_minutes")).Stdout.Trim());
        Assert.Equal(0, (await OmsProcess.RunAsync(_env, "settings", "set", "review.auto_enabled", "TRUE")).ExitCode);
        Assert.Equal("true", (await OmsProcess.RunAsync(_env, "settings", "get", "review.auto_enabled")).Stdout.Trim());
    }

    [Fact]
    public async Task Settings_refuse_unknown_keys_and_wrong_types_and_change_nothing()
    {
        var unknown = await OmsProcess.RunAsync(_env, "settings", "set", "no.such.key", "1");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("Unknown setting", unknown.Stderr, StringComparison.Ordinal);

        var wrong = await OmsProcess.RunAsync(_env, "settings", "set", "order.buffer_minutes", "soon");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("order.buffer_minutes", wrong.Stderr, StringComparison.Ordinal);
        Assert.Equal("10", (await OmsProcess.RunAsync(_env, "settings", "get", "order.buffer_minutes")).Stdout.Trim());

        var badBool = await OmsProcess.RunAsync(_env, "settings", "set", "verify.required", "maybe");
        Assert.NotEqual(0, badBool.ExitCode);
    }

    [Fact]
    public async Task Openapi_add_client_refuses_unknown_methods_and_short_keys()
    {
        var bad = await OmsProcess.RunAsync(_env, "openapi", "add-client", "--flag", "erp", "--key", "k-0123456789", "--methods", "no.method");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("no.method", bad.Stderr, StringComparison.Ordinal);
        var shortKey = await OmsProcess.RunAsync(_env, "openapi", "add-client", "--flag", "erp", "--key", "k1");
        Assert.NotEqual(0, shortKey.ExitCode);
        var ok = await OmsProcess.RunAsync(_env, "openapi", "add-client", "--flag", "erp", "--key", "k-0123456789", "--methods", "shop.getList");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("shop.getList", ok.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_seed_builds_a_consistent_installation_once()
    {
        var first = await OmsProcess.RunAsync(_env, "demo", "seed");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("demo data created", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("wms --listen http://127.0.0.1:5090", first.Stdout, StringComparison.Ordinal);
        var second = await OmsProcess.RunAsync(_env, "demo", "seed");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("already present", second.Stdout, StringComparison.Ordinal);

        await using var sp = _db.CoreServices();
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        Assert.Equal(5, await db.Set<Shop>().CountAsync());
        Assert.Equal(10, await db.Set<BasicMaterial>().CountAsync());
        // one branch ships through the virtual warehouse (a matrix WMS channel at oms-sim wms's default address)
        var channel = await db.Set<Oms.Wms.WmsChannel>().SingleAsync();
        Assert.Equal(("matrix", "http://127.0.0.1:5090/api"), (channel.Adapter, channel.ApiUrl));
        Assert.Equal(channel.ChannelBn, (await db.Set<Oms.Warehouses.Branch>().SingleAsync(b => b.BranchBn == "DEMO-SH")).Wms);
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync());
        // demo orders came in through the matrix gateway: normal ones freezing stock, some cancelled, some failed
        var orders = await db.Set<Oms.Orders.Order>().AsNoTracking().ToListAsync();
        Assert.True(orders.Count >= 120, $"{orders.Count} demo orders");
        Assert.Contains(orders, o => o.Status == Oms.Orders.OrderStatus.Dead);
        Assert.Contains(orders, o => o.IsFail);
        Assert.True(await db.Set<ShopFreeze>().SumAsync(f => f.Quantity) > 0);

        // the combination publishes the min over its parts: MUG-350 ×1 and MUG-LID ×1
        var tmall = await db.Set<Shop>().SingleAsync(s => s.ShopBn == "DEMO-TMALL");
        var set = await db.Set<SalesMaterial>().SingleAsync(s => s.SalesMaterialBn == "S-MUG-SET");
        var parts = await db.Set<BasicMaterial>().Where(m => m.MaterialBn == "MUG-350" || m.MaterialBn == "MUG-LID").Select(m => m.Id).ToListAsync();
        var queries = scope.ServiceProvider.GetRequiredService<StockQueries>();
        var partSellable = await queries.SellableAsync(tmall.Id, parts);
        var setSellable = await queries.SalesMaterialSellableAsync(tmall.Id, [set.Id]);
        Assert.True(partSellable.Values.Min() > 0);
        Assert.Equal(partSellable.Values.Min(), setSellable[set.Id]);
    }
}

public sealed class SqliteCliTests() : CliTests(DatabaseProvider.Sqlite);

public sealed class PostgresCliTests() : CliTests(DatabaseProvider.Postgres);
