using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Server.Web;

namespace Oms.Server.Pages.Orders;

/// <summary>
/// 订单列表: tabs with counts (off with the degrade switch <c>ui.tab_counts</c>), filters, keyset pages newest
/// first, and the batch-actions bar whose actions arrive with order review.
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class OrdersIndexModel(OrderListQuery list) : AdminPageModel
{
    public long? Shop { get; private set; }
    public string TimeField { get; private set; } = "create";
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? OrderBn { get; private set; }
    public string? Buyer { get; private set; }
    public string? Mobile { get; private set; }
    public string? Receiver { get; private set; }
    public string? Material { get; private set; }
    public int Size { get; private set; } = OrderListQuery.PageSizes[0];
    public OrderTab Tab { get; private set; } = OrderTabs.All;
    public IReadOnlyList<(long Id, string Name)> Shops { get; private set; } = [];
    public KeysetPage<OrderListRow> Rows { get; private set; } = new([], null);
    /// <summary>Null when the degrade switch is off: no counts shown, none computed.</summary>
    public IReadOnlyDictionary<string, TabCount>? Counts { get; private set; }

    public async Task OnGetAsync(long? shop, string? timefield, string? from, string? to, string? bn, string? buyer, string? mobile,
        string? receiver, string? material, string? tab, int? size, long? before, CancellationToken ct)
    {
        (Shop, From, To, OrderBn, Buyer, Mobile, Receiver, Material) = (shop, from, to, bn, buyer, mobile, receiver, material);
        TimeField = timefield == "arrival" ? "arrival" : "create";
        Size = size is { } s && OrderListQuery.PageSizes.Contains(s) ? s : OrderListQuery.PageSizes[0];
        Tab = OrderTabs.Find(tab);
        var fromUtc = ParseTime(from);
        // a date alone in "to" means up to the end of that day
        var toUtc = ParseTime(to) is { } t && to!.Trim().Length == 10 ? t.AddDays(1) : ParseTime(to);
        var filter = new OrderListFilter
        {
            ShopIds = shop is { } id ? [id] : null,
            TimeField = TimeField == "arrival" ? OrderTimeField.Arrived : OrderTimeField.Created,
            From = fromUtc, To = toUtc, OrderBn = bn, Buyer = buyer, Mobile = mobile, ReceiverName = receiver, Material = material,
        };
        Shops = await list.ShopsAsync(ct);
        if (!await TryAsync(async () =>
            {
                Rows = await list.ListAsync(filter, Tab, before, Size, ct);
                Counts = await list.TabCountsAsync(filter, ct);
            }, prefix: ""))
            Rows = new([], null);
    }

    private static DateTime? ParseTime(string? text) => Display.ParseChinaTime(text?.Replace('T', ' '));

    /// <summary>The list with the same filters on another tab (first page).</summary>
    public string TabUrl(OrderTab tab)
    {
        ArgumentNullException.ThrowIfNull(tab);
        var kept = Request.Query.Where(q => q.Key is not ("before" or "tab" or "handler")).ToList();
        var qb = new QueryBuilder(kept);
        if (tab != OrderTabs.All) qb.Add("tab", tab.Key);
        return Request.Path + qb.ToQueryString().ToString();
    }

    public static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string PayTag(PayStatus s) => s switch
    {
        PayStatus.Paid or PayStatus.Processing => "ok",
        PayStatus.Unpaid or PayStatus.Paying or PayStatus.PartlyPaid => "warn",
        _ => "bad",
    };

    public static string ShipTag(ShipStatus s) => s switch
    {
        ShipStatus.Shipped => "ok",
        ShipStatus.NotShipped => "",
        ShipStatus.PartlyShipped => "info",
        _ => "bad",
    };
}
