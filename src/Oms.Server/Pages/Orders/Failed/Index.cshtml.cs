using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders.Failed;

/// <summary>
/// 失败订单: failed, not dead orders, newest first, with their unmatched codes; filters shop, order_bn, code.
/// 重新匹配 per row and for the whole page (permission <see cref="Permissions.OrdersEdit"/>): a matched order
/// leaves the list; the answer says which codes are still unmatched.
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class FailedOrdersModel(FailedOrderQuery failed, FailedOrderRematch rematch, OrderDetailQuery orders, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public long? Shop { get; private set; }
    public string? OrderBn { get; private set; }
    public string? Code { get; private set; }
    public long? Before { get; private set; }
    public IReadOnlyList<ShopOption> Shops { get; private set; } = [];
    public KeysetPage<FailedOrderRow> Rows { get; private set; } = new([], null);
    public bool CanEdit => User.Has(Permissions.OrdersEdit);

    /// <summary>What the last re-match did (shown above the list); <see cref="ResultOk"/> false when something stayed unmatched or was refused.</summary>
    public string? Result { get; private set; }
    public bool ResultOk { get; private set; }

    public async Task OnGetAsync(long? shop, string? order_bn, string? code, long? before, CancellationToken ct)
    {
        if (TempData[ResultKey] is string result)
        {
            Result = result;
            ResultOk = TempData[ResultOkKey] as string == "ok";
        }
        await LoadAsync(shop, order_bn, code, before, ct);
    }

    public async Task<IActionResult> OnPostRematchAsync(long id, long? shop, string? order_bn, string? code, long? before, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        RematchOutcome? outcome = null;
        var ok = await TryAsync(async () => outcome = await rematch.RematchAsync(id, Actor ?? "admin", ct));
        if (ok && outcome is not null)
        {
            ResultOk = outcome.Matched;
            Result = outcome.Matched ? l["FailedOrders.Matched", id] : l["FailedOrders.StillUnmatched", id, string.Join("；", outcome.Unmatched)];
        }
        else
        {
            Result = string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        }
        return Settle(shop, order_bn, code, before);
    }

    public async Task<IActionResult> OnPostRematchPageAsync(long[]? ids, long? shop, string? order_bn, string? code, long? before, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        var outcomes = await rematch.RematchManyAsync(ids ?? [], Actor ?? "admin", ct);
        var matched = outcomes.Count(o => o.Matched);
        ResultOk = matched == outcomes.Count;
        Result = l["FailedOrders.PageResult", outcomes.Count, matched, outcomes.Count - matched]
                 + string.Concat(outcomes.Where(o => o.Error is not null).Select(o => $" {o.OrderId}: {o.Error}"));
        return Settle(shop, order_bn, code, before);
    }

    /// <summary>
    /// Post-redirect-get, for htmx too (it follows the redirect and swaps the list): the result travels in
    /// TempData and shows above the list, whose links then carry no handler.
    /// </summary>
    private RedirectToPageResult Settle(long? shop, string? orderBn, string? code, long? before)
    {
        TempData[ResultKey] = Result ?? "";
        TempData[ResultOkKey] = ResultOk ? "ok" : "warn";
        return RedirectToPage(new { shop, order_bn = orderBn, code, before });
    }

    private const string ResultKey = "rematch.result";
    private const string ResultOkKey = "rematch.ok";

    private async Task LoadAsync(long? shop, string? orderBn, string? code, long? before, CancellationToken ct)
    {
        (Shop, OrderBn, Code, Before) = (shop, orderBn, code, before);
        Shops = await orders.ShopsAsync(ct);
        Rows = await failed.ListAsync(new FailedOrderFilter(shop, orderBn, code), before, ct: ct);
    }
}
