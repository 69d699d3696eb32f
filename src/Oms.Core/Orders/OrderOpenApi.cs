using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Orders;

/// <summary>The values of order state as ONEX puts them on the wire (<c>sdb_ome_orders</c>).</summary>
public static class OrderWireNames
{
    public static string Status(OrderStatus s) => s switch
    {
        OrderStatus.Active => "active",
        OrderStatus.Dead => "dead",
        OrderStatus.Finish => "finish",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };

    public static string ProcessStatus(ProcessStatus s) => s switch
    {
        Orders.ProcessStatus.Unconfirmed => "unconfirmed",
        Orders.ProcessStatus.Confirmed => "confirmed",
        Orders.ProcessStatus.Splitting => "splitting",
        Orders.ProcessStatus.Splited => "splited",
        Orders.ProcessStatus.Cancel => "cancel",
        Orders.ProcessStatus.RemainCancel => "remain_cancel",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };

    /// <summary>ONEX's enum('true','false') columns.</summary>
    public static string Flag(bool b) => b ? "true" : "false";

    public static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>orders.getList</c> (PROTOCOL.md §5): orders whose OMS last change (<c>time_select=modified</c>, the
/// default) or platform order time (<c>createtime</c>) lies in [<c>start_time</c>, <c>end_time</c>], oldest
/// first by (time, order id), with their objects, items and payments.
/// <para>
/// Two ways to page: <c>page_no</c>/<c>page_size</c> (OFFSET; fine for small windows), or <c>cursor_id</c>:
/// the answer's <c>cursor_id</c> (the last row's <c>order_id</c>) passed back returns the rows after that
/// row, and <c>has_more</c> says whether to call again. The cursor row's position is looked up by its current
/// time; an order changed between two calls moves to a later position, so the answer also carries
/// <c>cursor_time</c> (that row's exact sort time) — passing it back with <c>cursor_id</c> keeps the walk
/// exact even then. <c>count</c> is always the whole window's count under the filters.
/// </para>
/// <para>
/// The window may span at most <see cref="MaxWindowDays"/> days: a merchant's sync polls small windows,
/// and a wider one makes the count and an OFFSET page scan months of orders on every call.
/// </para>
/// </summary>
internal sealed class OrdersGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "orders.getList";
    public bool ReadOnly => true;

    public const int MaxPageSize = 1000;
    public const int MaxWindowDays = 31;
    private const string CursorTimeFormat = "yyyy-MM-dd HH:mm:ss.fffffff";

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var start = request.RequiredTime("start_time");
        var end = request.RequiredTime("end_time");
        if (end < start) throw OpenApiException.Params("end_time", "is before start_time");
        if (end - start > TimeSpan.FromDays(MaxWindowDays))
            throw OpenApiException.Params("end_time", $"the window from start_time may span at most {MaxWindowDays} days");
        var byCreateTime = (request.Optional("time_select") ?? "modified") switch
        {
            "modified" => false,
            "createtime" => true,
            var other => throw OpenApiException.Params("time_select", $"'{other}' is not modified or createtime"),
        };
        var shopBns = request.List("shop_bn");
        if (shopBns.Count > 100) throw OpenApiException.Params("shop_bn", "at most 100 codes per call");
        var orderBns = request.List("order_bn");
        if (orderBns.Count > 100) throw OpenApiException.Params("order_bn", "at most 100 codes per call");
        var (pageNo, pageSize) = request.Paging(MaxPageSize);
        var cursorText = request.Optional("cursor_id");
        long? cursorId = null;
        if (cursorText is not null)
        {
            if (!long.TryParse(cursorText, NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c <= 0)
                throw OpenApiException.Params("cursor_id", $"'{cursorText}' is not an order_id");
            if (pageNo != 1) throw OpenApiException.Params("page_no", "page by cursor_id or by page_no, not both");
            cursorId = c;
        }
        var cursorTimeText = request.Optional("cursor_time");
        DateTime? cursorTime = null;
        if (cursorTimeText is not null)
        {
            if (cursorId is null) throw OpenApiException.Params("cursor_time", "is only read together with cursor_id");
            if (!DateTime.TryParseExact(cursorTimeText, CursorTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                throw OpenApiException.Params("cursor_time", $"'{cursorTimeText}' is not a cursor_time this method answered");
            cursorTime = DateTime.SpecifyKind(local - ChinaTime.Offset, DateTimeKind.Utc);
        }

        var q = db.Set<Order>().AsNoTracking();
        if (shopBns.Count > 0)
        {
            var shopIds = await db.Set<Shop>().AsNoTracking().Where(s => shopBns.Contains(s.ShopBn)).Select(s => s.Id).ToListAsync(ct).ConfigureAwait(false);
            q = q.Where(o => shopIds.Contains(o.ShopId));
        }
        if (orderBns.Count > 0) q = q.Where(o => orderBns.Contains(o.OrderBn));
        q = byCreateTime
            ? q.Where(o => o.CreateTime >= start && o.CreateTime <= end)
            : q.Where(o => o.UpdatedAt >= start && o.UpdatedAt <= end);
        var count = await q.LongCountAsync(ct).ConfigureAwait(false);

        if (cursorId is { } after)
        {
            var at = cursorTime ?? await CursorTimeAsync(after, byCreateTime, ct).ConfigureAwait(false)
                     ?? throw OpenApiException.Params("cursor_id", $"no order {after}");
            q = byCreateTime
                ? q.Where(o => o.CreateTime > at || (o.CreateTime == at && o.Id > after))
                : q.Where(o => o.UpdatedAt > at || (o.UpdatedAt == at && o.Id > after));
        }
        var sorted = byCreateTime ? q.OrderBy(o => o.CreateTime).ThenBy(o => o.Id) : q.OrderBy(o => o.UpdatedAt).ThenBy(o => o.Id);
        var skip = cursorId is null ? (pageNo - 1) * pageSize : 0;
        var page = await sorted.Skip(skip).Take(pageSize + 1).ToListAsync(ct).ConfigureAwait(false);
        var hasMore = page.Count > pageSize;
        if (hasMore) page.RemoveAt(pageSize);

        var rows = await RowsAsync(page, ct).ConfigureAwait(false);
        var last = page.Count > 0 ? page[^1] : null;
        return new OrderListAnswer(rows, count,
            last?.Id ?? cursorId,
            last is null ? cursorTimeText : DateTime.SpecifyKind(byCreateTime ? last.CreateTime : last.UpdatedAt, DateTimeKind.Utc)
                .Add(ChinaTime.Offset).ToString(CursorTimeFormat, CultureInfo.InvariantCulture),
            hasMore);
    }

    private Task<DateTime?> CursorTimeAsync(long id, bool byCreateTime, CancellationToken ct)
    {
        var q = db.Set<Order>().AsNoTracking().Where(o => o.Id == id);
        return byCreateTime
            ? q.Select(o => (DateTime?)o.CreateTime).FirstOrDefaultAsync(ct)
            : q.Select(o => (DateTime?)o.UpdatedAt).FirstOrDefaultAsync(ct);
    }

    /// <summary>The page's rows with their children: one query per child table for the whole page.</summary>
    private async Task<List<object>> RowsAsync(List<Order> page, CancellationToken ct)
    {
        if (page.Count == 0) return [];
        var ids = page.Select(o => o.Id).ToList();
        var shopIds = page.Select(o => o.ShopId).Distinct().ToList();
        var shops = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.ShopBn, ct).ConfigureAwait(false);
        var objects = (await db.Set<OrderObject>().AsNoTracking().Where(x => ids.Contains(x.OrderId) && !x.Deleted)
            .OrderBy(x => x.Position).ThenBy(x => x.Id).ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.OrderId);
        var items = (await db.Set<OrderItem>().AsNoTracking().Where(x => ids.Contains(x.OrderId) && !x.Deleted)
            .OrderBy(x => x.Id).ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.ObjectId);
        var payments = (await db.Set<OrderPayment>().AsNoTracking().Where(x => ids.Contains(x.OrderId))
            .OrderBy(x => x.Id).ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.OrderId);

        return page.Select(o => (object)new
        {
            order_id = o.Id,
            order_bn = o.OrderBn,
            shop_bn = shops.GetValueOrDefault(o.ShopId, ""),
            status = OrderWireNames.Status(o.Status),
            pay_status = OrderWireNames.Number((int)o.PayStatus),
            ship_status = OrderWireNames.Number((int)o.ShipStatus),
            process_status = OrderWireNames.ProcessStatus(o.ProcessStatus),
            confirm = o.Confirmed ? "Y" : "N",
            is_fail = OrderWireNames.Flag(o.IsFail),
            pause = OrderWireNames.Flag(o.Pause),
            abnormal = OrderWireNames.Flag(o.Abnormal),
            auto_status = o.AutoStatus,
            is_cod = OrderWireNames.Flag(o.IsCod),
            cost_item = Money.ToText(o.CostItem),
            cost_freight = Money.ToText(o.CostFreight),
            cost_protect = Money.ToText(o.CostProtect),
            cost_payment = Money.ToText(o.CostPayment),
            discount = Money.ToText(o.Discount),
            pmt_goods = Money.ToText(o.PmtGoods),
            pmt_order = Money.ToText(o.PmtOrder),
            total_amount = Money.ToText(o.TotalAmount),
            payed = Money.ToText(o.Payed),
            currency = o.Currency ?? "",
            shipping_name = o.ShippingName ?? "",
            pay_name = o.PayName ?? "",
            consignee = new
            {
                name = o.ShipName ?? "",
                area_state = o.ShipProvince ?? "",
                area_city = o.ShipCity ?? "",
                area_district = o.ShipDistrict ?? "",
                addr = o.ShipAddr ?? "",
                zip = o.ShipZip ?? "",
                telephone = o.ShipTel ?? "",
                mobile = o.ShipMobile ?? "",
                email = o.ShipEmail ?? "",
                r_time = o.ShipTime ?? "",
            },
            member_info = new
            {
                uname = o.MemberUname ?? "",
                name = o.MemberName ?? "",
                buyer_id = o.BuyerId ?? "",
                mobile = o.MemberMobile ?? "",
                tel = o.MemberTel ?? "",
                email = o.MemberEmail ?? "",
            },
            custom_mark = o.CustomMark ?? "",
            mark_text = o.MarkText ?? "",
            mark_type = o.MarkType ?? "",
            is_tax = OrderWireNames.Flag(o.IsTax),
            tax_title = o.TaxTitle ?? "",
            tax_no = o.TaxNo ?? "",
            createtime = ChinaTime.ToText(o.CreateTime),
            modified = ChinaTime.ToText(o.UpdatedAt),
            lastmodify = ChinaTime.ToText(o.PlatformModified),
            paytime = ChinaTime.ToText(o.PayTime) ?? "",
            order_objects = objects[o.Id].Select(x => new
            {
                obj_id = x.Id,
                oid = x.Oid ?? "",
                obj_type = x.ObjType,
                bn = x.Bn,
                name = x.Name ?? "",
                quantity = x.Quantity,
                price = Money.ToText(x.Price),
                amount = Money.ToText(x.Amount),
                pmt_price = Money.ToText(x.PmtPrice),
                sale_price = Money.ToText(x.SalePrice),
                is_matched = OrderWireNames.Flag(x.SalesMaterialId is not null),
                order_items = items[x.Id].Select(i => new
                {
                    bn = i.Bn,
                    name = i.Name ?? "",
                    quantity = i.Quantity,
                    price = Money.ToText(i.Price),
                    amount = Money.ToText(i.Amount),
                    item_type = i.ItemType,
                    sendnum = i.SendNum,
                    return_num = i.ReturnNum,
                }).ToList(),
            }).ToList(),
            payments = payments[o.Id].Select(p => new
            {
                trade_no = p.TradeNo ?? "",
                money = Money.ToText(p.Money),
                pay_method = p.PayMethod ?? "",
                pay_time = ChinaTime.ToText(p.PayTime) ?? "",
                account = p.Account ?? "",
                pay_account = p.PayAccount ?? "",
                memo = p.Memo ?? "",
            }).ToList(),
        }).ToList();
    }
}

/// <summary>The answer of <c>orders.getList</c>: the list shape plus the cursor.</summary>
internal sealed record OrderListAnswer(IReadOnlyList<object> Lists, long Count, long? CursorId, string? CursorTime, bool HasMore);
