using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Deliveries;
using Oms.Review;
using Oms.Server.Web;

namespace Oms.Server.Pages.Deliveries;

/// <summary>发货单详情: header, consignee, items, the orders and order lines it carries; 打回 while open (permission <see cref="Permissions.OrdersReview"/>).</summary>
[RequirePermission(RequirePermissionAttribute.DeliveriesView)]
public sealed class DeliveryDetailModel(DeliveryQuery query, ReviewService review, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public DeliveryDetail Detail { get; private set; } = null!;
    public bool CanRevoke => User.Has(Permissions.OrdersReview);
    public string? Result { get; private set; }
    public bool ResultOk { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (TempData[ResultKey] is string result)
        {
            Result = result;
            ResultOk = TempData[ResultOkKey] as string == "ok";
        }
        if (await query.GetAsync(id, ct) is not { } d) return NotFound();
        Detail = d;
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, string? reason, CancellationToken ct)
    {
        if (!CanRevoke) return Forbid();
        Delivery? d = null;
        ResultOk = await TryAsync(async () => d = await review.RevokeAsync(id, reason ?? "", Actor ?? "admin", ct), prefix: "");
        Result = ResultOk ? (d!.IsOpen ? l["Wms.CancelRequested", d.DeliveryBn] : l["Review.Done.Revoke", d.DeliveryBn])
            : string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        TempData[ResultKey] = Result;
        TempData[ResultOkKey] = ResultOk ? "ok" : "bad";
        return RedirectToPage(new { id });
    }

    private const string ResultKey = "delivery.result";
    private const string ResultOkKey = "delivery.ok";
}
