using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.Server.Web;
using Oms.Wms;

namespace Oms.Server.Pages.Deliveries.Wms;

/// <summary>
/// 第三方仓库发货单: deliveries at third-party branches with their WMS status and push state; tabs for failed pushes (retry)
/// and 第三方发货单撤消失败 (retry the cancel, or confirm it was cancelled by other means → revoke locally).
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class WmsDeliveriesIndexModel(WmsQuery query, WmsDeliveryService wms, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public string Tab { get; private set; } = WmsDeliveryTab.All;
    public string? DeliveryBn { get; private set; }
    public KeysetPage<WmsDeliveryRow> Rows { get; private set; } = new([], null);
    public (int PushFailed, int CancelPending, int CancelFailed) Counts { get; private set; }
    public bool CanAct => User.Has(Permissions.OrdersReview);
    public string? Result { get; private set; }
    public bool ResultOk { get; private set; }

    public async Task OnGetAsync(string? tab, string? delivery_bn, long? before, CancellationToken ct)
    {
        if (TempData[ResultKey] is string result)
        {
            Result = result;
            ResultOk = TempData[ResultOkKey] as string == "ok";
        }
        Tab = tab is not null && WmsDeliveryTab.Tabs.Contains(tab) ? tab : WmsDeliveryTab.All;
        DeliveryBn = delivery_bn;
        Counts = await query.CountsAsync(ct);
        Rows = await query.ListAsync(Tab, delivery_bn, before, ct: ct);
    }

    public Task<IActionResult> OnPostRetryPushAsync(long delivery, string bn, CancellationToken ct) =>
        ActAsync(() => wms.RetryPushAsync(delivery, Actor ?? "admin", ct), l["Wms.Done.RetryPush", bn]);

    public Task<IActionResult> OnPostRetryCancelAsync(long delivery, string bn, CancellationToken ct) =>
        ActAsync(() => wms.RetryCancelAsync(delivery, Actor ?? "admin", ct), l["Wms.Done.RetryCancel", bn]);

    public Task<IActionResult> OnPostManualCancelAsync(long delivery, string bn, CancellationToken ct) =>
        ActAsync(() => wms.ManualCancelAsync(delivery, Actor ?? "admin", ct), l["Wms.Done.ManualCancel", bn]);

    private async Task<IActionResult> ActAsync(Func<Task> command, string done)
    {
        if (!CanAct) return Forbid();
        ResultOk = await TryAsync(command, prefix: "");
        TempData[ResultKey] = ResultOk ? done : string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        TempData[ResultOkKey] = ResultOk ? "ok" : "bad";
        return Redirect(Request.Path + new QueryBuilder(Request.Query.Where(q => q.Key != "handler")).ToQueryString());
    }

    public string TabUrl(string tab)
    {
        var qb = new QueryBuilder(Request.Query.Where(q => q.Key is not ("before" or "tab" or "handler"))) { { "tab", tab } };
        return Request.Path + qb.ToQueryString().ToString();
    }

    public string ActionUrl(string handler)
    {
        var qb = new QueryBuilder(Request.Query.Where(q => q.Key != "handler")) { { "handler", handler } };
        return Request.Path + qb.ToQueryString().ToString();
    }

    private const string ResultKey = "wms.result";
    private const string ResultOkKey = "wms.ok";
}
