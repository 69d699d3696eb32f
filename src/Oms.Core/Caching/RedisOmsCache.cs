using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Oms.Caching;

/// <summary>
/// The shared cache for several <c>oms</c> processes: values as JSON in Redis with their TTL, a
/// near cache in each process, and invalidation through Redis pub/sub so every process drops a
/// key as soon as any process changes it.
/// <para>
/// Keys in Redis: <c>{prefix}c:{key}</c> (the value), <c>{prefix}v:{key}</c> (a version, raised by
/// every invalidation), channels <c>{prefix}invalidate</c> and <c>{prefix}invalidate-ack</c>. An
/// invalidation returns once every subscribed process has acknowledged dropping the keys from its
/// near cache (or after <see cref="AckTimeout"/>), so a read that starts after a change returns
/// never sees the old value, in any process. A load reads value and version in one
/// round trip and writes the value back only if the version is unchanged (a <c>MULTI</c> with a
/// condition), so a process that read the database before another process's change cannot put the
/// old value back after the invalidation.
/// </para>
/// <para>
/// Redis being down never breaks a read: the value is loaded from the database (logged once per
/// outage) and the near cache is bypassed and emptied, because invalidations may be missed meanwhile.
/// </para>
/// </summary>
public sealed partial class RedisOmsCache : IOmsCache, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan VersionTtl = TimeSpan.FromDays(1);
    /// <summary>How long an invalidation waits for the other processes' acknowledgements (a hung process must not hang writers).</summary>
    public static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(2);
    private readonly CacheOptions _options;
    private readonly ConfigurationOptions _redisConfig;
    private readonly ILogger<RedisOmsCache> _log;
    private readonly MemoryCache _near = new(new MemoryCacheOptions());
    private readonly LoadGuard _guard = new();
    private readonly Lazy<Task<ConnectionMultiplexer?>> _connection;
    private readonly RedisChannel _channel;
    private readonly RedisChannel _ackChannel;
    private readonly ConcurrentDictionary<string, AckWaiter> _waiting = new(StringComparer.Ordinal);
    private volatile bool _subscribed;
    private int _outage;

    public RedisOmsCache(CacheOptions options, ILogger<RedisOmsCache> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log;
        // parsed now so a malformed configuration string stops the start, not the first read
        _redisConfig = ConfigurationOptions.Parse(options.RedisConfiguration ?? throw new InvalidOperationException("ConnectionStrings:Redis is not set."));
        _redisConfig.AbortOnConnectFail = false;
        // fail at once while disconnected instead of queueing commands until a timeout: the database answers instead
        _redisConfig.BacklogPolicy = BacklogPolicy.FailFast;
        _channel = RedisChannel.Literal(options.KeyPrefix + "invalidate");
        _ackChannel = RedisChannel.Literal(options.KeyPrefix + "invalidate-ack");
        _connection = new Lazy<Task<ConnectionMultiplexer?>>(ConnectAsync);
    }

    /// <summary>True while Redis answers and this process hears invalidations (the near cache may serve).</summary>
    public bool IsShared => _subscribed && _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully
                            && _connection.Value.Result is { IsConnected: true };

    public async Task<T> GetOrLoadAsync<T>(string key, TimeSpan ttl, Func<CancellationToken, Task<T>> load, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(load);
        var mux = await _connection.Value.ConfigureAwait(false);
        var shared = mux is { IsConnected: true } && _subscribed;
        if (!shared)
        {
            NoteOutage(null);
            return await load(ct).ConfigureAwait(false);
        }
        if (_near.TryGetValue(key, out var hit) && hit is Cached<T> near) return near.Value;

        var generation = _guard.Generation;
        var db = mux!.GetDatabase();
        RedisKey dataKey = DataKey(key), versionKey = VersionKey(key);
        RedisValue version;
        try
        {
            var found = await db.StringGetAsync([dataKey, versionKey]).ConfigureAwait(false);
            NoteHealthy();
            if (!found[0].IsNull && TryRead<T>(key, found[0], out var value))
            {
                StoreNear(key, value, ttl, generation);
                return value;
            }
            version = found[1];
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            NoteOutage(e);
            return await load(ct).ConfigureAwait(false);
        }

        var loaded = await load(ct).ConfigureAwait(false);
        try
        {
            var tran = db.CreateTransaction();
            tran.AddCondition(version.IsNull ? Condition.KeyNotExists(versionKey) : Condition.StringEqual(versionKey, version));
            _ = tran.StringSetAsync(dataKey, JsonSerializer.SerializeToUtf8Bytes(loaded), ttl);
            if (await tran.ExecuteAsync().ConfigureAwait(false)) StoreNear(key, loaded, ttl, generation);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            NoteOutage(e);
        }
        return loaded;
    }

    public async Task InvalidateAsync(IReadOnlyCollection<string> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return;
        _guard.Invalidate(() => { foreach (var k in keys) _near.Remove(k); });
        var mux = await _connection.Value.ConfigureAwait(false);
        if (mux is null) return;
        try
        {
            var db = mux.GetDatabase();
            var tran = db.CreateTransaction();
            foreach (var k in keys)
            {
                // the version first: a load that read the old version can no longer write its value back
                _ = tran.StringIncrementAsync(VersionKey(k));
                _ = tran.KeyExpireAsync(VersionKey(k), VersionTtl);
                _ = tran.KeyDeleteAsync(DataKey(k));
            }
            await tran.ExecuteAsync().ConfigureAwait(false);

            var id = Guid.NewGuid().ToString("N");
            var waiter = _waiting[id] = new AckWaiter();
            try
            {
                var message = JsonSerializer.Serialize(new InvalidationMessage(id, [.. keys]));
                var receivers = await mux.GetSubscriber().PublishAsync(_channel, message).ConfigureAwait(false);
                if (!await waiter.WaitAsync(checked((int)receivers), AckTimeout, ct).ConfigureAwait(false))
                    LogAckTimeout(_log, string.Join(", ", keys), receivers, waiter.Acks);
            }
            finally
            {
                _waiting.TryRemove(id, out _);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            // other processes keep what they hold until its TTL (near cache at most NearCacheMaxTtl)
            LogInvalidationFailed(_log, string.Join(", ", keys), e);
        }
    }

    private async Task<ConnectionMultiplexer?> ConnectAsync()
    {
        try
        {
            var mux = await ConnectionMultiplexer.ConnectAsync(_redisConfig).ConfigureAwait(false);
            mux.ConnectionFailed += (_, e) =>
            {
                _near.Clear();
                NoteOutage(e.Exception);
            };
            mux.ConnectionRestored += (_, _) =>
            {
                // invalidations published while this process was away were lost
                _guard.Invalidate(_near.Clear);
                if (!_subscribed) _ = SubscribeAsync(mux);
            };
            await SubscribeAsync(mux).ConfigureAwait(false);
            return mux;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            NoteOutage(e);
            return null;
        }
    }

    private async Task SubscribeAsync(ConnectionMultiplexer mux)
    {
        try
        {
            var subscriber = mux.GetSubscriber();
            await subscriber.SubscribeAsync(_ackChannel, (_, message) =>
            {
                if ((string?)message is { } id && _waiting.TryGetValue(id, out var waiter)) waiter.Ack();
            }).ConfigureAwait(false);
            await subscriber.SubscribeAsync(_channel, (_, message) => OnInvalidation(subscriber, message)).ConfigureAwait(false);
            _subscribed = true;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            NoteOutage(e);
        }
    }

    private void OnInvalidation(ISubscriber subscriber, RedisValue message)
    {
        InvalidationMessage? m;
        try
        {
            m = JsonSerializer.Deserialize<InvalidationMessage>((string)message!);
        }
        catch (JsonException)
        {
            m = null;
        }
        if (m is null)
        {
            // unreadable (another version of the code): drop everything rather than keep something stale
            _guard.Invalidate(_near.Clear);
            return;
        }
        _guard.Invalidate(() => { foreach (var k in m.Keys) _near.Remove(k); });
        subscriber.Publish(_ackChannel, m.Id, CommandFlags.FireAndForget);
    }

    private void StoreNear<T>(string key, T value, TimeSpan ttl, long generation) =>
        _guard.StoreUnlessInvalidated(generation, () =>
            _near.Set(key, new Cached<T>(value), ttl < _options.NearCacheMaxTtl ? ttl : _options.NearCacheMaxTtl));

    private bool TryRead<T>(string key, RedisValue json, out T value)
    {
        try
        {
            value = JsonSerializer.Deserialize<T>((byte[])json!)!;
            return true;
        }
        catch (JsonException e)
        {
            // a value written by an older version of the code: loaded again and overwritten
            LogUnreadable(_log, key, e);
            value = default!;
            return false;
        }
    }

    private void NoteOutage(Exception? e)
    {
        if (Interlocked.Exchange(ref _outage, 1) == 0) LogRedisUnavailable(_log, e);
    }

    private void NoteHealthy()
    {
        if (Interlocked.Exchange(ref _outage, 0) == 1) LogRedisBack(_log);
    }

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException or System.Net.Sockets.SocketException;

    private string DataKey(string key) => _options.KeyPrefix + "c:" + key;
    private string VersionKey(string key) => _options.KeyPrefix + "v:" + key;

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && await _connection.Value.ConfigureAwait(false) is { } mux)
            await mux.DisposeAsync().ConfigureAwait(false);
        _near.Dispose();
    }

    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully) _connection.Value.Result?.Dispose();
        _near.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis cache unavailable: reading from the database until it is back")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis cache is back")]
    private static partial void LogRedisBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis cache invalidation of {Keys} failed: other processes keep their copy until it expires")]
    private static partial void LogInvalidationFailed(ILogger logger, string keys, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache invalidation of {Keys}: {Acks} of {Receivers} processes acknowledged in time")]
    private static partial void LogAckTimeout(ILogger logger, string keys, long receivers, int acks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached value of {Key} cannot be read; loading it again")]
    private static partial void LogUnreadable(ILogger logger, string key, Exception exception);
}

/// <summary>What travels on the invalidation channel: the keys, and an id the receivers acknowledge.</summary>
internal sealed record InvalidationMessage(string Id, IReadOnlyList<string> Keys);

/// <summary>Counts acknowledgements of one invalidation until the number of receivers PUBLISH reported.</summary>
internal sealed class AckWaiter
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _acks;
    private int _expected = int.MaxValue;

    public int Acks => Volatile.Read(ref _acks);

    public void Ack()
    {
        if (Interlocked.Increment(ref _acks) >= Volatile.Read(ref _expected)) _done.TrySetResult();
    }

    public async Task<bool> WaitAsync(int expected, TimeSpan timeout, CancellationToken ct)
    {
        Volatile.Write(ref _expected, expected);
        if (Acks >= expected) return true;
        try
        {
            await _done.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
