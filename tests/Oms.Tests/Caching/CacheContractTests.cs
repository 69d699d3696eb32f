using Microsoft.Extensions.Logging.Abstractions;
using Oms.Caching;
using Oms.Tests.Tasks;

namespace Oms.Tests.Caching;

/// <summary>What every <see cref="IOmsCache"/> promises, run on the memory cache and on Redis.</summary>
public abstract class CacheContractTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    protected abstract IOmsCache Cache { get; }

    private sealed class Loader(string value)
    {
        public int Calls;
        public string Value = value;

        public Task<string> LoadAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(Value);
        }
    }

    private static string Key() => "k:" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Get_or_load_loads_once_and_then_answers_from_the_cache()
    {
        var key = Key();
        var loader = new Loader("one");
        Assert.Equal("one", await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct));
        loader.Value = "two";
        Assert.Equal("one", await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct));
        Assert.Equal("one", await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct));
        Assert.Equal(1, loader.Calls);
    }

    [Fact]
    public async Task A_value_is_loaded_again_after_its_ttl()
    {
        var key = Key();
        var loader = new Loader("old");
        Assert.Equal("old", await Cache.GetOrLoadAsync(key, TimeSpan.FromMilliseconds(300), loader.LoadAsync, Ct));
        loader.Value = "new";
        await TaskTestHost.EventuallyAsync(async () =>
            await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct) == "new", "the value to expire");
        Assert.Equal(2, loader.Calls);
        // and the reloaded value is cached again
        Assert.Equal("new", await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct));
        Assert.Equal(2, loader.Calls);
    }

    [Fact]
    public async Task Invalidate_makes_the_next_read_load_again()
    {
        var key = Key();
        var other = Key();
        var loader = new Loader("old");
        var otherLoader = new Loader("other");
        await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct);
        await Cache.GetOrLoadAsync(other, Long, otherLoader.LoadAsync, Ct);
        loader.Value = "new";
        await Cache.InvalidateAsync([key], Ct);
        Assert.Equal("new", await Cache.GetOrLoadAsync(key, Long, loader.LoadAsync, Ct));
        Assert.Equal(2, loader.Calls);
        // other keys stay cached
        Assert.Equal("other", await Cache.GetOrLoadAsync(other, Long, otherLoader.LoadAsync, Ct));
        Assert.Equal(1, otherLoader.Calls);
    }

    [Fact]
    public async Task Not_found_is_cached_until_invalidated()
    {
        var key = Key();
        var calls = 0;
        Task<string?> Missing(CancellationToken _) { calls++; return Task.FromResult<string?>(null); }
        Assert.Null(await Cache.GetOrLoadAsync(key, Long, Missing, Ct));
        Assert.Null(await Cache.GetOrLoadAsync(key, Long, Missing, Ct));
        Assert.Equal(1, calls);
        await Cache.InvalidateAsync([key], Ct);
        Assert.Equal("created", await Cache.GetOrLoadAsync(key, Long, _ => Task.FromResult<string?>("created"), Ct));
    }

    [Fact]
    public async Task A_load_that_overlaps_an_invalidation_is_returned_but_not_stored()
    {
        var key = Key();
        // the reader queried the database (old value), then the writer committed and invalidated, then the reader stores
        var stale = await Cache.GetOrLoadAsync(key, Long, async ct =>
        {
            await Cache.InvalidateAsync([key], ct);
            return "old";
        }, Ct);
        Assert.Equal("old", stale);
        Assert.Equal("new", await Cache.GetOrLoadAsync(key, Long, _ => Task.FromResult("new"), Ct));
    }

    [Fact]
    public async Task Records_with_lists_and_decimals_come_back_equal()
    {
        var key = Key();
        var value = new Sample("S-1", 12.3400m, ["a", "b"]);
        await Cache.GetOrLoadAsync(key, Long, _ => Task.FromResult(value), Ct);
        var again = await Cache.GetOrLoadAsync(key, Long, _ => Task.FromResult(new Sample("wrong", 0, [])), Ct);
        Assert.Equal(value.Code, again.Code);
        Assert.Equal(value.Price, again.Price);
        Assert.Equal(value.Tags, again.Tags);
    }

    public sealed record Sample(string Code, decimal Price, IReadOnlyList<string> Tags);

    public abstract ValueTask DisposeAsync();
}

public sealed class MemoryCacheContractTests : CacheContractTests
{
    private readonly MemoryOmsCache _cache = new();
    protected override IOmsCache Cache => _cache;

    public override ValueTask DisposeAsync()
    {
        _cache.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class RedisCacheContractTests : CacheContractTests
{
    private readonly string _prefix = TestRedis.NewPrefix();
    private readonly RedisOmsCache _cache;

    public RedisCacheContractTests() =>
        _cache = new RedisOmsCache(new CacheOptions { Provider = CacheProvider.Redis, RedisConfiguration = TestRedis.Configuration, KeyPrefix = _prefix },
            NullLogger<RedisOmsCache>.Instance);

    protected override IOmsCache Cache => _cache;

    [Fact]
    public async Task Values_live_in_redis_under_the_prefix()
    {
        await Cache.GetOrLoadAsync("shared", TimeSpan.FromMinutes(1), _ => Task.FromResult(42), TestContext.Current.CancellationToken);
        Assert.True(await TestRedis.ExistsAsync(_prefix + "c:shared"));
        Assert.True(_cache.IsShared);
    }

    public override async ValueTask DisposeAsync()
    {
        await _cache.DisposeAsync();
        await TestRedis.DeleteAsync(_prefix);
    }
}
