using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Oms.Server.Web;

namespace Oms.Server.Pages;

/// <summary>The language switch of the top bar: stores the choice in the culture cookie for a year.</summary>
public sealed class CultureModel : PageModel
{
    public IActionResult OnGet(string? lang, string? returnUrl)
    {
        var culture = string.Equals(lang, "en", StringComparison.OrdinalIgnoreCase) ? AdminWeb.English : AdminWeb.Chinese;
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax });
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }
}
