using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.Deliveries;
using Oms.Review;
using Oms.Server.Web;

namespace Oms.Server.Pages.Deliveries;

/// <summary>
/// 发货单: deliveries by status (tabs ready / pause / cancel / shipped), branch, delivery_bn and order_bn, newest first
/// (<see cref="DeliveryQuery"/>); open ones can be revoked (打回, permission <see cref="Permissions.OrdersReview"/>).
/// </summary>
[RequirePermission(RequirePermissionAttribute.DeliveriesView)]
public sealed class DeliveriesIndexModel(DeliveryQuery query, ReviewService review, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    /// <summary>The status tabs, "all" first.</summary>
    public static readonly IReadOnlyList<DeliveryStatus?> Tabs = [null, DeliveryStatus.Ready, DeliveryStatus.Pause, DeliveryStatus.Shipped, DeliveryStatus.Cancel];

    public DeliveryStatus? Status { get; private set; }
    public long? Branch { get; private set; }
    public string? DeliveryBn { get; private set; }
    public string? OrderBn { get; private set; }
    public IReadOnlyList<(long Id, string Name)> Branches { get; private set; } = [];
    public KeysetPage<DeliveryRow> Rows { get; private set; } = new([], null);
    public bool CanRevoke => User.Has(Permissions.OrdersReview);
    public string? Result { get; private set; }
    public bool ResultOk { get; private set; }

    public async Task OnGetAsync(string? status, long? branch, string? delivery_bn, string? order_bn, long? before, CancellationToken ct)
    {
        if (TempData[ResultKey] is string result)
        {
            Result = result;
            ResultOk = TempData[ResultOkKey] as string == "ok";
        }
        Status = status is null ? null : DeliveryWireNames.ParseStatus(status);
        (Branch, DeliveryBn, OrderBn) = (branch, delivery_bn, order_bn);
        Branches = await query.BranchesAsync(ct);
        Rows = await query.ListAsync(new DeliveryFilter(Status, branch, delivery_bn, order_bn), before, ct: ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(long delivery, string? reason, CancellationToken ct)
    {
        if (!CanRevoke) return Forbid();
        Delivery? d = null;
        ResultOk = await TryAsync(async () => d = await review.RevokeAsync(delivery, reason ?? "", Actor ?? "admin", ct), prefix: "");
        Result = ResultOk ? (d!.IsOpen ? l["Wms.CancelRequested", d.DeliveryBn] : l["Review.Done.Revoke", d.DeliveryBn])
            : string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        TempData[ResultKey] = Result;
        TempData[ResultOkKey] = ResultOk ? "ok" : "bad";
        // back to the list the form was on (its query string is the page's)
        return Redirect(Request.Path + new QueryBuilder(Request.Query.Where(q => q.Key != "handler")).ToQueryString());
    }

    /// <summary>The list with the same filters on another status tab (first page).</summary>
    public string TabUrl(DeliveryStatus? tab)
    {
        var kept = Request.Query.Where(q => q.Key is not ("before" or "status" or "handler")).ToList();
        var qb = new QueryBuilder(kept);
        if (tab is { } t) qb.Add("status", DeliveryWireNames.Status(t));
        return Request.Path + qb.ToQueryString().ToString();
    }

    /// <summary>Where the revoke form posts: this list with its filters.</summary>
    public string RevokeUrl()
    {
        var qb = new QueryBuilder(Request.Query.Where(q => q.Key != "handler")) { { "handler", "Revoke" } };
        return Request.Path + qb.ToQueryString().ToString();
    }

    private const string ResultKey = "deliveries.result";
    private const string ResultOkKey = "deliveries.ok";
}
