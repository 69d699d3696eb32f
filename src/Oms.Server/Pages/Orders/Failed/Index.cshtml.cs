using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders.Failed;

/// <summary>失败订单: failed, not dead orders, newest first, with their unmatched codes; filters shop, order_bn, code.</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class FailedOrdersModel(FailedOrderQuery failed, OrderDetailQuery orders) : AdminPageModel
{
    public long? Shop { get; private set; }
    public string? OrderBn { get; private set; }
    public string? Code { get; private set; }
    public IReadOnlyList<ShopOption> Shops { get; private set; } = [];
    public KeysetPage<FailedOrderRow> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(long? shop, string? order_bn, string? code, long? before, CancellationToken ct)
    {
        (Shop, OrderBn, Code) = (shop, order_bn, code);
        Shops = await orders.ShopsAsync(ct);
        Rows = await failed.ListAsync(new FailedOrderFilter(shop, order_bn, code), before, ct: ct);
    }
}
