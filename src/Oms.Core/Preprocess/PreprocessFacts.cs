using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>What the preprocess chain left on an order, for the auto review's PMTGIFT, CRMGIFT and TAX plugins.</summary>
public sealed record PreprocessFact(bool HasPlatformGift, bool HasCrmGift, bool InvoiceRequested);

/// <summary>Reads <see cref="PreprocessFact"/>s for many orders in three grouped queries.</summary>
public sealed class PreprocessFacts(OmsDbContext db)
{
    /// <summary>Per order id asked (every id present, all false when nothing applies).</summary>
    public async Task<IReadOnlyDictionary<long, PreprocessFact>> ForAsync(IReadOnlyCollection<long> orderIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        var ids = orderIds.Distinct().ToList();
        var lines = await db.Set<OrderObject>().AsNoTracking()
            .Where(o => ids.Contains(o.OrderId) && !o.Deleted && (o.Source == OrderLineSources.PlatformGift || o.Source == OrderLineSources.CrmGift))
            .Select(o => new { o.OrderId, o.Source }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var invoices = (await db.Set<InvoiceRequest>().AsNoTracking()
            .Where(r => ids.Contains(r.OrderId) && r.Status == InvoiceRequestStatus.Pending).Select(r => r.OrderId)
            .ToListAsync(ct).ConfigureAwait(false)).ToHashSet();
        return ids.ToDictionary(id => id, id => new PreprocessFact(
            lines.Any(l => l.OrderId == id && l.Source == OrderLineSources.PlatformGift),
            lines.Any(l => l.OrderId == id && l.Source == OrderLineSources.CrmGift),
            invoices.Contains(id)));
    }

    /// <summary>
    /// Whether an order in hand (objects loaded, as the chain left them) carries a line of <paramref name="source"/>
    /// (<see cref="OrderLineSources.PlatformGift"/>, <see cref="OrderLineSources.CrmGift"/>): <see cref="ForAsync"/>'s marks without a read.
    /// </summary>
    public static bool HasLine(Order order, string source)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Objects.Any(o => !o.Deleted && o.Source == source);
    }

    /// <summary>The pending invoice request of an order, if any (order detail).</summary>
    public Task<InvoiceRequest?> InvoiceAsync(long orderId, CancellationToken ct = default) =>
        db.Set<InvoiceRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.OrderId == orderId, ct);
}
