using Microsoft.Extensions.Caching.Memory;

namespace Oms.Caching;

/// <summary>
/// The embedded cache: one <see cref="MemoryCache"/> per process. Right for a single <c>oms</c>
/// process; with several processes each has its own copy and sees another's change only after the TTL.
/// </summary>
public sealed class MemoryOmsCache : IOmsCache, IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions());
    private readonly LoadGuard _guard = new();

    public async Task<T> GetOrLoadAsync<T>(string key, TimeSpan ttl, Func<CancellationToken, Task<T>> load, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (_memory.TryGetValue(key, out var hit) && hit is Cached<T> cached) return cached.Value;
        var generation = _guard.Generation;
        var value = await load(ct).ConfigureAwait(false);
        _guard.StoreUnlessInvalidated(generation, () => _memory.Set(key, new Cached<T>(value), ttl));
        return value;
    }

    public Task InvalidateAsync(IReadOnlyCollection<string> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _guard.Invalidate(() => { foreach (var k in keys) _memory.Remove(k); });
        return Task.CompletedTask;
    }

    public void Dispose() => _memory.Dispose();
}

/// <summary>A cached value in a box, so that <c>null</c> ("not found") is a cacheable answer.</summary>
internal sealed record Cached<T>(T Value);

/// <summary>
/// Keeps a load that overlapped an invalidation out of a process-local cache. Every invalidation
/// bumps a generation; a load stores its value only if the generation is still the one it read
/// before it queried the database. One counter for all keys: invalidations are rare, and a
/// needless skip costs one extra load later.
/// </summary>
internal sealed class LoadGuard
{
    private readonly Lock _gate = new();
    private long _generation;

    public long Generation => Volatile.Read(ref _generation);

    public bool StoreUnlessInvalidated(long generation, Action store)
    {
        lock (_gate)
        {
            if (_generation != generation) return false;
            store();
            return true;
        }
    }

    public void Invalidate(Action remove)
    {
        lock (_gate)
        {
            _generation++;
            remove();
        }
    }
}
