using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Server.Pages.Deliveries;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders;

/// <summary>What the order detail's review panel shows: automatic review's state and the order's deliveries.</summary>
public sealed record ReviewPanelView(Order Order, ReviewStateView? State, DeliveryRowsView Deliveries, bool CanReview);

/// <summary>
/// The order detail's 审单 panel (its own component so the detail page itself stays untouched but for one line): the
/// automatic review's flags, blocking flags, detail text, last attempt and retry time, a link to the review screen, and
/// the order's deliveries with links.
/// </summary>
public sealed class ReviewPanelViewComponent(ReviewQueue review, DeliveryQuery deliveries) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var ct = HttpContext.RequestAborted;
        var state = await review.StateAsync(order.Id, ct);
        var rows = await deliveries.OfOrderAsync(order.Id, ct);
        var canReview = UserClaimsPrincipal.Has(Permissions.OrdersReview);
        return View(new ReviewPanelView(order, state, new DeliveryRowsView(rows, false, null, "#order-review"), canReview));
    }
}
