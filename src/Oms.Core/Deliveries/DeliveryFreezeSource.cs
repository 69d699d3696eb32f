using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Inventory;

namespace Oms.Deliveries;

/// <summary>
/// What deliveries hold (DOMAIN.md §2 invariant 4): branch freeze = Σ numbers of the items of open (ready or paused)
/// deliveries, per branch and basic material. Deliveries hold no shop freeze.
/// </summary>
internal sealed class DeliveryFreezeSource(OmsDbContext db) : IFreezeSource
{
    public string Name => "deliveries";

    public Task<IReadOnlyList<ExpectedFreeze>> ExpectedShopFreezeAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ExpectedFreeze>>([]);

    public async Task<IReadOnlyList<ExpectedFreeze>> ExpectedBranchFreezeAsync(CancellationToken ct) =>
        await (from i in db.Set<DeliveryItem>()
               join d in db.Set<Delivery>() on i.DeliveryId equals d.Id
               where d.Status == DeliveryStatus.Ready || d.Status == DeliveryStatus.Pause
               group i by new { d.BranchId, i.BasicMaterialId } into g
               select new ExpectedFreeze(g.Key.BranchId, g.Key.BasicMaterialId, g.Sum(x => x.Number)))
            .ToListAsync(ct).ConfigureAwait(false);
}
