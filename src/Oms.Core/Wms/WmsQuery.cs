using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Wms;

/// <summary>Tabs of the third-party delivery screen.</summary>
public static class WmsDeliveryTab
{
    public const string All = "all";
    /// <summary>Open deliveries (not shipped, not cancelled).</summary>
    public const string Open = "open";
    public const string PushFailed = "push_failed";
    public const string CancelPending = "cancel_pending";
    /// <summary>第三方发货单撤消失败.</summary>
    public const string CancelFailed = "cancel_failed";

    public static readonly IReadOnlyList<string> Tabs = [All, Open, PushFailed, CancelPending, CancelFailed];
}

/// <summary>One row of the third-party delivery screen.</summary>
public sealed record WmsDeliveryRow(
    long DeliveryId, string DeliveryBn, DeliveryStatus Status, string BranchBn, string BranchName, string ChannelBn, string? LogiCode, string? LogiNo,
    string? WmsStatus, DateTime? WmsStatusAt, string PushState, string? PushError, string? PushRequestId, string? OutDeliveryBn, string CancelState,
    string? CancelError, string? CancelIntent, DateTime? LastCallbackAt, DateTime CreatedAt)
{
    public IReadOnlyList<DeliveryOrderRef> Orders { get; set; } = [];
    public bool IsOpen => Status is DeliveryStatus.Ready or DeliveryStatus.Pause;
}

/// <summary>Reads of the WMS screens: deliveries at third-party branches by tab, keyset-paged newest first.</summary>
public sealed class WmsQuery(OmsDbContext db)
{
    public async Task<KeysetPage<WmsDeliveryRow>> ListAsync(string? tab, string? deliveryBn, long? before, int pageSize = KeysetPaging.DefaultPageSize,
        CancellationToken ct = default)
    {
        var q = from x in db.Set<DeliveryWms>().AsNoTracking()
                join d in db.Set<Delivery>() on x.DeliveryId equals d.Id
                join b in db.Set<Branch>() on d.BranchId equals b.Id
                join c in db.Set<WmsChannel>() on x.ChannelId equals c.Id
                select new { x, d, b, c };
        q = tab switch
        {
            WmsDeliveryTab.Open => q.Where(r => r.d.Status == DeliveryStatus.Ready || r.d.Status == DeliveryStatus.Pause),
            WmsDeliveryTab.PushFailed => q.Where(r => r.x.PushState == WmsPushState.Failed && (r.d.Status == DeliveryStatus.Ready || r.d.Status == DeliveryStatus.Pause)),
            WmsDeliveryTab.CancelPending => q.Where(r => r.x.CancelState == WmsCancelState.Pending),
            WmsDeliveryTab.CancelFailed => q.Where(r => r.x.CancelState == WmsCancelState.Failed && (r.d.Status == DeliveryStatus.Ready || r.d.Status == DeliveryStatus.Pause)),
            _ => q,
        };
        if (!string.IsNullOrWhiteSpace(deliveryBn)) { var bn = deliveryBn.Trim(); q = q.Where(r => r.d.DeliveryBn == bn); }
        var page = await q.Select(r => new WmsDeliveryRow(r.d.Id, r.d.DeliveryBn, r.d.Status, r.b.BranchBn, r.b.Name, r.c.ChannelBn, r.d.LogiCode, r.d.LogiNo,
                r.x.WmsStatus, r.x.WmsStatusAt, r.x.PushState, r.x.PushError, r.x.PushRequestId, r.x.OutDeliveryBn, r.x.CancelState, r.x.CancelError,
                r.x.CancelIntent, r.x.LastCallbackAt, r.d.CreatedAt))
            .ToKeysetPageAsync(r => r.DeliveryId, before, pageSize, ct).ConfigureAwait(false);
        var ids = page.Items.Select(r => r.DeliveryId).ToList();
        var orders = await (from x in db.Set<DeliveryOrderItem>().AsNoTracking()
                            join o in db.Set<Order>() on x.OrderId equals o.Id
                            where ids.Contains(x.DeliveryId)
                            select new { x.DeliveryId, o.Id, o.OrderBn }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        foreach (var r in page.Items)
            r.Orders = orders.Where(o => o.DeliveryId == r.DeliveryId).OrderBy(o => o.Id).Select(o => new DeliveryOrderRef(o.Id, o.OrderBn)).ToList();
        return page;
    }

    /// <summary>How many rows each problem tab holds (they stay small: problems are worked off).</summary>
    public async Task<(int PushFailed, int CancelPending, int CancelFailed)> CountsAsync(CancellationToken ct = default)
    {
        var open = from x in db.Set<DeliveryWms>().AsNoTracking()
                   join d in db.Set<Delivery>() on x.DeliveryId equals d.Id
                   where d.Status == DeliveryStatus.Ready || d.Status == DeliveryStatus.Pause
                   select x;
        return (await open.CountAsync(x => x.PushState == WmsPushState.Failed, ct).ConfigureAwait(false),
            await open.CountAsync(x => x.CancelState == WmsCancelState.Pending, ct).ConfigureAwait(false),
            await open.CountAsync(x => x.CancelState == WmsCancelState.Failed, ct).ConfigureAwait(false));
    }
}
