using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Rules;
using Oms.Server.Web;

namespace Oms.Server.Pages.Rules.BranchRules;

/// <summary>分仓规则: the rules in matching order with their conditions and candidate branches.</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class BranchRulesModel(BranchRuleService rules, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public IReadOnlyList<BranchRuleView> Rules { get; private set; } = [];
    public bool CanEdit => User.Has(Permissions.OrdersReview);

    public async Task OnGetAsync(CancellationToken ct) => Rules = await rules.ListAsync(ct);

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (await TryAsync(() => rules.DeleteAsync(id, Actor ?? "admin", ct))) Flash(l["Common.Deleted"]);
        return RedirectToPage();
    }
}
