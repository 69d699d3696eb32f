using Oms.Admin;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin.Users;

[RequirePermission(Permissions.UsersManage)]
public sealed class UsersIndexModel(UserService users) : AdminPageModel
{
    public string? Name { get; private set; }
    public string? Status { get; private set; }
    public KeysetPage<UserRow> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? name, string? status, long? before, CancellationToken ct)
    {
        Name = name;
        Status = status;
        var filter = new UserFilter(name, status switch { "enabled" => false, "disabled" => true, _ => null });
        Rows = await users.ListAsync(filter, before, ct: ct);
    }
}
