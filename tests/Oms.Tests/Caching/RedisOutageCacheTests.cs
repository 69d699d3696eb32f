using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Caching;
using Oms.Channels;

namespace Oms.Tests.Caching;

/// <summary>Redis unreachable (nothing listens on the port): the OMS keeps reading and writing through the database.</summary>
public sealed class RedisOutageCacheTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private CacheTestEnvironment _env = null!;
    private ServiceProvider _process = null!;

    public async ValueTask InitializeAsync()
    {
        _env = await CacheTestEnvironment.CreateAsync();
        _process = await _env.AddProcessAsync(CacheProvider.Redis, "127.0.0.1:1,connectTimeout=1000");
    }

    public async ValueTask DisposeAsync() => await _env.DisposeAsync();

    private async Task<T> In<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = _process.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    [Fact]
    public async Task Settings_and_shops_are_read_from_the_database_when_redis_is_down()
    {
        Assert.IsType<RedisOmsCache>(_process.GetRequiredService<IOmsCache>());
        Assert.Equal(10, await In(sp => sp.GetRequiredService<SettingsService>().GetIntAsync("order.buffer_minutes", Ct)));
        await In(sp => sp.GetRequiredService<SettingsService>().SetAsync("order.buffer_minutes", "45", "tester", Ct));
        Assert.Equal(45, await In(sp => sp.GetRequiredService<SettingsService>().GetIntAsync("order.buffer_minutes", Ct)));

        var bn = "S" + Guid.NewGuid().ToString("N")[..8];
        Assert.Null(await In(sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)));
        await In(sp => sp.GetRequiredService<ShopService>().CreateAsync(new ShopInput(bn, "断线店", "taobao") { NodeId = "n-" + bn }, "tester", Ct));
        Assert.Equal("断线店", (await In(sp => sp.GetRequiredService<ShopService>().LookupByNodeIdAsync("n-" + bn, Ct)))?.Name);
        await In(sp => sp.GetRequiredService<ShopService>().UpdateAsync(new ShopInput(bn, "改名", "taobao") { NodeId = "n-" + bn }, "tester", Ct));
        Assert.Equal("改名", (await In(sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);
        Assert.False(((RedisOmsCache)_process.GetRequiredService<IOmsCache>()).IsShared);
    }
}
