using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.Integration.OpenApi;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin.OpenApiClients;

[RequirePermission(Permissions.OpenApiManage)]
public sealed class OpenApiClientsIndexModel(OpenApiClientService clients) : AdminPageModel
{
    public KeysetPage<OpenApiClient> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(long? before, CancellationToken ct) => Rows = await clients.ListAsync(before, ct: ct);

    public async Task<IActionResult> OnPostToggleAsync(string flag, bool disable, long? before, CancellationToken ct)
    {
        if (!await TryAsync(() => clients.SetDisabledAsync(flag, disable, Actor, ct)))
            return BadRequest();
        if (!Request.Headers.ContainsKey("HX-Request")) return Redirect("/admin/openapi-clients");
        Rows = await clients.ListAsync(before, ct: ct);
        return Page();
    }
}
