using System.Collections.Concurrent;

namespace Oms.Admin;

/// <summary>
/// What a signed-in user may do, as read on each request: enabled, super admin, permissions and
/// a stamp of the password hash (a changed password ends other sessions).
/// </summary>
public sealed record UserAccess(long Id, string Name, string? DisplayName, bool Disabled, bool IsSuperAdmin, string Stamp, IReadOnlySet<string> Permissions)
{
    public bool Has(string permission) => IsSuperAdmin || Permissions.Contains(permission);
}

/// <summary>
/// Process-wide cache of <see cref="UserAccess"/> with a short time to live: changes made in this
/// process are seen at once, changes made by other processes within the TTL.
/// </summary>
public sealed class UserAccessCache
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<long, (UserAccess Access, DateTimeOffset At)> _entries = new();

    public bool TryGet(long userId, DateTimeOffset now, out UserAccess? access)
    {
        if (_entries.TryGetValue(userId, out var e) && now - e.At < Ttl) { access = e.Access; return true; }
        access = null;
        return false;
    }

    public void Put(UserAccess access, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(access);
        _entries[access.Id] = (access, now);
    }

    public void Invalidate(long userId) => _entries.TryRemove(userId, out _);

    /// <summary>After a role changes: every user holding it may be affected.</summary>
    public void Clear() => _entries.Clear();
}
