using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Caching;
using Oms.Data;
using Oms.Tests.Infrastructure;
using StackExchange.Redis;

namespace Oms.Tests.Caching;

/// <summary>The Redis of ./test.sh (<c>OMS_TEST_REDIS</c>), with a key prefix of its own per test run and cleanup.</summary>
public static class TestRedis
{
    public static string Configuration =>
        Environment.GetEnvironmentVariable("OMS_TEST_REDIS") is { Length: > 0 } cs ? cs
            : throw new InvalidOperationException("OMS_TEST_REDIS is not set: run ./test.sh, or source the env file of scripts/services.sh.");

    public static string NewPrefix() => "omstest:" + Guid.NewGuid().ToString("N")[..12] + ":";

    /// <summary>Deletes every key under the prefix.</summary>
    public static async Task DeleteAsync(string prefix)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(Configuration);
        foreach (var endpoint in mux.GetEndPoints())
        {
            var server = mux.GetServer(endpoint);
            var keys = new List<RedisKey>();
            await foreach (var k in server.KeysAsync(pattern: prefix + "*")) keys.Add(k);
            if (keys.Count > 0) await mux.GetDatabase().KeyDeleteAsync([.. keys]);
        }
    }

    /// <summary>Whether a key exists in Redis (to see that the shared layer is really used).</summary>
    public static async Task<bool> ExistsAsync(string key)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(Configuration);
        return await mux.GetDatabase().KeyExistsAsync(key);
    }
}

/// <summary>
/// The business core on one shared, migrated SQLite database, as any number of separate processes
/// would have it: each <see cref="AddProcessAsync"/> builds its own service provider (own cache).
/// </summary>
public sealed class CacheTestEnvironment : IAsyncDisposable
{
    private readonly List<ServiceProvider> _processes = [];
    public TestDatabase Database { get; private init; } = null!;
    public string Prefix { get; } = TestRedis.NewPrefix();

    public static async Task<CacheTestEnvironment> CreateAsync() =>
        new() { Database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite) };

    /// <summary>A "process" with the memory cache, Redis (<c>OMS_TEST_REDIS</c>), or Redis at <paramref name="redis"/>.</summary>
    public async Task<ServiceProvider> AddProcessAsync(CacheProvider provider, string? redis = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Oms:Cache:Provider"] = provider == CacheProvider.Redis ? "redis" : "memory",
            ["Oms:Cache:KeyPrefix"] = Prefix,
        };
        if (provider == CacheProvider.Redis) settings["ConnectionStrings:Redis"] = redis ?? TestRedis.Configuration;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddOmsCore(Database.Options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var sp = services.BuildServiceProvider();
        if (_processes.Count == 0) await OmsCoreServices.MigrateAsync(sp);
        _processes.Add(sp);
        return sp;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sp in _processes) await sp.DisposeAsync();
        await TestRedisCleanupAsync();
        await Database.DisposeAsync();
    }

    private async Task TestRedisCleanupAsync()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMS_TEST_REDIS"))) await TestRedis.DeleteAsync(Prefix);
    }
}
