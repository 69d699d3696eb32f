using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Preprocess;
using Oms.Server.Web;

namespace Oms.Server.Pages.Preprocess;

/// <summary>预处理配置: the chain's plugins in order, with their switch and position (changing them needs orders.review).</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class PreprocessPluginsModel(PreprocessChain chain, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public IReadOnlyList<PreprocessPluginInfo> Plugins { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Plugins = await chain.PluginsAsync(ct);

    // the field is "plugin", not "code": the error page re-executed for a 403 binds its status from "code" and form values win over route values
    public async Task<IActionResult> OnPostAsync(string? plugin, bool enabled, int? position, CancellationToken ct)
    {
        if (!User.Has(Permissions.OrdersReview)) return Forbid();
        if (position is null) ModelState.AddModelError("", "请输入顺序（0 到 10000 的整数）");
        else if (await TryAsync(() => chain.SetPluginAsync(plugin ?? "", enabled, position.Value, Actor ?? "admin", ct), prefix: ""))
        {
            Flash(plugin + " · " + l["Common.Saved"]);
            return Redirect("/preprocess/plugins");
        }
        Plugins = await chain.PluginsAsync(ct);
        return Page();
    }
}
