using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin.Users;

/// <summary>Create a user, or change one: profile and roles, password reset, disable/enable.</summary>
[RequirePermission(Permissions.UsersManage)]
public sealed class UserEditModel(UserService users, RoleService roles, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public string? DisplayName { get; set; }
        public string? Password { get; set; }
        public List<string> Roles { get; set; } = [];
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty] public string? NewPassword { get; set; }
    public User? Existing { get; private set; }
    public IReadOnlyList<Role> AllRoles { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is not null) KeepProfile();
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is null)
        {
            User? created = null;
            if (!await TryAsync(async () => created = await users.CreateAsync(Input.Name ?? "", Input.Password ?? "", Input.Roles, Input.DisplayName, actor: Actor, ct: ct)))
                return Page();
            Flash(l["Users.Created", created!.Name]);
            return Redirect("/admin/users");
        }
        if (!await TryAsync(() => users.UpdateAsync(Existing.Id, Input.DisplayName, Input.Roles, Actor, ct)))
            return Page();
        Flash(l["Common.Saved"]);
        return Redirect($"/admin/users/edit/{Existing.Id}");
    }

    public async Task<IActionResult> OnPostPasswordAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Existing is null) return NotFound();
        if (!await TryAsync(() => users.ChangePasswordAsync(id, NewPassword ?? "", Actor, ct), prefix: "New"))
        {
            KeepProfile();
            return Page();
        }
        Flash(l["Users.PasswordReset", Existing.Name]);
        return Redirect($"/admin/users/edit/{id}");
    }

    public async Task<IActionResult> OnPostDisableAsync(long id, bool disable, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Existing is null) return NotFound();
        if (!await TryAsync(() => users.SetDisabledAsync(id, disable, Actor, ct)))
        {
            KeepProfile();
            return Page();
        }
        Flash(l[disable ? "Users.DisabledDone" : "Users.EnabledDone", Existing.Name]);
        return Redirect($"/admin/users/edit/{id}");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        AllRoles = await roles.ListAsync(ct);
        if (id is null) return true;
        Existing = await users.GetAsync(id.Value, ct);
        return Existing is not null;
    }

    /// <summary>The profile form shows the stored values (on load, and when another form of the page was refused).</summary>
    private void KeepProfile()
    {
        Input.DisplayName = Existing!.DisplayName;
        Input.Roles = AllRoles.Where(r => Existing.Roles.Any(ur => ur.RoleId == r.Id)).Select(r => r.Name).ToList();
    }
}
