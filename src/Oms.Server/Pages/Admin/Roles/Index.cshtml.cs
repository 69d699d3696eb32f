using Oms.Admin;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin.Roles;

/// <summary>Roles are a handful per merchant: one list, no paging.</summary>
[RequirePermission(Permissions.UsersManage)]
public sealed class RolesIndexModel(RoleService roles) : AdminPageModel
{
    public IReadOnlyList<Role> Roles { get; private set; } = [];
    public IReadOnlyDictionary<long, int> UserCounts { get; private set; } = new Dictionary<long, int>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Roles = await roles.ListAsync(ct);
        UserCounts = await roles.CountUsersAsync(ct);
    }
}
