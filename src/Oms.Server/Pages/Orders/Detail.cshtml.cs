using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Outbox;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders;

/// <summary>
/// 订单详情: header, amounts, consignee, member, memos, invoice, objects with their items, payments,
/// after-sale requests, the operation log and the order's API log entries (for users who may see the API log).
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class OrderDetailModel(OrderDetailQuery query, StagingArea staging, TimeProvider clock) : AdminPageModel
{
    public OrderDetail Detail { get; private set; } = null!;
    public StagingVerdict Staging { get; private set; } = null!;
    public KeysetPage<ApiLogEntry>? ApiLog { get; private set; }
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await query.GetAsync(id, ct) is not { } detail) return NotFound();
        Detail = detail;
        Now = clock.GetUtcNow().UtcDateTime;
        Staging = await staging.EvaluateAsync(detail.Order, ct);
        if (User.Has(Permissions.ApiLogView)) ApiLog = await query.ApiLogAsync(detail.Order.OrderBn, ct: ct);
        return Page();
    }
}
