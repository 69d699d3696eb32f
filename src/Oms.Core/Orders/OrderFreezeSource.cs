using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Inventory;

namespace Oms.Orders;

/// <summary>
/// What orders hold (DOMAIN.md §2 invariant 3): shop freeze = Σ (quantity − quantity in deliveries)
/// of the items of active, not failed orders, per shop and basic material. Orders hold no branch freeze.
/// </summary>
internal sealed class OrderFreezeSource(OmsDbContext db) : IFreezeSource
{
    public string Name => "orders";

    public async Task<IReadOnlyList<ExpectedFreeze>> ExpectedShopFreezeAsync(CancellationToken ct) =>
        await (from i in db.Set<OrderItem>()
               join o in db.Set<Order>() on i.OrderId equals o.Id
               where o.Status == OrderStatus.Active && !o.IsFail && !i.Deleted && i.Quantity > i.SplitNum
               group i by new { o.ShopId, i.BasicMaterialId } into g
               select new ExpectedFreeze(g.Key.ShopId, g.Key.BasicMaterialId, g.Sum(x => x.Quantity - x.SplitNum)))
            .ToListAsync(ct).ConfigureAwait(false);

    public Task<IReadOnlyList<ExpectedFreeze>> ExpectedBranchFreezeAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ExpectedFreeze>>([]);
}
