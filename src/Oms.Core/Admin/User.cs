namespace Oms.Admin;

/// <summary>An operator of the admin UI.</summary>
public class User
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public string? DisplayName { get; set; }
    public bool Disabled { get; set; }
    public bool IsSuperAdmin { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastLoginAt { get; set; }
    public List<UserRole> Roles { get; set; } = [];
}

/// <summary>A named set of permissions (see <see cref="Permissions"/>).</summary>
public class Role
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public List<string> Permissions { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

public class UserRole
{
    public long UserId { get; set; }
    public long RoleId { get; set; }
}

/// <summary>Who changed what, and when (操作日志).</summary>
public class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string? UserName { get; set; }
    /// <summary>e.g. <c>shop.create</c>, <c>settings.set</c>.</summary>
    public required string Action { get; set; }
    /// <summary>What was touched, e.g. <c>shop:SHOP001</c>.</summary>
    public string? Target { get; set; }
    public string? Detail { get; set; }
}

/// <summary>A stored value of a setting from <see cref="SettingsRegistry"/>.</summary>
public class SettingValue
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}
