using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Orders;
using Oms.Rules;
using Oms.Warehouses;

namespace Oms.Review;

/// <summary>Stock of one material in one candidate branch, for the review screen.</summary>
public sealed record BranchStockLine(long BranchId, long BasicMaterialId, int Needed, int Store, int Free);

/// <summary>What the review screen proposes for an order: merge candidates, the suggested branch and carrier, stock per branch.</summary>
public sealed record ReviewAdvice(
    IReadOnlyList<long> MergeCandidates, IReadOnlyList<BranchCandidate> Candidates, long? SuggestedBranchId,
    long? SuggestedLogisticsId, ReviewFlags LogisticsFlag, IReadOnlyList<BranchStockLine> Stock);

/// <summary>
/// 人工审单 (DOMAIN.md §3 steps 6–8): what a reviewer does to orders — confirm (one delivery, merging candidates), split
/// across branches or shipments, send a delivery back, pause and resume, mark and clear abnormal, cancel an order,
/// cancel its remaining lines. Each call is one transaction (or joins the caller's) and writes the order log.
/// </summary>
public sealed class ReviewService(OmsDbContext db, DeliveryService deliveries, InventoryService inventory, BranchAllocator allocator,
    StagingArea staging, TimeProvider clock, OrderFactsLoader factsLoader, BranchRuleMatcher branchRules, DefaultBranchCandidates defaultBranches)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// 审核: every remaining line of <paramref name="orderIds"/> (one order, or several to merge) into one delivery from
    /// <paramref name="branchId"/> with <paramref name="logisticsId"/>.
    /// </summary>
    public Task<Delivery> ConfirmAsync(IReadOnlyList<long> orderIds, long branchId, long? logisticsId, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            if (orderIds.Count == 0) throw new DomainException("请选择订单");
            var lines = await db.Set<OrderItem>().AsNoTracking().Where(i => orderIds.Contains(i.OrderId) && !i.Deleted && i.Quantity > i.SplitNum)
                .Select(i => new DeliveryLine(i.Id, i.Quantity - i.SplitNum)).ToListAsync(ct).ConfigureAwait(false);
            if (lines.Count == 0) throw new DomainException("所选订单没有待生成发货单的明细");
            return await deliveries.CreateAsync(new DeliveryDraft(branchId, logisticsId, lines), actor, ct).ConfigureAwait(false);
        }, ct);

    /// <summary>拆单: several deliveries (different branches or shipments) in one transaction — all or none.</summary>
    public Task<IReadOnlyList<Delivery>> SplitAsync(IReadOnlyList<DeliveryDraft> drafts, string actor, CancellationToken ct = default) =>
        InTransactionAsync<IReadOnlyList<Delivery>>(async () =>
        {
            if (drafts.Count == 0) throw new DomainException("请至少填写一张发货单");
            var made = new List<Delivery>(drafts.Count);
            foreach (var d in drafts) made.Add(await deliveries.CreateAsync(d, actor, ct).ConfigureAwait(false));
            return made;
        }, ct);

    /// <summary>打回: the delivery is revoked, its orders return to review and automatic review leaves them to people.</summary>
    public Task<Delivery> RevokeAsync(long deliveryId, string reason, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var d = await deliveries.RevokeAsync(deliveryId, reason, actor, ct).ConfigureAwait(false);
            await ManualOnlyAsync(d.OrderItems.Select(x => x.OrderId).Distinct().ToList(), ct).ConfigureAwait(false);
            return d;
        }, ct);

    /// <summary>
    /// 暂停: open deliveries of the order are revoked first (their freeze returns to the shop), then the order is paused.
    /// </summary>
    public Task PauseAsync(long orderId, string reason, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            if (order.Status != OrderStatus.Active) throw new DomainException($"订单 {order.OrderBn} 不是活动订单");
            if (order.Pause) throw new DomainException($"订单 {order.OrderBn} 已暂停");
            var waiting = false;
            foreach (var id in await deliveries.OpenDeliveryIdsAsync(orderId, ct).ConfigureAwait(false))
            {
                var d = await db.Set<Delivery>().AsNoTracking().FirstAsync(x => x.Id == id, ct).ConfigureAwait(false);
                if (d.ProcessStatus >= DeliveryProcess.Shipped) throw new DomainException($"发货单 {d.DeliveryBn} 已发货");
                // a third-party warehouse is asked first: the order is paused once it agrees (WMS module)
                waiting |= (await deliveries.RevokeAsync(id, "订单暂停" + Why(reason), actor, orderId, ct).ConfigureAwait(false)).IsOpen;
            }
            if (waiting) return 0;
            order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            order.Pause = true;
            order.UpdatedAt = Now;
            db.Add(OrderLog.Create(orderId, "order.pause", "暂停订单" + Why(reason), actor, Now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>恢复: a paused order is released and can be reviewed again.</summary>
    public Task ResumeAsync(long orderId, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            if (!order.Pause) throw new DomainException($"订单 {order.OrderBn} 没有暂停");
            order.Pause = false;
            order.UpdatedAt = Now;
            db.Add(OrderLog.Create(orderId, "order.resume", "恢复订单", actor, Now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>标记异常 with a reason (required): the order waits until the mark is cleared.</summary>
    public Task MarkAbnormalAsync(long orderId, string reason, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            if (string.IsNullOrWhiteSpace(reason)) throw new DomainException("请填写异常原因");
            var order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            if (order.Status != OrderStatus.Active) throw new DomainException($"订单 {order.OrderBn} 不是活动订单");
            order.Abnormal = true;
            order.AbnormalReason = reason.Trim().Length > 500 ? reason.Trim()[..500] : reason.Trim();
            order.UpdatedAt = Now;
            db.Add(OrderLog.Create(orderId, "order.abnormal", "标记异常：" + order.AbnormalReason, actor, Now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>取消异常.</summary>
    public Task ClearAbnormalAsync(long orderId, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            if (!order.Abnormal) throw new DomainException($"订单 {order.OrderBn} 不是异常订单");
            order.Abnormal = false;
            order.AbnormalReason = null;
            order.UpdatedAt = Now;
            db.Add(OrderLog.Create(orderId, "order.abnormal_clear", "取消异常", actor, Now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>
    /// 取消订单 by a reviewer: an active order with nothing in open or shipped deliveries; its shop freeze is released.
    /// </summary>
    public Task CancelAsync(long orderId, string reason, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            if (order.Status != OrderStatus.Active) throw new DomainException($"订单 {order.OrderBn} 不是活动订单");
            if (order.Items.Any(i => !i.Deleted && i.SplitNum > 0))
                throw new DomainException($"订单 {order.OrderBn} 已有发货单，请先撤销发货单");
            if (!order.IsFail) await inventory.ReleaseShopFreezeAsync(Remaining(order), ct).ConfigureAwait(false);
            order.Status = OrderStatus.Dead;
            order.ProcessStatus = ProcessStatus.Cancel;
            order.UpdatedAt = Now;
            db.Add(OrderLog.Create(orderId, "order.cancel", "取消订单" + Why(reason), actor, Now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>
    /// 余单撤销: an order partly in deliveries gives up its remaining lines — their shop freeze is released, each line keeps
    /// only what its deliveries carry, and the order is <c>remain_cancel</c>.
    /// </summary>
    public Task CancelRemainingAsync(long orderId, string reason, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var order = await LockedAsync(orderId, ct).ConfigureAwait(false);
            if (order.Status != OrderStatus.Active || order.ProcessStatus != ProcessStatus.Splitting)
                throw new DomainException($"订单 {order.OrderBn} 不是部分生成发货单的订单，没有余单可撤销");
            var remaining = Remaining(order);
            await inventory.ReleaseShopFreezeAsync(remaining, ct).ConfigureAwait(false);
            var text = new List<string>();
            foreach (var i in order.Items.Where(i => i.Remaining > 0))
            {
                text.Add($"{i.Bn}×{i.Remaining}");
                if (i.SplitNum == 0) i.Deleted = true;
                else i.Quantity = i.SplitNum;
            }
            order.ProcessStatus = ProcessStatus.RemainCancel;
            order.UpdatedAt = Now;
            db.Add(OrderLog.Create(orderId, "order.remain_cancel", "余单撤销：" + string.Join("、", text) + Why(reason), actor, Now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>What the review screen proposes for <paramref name="orderId"/> (reads only).</summary>
    public async Task<ReviewAdvice> AdviseAsync(long orderId, CancellationToken ct = default)
    {
        var order = await db.Set<Order>().AsNoTracking().Include(o => o.Items).FirstOrDefaultAsync(o => o.Id == orderId, ct).ConfigureAwait(false)
                    ?? throw new DomainException($"订单 #{orderId} 不存在");
        var key = OrderMergeKey.Of(order);
        var merge = new List<long>();
        if (key.HasMember)
        {
            var bufferStart = Now - await staging.BufferAsync(ct).ConfigureAwait(false);
            var same = await db.Set<Order>().AsNoTracking().Where(key.SameMember())
                .Where(o => o.Id != orderId && o.Status == OrderStatus.Active && !o.IsFail && !o.Pause && !o.Abnormal
                            && (o.ProcessStatus == ProcessStatus.Unconfirmed || o.ProcessStatus == ProcessStatus.Splitting))
                .ToListAsync(ct).ConfigureAwait(false);
            merge.AddRange(same.Where(o => OrderMergeKey.Of(o) == key).Select(o => o.Id));
        }
        var need = NeedLine.Of(order.Items);
        var facts = await factsLoader.LoadOneAsync(orderId, ct).ConfigureAwait(false);
        var candidates = facts is null ? [] : await defaultBranches.ForOrderAsync(branchRules, facts, ct).ConfigureAwait(false);
        var choice = await allocator.ChooseAsync(candidates, need, ct).ConfigureAwait(false);
        var branchIds = candidates.Select(c => c.BranchId).ToList();
        var materialIds = need.Select(n => n.BasicMaterialId).ToList();
        var stock = await db.Set<BranchStock>().AsNoTracking().Where(s => branchIds.Contains(s.BranchId) && materialIds.Contains(s.BasicMaterialId))
            .ToListAsync(ct).ConfigureAwait(false);
        var lines = (from c in candidates
                     from n in need
                     let s = stock.FirstOrDefault(x => x.BranchId == c.BranchId && x.BasicMaterialId == n.BasicMaterialId)
                     select new BranchStockLine(c.BranchId, n.BasicMaterialId, n.Quantity, s?.Store ?? 0, (s?.Store ?? 0) - (s?.StoreFreeze ?? 0))).ToList();
        LogisticsChoice? logi = null;
        if ((choice.BranchId ?? candidates.FirstOrDefault()?.BranchId) is { } b)
            logi = await allocator.CarrierAsync(b, order.ShipProvince, need, ct).ConfigureAwait(false);
        return new ReviewAdvice(merge, candidates, choice.BranchId, logi?.Company?.Id, logi?.Flag ?? ReviewFlags.None, lines);
    }

    private static List<ShopFreezeLine> Remaining(Order order) =>
        NeedLine.Of(order.Items).Select(n => new ShopFreezeLine(order.ShopId, n.BasicMaterialId, n.Quantity)).ToList();

    private async Task ManualOnlyAsync(IReadOnlyList<long> orderIds, CancellationToken ct)
    {
        var states = await db.Set<OrderReviewState>().Where(s => orderIds.Contains(s.OrderId)).ToDictionaryAsync(s => s.OrderId, ct).ConfigureAwait(false);
        foreach (var id in orderIds)
        {
            if (!states.TryGetValue(id, out var s)) db.Add(s = new OrderReviewState { OrderId = id });
            s.ManualOnly = true;
            s.QueuedUntil = null;
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task<Order> LockedAsync(long orderId, CancellationToken ct)
    {
        var orders = await OrderLocks.LockAndLoadAsync(db, [orderId], ct).ConfigureAwait(false);
        return orders.Count == 1 ? orders[0] : throw new DomainException($"订单 #{orderId} 不存在");
    }

    private static string Why(string? reason) => string.IsNullOrWhiteSpace(reason) ? "" : "：" + reason.Trim();

    private async Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work().ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var result = await work().ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }
}
