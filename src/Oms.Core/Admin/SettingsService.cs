using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Data;

namespace Oms.Admin;

/// <summary>
/// Reads and writes settings. Reads are cached for a few seconds so hot paths do not query
/// the table; a write in this process is seen at once, in other processes within the TTL.
/// </summary>
public sealed class SettingsService(OmsDbContext db, SettingsCache cache, TimeProvider clock, AuditLog audit)
{
    public async Task<string> GetTextAsync(string key, CancellationToken ct = default)
    {
        var def = SettingsRegistry.Get(key);
        if (cache.TryGet(key, clock.GetUtcNow(), out var cached)) return cached;
        var row = await db.Set<SettingValue>().AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, ct).ConfigureAwait(false);
        var value = row?.Value ?? def.Default;
        cache.Put(key, value, clock.GetUtcNow());
        return value;
    }

    public async Task<bool> GetBoolAsync(string key, CancellationToken ct = default) =>
        await GetTextAsync(key, ct).ConfigureAwait(false) == "true";

    public async Task<int> GetIntAsync(string key, CancellationToken ct = default) =>
        int.Parse(await GetTextAsync(key, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>All settings with their current values, in registry order.</summary>
    public async Task<IReadOnlyList<(SettingDefinition Definition, string Value, bool IsDefault)>> ListAsync(CancellationToken ct = default)
    {
        var stored = await db.Set<SettingValue>().AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct).ConfigureAwait(false);
        return SettingsRegistry.All
            .Select(d => (d, stored.TryGetValue(d.Key, out var v) ? v : d.Default, !stored.ContainsKey(d.Key)))
            .ToList();
    }

    /// <summary>Validates, stores and audits a value; returns the normalized value.</summary>
    public async Task<string> SetAsync(string key, string? value, string? userName, CancellationToken ct = default)
    {
        var def = SettingsRegistry.Get(key);
        var normalized = def.Normalize(value);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.Set<SettingValue>().FirstOrDefaultAsync(s => s.Key == key, ct).ConfigureAwait(false);
        var old = row?.Value ?? def.Default;
        if (row is null) db.Add(new SettingValue { Key = key, Value = normalized, UpdatedAt = now });
        else { row.Value = normalized; row.UpdatedAt = now; }
        audit.Record("settings.set", $"setting:{key}", $"{old} → {normalized}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        cache.Invalidate(key);
        return normalized;
    }
}

/// <summary>Process-wide cache of setting values with a short time to live.</summary>
public sealed class SettingsCache
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (string Value, DateTimeOffset At)> _values = new(StringComparer.Ordinal);

    public bool TryGet(string key, DateTimeOffset now, out string value)
    {
        if (_values.TryGetValue(key, out var e) && now - e.At < Ttl) { value = e.Value; return true; }
        value = "";
        return false;
    }

    public void Put(string key, string value, DateTimeOffset now) => _values[key] = (value, now);
    public void Invalidate(string key) => _values.TryRemove(key, out _);
}
