using Oms.Admin;
using Oms.Common;
using Oms.Outbox;
using Oms.Server.Web;

namespace Oms.Server.Pages.Integration.ApiLog;

/// <summary>同步日志: every inbound and outbound call, filtered by business key, method, direction, status and China-time dates; keyset paging.</summary>
[RequirePermission(Permissions.ApiLogView)]
public sealed class ApiLogIndexModel(ApiLogService apiLog) : AdminPageModel
{
    public string? Key { get; private set; }
    public string? Method { get; private set; }
    public string? Direction { get; private set; }
    public string? Status { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public KeysetPage<ApiLogEntry> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? key, string? method, string? direction, string? status, string? from, string? to, long? before, CancellationToken ct)
    {
        (Key, Method, Direction, Status, From, To) = (key, method, direction, status, from, to);
        // a date alone in "to" means up to the end of that day
        var toUtc = Display.ParseChinaTime(to) is { } t && to!.Trim().Length == 10 ? t.AddDays(1) : Display.ParseChinaTime(to);
        Rows = await apiLog.SearchAsync(new ApiLogFilter(key, method, direction, status, Display.ParseChinaTime(from), toUtc), before, ct: ct);
    }

    public static string StatusTag(string status) => status switch
    {
        ApiLogStatus.Succ => "ok",
        ApiLogStatus.Running => "info",
        _ => "bad",
    };
}
