using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Rules;
using Oms.Server.Web;

namespace Oms.Server.Pages.Rules.OrderGroups;

/// <summary>订单分组: the groups in matching order (priority, the default group last), each with its conditions as text.</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class OrderGroupsModel(OrderGroupService groups, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public IReadOnlyList<OrderGroupView> Groups { get; private set; } = [];
    public bool CanEdit => User.Has(Permissions.OrdersReview);

    public async Task OnGetAsync(CancellationToken ct) => Groups = await groups.ListAsync(ct);

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (await TryAsync(() => groups.DeleteAsync(id, Actor ?? "admin", ct))) Flash(l["Common.Deleted"]);
        else Flash(string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage)));
        return RedirectToPage();
    }
}
