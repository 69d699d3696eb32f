using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Outbox;
using Oms.Preprocess;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders;

/// <summary>
/// 订单详情: header, amounts, consignee, member, memos, invoice, objects with their items, payments,
/// after-sale requests, the operation log and the order's API log entries (for users who may see the API log).
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class OrderDetailModel(OrderDetailQuery query, StagingArea staging, PreprocessChain preprocess, PreprocessFacts preprocessFacts, TimeProvider clock) : AdminPageModel
{
    public OrderDetail Detail { get; private set; } = null!;
    public StagingVerdict Staging { get; private set; } = null!;
    public KeysetPage<ApiLogEntry>? ApiLog { get; private set; }
    public DateTime Now { get; private set; }
    /// <summary>The preprocess chain's runs on this order, newest first (预处理记录).</summary>
    public IReadOnlyList<PreprocessRunView> PreprocessRuns { get; private set; } = [];
    public InvoiceRequest? Invoice { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await query.GetAsync(id, ct) is not { } detail) return NotFound();
        Detail = detail;
        Now = clock.GetUtcNow().UtcDateTime;
        Staging = await staging.EvaluateAsync(detail.Order, ct);
        PreprocessRuns = await preprocess.RunsAsync(id, ct: ct);
        Invoice = await preprocessFacts.InvoiceAsync(id, ct);
        if (User.Has(Permissions.ApiLogView)) ApiLog = await query.ApiLogAsync(detail.Order.OrderBn, ct: ct);
        return Page();
    }
}
