using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin.Roles;

[RequirePermission(Permissions.UsersManage)]
public sealed class RoleEditModel(RoleService roles, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public List<string> Permissions { get; set; } = [];
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public long? Id { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        Id = id;
        if (id is null) return Page();
        var role = await roles.GetAsync(id.Value, ct);
        if (role is null) return NotFound();
        Input = new InputModel { Name = role.Name, Description = role.Description, Permissions = role.Permissions };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        Id = id;
        var ok = await TryAsync(() => id is null
            ? roles.CreateAsync(Input.Name ?? "", Input.Description, Input.Permissions, Actor, ct)
            : roles.UpdateAsync(id.Value, Input.Name ?? "", Input.Description, Input.Permissions, Actor, ct));
        if (!ok) return Page();
        Flash(l["Common.Saved"]);
        return Redirect("/admin/roles");
    }
}
