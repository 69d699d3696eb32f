using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Orders;

namespace Oms.Deliveries;

/// <summary>
/// The lock that serializes every change of a delivery (review, revoke, print, verify, consign, warehouse callbacks): the
/// locks of the orders it carries (<see cref="OrderLocks"/>, ascending id), taken before the delivery is read (again).
/// </summary>
internal static class DeliveryLocks
{
    /// <summary>The ids of the orders a delivery carries, ascending.</summary>
    public static Task<List<long>> OrderIdsAsync(OmsDbContext db, long deliveryId, CancellationToken ct) =>
        db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => x.DeliveryId == deliveryId).Select(x => x.OrderId).Distinct().OrderBy(x => x)
            .ToListAsync(ct);

    /// <summary>Locks the orders a delivery carries; answers their ids.</summary>
    public static async Task<List<long>> LockOrdersOfAsync(OmsDbContext db, long deliveryId, CancellationToken ct)
    {
        var ids = await OrderIdsAsync(db, deliveryId, ct).ConfigureAwait(false);
        await OrderLocks.LockOrdersAsync(db, ids, ct).ConfigureAwait(false);
        return ids;
    }

    /// <summary>Forgets a tracked copy of the delivery, so that the next read sees the row as it is under the locks.</summary>
    public static void Forget(OmsDbContext db, long deliveryId)
    {
        foreach (var e in db.ChangeTracker.Entries<Delivery>().Where(e => e.Entity.Id == deliveryId).ToList()) e.State = EntityState.Detached;
    }
}
