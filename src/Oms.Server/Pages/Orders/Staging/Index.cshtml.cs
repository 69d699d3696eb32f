using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders.Staging;

/// <summary>订单暂存区: unreviewed orders that may not be dispatched yet, with the reason and, in the buffer, until when.</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class StagingAreaModel(StagingArea staging, OrderDetailQuery orders, TimeProvider clock) : AdminPageModel
{
    /// <summary>The reasons the filter offers, in the order the rule checks them.</summary>
    public static readonly IReadOnlyList<StagingHold> Holds = [StagingHold.Refunding, StagingHold.FullyRefunded, StagingHold.Unpaid, StagingHold.Buffer];

    public long? Shop { get; private set; }
    public string? OrderBn { get; private set; }
    public StagingHold? Reason { get; private set; }
    public int BufferMinutes { get; private set; }
    public DateTime Now { get; private set; }
    public IReadOnlyList<ShopOption> Shops { get; private set; } = [];
    public KeysetPage<StagingRow> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(long? shop, string? order_bn, string? reason, long? before, CancellationToken ct)
    {
        Shop = shop;
        OrderBn = order_bn;
        Reason = Enum.TryParse<StagingHold>(reason, ignoreCase: true, out var h) && Holds.Contains(h) ? h : null;
        Now = clock.GetUtcNow().UtcDateTime;
        BufferMinutes = (int)(await staging.BufferAsync(ct)).TotalMinutes;
        Shops = await orders.ShopsAsync(ct);
        Rows = await staging.ListAsync(new StagingFilter(shop, order_bn, Reason), before, ct: ct);
    }
}
