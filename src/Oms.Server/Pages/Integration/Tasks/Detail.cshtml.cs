using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Data;
using Oms.Server.Web;
using Oms.Tasks;

namespace Oms.Server.Pages.Integration.Tasks;

/// <summary>One failed task: its message, and the reason of every attempt (<see cref="TaskManager.AttemptsAsync"/>).</summary>
[RequirePermission(Permissions.TasksView)]
public sealed class TaskFailedDetailModel(TaskManager tasks, OmsDbContext db, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public FailedTask Failed { get; private set; } = null!;
    public IReadOnlyList<TaskLogLine> Attempts { get; private set; } = [];
    public bool CanManage => User.Has(Permissions.TasksManage);

    public string KindLabel(string kind) => TaskQueueReads.TryKind(kind) is { } k ? TaskQueueReads.KindLabel(l, k) : kind;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await TaskQueueReads.FailedTaskAsync(db, id, ct) is not { } task) return NotFound();
        Failed = task;
        Attempts = await tasks.AttemptsAsync(id, ct);
        return Page();
    }
}
