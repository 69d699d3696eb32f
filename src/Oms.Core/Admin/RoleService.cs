using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;

namespace Oms.Admin;

/// <summary>Roles (角色): named sets of permissions from <see cref="Permissions"/>.</summary>
public sealed class RoleService(OmsDbContext db, AuditLog audit, TimeProvider clock, UserAccessCache cache)
{
    /// <summary>Every role by name. Roles are a handful per merchant, so the list is not paged.</summary>
    public Task<List<Role>> ListAsync(CancellationToken ct = default) =>
        db.Set<Role>().AsNoTracking().OrderBy(r => r.Name).ToListAsync(ct);

    public Task<Role?> GetAsync(long id, CancellationToken ct = default) =>
        db.Set<Role>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);

    /// <summary>How many users hold each role.</summary>
    public async Task<Dictionary<long, int>> CountUsersAsync(CancellationToken ct = default) =>
        await db.Set<UserRole>().GroupBy(ur => ur.RoleId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct).ConfigureAwait(false);

    public async Task<Role> CreateAsync(string name, string? description, IReadOnlyCollection<string> permissions, string? actor = null, CancellationToken ct = default)
    {
        name = CheckName(name);
        var list = CheckPermissions(permissions);
        if (await db.Set<Role>().AnyAsync(r => r.Name == name, ct).ConfigureAwait(false))
            throw new ValidationException("name", $"A role named '{name}' already exists.");
        var role = new Role { Name = name, Description = Clean(description), Permissions = list, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Add(role);
        audit.Record("role.create", $"role:{name}", "permissions: " + string.Join(",", list), actor);
        await SaveAsync(name, ct).ConfigureAwait(false);
        return role;
    }

    public async Task<Role> UpdateAsync(long id, string name, string? description, IReadOnlyCollection<string> permissions, string? actor = null, CancellationToken ct = default)
    {
        name = CheckName(name);
        var list = CheckPermissions(permissions);
        var role = await db.Set<Role>().FirstOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false)
                   ?? throw new DomainException($"Role {id} does not exist.");
        if (role.Name != name && await db.Set<Role>().AnyAsync(r => r.Name == name, ct).ConfigureAwait(false))
            throw new ValidationException("name", $"A role named '{name}' already exists.");
        var detail = role.Name == name ? "" : $"renamed from {role.Name}; ";
        role.Name = name;
        role.Description = Clean(description);
        role.Permissions = list;
        audit.Record("role.update", $"role:{name}", detail + "permissions: " + string.Join(",", list), actor);
        await SaveAsync(name, ct).ConfigureAwait(false);
        cache.Clear();
        return role;
    }

    private async Task SaveAsync(string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            throw new ValidationException("name", $"A role named '{name}' already exists.");
        }
    }

    private static string CheckName(string name)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 64 || name.Contains(',', StringComparison.Ordinal))
            throw new ValidationException("name", "A role name is 1–64 characters without commas.");
        return name;
    }

    private static List<string> CheckPermissions(IReadOnlyCollection<string> permissions)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        var unknown = permissions.Where(p => !Permissions.IsKnown(p)).ToList();
        if (unknown.Count > 0)
            throw new ValidationException("permissions", $"Unknown permission '{string.Join("', '", unknown)}'.");
        // catalogue order, so the stored list reads the same whatever order the form sent
        return Permissions.All.Select(p => p.Name).Where(permissions.Contains).ToList();
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
