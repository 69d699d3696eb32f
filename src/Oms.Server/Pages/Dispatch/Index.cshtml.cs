using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.Dispatch;
using Oms.Server.Web;

namespace Oms.Server.Pages.Dispatch;

/// <summary>
/// 分派: dispatchable orders (out of the staging area, unreviewed), by default only those not dispatched yet; a batch
/// 分派 to a confirm group and optionally one of its members, and 获取订单 for the signed-in reviewer. Changing needs
/// <see cref="Permissions.OrdersReview"/>.
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class DispatchModel(DispatchService dispatch, ConfirmGroupService groups, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public KeysetPage<DispatchRow> Rows { get; private set; } = new([], null);
    public IReadOnlyList<ConfirmGroupView> Groups { get; private set; } = [];
    public bool All { get; private set; }
    public bool CanEdit => User.Has(Permissions.OrdersReview);

    public async Task OnGetAsync(bool all, long? before, CancellationToken ct) => await LoadAsync(all, before, ct);

    public async Task<IActionResult> OnPostDispatchAsync(long[]? ids, long? groupId, long? opId, bool all, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        var n = 0;
        if (groupId is null) ModelState.AddModelError("", l["Dispatch.ChooseGroup"]);
        else if (await TryAsync(async () => n = await dispatch.DispatchAsync(ids ?? [], groupId.Value, opId, Actor ?? "admin", ct)))
        {
            Flash(l["Dispatch.Done", n]);
            return RedirectToPage(new { all });
        }
        await LoadAsync(all, null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostFetchAsync(int count, bool all, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (User.UserId() is not { } me) return Forbid();
        IReadOnlyList<long> taken = [];
        if (await TryAsync(async () => taken = await dispatch.FetchAsync(me, count, ct)))
        {
            Flash(taken.Count == 0 ? l["Dispatch.FetchedNone"] : l["Dispatch.Fetched", taken.Count]);
            return RedirectToPage(new { all });
        }
        await LoadAsync(all, null, ct);
        return Page();
    }

    private async Task LoadAsync(bool all, long? before, CancellationToken ct)
    {
        All = all;
        Rows = await dispatch.ListAsync(!all, null, before, 50, ct);
        Groups = await groups.ListAsync(ct);
    }
}
