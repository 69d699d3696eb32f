using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Data;
using Oms.Server.Web;
using Oms.Tasks;

namespace Oms.Server.Pages.Integration.Tasks;

/// <summary>
/// 失败任务: the failed list, newest first, keyset-paged on (failed at, id); retry and discard go
/// through <see cref="TaskManager"/> (audited) and need <see cref="Permissions.TasksManage"/>.
/// </summary>
[RequirePermission(Permissions.TasksView)]
public sealed class TasksFailedModel(TaskManager tasks, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public string? Kind { get; private set; }
    public string? Type { get; private set; }
    public IReadOnlyList<FailedTask> Rows { get; private set; } = [];
    public Pager Pager { get; private set; } = new(0, null, null);
    public bool CanManage => User.Has(Permissions.TasksManage);

    public string KindLabel(string kind) => TaskQueueReads.TryKind(kind) is { } k ? TaskQueueReads.KindLabel(l, k) : kind;

    public async Task OnGetAsync(string? kind, string? type, string? before, CancellationToken ct) => await LoadAsync(kind, type, before, ct);

    public Task<IActionResult> OnPostRetryAsync(string? id, CancellationToken ct) =>
        SettleAsync(id, () => tasks.RetryFailedAsync(id ?? "", Actor, ct), "Tasks.RetriedFlash", ct);

    public Task<IActionResult> OnPostDiscardAsync(string? id, CancellationToken ct) =>
        SettleAsync(id, () => tasks.DiscardFailedAsync(id ?? "", Actor, ct), "Tasks.DiscardedFlash", ct);

    private async Task<IActionResult> SettleAsync(string? id, Func<Task> command, string flashKey, CancellationToken ct)
    {
        if (!CanManage) return Forbid();
        var ok = await TryAsync(command);
        if (!Request.Headers.ContainsKey("HX-Request"))
        {
            Flash(ok ? l[flashKey, id ?? ""] : string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage)));
            return Redirect("/integration/tasks/failed");
        }
        if (!ok) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        // htmx: the answer's row (now gone) replaces the row, the message box shows a refusal
        await LoadAsync(Request.Query["kind"], Request.Query["type"], Request.Query["before"], ct);
        return Page();
    }

    private async Task LoadAsync(string? kind, string? type, string? before, CancellationToken ct)
    {
        Kind = TaskQueueReads.TryKind(kind)?.Name();
        Type = string.IsNullOrWhiteSpace(type) ? null : type.Trim();
        var cursor = FailedCursor.Parse(before);
        var (rows, next) = await tasks.FailedPageAsync(TaskQueueReads.TryKind(kind), Type, cursor, TaskQueueReads.FailedPageSize, ct);
        Rows = rows;
        var kept = Request.Query.Where(q => q.Key is not ("before" or "handler")).ToList();
        string Url(FailedCursor? c)
        {
            var qb = new QueryBuilder(kept);
            if (c is not null) qb.Add("before", c.ToString());
            return "/integration/tasks/failed" + qb.ToQueryString().ToString();
        }
        Pager = new Pager(rows.Count, next is null ? null : Url(next), cursor is null ? null : Url(null));
    }
}
