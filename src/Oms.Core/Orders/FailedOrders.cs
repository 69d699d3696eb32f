using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;

namespace Oms.Orders;

/// <summary>Filters of the failed-order list; every one optional. <see cref="Code"/>: an unmatched object code.</summary>
public sealed record FailedOrderFilter(long? ShopId = null, string? OrderBn = null, string? Code = null);

/// <summary>A failed order with the codes of its objects that match no sales material.</summary>
public sealed record FailedOrderRow(
    long Id, string OrderBn, long ShopId, string ShopName, OrderStatus Status, PayStatus PayStatus, decimal TotalAmount,
    DateTime CreateTime, DateTime ArrivedAt, IReadOnlyList<string> UnmatchedCodes);

/// <summary>
/// 失败订单 — orders that are <c>is_fail</c> and not dead: some object's code matched no sales material, so
/// nothing is frozen and the order cannot be reviewed. Once the mapping is fixed (the sales material created),
/// <c>OrderIntakeService.RematchAsync</c> matches it again.
/// </summary>
public sealed class FailedOrderQuery(OmsDbContext db)
{
    /// <summary>Newest first, keyset-paged by id, with each order's unmatched codes (one query for the page).</summary>
    public async Task<KeysetPage<FailedOrderRow>> ListAsync(FailedOrderFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<Order>().AsNoTracking().Where(o => o.IsFail && o.Status != OrderStatus.Dead);
        if (filter.ShopId is { } shopId) q = q.Where(o => o.ShopId == shopId);
        if (!string.IsNullOrWhiteSpace(filter.OrderBn)) { var bn = filter.OrderBn.Trim(); q = q.Where(o => o.OrderBn == bn); }
        if (!string.IsNullOrWhiteSpace(filter.Code))
        {
            var code = filter.Code.Trim();
            q = q.Where(o => db.Set<OrderObject>().Any(x => x.OrderId == o.Id && !x.Deleted && x.SalesMaterialId == null && x.Bn == code));
        }
        var page = await q.Join(db.Set<Shop>(), o => o.ShopId, s => s.Id, (o, s) => new Head
        {
            Id = o.Id, OrderBn = o.OrderBn, ShopId = o.ShopId, ShopName = s.Name, Status = o.Status, PayStatus = o.PayStatus,
            TotalAmount = o.TotalAmount, CreateTime = o.CreateTime, ArrivedAt = o.ArrivedAt,
        }).ToKeysetPageAsync(h => h.Id, before, pageSize, ct).ConfigureAwait(false);

        var ids = page.Items.Select(h => h.Id).ToList();
        var codes = ids.Count == 0 ? [] : await db.Set<OrderObject>().AsNoTracking()
            .Where(x => ids.Contains(x.OrderId) && !x.Deleted && x.SalesMaterialId == null)
            .OrderBy(x => x.Position).ThenBy(x => x.Id)
            .Select(x => new { x.OrderId, x.Bn }).ToListAsync(ct).ConfigureAwait(false);
        var byOrder = codes.ToLookup(c => c.OrderId, c => c.Bn);
        return new KeysetPage<FailedOrderRow>(page.Items.Select(h => new FailedOrderRow(
            h.Id, h.OrderBn, h.ShopId, h.ShopName, h.Status, h.PayStatus, h.TotalAmount, h.CreateTime, h.ArrivedAt,
            byOrder[h.Id].Distinct(StringComparer.Ordinal).ToList())).ToList(), page.NextBefore);
    }

    private sealed class Head
    {
        public long Id { get; init; }
        public required string OrderBn { get; init; }
        public long ShopId { get; init; }
        public required string ShopName { get; init; }
        public OrderStatus Status { get; init; }
        public PayStatus PayStatus { get; init; }
        public decimal TotalAmount { get; init; }
        public DateTime CreateTime { get; init; }
        public DateTime ArrivedAt { get; init; }
    }
}

/// <summary>The outcome of re-matching one failed order: matched, still unmatched (with the codes), or refused (<see cref="Error"/>).</summary>
public sealed record RematchOutcome(long OrderId, bool Matched, IReadOnlyList<string> Unmatched, string? Error = null);

/// <summary>
/// 重新匹配 from the failed-order screen: <see cref="OrderIntakeService.RematchAsync"/> in a transaction of its own per
/// order, so on a page-wide re-match one refused or unmatched order does not undo the others.
/// </summary>
public sealed class FailedOrderRematch(OmsDbContext db, OrderIntakeService intake)
{
    /// <summary>One order; a refusal (not failed, cancelled, absent) throws <see cref="DomainException"/>.</summary>
    public async Task<RematchOutcome> RematchAsync(long orderId, string actor, CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            return await strategy.ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await intake.RematchAsync(orderId, actor, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return new RematchOutcome(orderId, result.Matched, result.Unmatched);
            }).ConfigureAwait(false);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Each order in turn (at most <see cref="KeysetPaging.MaxPageSize"/>); refusals are reported, not thrown.</summary>
    public async Task<IReadOnlyList<RematchOutcome>> RematchManyAsync(IReadOnlyCollection<long> orderIds, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        if (orderIds.Count > KeysetPaging.MaxPageSize)
            throw new ValidationException("ids", $"At most {KeysetPaging.MaxPageSize} orders at once.");
        var outcomes = new List<RematchOutcome>(orderIds.Count);
        foreach (var id in orderIds.Distinct())
        {
            try
            {
                outcomes.Add(await RematchAsync(id, actor, ct).ConfigureAwait(false));
            }
            catch (DomainException e)
            {
                outcomes.Add(new RematchOutcome(id, false, [], e.Message));
            }
        }
        return outcomes;
    }
}
