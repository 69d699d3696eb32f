using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Warehouses;

namespace Oms.Wms;

/// <summary>What a warehouse reports about one delivery (the <c>wms.delivery.status_update</c> fields, or a query's answer).</summary>
public sealed record WmsStatusReport(
    string? DeliveryBn, string? OutDeliveryBn, string Status, string? LogiNo = null, string? Logistics = null, decimal? Weight = null,
    decimal? Volume = null, DateTime? OperateTime = null, string? Remark = null);

/// <summary>What applying a report did: <c>applied</c>, <c>shipped</c>, <c>cancelled</c> or <c>ignored</c> (stale or repeated).</summary>
public sealed record WmsStatusResult(string DeliveryBn, string Status, string State);

/// <summary>
/// Third-party deliveries after their push: the warehouse's status reports (callback or poll, one code path), the final
/// outcomes of push / cancel / query requests, the operator's retry and manual cancel, and polling. Every method runs in
/// the caller's transaction when there is one (the gateway's, the outbox's), else in its own.
/// </summary>
public sealed class WmsDeliveryService(
    OmsDbContext db, DeliveryService deliveries, ReviewService review, WmsAdapterRegistry adapters, TimeProvider clock,
    Outbox.ApiLogService apiLog, Fulfillment.ConsignService consign)
{
    public static readonly IReadOnlyList<string> Statuses = ["ACCEPT", "PRINT", "PICK", "CHECK", "PACKAGE", "DELIVERY", "UPDATE", "CLOSE", "FAILED"];

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Progress order: a report never moves a delivery back (ACCEPT after PACKAGE, anything after DELIVERY/CLOSE).</summary>
    private static int Rank(string? status) => status switch
    {
        "ACCEPT" => 1, "PRINT" => 2, "PICK" => 3, "CHECK" => 4, "PACKAGE" => 5, "DELIVERY" or "CLOSE" or "FAILED" => 9, _ => 0,
    };

    /// <summary>
    /// Applies a warehouse's report (PROTOCOL.md §2 warehouse side) for a delivery at a branch of <paramref name="channel"/>:
    /// ACCEPT…PACKAGE record progress, UPDATE changes carrier/waybill/weight/volume, DELIVERY ships once, CLOSE/FAILED
    /// cancel it (freeze back to the shop, orders back to review marked abnormal with the remark).
    /// </summary>
    public Task<WmsStatusResult> ApplyStatusAsync(WmsChannel channel, WmsStatusReport report, string actor, CancellationToken ct = default) =>
        InTransactionAsync(() => ApplyAsync(channel, report, actor, ct), ct);

    private async Task<WmsStatusResult> ApplyAsync(WmsChannel channel, WmsStatusReport r, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(r);
        var status = r.Status.Trim().ToUpperInvariant();
        if (!Statuses.Contains(status)) throw new ValidationException("status", $"status '{r.Status}' is not one of {string.Join(", ", Statuses)}");
        if (status == "DELIVERY" && string.IsNullOrWhiteSpace(r.LogiNo)) throw new ValidationException("logi_no", "logi_no is required for DELIVERY");

        long? id = null;
        if (!string.IsNullOrWhiteSpace(r.DeliveryBn))
            id = await db.Set<Delivery>().AsNoTracking().Where(d => d.DeliveryBn == r.DeliveryBn).Select(d => (long?)d.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (id is null && !string.IsNullOrWhiteSpace(r.OutDeliveryBn))
            id = await db.Set<DeliveryWms>().AsNoTracking().Where(x => x.ChannelId == channel.Id && x.OutDeliveryBn == r.OutDeliveryBn)
                .Select(x => (long?)x.DeliveryId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (id is not { } deliveryId) throw new DomainException($"发货单 {r.DeliveryBn ?? r.OutDeliveryBn} 不存在");
        var branch = await (from d in db.Set<Delivery>() join b in db.Set<Branch>() on d.BranchId equals b.Id where d.Id == deliveryId select b)
            .AsNoTracking().FirstAsync(ct).ConfigureAwait(false);
        if (branch.Wms != channel.ChannelBn)
            throw new DomainException($"发货单 {r.DeliveryBn ?? r.OutDeliveryBn} 不属于 WMS 渠道 {channel.ChannelBn} 的仓库");

        // the order locks serialize every change of a delivery: take them, then read it again
        var orderIds = await DeliveryLocks.LockOrdersOfAsync(db, deliveryId, ct).ConfigureAwait(false);
        var delivery = await FreshDeliveryAsync(deliveryId, ct).ConfigureAwait(false);
        var dw = await db.Set<DeliveryWms>().FirstOrDefaultAsync(x => x.DeliveryId == deliveryId, ct).ConfigureAwait(false);
        var now = Now;
        if (dw is null)
            db.Add(dw = new DeliveryWms { DeliveryId = deliveryId, ChannelId = channel.Id, PushState = WmsPushState.Pushed, CreatedAt = now });
        dw.LastCallbackAt = now;
        dw.UpdatedAt = now;
        // whatever it says, the warehouse has the delivery
        if (dw.PushState != WmsPushState.Pushed) { dw.PushState = WmsPushState.Pushed; dw.PushError = null; dw.PushedAt ??= now; }
        if (!string.IsNullOrWhiteSpace(r.OutDeliveryBn) && dw.OutDeliveryBn is null) dw.OutDeliveryBn = WmsDeliveryHook.Cut(r.OutDeliveryBn.Trim(), 64);
        if (r.Remark is { Length: > 0 }) dw.Remark = WmsDeliveryHook.Cut(r.Remark, 500);
        var bn = delivery.DeliveryBn;

        switch (status)
        {
            case "UPDATE":
                if (!delivery.IsOpen) return await DoneAsync(bn, status, "ignored", ct).ConfigureAwait(false);
                await ApplyLogisticsAsync(delivery, r, ct).ConfigureAwait(false);
                if (r.Volume is { } vol) dw.Volume = vol;
                delivery.UpdatedAt = now;
                return await DoneAsync(bn, status, "applied", ct).ConfigureAwait(false);

            case "DELIVERY":
                if (delivery.Status == DeliveryStatus.Shipped) return await DoneAsync(bn, status, "ignored", ct).ConfigureAwait(false);
                await ApplyLogisticsAsync(delivery, r, ct).ConfigureAwait(false);
                if (r.Volume is { } v2) dw.Volume = v2;
                Record(dw, delivery, status, r, now);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                var shipped = await ConsignAsync(deliveryId, r, actor, ct).ConfigureAwait(false);
                // consign forgets and re-reads the delivery (and so this row, its dependent): read it again too
                dw = await db.Set<DeliveryWms>().FirstAsync(x => x.DeliveryId == deliveryId, ct).ConfigureAwait(false);
                if (dw.CancelState == WmsCancelState.Pending)
                {
                    // the consign race: the warehouse shipped before it answered the cancel
                    dw.CancelState = WmsCancelState.Failed;
                    dw.CancelError = "仓库已发货，撤消失败";
                    dw.CancelAnsweredAt = now;
                    foreach (var o in orderIds) db.Add(OrderLog.Create(o, "delivery.revoke_failed", $"第三方仓库已发货，发货单 {bn} 撤消失败", actor, now));
                }
                return await DoneAsync(bn, status, shipped ? "shipped" : "ignored", ct).ConfigureAwait(false);

            case "CLOSE" or "FAILED":
                if (delivery.Status == DeliveryStatus.Cancel) return await DoneAsync(bn, status, "ignored", ct).ConfigureAwait(false);
                if (delivery.Status == DeliveryStatus.Shipped) throw new DomainException($"发货单 {bn} 已发货，不能关闭");
                Record(dw, delivery, status, r, now);
                var intent = dw.CancelState == WmsCancelState.Pending ? dw.CancelIntent : null;
                var pauseOrder = dw.CancelOrderId;
                dw.CancelState = WmsCancelState.Cancelled;
                dw.CancelAnsweredAt = now;
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                var why = $"第三方仓库{(status == "CLOSE" ? "关闭" : "处理失败")}发货单 {bn}" + (string.IsNullOrWhiteSpace(r.Remark) ? "" : "：" + r.Remark.Trim());
                await deliveries.RevokeAsync(deliveryId, why, actor, ct).ConfigureAwait(false);
                foreach (var o in orderIds)
                {
                    var order = await db.Set<Order>().AsNoTracking().FirstAsync(x => x.Id == o, ct).ConfigureAwait(false);
                    if (order.Status != OrderStatus.Active) continue;
                    await review.MarkAbnormalAsync(o, why, actor, ct).ConfigureAwait(false);
                    if (intent == WmsCancelIntent.Pause && pauseOrder == o && !order.Pause && !await HasOpenDeliveriesAsync(o, ct).ConfigureAwait(false))
                        await review.PauseAsync(o, dw.CancelReason ?? "", dw.CancelActor ?? actor, ct).ConfigureAwait(false);
                }
                return await DoneAsync(bn, status, "cancelled", ct).ConfigureAwait(false);

            default:
                if (!delivery.IsOpen || Rank(status) <= Rank(dw.WmsStatus)) return await DoneAsync(bn, status, "ignored", ct).ConfigureAwait(false);
                Record(dw, delivery, status, r, now);
                return await DoneAsync(bn, status, "applied", ct).ConfigureAwait(false);
        }
    }

    private static void Record(DeliveryWms dw, Delivery delivery, string status, WmsStatusReport r, DateTime now)
    {
        dw.WmsStatus = status;
        dw.WmsStatusAt = r.OperateTime ?? now;
        delivery.WmsStatus = status;
        delivery.UpdatedAt = now;
    }

    private async Task<WmsStatusResult> DoneAsync(string bn, string status, string state, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new WmsStatusResult(bn, status, state);
    }

    /// <summary>Carrier (a code set up at the branch, else the code as sent), waybill and weight from a report.</summary>
    private async Task ApplyLogisticsAsync(Delivery delivery, WmsStatusReport r, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(r.LogiNo)) delivery.LogiNo = r.LogiNo.Trim();
        if (r.Weight is { } w) delivery.Weight = w;
        if (string.IsNullOrWhiteSpace(r.Logistics) || r.Logistics.Trim() == delivery.LogiCode) return;
        var code = r.Logistics.Trim();
        var logi = await db.Set<LogisticsCompany>().AsNoTracking().FirstOrDefaultAsync(l => l.BranchId == delivery.BranchId && l.Code == code, ct)
            .ConfigureAwait(false);
        delivery.LogisticsId = logi?.Id;
        delivery.LogiCode = code;
        delivery.LogiName = logi?.Name ?? code;
    }

    /// <summary>DELIVERY: the consign effects belong to fulfillment (ConsignService, source Warehouse); true when this call shipped it.</summary>
    private async Task<bool> ConsignAsync(long deliveryId, WmsStatusReport r, string actor, CancellationToken ct) =>
        (await consign.ConsignAsync(deliveryId, new Fulfillment.ConsignInput(r.LogiNo, r.Logistics, r.Weight), Fulfillment.ConsignSource.Warehouse, actor, ct)
            .ConfigureAwait(false)).Shipped;

    // ---- outcomes of requests (matrix: through the outbox's IOutboxOutcome; other adapters call these themselves)

    /// <summary>The push of a delivery ended: pushed (the answer may carry the warehouse's number) or failed (listed, retry).</summary>
    public async Task OnPushOutcomeAsync(string requestId, bool ok, string? error, string? answer, CancellationToken ct = default)
    {
        var dw = await db.Set<DeliveryWms>().FirstOrDefaultAsync(x => x.PushRequestId == requestId, ct).ConfigureAwait(false);
        if (dw is null || dw.PushState == WmsPushState.Pushed) return;
        var now = Now;
        if (ok)
        {
            dw.PushState = WmsPushState.Pushed;
            dw.PushError = null;
            dw.PushedAt = now;
            var data = Data(answer);
            if ((Text(data, "out_delivery_bn") ?? Text(data, "wms_order_code") ?? Text(data, "delivery_order_id")) is { } outBn)
                dw.OutDeliveryBn ??= WmsDeliveryHook.Cut(outBn, 64);
        }
        else
        {
            dw.PushState = WmsPushState.Failed;
            dw.PushError = WmsDeliveryHook.Cut(error, 1000);
        }
        dw.UpdatedAt = now;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The warehouse answered a cancel: success revokes the delivery locally and does what was asked (orders back to review,
    /// or the order paused); a refusal or a final failure leaves the delivery as it is and lists it (第三方发货单撤消失败).
    /// </summary>
    public async Task OnCancelOutcomeAsync(string requestId, bool ok, string? error, CancellationToken ct = default)
    {
        var dw = await db.Set<DeliveryWms>().FirstOrDefaultAsync(x => x.CancelRequestId == requestId, ct).ConfigureAwait(false);
        if (dw is null || dw.CancelState != WmsCancelState.Pending) return;
        var now = Now;
        dw.CancelAnsweredAt = now;
        dw.UpdatedAt = now;
        if (!ok)
        {
            dw.CancelState = WmsCancelState.Failed;
            dw.CancelError = WmsDeliveryHook.Cut(error ?? "仓库拒绝撤消", 1000);
            var bn = await db.Set<Delivery>().AsNoTracking().Where(d => d.Id == dw.DeliveryId).Select(d => d.DeliveryBn).FirstAsync(ct).ConfigureAwait(false);
            foreach (var o in await DeliveryLocks.OrderIdsAsync(db, dw.DeliveryId, ct).ConfigureAwait(false))
                db.Add(OrderLog.Create(o, "delivery.revoke_failed", $"第三方仓库撤消发货单 {bn} 失败：{dw.CancelError}", dw.CancelActor ?? "system", now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return;
        }
        dw.CancelState = WmsCancelState.Cancelled;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await CompleteCancelAsync(dw, dw.CancelActor ?? "system", ct).ConfigureAwait(false);
    }

    /// <summary>The warehouse agreed (or an operator confirmed): revoke locally, then what the cancel was for.</summary>
    private async Task CompleteCancelAsync(DeliveryWms dw, string actor, CancellationToken ct)
    {
        var d = await db.Set<Delivery>().AsNoTracking().FirstAsync(x => x.Id == dw.DeliveryId, ct).ConfigureAwait(false);
        if (!d.IsOpen) return;
        var reason = dw.CancelReason ?? "";
        if (dw.CancelIntent == WmsCancelIntent.Pause && dw.CancelOrderId is { } orderId)
        {
            await deliveries.RevokeAsync(d.Id, reason, actor, ct).ConfigureAwait(false);
            var order = await db.Set<Order>().AsNoTracking().FirstAsync(o => o.Id == orderId, ct).ConfigureAwait(false);
            // the last open delivery of the order decides: paused once none is left at any warehouse
            if (order.Status == OrderStatus.Active && !order.Pause && !await HasOpenDeliveriesAsync(orderId, ct).ConfigureAwait(false))
                await review.PauseAsync(orderId, reason.StartsWith("订单暂停", StringComparison.Ordinal) ? reason["订单暂停".Length..].TrimStart('：') : reason, actor, ct)
                    .ConfigureAwait(false);
        }
        else
        {
            await review.RevokeAsync(d.Id, reason, actor, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A query's answer (poll channels): its <c>data</c> is a status report, applied as a callback would be.</summary>
    public async Task OnQueryOutcomeAsync(string requestId, bool ok, string? error, string? answer, CancellationToken ct = default)
    {
        var dw = await db.Set<DeliveryWms>().FirstOrDefaultAsync(x => x.PollRequestId == requestId, ct).ConfigureAwait(false);
        if (dw is null) return;
        var now = Now;
        dw.PollRequestId = null;
        dw.PolledAt = now;
        if (!ok) dw.Remark = WmsDeliveryHook.Cut("查询失败：" + error, 500);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (!ok || Data(answer) is not { ValueKind: JsonValueKind.Object } data || Text(data, "status") is not { } status) return;
        var bn = await db.Set<Delivery>().AsNoTracking().Where(d => d.Id == dw.DeliveryId).Select(d => d.DeliveryBn).FirstAsync(ct).ConfigureAwait(false);
        var channel = await db.Set<WmsChannel>().AsNoTracking().FirstAsync(c => c.Id == dw.ChannelId, ct).ConfigureAwait(false);
        var report = new WmsStatusReport(bn, Text(data, "out_delivery_bn"), status, Text(data, "logi_no"), Text(data, "logistics"),
            Number(data, "weight"), Number(data, "volume"), Text(data, "operate_time") is { } t && ChinaTime.TryParse(t, out var at) ? at : null,
            Text(data, "remark"));
        // a report the rules refuse (e.g. DELIVERY without logi_no) is noted on the delivery and changes nothing else
        const string savepoint = "oms_wms_poll";
        var tx = db.Database.CurrentTransaction!;
        await tx.CreateSavepointAsync(savepoint, ct).ConfigureAwait(false);
        try
        {
            await ApplyAsync(channel, report, "wms:" + channel.ChannelBn, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DomainException or ValidationException)
        {
            await tx.RollbackToSavepointAsync(savepoint, ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            await db.Set<DeliveryWms>().Where(x => x.DeliveryId == dw.DeliveryId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Remark, WmsDeliveryHook.Cut("查询结果未能处理：" + e.Message, 500)), ct).ConfigureAwait(false);
        }
    }

    // ---- operator actions

    /// <summary>重试推送: a failed push is sent again (matrix and Qimen: the same outbox request, through the API log's retry).</summary>
    public async Task RetryPushAsync(long deliveryId, string actor, CancellationToken ct = default)
    {
        var dw = await db.Set<DeliveryWms>().AsNoTracking().FirstOrDefaultAsync(x => x.DeliveryId == deliveryId, ct).ConfigureAwait(false)
                 ?? throw new DomainException($"发货单 #{deliveryId} 不是第三方仓库的发货单");
        if (dw.PushState != WmsPushState.Failed) throw new DomainException("只有推送失败的发货单可以重试");
        var channel = await db.Set<WmsChannel>().AsNoTracking().FirstAsync(c => c.Id == dw.ChannelId, ct).ConfigureAwait(false);
        // matrix and Qimen requests are outbox messages: the same request is sent again (the API log's retry)
        if ((channel.Adapter is WmsAdapterNames.Matrix or WmsAdapterNames.Qimen) && dw.PushRequestId is { } id)
        {
            // pending first, so an outcome of the retried request is never overwritten by this call
            await db.Set<DeliveryWms>().Where(x => x.DeliveryId == deliveryId && x.PushState == WmsPushState.Failed)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.PushState, WmsPushState.Pending).SetProperty(x => x.PushError, (string?)null), ct).ConfigureAwait(false);
            try
            {
                await apiLog.RetryMessageAsync(id, actor, ct).ConfigureAwait(false);
            }
            catch (DomainException)
            {
                await db.Set<DeliveryWms>().Where(x => x.DeliveryId == deliveryId && x.PushState == WmsPushState.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.PushState, WmsPushState.Failed), ct).ConfigureAwait(false);
                throw;
            }
            return;
        }
        await InTransactionAsync(async () =>
        {
            var row = await db.Set<DeliveryWms>().FirstAsync(x => x.DeliveryId == deliveryId, ct).ConfigureAwait(false);
            var doc = await WmsDeliveryHook.DocumentAsync(db, deliveryId, row.OutDeliveryBn, ct).ConfigureAwait(false);
            row.PushRequestId = adapters.For(channel).PushDelivery(db, channel, doc);
            row.PushState = WmsPushState.Pending;
            row.PushError = null;
            row.UpdatedAt = Now;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>重新撤消: a refused or failed cancel is asked of the warehouse again.</summary>
    public Task RetryCancelAsync(long deliveryId, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var (dw, d) = await LockedAsync(deliveryId, ct).ConfigureAwait(false);
            if (dw.CancelState != WmsCancelState.Failed) throw new DomainException($"发货单 {d.DeliveryBn} 没有撤消失败");
            if (!d.IsOpen) throw new DomainException($"发货单 {d.DeliveryBn} 已{(d.Status == DeliveryStatus.Shipped ? "发货" : "撤销")}");
            var channel = await db.Set<WmsChannel>().AsNoTracking().FirstAsync(c => c.Id == dw.ChannelId, ct).ConfigureAwait(false);
            var doc = await WmsDeliveryHook.DocumentAsync(db, deliveryId, dw.OutDeliveryBn, ct).ConfigureAwait(false);
            var now = Now;
            dw.CancelRequestId = adapters.For(channel).CancelDelivery(db, channel, doc, dw.CancelReason ?? "撤销发货单");
            dw.CancelState = WmsCancelState.Pending;
            dw.CancelError = null;
            dw.CancelRequestedAt = now;
            dw.CancelAnsweredAt = null;
            dw.UpdatedAt = now;
            foreach (var o in await DeliveryLocks.OrderIdsAsync(db, deliveryId, ct).ConfigureAwait(false))
                db.Add(OrderLog.Create(o, "delivery.revoke_requested", $"再次向第三方仓库申请撤消发货单 {d.DeliveryBn}", actor, now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>
    /// 人工撤消: the operator confirms the warehouse cancelled the delivery by other means (phone, its own console); the
    /// delivery is revoked locally and what the cancel was for is done. Not while a cancel is pending, not once shipped.
    /// </summary>
    public Task ManualCancelAsync(long deliveryId, string actor, CancellationToken ct = default) =>
        InTransactionAsync(async () =>
        {
            var (dw, d) = await LockedAsync(deliveryId, ct).ConfigureAwait(false);
            if (dw.CancelState == WmsCancelState.Pending) throw new DomainException($"发货单 {d.DeliveryBn} 正在向第三方仓库申请撤消，请等待仓库答复");
            if (!d.IsOpen) throw new DomainException($"发货单 {d.DeliveryBn} 已{(d.Status == DeliveryStatus.Shipped ? "发货" : "撤销")}");
            var now = Now;
            if (dw.CancelState == WmsCancelState.None)
            {
                dw.CancelIntent = WmsCancelIntent.Revoke;
                dw.CancelReason = "人工确认仓库已撤消";
            }
            dw.CancelState = WmsCancelState.Cancelled;
            dw.CancelError = WmsDeliveryHook.Cut((dw.CancelError is null ? "" : dw.CancelError + "；") + "已由 " + actor + " 人工确认撤消", 1000);
            dw.CancelAnsweredAt = now;
            dw.UpdatedAt = now;
            foreach (var o in await DeliveryLocks.OrderIdsAsync(db, deliveryId, ct).ConfigureAwait(false))
                db.Add(OrderLog.Create(o, "delivery.manual_cancel", $"人工确认第三方仓库已撤消发货单 {d.DeliveryBn}", actor, now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await CompleteCancelAsync(dw, actor, ct).ConfigureAwait(false);
            return 0;
        }, ct);

    // ---- polling (channels that never call back)

    /// <summary>
    /// One round of 发货单查询: for every poll channel, a <c>store.wms.saleorder.get</c> for each pushed, open delivery that has
    /// no query outstanding (at most <paramref name="perChannel"/> per channel). Answers come back through
    /// <see cref="OnQueryOutcomeAsync"/>. Returns how many were asked.
    /// </summary>
    public async Task<int> PollAsync(int perChannel = 200, CancellationToken ct = default)
    {
        var channels = await db.Set<WmsChannel>().AsNoTracking().Where(c => c.Poll).OrderBy(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
        var asked = 0;
        foreach (var channel in channels)
        {
            if (adapters.Find(channel.Adapter) is not { } adapter) continue;
            asked += await InTransactionAsync(async () =>
            {
                var rows = await (from x in db.Set<DeliveryWms>()
                                  join d in db.Set<Delivery>() on x.DeliveryId equals d.Id
                                  where x.ChannelId == channel.Id && x.PushState == WmsPushState.Pushed && x.PollRequestId == null
                                        && (d.Status == DeliveryStatus.Ready || d.Status == DeliveryStatus.Pause)
                                  orderby x.DeliveryId
                                  select x).Take(perChannel).ToListAsync(ct).ConfigureAwait(false);
                foreach (var dw in rows)
                {
                    var doc = await WmsDeliveryHook.DocumentAsync(db, dw.DeliveryId, dw.OutDeliveryBn, ct).ConfigureAwait(false);
                    dw.PollRequestId = adapter.QueryDelivery(db, channel, doc);
                    dw.UpdatedAt = Now;
                }
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return rows.Count;
            }, ct).ConfigureAwait(false);
        }
        return asked;
    }

    // ---- helpers

    private async Task<(DeliveryWms, Delivery)> LockedAsync(long deliveryId, CancellationToken ct)
    {
        await DeliveryLocks.LockOrdersOfAsync(db, deliveryId, ct).ConfigureAwait(false);
        // the delivery first: forgetting it also drops its tracked sync row
        var d = await FreshDeliveryAsync(deliveryId, ct).ConfigureAwait(false);
        var dw = await db.Set<DeliveryWms>().FirstOrDefaultAsync(x => x.DeliveryId == deliveryId, ct).ConfigureAwait(false)
                 ?? throw new DomainException($"发货单 #{deliveryId} 不是第三方仓库的发货单");
        return (dw, d);
    }

    private async Task<Delivery> FreshDeliveryAsync(long deliveryId, CancellationToken ct)
    {
        DeliveryLocks.Forget(db, deliveryId);
        return await db.Set<Delivery>().FirstAsync(d => d.Id == deliveryId, ct).ConfigureAwait(false);
    }

    private async Task<bool> HasOpenDeliveriesAsync(long orderId, CancellationToken ct) =>
        (await deliveries.OpenDeliveryIdsAsync(orderId, ct).ConfigureAwait(false)).Count > 0;

    /// <summary>The <c>data</c> of an answer (an object, or JSON text holding one); null when there is none.</summary>
    private static JsonElement? Data(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        try
        {
            using var doc = JsonDocument.Parse(answer);
            if (!doc.RootElement.TryGetProperty("data", out var data)) return null;
            if (data.ValueKind == JsonValueKind.String && data.GetString() is { } text && text.TrimStart().StartsWith('{'))
            {
                using var inner = JsonDocument.Parse(text);
                return inner.RootElement.Clone();
            }
            return data.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement? e, string name) =>
        e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? v.ToString() is { Length: > 0 } s ? s : null
            : null;

    private static decimal? Number(JsonElement? e, string name) =>
        Text(e, name) is { } s && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : null;

    private async Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work().ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var result = await work().ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }
}
