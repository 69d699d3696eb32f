using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Review;
using Oms.Server.Web;

namespace Oms.Server.Pages.Review;

/// <summary>
/// 待审核订单: orders out of the staging area waiting for a reviewer (<see cref="ReviewQueue"/>), newest or oldest first,
/// filtered by shop, order_bn, a review flag, or "held by automatic review"; each row shows why automatic review kept it.
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class ReviewIndexModel(ReviewQueue queue, OrderDetailQuery orders) : AdminPageModel
{
    public long? Shop { get; private set; }
    public string? OrderBn { get; private set; }
    public ReviewFlags? Flag { get; private set; }
    public bool Held { get; private set; }
    public bool Oldest { get; private set; }
    public IReadOnlyList<ShopOption> Shops { get; private set; } = [];
    public KeysetPage<ReviewQueueRow> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(long? shop, string? order_bn, string? flag, string? held, string? sort, long? before, CancellationToken ct)
    {
        (Shop, OrderBn) = (shop, order_bn);
        Flag = Enum.TryParse<ReviewFlags>(flag, ignoreCase: true, out var f) && ReviewFlagText.All.Contains(f) ? f : null;
        Held = held is "1" or "true" or "on";
        Oldest = sort == "oldest";
        Shops = await orders.ShopsAsync(ct);
        Rows = await queue.ListAsync(new ReviewQueueFilter(shop, order_bn, Flag, Held, Oldest), before, ct: ct);
    }
}
