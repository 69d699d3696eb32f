using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>批量校验 / 批量发货: a pasted list of waybill (or delivery) numbers becomes a background job (autochk / autodly).</summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsJobsModel(FloorJobService jobs) : AdminPageModel
{
    public KeysetPage<FloorJob> Rows { get; private set; } = new([], null);

    [BindProperty] public string Type { get; set; } = FloorJobTypes.AutoConsign;
    [BindProperty] public string? Codes { get; set; }

    public async Task OnGetAsync(string? type, long? before, CancellationToken ct)
    {
        if (type is FloorJobTypes.AutoCheck or FloorJobTypes.AutoConsign) Type = type;
        Rows = await jobs.ListAsync(before, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        FloorJob? job = null;
        if (await TryAsync(async () => job = await jobs.CreateAsync(Type, FloorJobService.ParseCodes(Codes), Actor ?? "admin", ct), ""))
            return Redirect($"/selfwms/jobs/{job!.Id}");
        Rows = await jobs.ListAsync(null, ct);
        return Page();
    }
}
