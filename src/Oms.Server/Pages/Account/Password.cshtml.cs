using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Server.Web;

namespace Oms.Server.Pages.Account;

/// <summary>The signed-in user changes their own password; the session is renewed with the new stamp.</summary>
public sealed class PasswordModel(UserService users, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? CurrentPassword { get; set; }
        public string? Password { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var id = User.UserId()!.Value;
        if (!await TryAsync(() => users.ChangeOwnPasswordAsync(id, Input.CurrentPassword ?? "", Input.Password ?? "", ct)))
            return Page();
        var access = await users.GetAccessAsync(id, ct);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, UserClaims.ForLogin(access!));
        Flash(l["Account.PasswordChanged"]);
        return RedirectToPage("/Index");
    }
}
