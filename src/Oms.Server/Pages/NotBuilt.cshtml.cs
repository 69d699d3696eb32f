using Microsoft.AspNetCore.Mvc;
using Oms.Server.Web;

namespace Oms.Server.Pages;

/// <summary>
/// The one placeholder for every navigation entry whose module is not built yet. It says so and
/// names the work that will bring it; it never shows made-up data.
/// </summary>
public sealed class NotBuiltModel : AdminPageModel
{
    public NavItem Item { get; private set; } = Navigation.Dashboard;

    public IActionResult OnGet(string module)
    {
        var item = Navigation.Find(module);
        if (item is null || item.IsBuilt) return NotFound();
        Item = item;
        return Page();
    }
}
