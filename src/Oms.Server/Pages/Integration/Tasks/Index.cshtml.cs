using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Data;
using Oms.Server.Web;
using Oms.Tasks;

namespace Oms.Server.Pages.Integration.Tasks;

/// <summary>
/// 任务队列: per kind running / waiting / failed / throughput and the stop switch, and the timers.
/// Stop and start go through <see cref="TaskManager"/> (audited) and need <see cref="Permissions.TasksManage"/>.
/// </summary>
[RequirePermission(Permissions.TasksView)]
public sealed class TasksIndexModel(TaskManager tasks, OmsDbContext db, TaskRegistry registry, TimeProvider clock, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public IReadOnlyList<KindRow> Kinds { get; private set; } = [];
    public IReadOnlyList<TimerRow> Timers { get; private set; } = [];
    public bool CanManage => User.Has(Permissions.TasksManage);

    public string KindLabel(TaskKind kind) => TaskQueueReads.KindLabel(l, kind);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostStopAsync(string? kind, CancellationToken ct) => SwitchAsync(kind, stop: true, ct);

    public Task<IActionResult> OnPostStartAsync(string? kind, CancellationToken ct) => SwitchAsync(kind, stop: false, ct);

    private async Task<IActionResult> SwitchAsync(string? kindName, bool stop, CancellationToken ct)
    {
        if (!CanManage) return Forbid();
        if (TaskQueueReads.TryKind(kindName) is not { } kind) return NotFound();
        if (stop) await tasks.StopAsync(kind, Actor, ct);
        else await tasks.StartAsync(kind, Actor, ct);
        if (!Request.Headers.ContainsKey("HX-Request"))
        {
            Flash(l[stop ? "Tasks.StoppedFlash" : "Tasks.StartedFlash", KindLabel(kind)]);
            return Redirect("/integration/tasks");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Kinds = await TaskQueueReads.KindsAsync(tasks, db, now, ct);
        Timers = await TaskQueueReads.TimersAsync(db, registry, now, ct);
    }
}
