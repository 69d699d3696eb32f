using Oms.Data;

namespace Oms.Admin;

/// <summary>
/// Adds audit entries to the current unit of work: they are saved with the change they
/// describe, or not at all.
/// </summary>
public sealed class AuditLog(OmsDbContext db, TimeProvider clock, ICurrentUser currentUser)
{
    public void Record(string action, string? target, string? detail = null, string? userName = null)
    {
        db.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            UserName = userName ?? currentUser.Name,
            Action = action,
            Target = target,
            Detail = detail is { Length: > 4000 } ? detail[..4000] : detail,
        });
    }
}

/// <summary>Who is acting: the signed-in admin user, the OpenAPI client, or the command line.</summary>
public interface ICurrentUser
{
    string? Name { get; }
}

/// <summary>The actor when nothing else is known (CLI, background work).</summary>
public sealed class SystemUser : ICurrentUser
{
    public string? Name => "system";
}
