using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Wms;

/// <summary>
/// <see cref="IThirdPartyWarehouse"/> for <see cref="DeliveryService"/>: pushes a new delivery to its branch's WMS channel
/// and turns a revoke into a cancel request to the warehouse. Writes only to the caller's unit of work.
/// </summary>
internal sealed class WmsDeliveryHook(OmsDbContext db, WmsAdapterRegistry adapters, TimeProvider clock) : IThirdPartyWarehouse
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task CheckAsync(Branch branch, CancellationToken ct) =>
        adapters.For(await ChannelOfAsync(db, branch, ct).ConfigureAwait(false));

    public async Task OnCreatedAsync(IReadOnlyList<(Delivery Delivery, Branch Branch)> created, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(created);
        if (created.Count == 0) return;
        var channelBns = created.Select(c => c.Branch.Wms).Distinct().ToList();
        var channels = await db.Set<WmsChannel>().AsNoTracking().Where(c => channelBns.Contains(c.ChannelBn))
            .ToDictionaryAsync(c => c.ChannelBn, ct).ConfigureAwait(false);
        var docs = await DocumentsAsync(db, created.Select(c => c.Delivery.Id).ToList(), ct).ConfigureAwait(false);
        var now = Now;
        foreach (var (delivery, branch) in created)
        {
            var channel = channels.GetValueOrDefault(branch.Wms) ?? throw NoChannel(branch);
            db.Add(new DeliveryWms
            {
                DeliveryId = delivery.Id, ChannelId = channel.Id, PushState = WmsPushState.Pending,
                PushRequestId = adapters.For(channel).PushDelivery(db, channel, docs[delivery.Id]), CreatedAt = now, UpdatedAt = now,
            });
        }
    }

    public async Task<bool> BeforeRevokeAsync(Delivery delivery, Branch branch, string reason, long? pauseOrderId, string actor, CancellationToken ct)
    {
        var dw = await db.Set<DeliveryWms>().FirstOrDefaultAsync(x => x.DeliveryId == delivery.Id, ct).ConfigureAwait(false);
        // never pushed (created before the branch was third-party), or the warehouse already agreed / an operator confirmed it
        if (dw is null || dw.CancelState == WmsCancelState.Cancelled) return true;
        if (dw.CancelState == WmsCancelState.Pending)
            throw new DomainException($"发货单 {delivery.DeliveryBn} 正在向第三方仓库申请撤消，请等待仓库答复");
        // the push finally failed: the warehouse never took it, nothing to ask
        if (dw.PushState == WmsPushState.Failed) return true;
        var channel = await db.Set<WmsChannel>().AsNoTracking().FirstAsync(c => c.Id == dw.ChannelId, ct).ConfigureAwait(false);
        var adapter = adapters.For(channel);
        var doc = await DocumentAsync(db, delivery.Id, dw.OutDeliveryBn, ct).ConfigureAwait(false);
        var now = Now;
        dw.CancelRequestId = adapter.CancelDelivery(db, channel, doc, string.IsNullOrWhiteSpace(reason) ? "撤销发货单" : reason.Trim());
        dw.CancelState = WmsCancelState.Pending;
        dw.CancelIntent = pauseOrderId is null ? WmsCancelIntent.Revoke : WmsCancelIntent.Pause;
        dw.CancelOrderId = pauseOrderId;
        dw.CancelReason = Cut(reason, 500);
        dw.CancelActor = Cut(actor, 100);
        dw.CancelError = null;
        dw.CancelRequestedAt = now;
        dw.CancelAnsweredAt = null;
        dw.UpdatedAt = now;
        return false;
    }

    internal static string? Cut(string? s, int max) => s is null ? null : s.Length > max ? s[..max] : s;

    /// <summary>The WMS channel of a third-party branch; a <see cref="DomainException"/> when it does not exist.</summary>
    internal static async Task<WmsChannel> ChannelOfAsync(OmsDbContext db, Branch branch, CancellationToken ct) =>
        await db.Set<WmsChannel>().AsNoTracking().FirstOrDefaultAsync(c => c.ChannelBn == branch.Wms, ct).ConfigureAwait(false)
        ?? throw NoChannel(branch);

    private static DomainException NoChannel(Branch branch) => new($"仓库 {branch.BranchBn} 的 WMS 渠道 {branch.Wms} 不存在");

    /// <summary>The delivery as a warehouse receives it: one line per order item line it carries (trade_code = order_bn).</summary>
    internal static async Task<WmsDeliveryDocument> DocumentAsync(OmsDbContext db, long deliveryId, string? outDeliveryBn, CancellationToken ct) =>
        (await DocumentsAsync(db, [deliveryId], ct).ConfigureAwait(false))[deliveryId] with { OutDeliveryBn = outDeliveryBn };

    /// <summary>The documents of several deliveries (not yet at the warehouse: no <c>OutDeliveryBn</c>), in three queries.</summary>
    internal static async Task<Dictionary<long, WmsDeliveryDocument>> DocumentsAsync(OmsDbContext db, IReadOnlyCollection<long> deliveryIds, CancellationToken ct)
    {
        var ds = await db.Set<Delivery>().AsNoTracking().Where(x => deliveryIds.Contains(x.Id)).ToListAsync(ct).ConfigureAwait(false);
        var branchIds = ds.Select(d => d.BranchId).Distinct().ToList();
        var branchBns = await db.Set<Branch>().AsNoTracking().Where(b => branchIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.BranchBn, ct)
            .ConfigureAwait(false);
        var lines = (await (from x in db.Set<DeliveryOrderItem>().AsNoTracking()
                            join i in db.Set<OrderItem>() on x.OrderItemId equals i.Id
                            join o in db.Set<Order>() on x.OrderId equals o.Id
                            where deliveryIds.Contains(x.DeliveryId)
                            orderby x.Id
                            select new { x.DeliveryId, x.Number, i.Bn, i.Name, i.Price, i.ItemType, o.OrderBn }).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(l => l.DeliveryId);
        return ds.ToDictionary(d => d.Id, d =>
        {
            var n = 0;
            var own = lines[d.Id].ToList();
            return new WmsDeliveryDocument(d.Id, d.DeliveryBn, branchBns[d.BranchId], d.LogiCode, d.IsCod, d.TotalAmount, d.CreatedAt,
                d.ShipName, d.ShipProvince, d.ShipCity, d.ShipDistrict, d.ShipAddr, d.ShipZip, d.ShipMobile, d.ShipTel, null,
                own.Select(l => l.OrderBn).Distinct().ToList(),
                own.Select(l => new WmsDeliveryLine(++n, l.Bn, l.Name, l.Number, l.Price, l.OrderBn, l.ItemType == "gift")).ToList());
        });
    }
}
