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
/// The window may span at most <see cref="ListWindow.MaxDays"/> days: a merchant's sync polls small windows,
/// and a wider one makes the count and an OFFSET page scan months of orders on every call.
/// </para>
/// </summary>
internal sealed class OrdersGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "orders.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var w = ListWindow.Read(request, "an order_id");
        var (start, end) = (w.Start, w.End);
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

        if (w.CursorId is { } after)
        {
            var at = w.CursorTime ?? await CursorTimeAsync(after, byCreateTime, ct).ConfigureAwait(false)
                     ?? throw OpenApiException.Params("cursor_id", $"no order {after}");
            q = byCreateTime
                ? q.Where(o => o.CreateTime > at || (o.CreateTime == at && o.Id > after))
                : q.Where(o => o.UpdatedAt > at || (o.UpdatedAt == at && o.Id > after));
        }
        var sorted = byCreateTime ? q.OrderBy(o => o.CreateTime).ThenBy(o => o.Id) : q.OrderBy(o => o.UpdatedAt).ThenBy(o => o.Id);
        var page = await sorted.Skip(w.Skip).Take(w.PageSize + 1).ToListAsync(ct).ConfigureAwait(false);
        var hasMore = page.Count > w.PageSize;
        if (hasMore) page.RemoveAt(w.PageSize);

        var rows = await RowsAsync(page, ct).ConfigureAwait(false);
        var last = page.Count > 0 ? page[^1] : null;
        return new ListWindowAnswer(rows, count,
            last?.Id ?? w.CursorId,
            w.AnswerCursorTime(last is null ? null : byCreateTime ? last.CreateTime : last.UpdatedAt),
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

