using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;

namespace Oms.Admin;

/// <summary>Filters of the user list.</summary>
public sealed record UserFilter(string? Name = null, bool? Disabled = null);

/// <summary>A row of the user list: the user and the names of its roles.</summary>
public sealed record UserRow(User User, IReadOnlyList<string> RoleNames);

/// <summary>
/// Admin users (用户): creation, passwords, disabling, roles, and the login check. Every change
/// is audited in the same save.
/// </summary>
public sealed class UserService(OmsDbContext db, AuditLog audit, TimeProvider clock, UserAccessCache cache)
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;

    /// <summary>Creates a user. <paramref name="roleNames"/> must name existing roles.</summary>
    public async Task<User> CreateAsync(string name, string password, IReadOnlyCollection<string>? roleNames = null,
        string? displayName = null, bool superAdmin = false, string? actor = null, CancellationToken ct = default)
    {
        name = CheckName(name);
        CheckPassword(password);
        if (await db.Set<User>().AnyAsync(u => u.Name == name, ct).ConfigureAwait(false))
            throw new ValidationException("name", $"A user named '{name}' already exists.");
        var roles = await ResolveRolesAsync(roleNames ?? [], ct).ConfigureAwait(false);
        var user = new User
        {
            Name = name,
            PasswordHash = PasswordHasher.Hash(password),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            IsSuperAdmin = superAdmin,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Add(user);
        // the id is generated on save; the join rows follow the navigation
        user.Roles.AddRange(roles.Select(r => new UserRole { RoleId = r.Id }));
        audit.Record("user.create", $"user:{name}", superAdmin ? "super admin" : "roles: " + RoleList(roles), actor);
        await SaveAsync(name, ct).ConfigureAwait(false);
        return user;
    }

    /// <summary>Sets a new password (an administrator's reset); other sessions of that user end.</summary>
    public async Task ChangePasswordAsync(long userId, string newPassword, string? actor = null, CancellationToken ct = default)
    {
        CheckPassword(newPassword);
        var user = await FindAsync(userId, ct).ConfigureAwait(false);
        user.PasswordHash = PasswordHasher.Hash(newPassword);
        audit.Record("user.password", $"user:{user.Name}", null, actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        cache.Invalidate(userId);
    }

    /// <summary>A user changes their own password, proving the current one.</summary>
    public async Task ChangeOwnPasswordAsync(long userId, string currentPassword, string newPassword, CancellationToken ct = default)
    {
        var user = await FindAsync(userId, ct).ConfigureAwait(false);
        if (!PasswordHasher.Verify(currentPassword ?? "", user.PasswordHash))
            throw new ValidationException("currentPassword", "The current password is wrong.");
        CheckPassword(newPassword);
        user.PasswordHash = PasswordHasher.Hash(newPassword);
        audit.Record("user.password", $"user:{user.Name}", "own password", user.Name);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        cache.Invalidate(userId);
    }

    /// <summary>Disables or enables a user. The last enabled super admin cannot be disabled.</summary>
    public async Task SetDisabledAsync(long userId, bool disabled, string? actor = null, CancellationToken ct = default)
    {
        var user = await FindAsync(userId, ct).ConfigureAwait(false);
        if (user.Disabled == disabled)
            throw new DomainException(disabled ? $"User '{user.Name}' is already disabled." : $"User '{user.Name}' is already enabled.");
        if (disabled && user.IsSuperAdmin &&
            !await db.Set<User>().AnyAsync(u => u.Id != userId && u.IsSuperAdmin && !u.Disabled, ct).ConfigureAwait(false))
            throw new DomainException($"'{user.Name}' is the last enabled super admin and cannot be disabled.");
        user.Disabled = disabled;
        audit.Record(disabled ? "user.disable" : "user.enable", $"user:{user.Name}", null, actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        cache.Invalidate(userId);
    }

    /// <summary>Replaces the user's roles and display name.</summary>
    public async Task UpdateAsync(long userId, string? displayName, IReadOnlyCollection<string> roleNames, string? actor = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roleNames);
        var user = await db.Set<User>().Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == userId, ct).ConfigureAwait(false)
                   ?? throw new DomainException($"User {userId} does not exist.");
        var roles = await ResolveRolesAsync(roleNames, ct).ConfigureAwait(false);
        user.DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        user.Roles.RemoveAll(ur => roles.All(r => r.Id != ur.RoleId));
        foreach (var r in roles.Where(r => user.Roles.All(ur => ur.RoleId != r.Id)))
            user.Roles.Add(new UserRole { UserId = user.Id, RoleId = r.Id });
        audit.Record("user.update", $"user:{user.Name}", "roles: " + RoleList(roles), actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        cache.Invalidate(userId);
    }

    /// <summary>
    /// Checks a login. Returns the user's access, or null for an unknown name, a wrong password or
    /// a disabled user. Costs one PBKDF2 run whatever the outcome, so timing does not tell which.
    /// </summary>
    public async Task<UserAccess?> VerifyLoginAsync(string name, string password, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        var user = name.Length == 0 ? null
            : await db.Set<User>().FirstOrDefaultAsync(u => u.Name == name, ct).ConfigureAwait(false);
        var ok = PasswordHasher.Verify(password ?? "", user?.PasswordHash ?? PasswordHasher.Unmatchable);
        if (user is null || !ok || user.Disabled)
        {
            audit.Record("user.login_failed", name.Length == 0 ? null : $"user:{Truncate(name, 100)}",
                user is null ? "unknown user" : !ok ? "wrong password" : "user disabled", Truncate(name, 100));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return null;
        }
        user.LastLoginAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("user.login", $"user:{user.Name}", null, user.Name);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        cache.Invalidate(user.Id);
        return await GetAccessAsync(user.Id, ct).ConfigureAwait(false);
    }

    /// <summary>The user's current access (cached briefly), or null when the user no longer exists.</summary>
    public async Task<UserAccess?> GetAccessAsync(long userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGet(userId, now, out var cached)) return cached;
        var user = await db.Set<User>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct).ConfigureAwait(false);
        if (user is null) return null;
        var permissions = await (from ur in db.Set<UserRole>()
                                 join r in db.Set<Role>() on ur.RoleId equals r.Id
                                 where ur.UserId == userId
                                 select r.Permissions).ToListAsync(ct).ConfigureAwait(false);
        var set = user.IsSuperAdmin
            ? Admin.Permissions.All.Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
            : permissions.SelectMany(p => p).Where(Admin.Permissions.IsKnown).ToHashSet(StringComparer.Ordinal);
        var access = new UserAccess(user.Id, user.Name, user.DisplayName, user.Disabled, user.IsSuperAdmin, StampOf(user.PasswordHash), set);
        cache.Put(access, now);
        return access;
    }

    /// <summary>Users, newest first, with keyset paging.</summary>
    public async Task<KeysetPage<UserRow>> ListAsync(UserFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<User>().AsNoTracking().Include(u => u.Roles).AsQueryable();
        if (!string.IsNullOrWhiteSpace(filter.Name))
        {
            var n = filter.Name.Trim();
            q = q.Where(u => u.Name.Contains(n) || (u.DisplayName != null && u.DisplayName.Contains(n)));
        }
        if (filter.Disabled is { } d) q = q.Where(u => u.Disabled == d);
        var page = await q.ToKeysetPageAsync(u => u.Id, before, pageSize, ct).ConfigureAwait(false);
        var roleIds = page.Items.SelectMany(u => u.Roles.Select(r => r.RoleId)).Distinct().ToList();
        var names = await db.Set<Role>().AsNoTracking().Where(r => roleIds.Contains(r.Id))
            .ToDictionaryAsync(r => r.Id, r => r.Name, ct).ConfigureAwait(false);
        var rows = page.Items.Select(u => new UserRow(u, u.Roles.Select(r => names[r.RoleId]).Order(StringComparer.Ordinal).ToList())).ToList();
        return new KeysetPage<UserRow>(rows, page.NextBefore);
    }

    public Task<User?> GetAsync(long userId, CancellationToken ct = default) =>
        db.Set<User>().AsNoTracking().Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == userId, ct);

    public Task<bool> AnyAsync(CancellationToken ct = default) => db.Set<User>().AnyAsync(ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.Set<User>().CountAsync(ct);

    private async Task<User> FindAsync(long userId, CancellationToken ct) =>
        await db.Set<User>().FirstOrDefaultAsync(u => u.Id == userId, ct).ConfigureAwait(false)
        ?? throw new DomainException($"User {userId} does not exist.");

    private async Task<List<Role>> ResolveRolesAsync(IReadOnlyCollection<string> roleNames, CancellationToken ct)
    {
        var wanted = roleNames.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return [];
        var roles = await db.Set<Role>().Where(r => wanted.Contains(r.Name)).ToListAsync(ct).ConfigureAwait(false);
        var missing = wanted.Where(n => roles.All(r => r.Name != n)).ToList();
        if (missing.Count > 0)
        {
            var known = await db.Set<Role>().Select(r => r.Name).OrderBy(n => n).ToListAsync(ct).ConfigureAwait(false);
            throw new ValidationException("roles", $"Unknown role '{string.Join("', '", missing)}'. Known roles: {(known.Count == 0 ? "none" : string.Join(", ", known))}.");
        }
        return roles;
    }

    private async Task SaveAsync(string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            throw new ValidationException("name", $"A user named '{name}' already exists.");
        }
    }

    private static string CheckName(string name)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 64 || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '@'))
            throw new ValidationException("name", "A user name is 1–64 letters, digits, '_', '-', '.' or '@'.");
        return name;
    }

    private static void CheckPassword(string password)
    {
        if (password is null || password.Length < MinPasswordLength)
            throw new ValidationException("password", $"A password needs at least {MinPasswordLength} characters.");
        if (password.Length > MaxPasswordLength)
            throw new ValidationException("password", $"A password has at most {MaxPasswordLength} characters.");
    }

    private static string StampOf(string passwordHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)), 0, 8);

    private static string RoleList(List<Role> roles) => roles.Count == 0 ? "(none)" : string.Join(",", roles.Select(r => r.Name));

    private static string Truncate(string s, int max) => s.Length > max ? s[..max] : s;
}
