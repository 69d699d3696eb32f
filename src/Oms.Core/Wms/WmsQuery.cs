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
public sealed record WmsDeliveryRow
{
    public long DeliveryId { get; init; }
    public required string DeliveryBn { get; init; }
    public DeliveryStatus Status { get; init; }
    public required string BranchBn { get; init; }
    public required string BranchName { get; init; }
    public required string ChannelBn { get; init; }
    public string? LogiCode { get; init; }
    public string? LogiNo { get; init; }
    public string? WmsStatus { get; init; }
    public DateTime? WmsStatusAt { get; init; }
    public required string PushState { get; init; }
    public string? PushError { get; init; }
    public string? OutDeliveryBn { get; init; }
    public required string CancelState { get; init; }
    public string? CancelError { get; init; }
    public DateTime? LastCallbackAt { get; init; }
    public DateTime CreatedAt { get; init; }
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
        var page = await q.Select(r => new WmsDeliveryRow
            {
                DeliveryId = r.d.Id, DeliveryBn = r.d.DeliveryBn, Status = r.d.Status, BranchBn = r.b.BranchBn, BranchName = r.b.Name, ChannelBn = r.c.ChannelBn,
                LogiCode = r.d.LogiCode, LogiNo = r.d.LogiNo, WmsStatus = r.x.WmsStatus, WmsStatusAt = r.x.WmsStatusAt, PushState = r.x.PushState,
                PushError = r.x.PushError, OutDeliveryBn = r.x.OutDeliveryBn, CancelState = r.x.CancelState, CancelError = r.x.CancelError,
                LastCallbackAt = r.x.LastCallbackAt, CreatedAt = r.d.CreatedAt,
            })
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
