using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Deliveries;

/// <summary>A quantity of one order item line to put into a delivery.</summary>
public sealed record DeliveryLine(long OrderItemId, int Number);

/// <summary>One delivery to create: the branch, the logistics company (optional) and the order item lines it carries.</summary>
public sealed record DeliveryDraft(long BranchId, long? LogisticsId, IReadOnlyList<DeliveryLine> Lines, string? Memo = null);

/// <summary>
/// Creates and revokes delivery notices (发货单, DOMAIN.md §4) — the one place where order lines move into and out of
/// deliveries and the freeze moves between shop and branch (DOMAIN.md §2). Every method runs in the caller's open
/// transaction, locks the orders it touches (<see cref="OrderLocks"/>), checks everything before it writes, and moves
/// stock with the conditional updates of <see cref="InventoryService"/>: a refusal (<see cref="DomainException"/>,
/// <see cref="InsufficientStockException"/>) leaves nothing behind that the caller's rollback would not undo.
/// </summary>
public sealed class DeliveryService(OmsDbContext db, InventoryService inventory, TimeProvider clock, IEnumerable<IThirdPartyWarehouse> thirdParty)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// 审核生成发货单: a delivery for the draft's lines. Several orders = a merge (same shop, member and address);
    /// part of an order's lines = a split. The orders become confirmed (<c>splited</c>, or <c>splitting</c> while lines
    /// remain), shop freeze moves to the branch (refused when the branch's free stock is short).
    /// </summary>
    public async Task<Delivery> CreateAsync(DeliveryDraft draft, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (draft.Lines.Count == 0) throw new DomainException("发货单至少要有一行明细");
        if (draft.Lines.Any(l => l.Number <= 0)) throw new DomainException("发货数量必须大于 0");
        var dup = draft.Lines.GroupBy(l => l.OrderItemId).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new DomainException($"订单明细 #{dup.Key} 重复出现，请合并为一行");

        var itemIds = draft.Lines.Select(l => l.OrderItemId).ToList();
        var orderIds = await db.Set<OrderItem>().AsNoTracking().Where(i => itemIds.Contains(i.Id)).Select(i => i.OrderId).Distinct()
            .ToListAsync(ct).ConfigureAwait(false);
        var orders = await LoadOrdersAsync(orderIds, ct).ConfigureAwait(false);
        var items = orders.SelectMany(o => o.Items).ToDictionary(i => i.Id);
        var missing = itemIds.FirstOrDefault(id => !items.ContainsKey(id));
        if (missing != 0) throw new DomainException($"订单明细 #{missing} 不存在");

        foreach (var o in orders) CheckReviewable(o);
        var key = OrderMergeKey.Of(orders[0]);
        foreach (var o in orders.Skip(1))
        {
            if (o.ShopId != orders[0].ShopId) throw new DomainException($"订单 {o.OrderBn} 与 {orders[0].OrderBn} 不是同一店铺，不能合并发货");
            if (OrderMergeKey.Of(o) != key || !key.HasMember)
                throw new DomainException($"订单 {o.OrderBn} 与 {orders[0].OrderBn} 的会员或收货地址不同，不能合并发货");
        }
        foreach (var l in draft.Lines)
        {
            var i = items[l.OrderItemId];
            if (i.Deleted) throw new DomainException($"订单明细 {i.Bn} 已删除");
            if (i.Quantity - i.SplitNum < l.Number)
                throw new DomainException($"订单明细 {i.Bn} 只剩 {i.Quantity - i.SplitNum} 件未生成发货单，不能发 {l.Number} 件");
        }

        var branch = await db.Set<Branch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == draft.BranchId, ct).ConfigureAwait(false)
                     ?? throw new DomainException($"仓库 #{draft.BranchId} 不存在");
        if (branch.Type != BranchType.Delivery) throw new DomainException($"仓库 {branch.BranchBn} 是备货仓，不能发货");
        var shopId = orders[0].ShopId;
        if (!await db.Set<BranchShop>().AnyAsync(s => s.BranchId == branch.Id && s.ShopId == shopId, ct).ConfigureAwait(false))
            throw new DomainException($"仓库 {branch.BranchBn} 不供应该订单的店铺");
        LogisticsCompany? logi = null;
        if (draft.LogisticsId is { } logiId)
        {
            logi = await db.Set<LogisticsCompany>().AsNoTracking().FirstOrDefaultAsync(l => l.Id == logiId, ct).ConfigureAwait(false)
                   ?? throw new DomainException($"物流公司 #{logiId} 不存在");
            if (logi.BranchId != branch.Id) throw new DomainException($"物流公司 {logi.Code} 没有设置在仓库 {branch.BranchBn}");
        }

        if (branch.IsThirdParty)
            foreach (var w in thirdParty) await w.CheckAsync(branch, ct).ConfigureAwait(false);

        // Stock first: a refusal here has written nothing.
        var perMaterial = draft.Lines.GroupBy(l => items[l.OrderItemId].BasicMaterialId)
            .Select(g => (MaterialId: g.Key, Number: g.Sum(l => l.Number))).OrderBy(x => x.MaterialId).ToList();
        await inventory.MoveShopFreezeToBranchAsync(
            perMaterial.Select(x => new FreezeMoveLine(shopId, branch.Id, x.MaterialId, x.Number)).ToList(), ct).ConfigureAwait(false);

        var materialIds = perMaterial.Select(x => x.MaterialId).ToList();
        var weights = await db.Set<BasicMaterial>().AsNoTracking().Where(m => materialIds.Contains(m.Id))
            .ToDictionaryAsync(m => m.Id, m => m.Weight, ct).ConfigureAwait(false);
        var now = Now;
        var delivery = Compose(orders, key, branch.Id, logi, draft.Lines, items, weights, actor, now, draft.Memo);
        db.Add(delivery);
        foreach (var l in draft.Lines) items[l.OrderItemId].SplitNum += l.Number;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        delivery.DeliveryBn = DocumentNumbers.Generate("D", now, delivery.Id);

        var what = CreatedText(delivery.DeliveryBn, branch.Name, logi, orders);
        foreach (var o in orders)
        {
            o.Confirmed = true;
            o.ProcessStatus = StatusAfterDelivery(o);
            o.UpdatedAt = now;
            db.Add(OrderLog.Create(o.Id, "delivery.create", what, actor, now));
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (branch.IsThirdParty)
        {
            // 第三方仓库: the push to the warehouse is written with the delivery (outbox), or not at all
            foreach (var w in thirdParty) await w.OnCreatedAsync([(delivery, branch)], actor, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        return delivery;
    }

    /// <summary>
    /// The delivery (not yet numbered: a placeholder) carrying <paramref name="lines"/> of <paramref name="orders"/> (one
    /// merge key) from <paramref name="branchId"/>: a line per material (code and name of its first order item), weight from
    /// <paramref name="weights"/> (kg per material), the orders' amounts and COD, the first order's consignee.
    /// </summary>
    internal static Delivery Compose(IReadOnlyList<Order> orders, OrderMergeKey key, long branchId, LogisticsCompany? logi, IReadOnlyList<DeliveryLine> lines,
        IReadOnlyDictionary<long, OrderItem> items, IReadOnlyDictionary<long, decimal> weights, string actor, DateTime now, string? memo)
    {
        var perMaterial = lines.GroupBy(l => items[l.OrderItemId].BasicMaterialId)
            .Select(g => (MaterialId: g.Key, Number: g.Sum(l => l.Number))).OrderBy(x => x.MaterialId).ToList();
        var first = orders[0];
        return new Delivery
        {
            DeliveryBn = DocumentNumbers.Placeholder(),
            ShopId = first.ShopId, BranchId = branchId, LogisticsId = logi?.Id, LogiCode = logi?.Code, LogiName = logi?.Name,
            Status = DeliveryStatus.Ready, ProcessStatus = DeliveryProcess.New,
            IsCod = orders.Any(o => o.IsCod),
            Weight = perMaterial.Sum(x => x.Number * weights.GetValueOrDefault(x.MaterialId)),
            ItemNum = perMaterial.Sum(x => x.Number), SkuNum = perMaterial.Count,
            TotalAmount = orders.Sum(o => o.TotalAmount),
            MemberUname = key.Member.Length > 0 ? key.Member : null,
            ShipName = first.ShipName, ShipProvince = first.ShipProvince, ShipCity = first.ShipCity, ShipDistrict = first.ShipDistrict,
            ShipAddr = first.ShipAddr, ShipZip = first.ShipZip, ShipTel = first.ShipTel, ShipMobile = first.ShipMobile,
            CreatedBy = actor, CreatedAt = now, UpdatedAt = now, Memo = memo,
            Items = perMaterial.Select(x =>
            {
                var any = lines.Select(l => items[l.OrderItemId]).First(i => i.BasicMaterialId == x.MaterialId);
                return new DeliveryItem { BasicMaterialId = x.MaterialId, Bn = any.Bn, Name = any.Name, Number = x.Number };
            }).ToList(),
            OrderItems = lines.Select(l => new DeliveryOrderItem
            {
                OrderId = items[l.OrderItemId].OrderId, OrderItemId = l.OrderItemId,
                BasicMaterialId = items[l.OrderItemId].BasicMaterialId, Number = l.Number,
            }).ToList(),
        };
    }

    /// <summary>
    /// Deliveries built by <see cref="Compose"/> that the caller writes set-wise (the automatic review batch), after it moved
    /// their freeze: their ids reserved in one round trip (<see cref="RowInserter.ReserveIdsAsync{T}"/>), numbered
    /// (<c>D…</c>, as <see cref="CreateAsync"/> numbers them), their lines pointed at them, and every row queued on
    /// <paramref name="rows"/> — one multi-row insert per table when the caller executes it.
    /// </summary>
    internal static async Task AddManyAsync(RowInserter rows, IReadOnlyList<Delivery> deliveries, DateTime now, CancellationToken ct)
    {
        if (deliveries.Count == 0) return;
        var ids = await rows.ReserveIdsAsync<Delivery>(deliveries.Count, ct).ConfigureAwait(false);
        for (var i = 0; i < deliveries.Count; i++)
        {
            var d = deliveries[i];
            d.Id = ids[i];
            d.DeliveryBn = DocumentNumbers.Generate("D", now, d.Id);
            foreach (var x in d.Items) x.DeliveryId = d.Id;
            foreach (var x in d.OrderItems) x.DeliveryId = d.Id;
        }
        rows.AddRangeWithKeys(deliveries).AddRange(deliveries.SelectMany(d => d.Items)).AddRange(deliveries.SelectMany(d => d.OrderItems));
    }

    /// <summary>The order log line of a new delivery: <c>生成发货单 D…（仓库 …，物流 …，合并订单 …）</c>.</summary>
    internal static string CreatedText(string deliveryBn, string branchName, LogisticsCompany? logi, IReadOnlyList<Order> orders)
    {
        var what = new StringBuilder().Append(CultureInfo.InvariantCulture, $"生成发货单 {deliveryBn}（仓库 {branchName}");
        if (logi is not null) what.Append("，物流 ").Append(logi.Name);
        if (orders.Count > 1) what.Append("，合并订单 ").Append(string.Join("、", orders.Select(o => o.OrderBn)));
        return what.Append('）').ToString();
    }

    /// <summary>An order's process status once its lines' <c>split_num</c> took a new delivery: splited when nothing remains.</summary>
    internal static ProcessStatus StatusAfterDelivery(Order o) =>
        o.Items.Where(i => !i.Deleted).All(i => i.SplitNum == i.Quantity) ? ProcessStatus.Splited : ProcessStatus.Splitting;

    /// <summary>
    /// 撤销 / 打回: an open delivery of the own warehouse is cancelled, its lines go back to their orders (branch freeze →
    /// shop freeze) and each order returns to review (<c>unconfirmed</c>, or <c>splitting</c> while other deliveries hold
    /// lines). Refused for a shipped or already cancelled delivery.
    /// </summary>
    public async Task<Delivery> RevokeAsync(long deliveryId, string reason, string actor, CancellationToken ct = default) =>
        await RevokeAsync(deliveryId, reason, actor, null, ct).ConfigureAwait(false);

    /// <summary>
    /// <see cref="RevokeAsync(long, string, string, CancellationToken)"/>; at a third-party branch the warehouse is asked
    /// first (<see cref="IThirdPartyWarehouse.BeforeRevokeAsync"/>): then the delivery comes back still open, and is revoked
    /// (and <paramref name="pauseOrderId"/> paused) once the warehouse agrees.
    /// </summary>
    public async Task<Delivery> RevokeAsync(long deliveryId, string reason, string actor, long? pauseOrderId, CancellationToken ct)
    {
        if (!await db.Set<Delivery>().AnyAsync(d => d.Id == deliveryId, ct).ConfigureAwait(false))
            throw new DomainException($"发货单 #{deliveryId} 不存在");
        var orderIds = await DeliveryLocks.OrderIdsAsync(db, deliveryId, ct).ConfigureAwait(false);
        // the order locks serialize every change of a delivery: take them first, then read it (again)
        var orders = await LoadOrdersAsync(orderIds, ct).ConfigureAwait(false);
        DeliveryLocks.Forget(db, deliveryId);
        var delivery = await db.Set<Delivery>().Include(d => d.OrderItems).FirstAsync(d => d.Id == deliveryId, ct).ConfigureAwait(false);
        if (delivery.Status == DeliveryStatus.Shipped) throw new DomainException($"发货单 {delivery.DeliveryBn} 已发货，不能撤销");
        if (delivery.Status == DeliveryStatus.Cancel) throw new DomainException($"发货单 {delivery.DeliveryBn} 已撤销");
        var branch = await db.Set<Branch>().AsNoTracking().FirstAsync(b => b.Id == delivery.BranchId, ct).ConfigureAwait(false);
        if (branch.IsThirdParty)
        {
            var now3 = Now;
            foreach (var w in thirdParty)
            {
                if (await w.BeforeRevokeAsync(delivery, branch, reason, pauseOrderId, actor, ct).ConfigureAwait(false)) continue;
                var asked = $"已向第三方仓库申请撤消发货单 {delivery.DeliveryBn}，仓库确认后{(pauseOrderId is null ? "撤销" : "暂停订单")}"
                            + (string.IsNullOrWhiteSpace(reason) ? "" : "：" + reason.Trim());
                foreach (var o in orders) db.Add(OrderLog.Create(o.Id, "delivery.revoke_requested", asked, actor, now3));
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return delivery;
            }
        }

        await inventory.MoveBranchFreezeToShopAsync(delivery.OrderItems.GroupBy(x => x.BasicMaterialId).OrderBy(g => g.Key)
            .Select(g => new FreezeMoveLine(delivery.ShopId, delivery.BranchId, g.Key, g.Sum(x => x.Number))).ToList(), ct).ConfigureAwait(false);

        var items = orders.SelectMany(o => o.Items).ToDictionary(i => i.Id);
        foreach (var x in delivery.OrderItems) items[x.OrderItemId].SplitNum -= x.Number;
        var now = Now;
        delivery.Status = DeliveryStatus.Cancel;
        delivery.UpdatedAt = now;
        var text = $"发货单 {delivery.DeliveryBn} 已撤销，订单退回待审核" + (string.IsNullOrWhiteSpace(reason) ? "" : "：" + reason.Trim());
        foreach (var o in orders)
        {
            var inDeliveries = o.Items.Any(i => !i.Deleted && i.SplitNum > 0);
            o.Confirmed = inDeliveries;
            if (o.Status == OrderStatus.Active && o.ProcessStatus is ProcessStatus.Splited or ProcessStatus.Splitting or ProcessStatus.Confirmed)
                o.ProcessStatus = inDeliveries ? ProcessStatus.Splitting : ProcessStatus.Unconfirmed;
            o.UpdatedAt = now;
            db.Add(OrderLog.Create(o.Id, "delivery.revoke", text, actor, now));
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return delivery;
    }

    /// <summary>Open deliveries (ready or paused) that carry lines of <paramref name="orderId"/>.</summary>
    public Task<List<long>> OpenDeliveryIdsAsync(long orderId, CancellationToken ct = default) =>
        db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => x.OrderId == orderId)
            .Join(db.Set<Delivery>(), x => x.DeliveryId, d => d.Id, (x, d) => d)
            .Where(d => d.Status == DeliveryStatus.Ready || d.Status == DeliveryStatus.Pause)
            .Select(d => d.Id).Distinct().ToListAsync(ct);

    /// <summary>
    /// Whether an order may go into a delivery now: active, matched, not paused or abnormal, not yet fully in deliveries,
    /// and paid (or COD) with no refund in progress. The buffer time is the staging area's business, not this check's:
    /// a reviewer may take an order before it ends.
    /// </summary>
    public static void CheckReviewable(Order o)
    {
        if (o.Status != OrderStatus.Active) throw new DomainException($"订单 {o.OrderBn} 不是活动订单");
        if (o.IsFail) throw new DomainException($"订单 {o.OrderBn} 是失败订单，请先重新匹配");
        if (o.Pause) throw new DomainException($"订单 {o.OrderBn} 已暂停");
        if (o.Abnormal) throw new DomainException($"订单 {o.OrderBn} 是异常订单：{o.AbnormalReason}");
        if (o.ProcessStatus is not (ProcessStatus.Unconfirmed or ProcessStatus.Confirmed or ProcessStatus.Splitting))
            throw new DomainException($"订单 {o.OrderBn} 已全部生成发货单或已取消");
        if (o.PayStatus is PayStatus.RefundApplied or PayStatus.Refunding) throw new DomainException($"订单 {o.OrderBn} 退款处理中");
        if (o.PayStatus == PayStatus.FullyRefunded) throw new DomainException($"订单 {o.OrderBn} 已全额退款");
        if (!o.IsCod && o.PayStatus is PayStatus.Unpaid or PayStatus.PartlyPaid or PayStatus.Paying)
            throw new DomainException($"订单 {o.OrderBn} 未付款");
    }

    /// <summary>The orders locked and read again (<see cref="OrderLocks.LockAndLoadAsync"/>); none at all is a refusal.</summary>
    private async Task<List<Order>> LoadOrdersAsync(IReadOnlyCollection<long> orderIds, CancellationToken ct)
    {
        var orders = await OrderLocks.LockAndLoadAsync(db, orderIds, ct).ConfigureAwait(false);
        if (orders.Count == 0) throw new DomainException("订单不存在");
        return orders;
    }
}
