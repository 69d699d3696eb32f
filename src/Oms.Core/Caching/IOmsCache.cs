namespace Oms.Caching;

/// <summary>
/// 缓存: a cache for data that changes rarely (settings, shops, materials). Values are immutable
/// DTOs or records (never tracked EF entities) and must round-trip through System.Text.Json,
/// because the Redis provider stores them as JSON. A cached <c>null</c> is a cached answer
/// ("no such shop"), so writers that create a row invalidate the keys it can be found by.
/// </summary>
public interface IOmsCache
{
    /// <summary>
    /// The cached value of <paramref name="key"/>, or <paramref name="load"/>'s result stored for
    /// <paramref name="ttl"/>. A load that overlaps an invalidation of the same key is returned to
    /// its caller but not stored, so an old read never lands in the cache after the change.
    /// </summary>
    Task<T> GetOrLoadAsync<T>(string key, TimeSpan ttl, Func<CancellationToken, Task<T>> load, CancellationToken ct = default);

    /// <summary>Drops the keys in this process and (Redis) in every other process.</summary>
    Task InvalidateAsync(IReadOnlyCollection<string> keys, CancellationToken ct = default);
}

/// <summary>Which cache <c>Oms:Cache:Provider</c> chooses.</summary>
public enum CacheProvider { Memory, Redis }

/// <summary>
/// <c>Oms:Cache:Provider</c> (<c>memory</c> default | <c>redis</c>), <c>ConnectionStrings:Redis</c>
/// (a StackExchange.Redis configuration string) and <c>Oms:Cache:KeyPrefix</c> (default <c>oms:</c>;
/// installations sharing one Redis use different prefixes).
/// </summary>
public sealed class CacheOptions
{
    public CacheProvider Provider { get; init; } = CacheProvider.Memory;
    public string? RedisConfiguration { get; init; }
    public string KeyPrefix { get; init; } = "oms:";

    /// <summary>
    /// Upper bound of a near-cache entry's life in a process (Redis provider): pub/sub is
    /// fire-and-forget, so a lost invalidation message must not keep an old value for a full TTL.
    /// </summary>
    public TimeSpan NearCacheMaxTtl { get; init; } = TimeSpan.FromSeconds(60);

    public static CacheOptions Read(Microsoft.Extensions.Configuration.IConfiguration? config)
    {
        if (config is null) return new CacheOptions();
        var provider = (config["Oms:Cache:Provider"] ?? "memory").Trim().ToLowerInvariant() switch
        {
            "" or "memory" => CacheProvider.Memory,
            "redis" => CacheProvider.Redis,
            var other => throw new InvalidOperationException($"Oms:Cache:Provider '{other}' is not known: use memory or redis."),
        };
        var redis = config.GetSection("ConnectionStrings")["Redis"];
        if (provider == CacheProvider.Redis && string.IsNullOrWhiteSpace(redis))
            throw new InvalidOperationException("Oms:Cache:Provider is redis but ConnectionStrings:Redis is not set.");
        var prefix = config["Oms:Cache:KeyPrefix"];
        return new CacheOptions
        {
            Provider = provider,
            RedisConfiguration = redis,
            KeyPrefix = string.IsNullOrWhiteSpace(prefix) ? "oms:" : prefix.Trim(),
        };
    }
}
