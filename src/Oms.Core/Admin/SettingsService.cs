using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Caching;
using Oms.Data;

namespace Oms.Admin;

/// <summary>
/// Reads and writes settings. Reads go through <see cref="IOmsCache"/> (key <c>settings:KEY</c>) so hot
/// paths do not query the table; <see cref="SetAsync"/> invalidates the key once the change is
/// committed, in every process when the cache is Redis.
/// </summary>
public sealed class SettingsService(OmsDbContext db, IOmsCache cache, CacheInvalidator invalidator, TimeProvider clock, AuditLog audit)
{
    private static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(10);

    public static string CacheKey(string key) => "settings:" + key;

    public async Task<string> GetTextAsync(string key, CancellationToken ct = default)
    {
        var def = SettingsRegistry.Get(key);
        return await cache.GetOrLoadAsync(CacheKey(key), CacheTtl, async c =>
            await db.Set<SettingValue>().AsNoTracking().Where(s => s.Key == key).Select(s => s.Value).FirstOrDefaultAsync(c).ConfigureAwait(false)
            ?? def.Default, ct).ConfigureAwait(false);
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
        await invalidator.AfterCommitAsync(db, [CacheKey(key)], ct).ConfigureAwait(false);
        return normalized;
    }
}
