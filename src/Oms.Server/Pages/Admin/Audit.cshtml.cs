using Oms.Admin;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin;

/// <summary>The audit log (操作日志): filters by user, action prefix, target and China-time dates; keyset paging.</summary>
[RequirePermission(Permissions.AuditView)]
public sealed class AuditModel(AuditSearch audit) : AdminPageModel
{
    public string? UserName { get; private set; }
    public string? Action { get; private set; }
    public string? Target { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public KeysetPage<AuditEntry> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? user, string? action, string? target, string? from, string? to, long? before, CancellationToken ct)
    {
        (UserName, Action, Target, From, To) = (user, action, target, from, to);
        // a date alone in "to" means up to the end of that day
        var toUtc = Display.ParseChinaTime(to) is { } t && to!.Trim().Length == 10 ? t.AddDays(1) : Display.ParseChinaTime(to);
        Rows = await audit.SearchAsync(new AuditFilter(user, action, target, Display.ParseChinaTime(from), toUtc), before, ct: ct);
    }
}
