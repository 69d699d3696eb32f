using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>One batch verify / consign job: progress and the answer per waybill; reloads itself until done.</summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsJobModel(FloorJobService jobs) : AdminPageModel
{
    public FloorJob Job { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var job = await jobs.GetAsync(id, ct);
        if (job is null) return NotFound();
        Job = job;
        return Page();
    }
}
