using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;

namespace Oms.Admin;

/// <summary>Filters of the audit log. Times are UTC; <see cref="To"/> is exclusive.</summary>
public sealed record AuditFilter(string? UserName = null, string? Action = null, string? Target = null, DateTime? From = null, DateTime? To = null);

/// <summary>Reads the audit log (操作日志), newest first, with keyset paging on the id.</summary>
public sealed class AuditSearch(OmsDbContext db)
{
    public Task<KeysetPage<AuditEntry>> SearchAsync(AuditFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<AuditEntry>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.UserName)) { var u = filter.UserName.Trim(); q = q.Where(e => e.UserName == u); }
        // actions are dotted names: "user" finds user.create, user.login, ...
        if (!string.IsNullOrWhiteSpace(filter.Action)) { var a = filter.Action.Trim(); q = q.Where(e => e.Action.StartsWith(a)); }
        if (!string.IsNullOrWhiteSpace(filter.Target)) { var t = filter.Target.Trim(); q = q.Where(e => e.Target != null && e.Target.Contains(t)); }
        if (filter.From is { } from) q = q.Where(e => e.At >= from);
        if (filter.To is { } to) q = q.Where(e => e.At < to);
        return q.ToKeysetPageAsync(e => e.Id, before, pageSize, ct);
    }

    /// <summary>How many entries carry <paramref name="action"/> (for the dashboard).</summary>
    public Task<int> CountAsync(string action, CancellationToken ct = default) =>
        db.Set<AuditEntry>().CountAsync(e => e.Action == action, ct);
}
