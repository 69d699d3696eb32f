using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Outbox;

namespace Oms.Fulfillment;

/// <summary>
/// 发货回写: tells the shop an order's parcel left, through the outbox in the consign's transaction — one request per order
/// of the delivery, by the shop platform's method (PROTOCOL.md §3, <see cref="Platforms"/>): <c>store.logistics.offline.send</c>
/// (<c>tid</c>, <c>company_code</c>, <c>company_name</c>, <c>logistics_no</c>, <c>is_split</c>, <c>oid_list</c> of the shipped
/// lines when the delivery carries only part of the order) or, for ShopEx-family shops, <c>store.trade.shipping.add</c>
/// (the trade shipping message with <c>shipping_id</c> = delivery_bn and the shipped items). A shop with
/// <c>ship_writeback</c> off, or not bound to the matrix, gets none — the order log says so.
/// </summary>
public sealed class ShipmentWriteback(OmsDbContext db, Outbox.Outbox outbox, TimeProvider clock)
{
    /// <summary>
    /// The write-back requests of shipped deliveries, each with its orders, written at once in the caller's transaction
    /// (untracked, <see cref="Outbox.Outbox.AddManyAsync"/>'s rows and the order log lines in one round trip); shops and line
    /// ids read once for all.
    /// </summary>
    public async Task AddAsync(IReadOnlyList<(Delivery Delivery, IReadOnlyList<Order> Orders)> shipped, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        if (shipped.Count == 0) return;
        var shopIds = shipped.Select(x => x.Delivery.ShopId).Distinct().ToList();
        var shops = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct).ConfigureAwait(false);
        // the platform's line ids are sent for split parcels only
        var splitOrderIds = shipped.SelectMany(x => x.Orders.Where(o => IsSplit(o, Carried(x.Delivery, o)))).Select(o => o.Id).Distinct().ToList();
        var oids = splitOrderIds.Count == 0 ? []
            : await db.Set<OrderObject>().AsNoTracking().Where(x => splitOrderIds.Contains(x.OrderId))
                .ToDictionaryAsync(x => x.Id, x => x.Oid, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var requests = new List<OutboundRequest>();
        var logs = new List<OrderLog>();
        foreach (var (d, orders) in shipped) Add(d, orders, shops[d.ShopId], oids, actor, now, requests, logs);
        var rows = new RowInserter(db);
        outbox.AddMany(rows, requests);
        await rows.AddRange(logs).ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
    }

    private static void Add(Delivery d, IReadOnlyList<Order> orders, Shop shop, Dictionary<long, string?> oids, string actor, DateTime now,
        List<OutboundRequest> requests, List<OrderLog> logs)
    {
        if (!shop.ShipWriteback || string.IsNullOrWhiteSpace(shop.NodeId) || string.IsNullOrWhiteSpace(shop.Token))
        {
            var why = shop.ShipWriteback ? $"店铺 {shop.Name} 未绑定矩阵（缺 node_id 或 token），发货未回写" : $"店铺 {shop.Name} 设置为不回写发货";
            foreach (var o in orders) logs.Add(OrderLog.Create(o.Id, "delivery.writeback", why, actor, now));
            return;
        }
        var peer = MatrixPeer.ForShop(shop);
        var method = Platforms.ShipmentWritebackMethod(shop.ShopType);
        foreach (var o in orders)
        {
            var carried = Carried(d, o);
            var items = o.Items.Where(i => carried.ContainsKey(i.Id)).ToList();
            var isSplit = IsSplit(o, carried);
            object parameters = method == Platforms.TradeShippingAdd
                ? new
                {
                    tid = o.OrderBn,
                    shipping_id = d.DeliveryBn,
                    create_time = ChinaTime.ToText(d.CreatedAt),
                    is_cod = d.IsCod ? "true" : "false",
                    is_protect = o.IsProtect ? "true" : "false",
                    buyer_id = o.MemberUname ?? o.BuyerId ?? "",
                    status = "succ",
                    ship_type = "delivery",
                    logistics_code = d.LogiCode ?? "",
                    logistics_company = d.LogiName ?? "",
                    logistics_no = d.LogiNo ?? "",
                    receiver_name = d.ShipName ?? "",
                    receiver_state = d.ShipProvince ?? "",
                    receiver_city = d.ShipCity ?? "",
                    receiver_district = d.ShipDistrict ?? "",
                    receiver_address = d.ShipAddr ?? "",
                    receiver_zip = d.ShipZip ?? "",
                    receiver_mobile = d.ShipMobile ?? "",
                    receiver_phone = d.ShipTel ?? "",
                    memo = d.Memo ?? "",
                    shipping_items = items.Select(i => new { name = i.Name ?? "", bn = i.Bn, number = carried[i.Id].ToString(CultureInfo.InvariantCulture) }).ToList(),
                    modify = ChinaTime.ToText(now),
                }
                : new
                {
                    tid = o.OrderBn,
                    company_code = d.LogiCode ?? "",
                    company_name = d.LogiName ?? "",
                    logistics_no = d.LogiNo ?? "",
                    is_split = isSplit ? "1" : "0",
                    oid_list = isSplit
                        ? string.Join(",", items.Select(i => oids.GetValueOrDefault(i.ObjectId)).Where(x => !string.IsNullOrEmpty(x)).Distinct())
                        : "",
                };
            requests.Add(OutboundRequest.Create(peer, method, parameters, o.OrderBn));
            logs.Add(OrderLog.Create(o.Id, "delivery.writeback",
                $"发货回写已排队：{method}（{d.LogiName ?? d.LogiCode} {d.LogiNo}{(isSplit ? "，拆单发货" : "")}）", actor, now));
        }
    }

    /// <summary>How many of each of the order's lines the delivery carries.</summary>
    private static Dictionary<long, int> Carried(Delivery d, Order o) =>
        d.OrderItems.Where(x => x.OrderId == o.Id).GroupBy(x => x.OrderItemId).ToDictionary(g => g.Key, g => g.Sum(x => x.Number));

    /// <summary>The parcel carries only part of the order (a live line not fully in it).</summary>
    private static bool IsSplit(Order o, Dictionary<long, int> carried) => o.Items.Any(i => !i.Deleted && carried.GetValueOrDefault(i.Id) < i.Quantity);
}
