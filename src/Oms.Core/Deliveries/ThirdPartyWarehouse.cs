using Oms.Warehouses;

namespace Oms.Deliveries;

/// <summary>
/// 第三方仓库: what <see cref="DeliveryService"/> asks of the module that talks to third-party warehouses (the WMS module,
/// src/Oms.Core/Wms) for a delivery at a branch whose <see cref="Branch.Wms"/> is not <c>selfwms</c>. Every call runs in
/// the caller's transaction and adds its writes to the caller's unit of work.
/// </summary>
public interface IThirdPartyWarehouse
{
    /// <summary>Before anything is written: refuses (<c>DomainException</c>) when the branch's warehouse cannot be worked with.</summary>
    Task CheckAsync(Branch branch, CancellationToken ct);

    /// <summary>
    /// Deliveries were created at third-party branches (written, numbered): push each to its warehouse — one delivery from
    /// <see cref="DeliveryService.CreateAsync"/>, a whole automatic review batch's at once (a few reads for all of them).
    /// </summary>
    Task OnCreatedAsync(IReadOnlyList<(Delivery Delivery, Branch Branch)> created, string actor, CancellationToken ct);

    /// <summary>
    /// A revoke of an open delivery, after the order locks and checks. True: the warehouse already agreed (or was never
    /// involved) — cancel locally now. False: the warehouse was asked to cancel; the delivery stays open until it answers,
    /// and then the module revokes it (and pauses <paramref name="pauseOrderId"/> when set). A cancel already pending is a
    /// <c>DomainException</c>.
    /// </summary>
    Task<bool> BeforeRevokeAsync(Delivery delivery, Branch branch, string reason, long? pauseOrderId, string actor, CancellationToken ct);
}
