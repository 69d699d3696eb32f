using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Review;

/// <summary>Filters of the review queue (待审核订单); every one optional.</summary>
public sealed record ReviewQueueFilter(long? ShopId = null, string? OrderBn = null, ReviewFlags? Flag = null, bool HeldOnly = false, bool OldestFirst = false);

/// <summary>One row of the review queue: the order, and what automatic review found (<see cref="Blocking"/> kept it for people).</summary>
public sealed record ReviewQueueRow
{
    public long Id { get; init; }
    public required string OrderBn { get; init; }
    public long ShopId { get; init; }
    public string ShopName { get; set; } = "";
    public DateTime CreateTime { get; init; }
    public DateTime? PaidAt { get; init; }
    public string? ShipName { get; init; }
    public string? ShipProvince { get; init; }
    public string? ShipCity { get; init; }
    public decimal TotalAmount { get; init; }
    public ProcessStatus ProcessStatus { get; init; }
    public PayStatus PayStatus { get; init; }
    public bool Pause { get; init; }
    public bool Abnormal { get; init; }
    public string? AbnormalReason { get; init; }
    public bool IsCod { get; init; }
    public bool HasMemo { get; init; }
    /// <summary><c>orders.auto_status</c>: every flag automatic review set.</summary>
    public ReviewFlags AutoStatus { get; init; }
    /// <summary><c>order_review_state.blocking</c>: the flags that kept it (none when never looked at or reviewed).</summary>
    public ReviewFlags Blocking { get; init; }
    public string? Detail { get; init; }
    public DateTime? AttemptedAt { get; init; }
    public bool ManualOnly { get; init; }
}

/// <summary>A merge candidate shown on the review screen (same shop, member and address).</summary>
public sealed record MergeCandidateView(long Id, string OrderBn, DateTime CreateTime, decimal TotalAmount, ProcessStatus ProcessStatus, int RemainingQuantity);

/// <summary>A candidate branch with its weight and whether its free stock covers every remaining line.</summary>
public sealed record BranchView(long Id, string BranchBn, string Name, int Weight, bool Covers);

/// <summary>A logistics company of the chosen branch.</summary>
public sealed record LogisticsView(long Id, string Code, string Name, int Priority);

/// <summary>Where automatic review stands for one order (the detail page's panel).</summary>
public sealed record ReviewStateView(ReviewFlags Flags, ReviewFlags Blocking, string? Detail, DateTime? AttemptedAt, DateTime? RetryAt, bool ManualOnly)
{
    public static ReviewStateView? Of(OrderReviewState? s) =>
        s is null ? null
            : new((ReviewFlags)s.Flags, (ReviewFlags)s.Blocking, s.Detail, s.AttemptedAt <= DateTime.MinValue.AddDays(1) ? null : s.AttemptedAt, s.RetryAt, s.ManualOnly);
}

/// <summary>Everything the review screen (审单) shows for one order.</summary>
public sealed record ReviewCaseView(
    Order Order, string ShopName, IReadOnlyList<OrderItem> Lines, ReviewStateView? State,
    IReadOnlyList<MergeCandidateView> MergeCandidates, IReadOnlyList<BranchView> Branches, long? SuggestedBranchId, long? ChosenBranchId,
    IReadOnlyList<LogisticsView> Logistics, long? SuggestedLogisticsId, ReviewFlags LogisticsFlag,
    IReadOnlyList<BranchStockLine> Stock, IReadOnlyList<DeliveryRow> Deliveries)
{
    /// <summary>Lines still to be put into a delivery.</summary>
    public IEnumerable<OrderItem> Remaining => Lines.Where(i => i.Remaining > 0);

    public BranchStockLine? StockOf(long branchId, long basicMaterialId) =>
        Stock.FirstOrDefault(s => s.BranchId == branchId && s.BasicMaterialId == basicMaterialId);
}

/// <summary>
/// Reads of the manual-review screens: the queue of orders waiting for review (待审核订单) and what the review screen of
/// one order shows (its lines, merge candidates, branches with stock, carriers, deliveries). The proposals come from
/// <see cref="ReviewService.AdviseAsync"/>; this class only adds names and rows to show. No writes.
/// </summary>
public sealed class ReviewQueue(OmsDbContext db, StagingArea staging, ReviewService review, BranchAllocator allocator, DeliveryQuery deliveries, TimeProvider clock)
{
    /// <summary>
    /// The queue: active, not failed orders that have left the staging area and wait for review — unconfirmed and
    /// dispatchable (<see cref="StagingArea.Dispatchable"/>), unconfirmed and paused (a paused order is outside the staging
    /// area and waits for a reviewer to resume it), or <c>splitting</c> (part of it is in deliveries). Keyset-paged by id,
    /// newest first (<paramref name="cursor"/> = <c>before</c>) or oldest first (<paramref name="cursor"/> = after).
    /// </summary>
    public async Task<KeysetPage<ReviewQueueRow>> ListAsync(ReviewQueueFilter filter, long? cursor, int pageSize = 50, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var bufferStart = clock.GetUtcNow().UtcDateTime - await staging.BufferAsync(ct).ConfigureAwait(false);
        var q = db.Set<Order>().AsNoTracking().Where(InQueue(bufferStart));
        if (filter.ShopId is { } shopId) q = q.Where(o => o.ShopId == shopId);
        if (!string.IsNullOrWhiteSpace(filter.OrderBn)) { var bn = filter.OrderBn.Trim(); q = q.Where(o => o.OrderBn == bn); }
        if (filter.Flag is { } flag) { var bit = (long)flag; q = q.Where(o => (o.AutoStatus & bit) != 0); }
        if (filter.HeldOnly) q = q.Where(o => db.Set<OrderReviewState>().Any(s => s.OrderId == o.Id && s.Blocking != 0));
        var rows = q.GroupJoin(db.Set<OrderReviewState>(), o => o.Id, s => s.OrderId, (o, s) => new { o, s })
            .SelectMany(x => x.s.DefaultIfEmpty(), (x, s) => new ReviewQueueRow
            {
                Id = x.o.Id, OrderBn = x.o.OrderBn, ShopId = x.o.ShopId, CreateTime = x.o.CreateTime, PaidAt = x.o.PaidAt,
                ShipName = x.o.ShipName, ShipProvince = x.o.ShipProvince, ShipCity = x.o.ShipCity, TotalAmount = x.o.TotalAmount,
                ProcessStatus = x.o.ProcessStatus, PayStatus = x.o.PayStatus, Pause = x.o.Pause, Abnormal = x.o.Abnormal,
                AbnormalReason = x.o.AbnormalReason, IsCod = x.o.IsCod,
                HasMemo = x.o.CustomMark != null || x.o.MarkText != null,
                AutoStatus = (ReviewFlags)x.o.AutoStatus,
                Blocking = s == null ? ReviewFlags.None : (ReviewFlags)s.Blocking,
                Detail = s == null ? null : s.Detail,
                AttemptedAt = s == null ? null : s.AttemptedAt,
                ManualOnly = s != null && s.ManualOnly,
            });
        var page = filter.OldestFirst
            ? await rows.ToKeysetPageAscendingAsync(r => r.Id, cursor, pageSize, ct).ConfigureAwait(false)
            : await rows.ToKeysetPageAsync(r => r.Id, cursor, pageSize, ct).ConfigureAwait(false);
        if (page.Items.Count > 0)
        {
            var shopIds = page.Items.Select(r => r.ShopId).Distinct().ToList();
            var names = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct).ConfigureAwait(false);
            foreach (var r in page.Items) r.ShopName = names.GetValueOrDefault(r.ShopId) ?? "";
        }
        return page;
    }

    /// <summary>The queue's predicate (see <see cref="ListAsync"/>); <paramref name="bufferStart"/> = now − buffer.</summary>
    public static Expression<Func<Order, bool>> InQueue(DateTime bufferStart)
    {
        var dispatchable = StagingArea.Dispatchable(bufferStart);
        Expression<Func<Order, bool>> other = o => o.Status == OrderStatus.Active && !o.IsFail
            && (o.ProcessStatus == ProcessStatus.Splitting || (o.ProcessStatus == ProcessStatus.Unconfirmed && o.Pause));
        var p = dispatchable.Parameters[0];
        var otherBody = new Rebind(other.Parameters[0], p).Visit(other.Body);
        return Expression.Lambda<Func<Order, bool>>(Expression.OrElse(dispatchable.Body, otherBody), p);
    }

    /// <summary>
    /// The review screen of <paramref name="orderId"/> (null when absent): with <paramref name="branchId"/> the reviewer's
    /// choice of branch (its carriers are listed), else the suggested branch.
    /// </summary>
    public async Task<ReviewCaseView?> CaseAsync(long orderId, long? branchId = null, CancellationToken ct = default)
    {
        var order = await db.Set<Order>().AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, ct).ConfigureAwait(false);
        if (order is null) return null;
        var shopName = await db.Set<Shop>().AsNoTracking().Where(s => s.Id == order.ShopId).Select(s => s.Name).FirstAsync(ct).ConfigureAwait(false);
        var lines = await db.Set<OrderItem>().AsNoTracking().Where(i => i.OrderId == orderId).OrderBy(i => i.Id).ToListAsync(ct).ConfigureAwait(false);
        var state = await db.Set<OrderReviewState>().AsNoTracking().FirstOrDefaultAsync(s => s.OrderId == orderId, ct).ConfigureAwait(false);
        var advice = await review.AdviseAsync(orderId, ct).ConfigureAwait(false);

        var mergeIds = advice.MergeCandidates.ToList();
        var merge = await db.Set<Order>().AsNoTracking().Where(o => mergeIds.Contains(o.Id)).OrderBy(o => o.Id)
            .Select(o => new MergeCandidateView(o.Id, o.OrderBn, o.CreateTime, o.TotalAmount, o.ProcessStatus,
                o.Items.Where(i => !i.Deleted && i.Quantity > i.SplitNum).Sum(i => i.Quantity - i.SplitNum)))
            .ToListAsync(ct).ConfigureAwait(false);

        var candidateIds = advice.Candidates.Select(c => c.BranchId).ToList();
        var branchRows = await db.Set<Branch>().AsNoTracking().Where(b => candidateIds.Contains(b.Id))
            .ToDictionaryAsync(b => b.Id, ct).ConfigureAwait(false);
        var branches = advice.Candidates.Where(c => branchRows.ContainsKey(c.BranchId)).Select(c => new BranchView(
            c.BranchId, branchRows[c.BranchId].BranchBn, branchRows[c.BranchId].Name, c.Weight,
            advice.Stock.Where(s => s.BranchId == c.BranchId).All(s => s.Free >= s.Needed))).ToList();
        var chosen = branchId is { } b && branches.Any(x => x.Id == b) ? b : advice.SuggestedBranchId ?? branches.FirstOrDefault()?.Id;
        var logistics = chosen is { } cb
            ? await db.Set<LogisticsCompany>().AsNoTracking().Where(l => l.BranchId == cb).OrderByDescending(l => l.Priority).ThenBy(l => l.Id)
                .Select(l => new LogisticsView(l.Id, l.Code, l.Name, l.Priority)).ToListAsync(ct).ConfigureAwait(false)
            : [];
        // the advice's carrier is chosen for its own branch; for another branch, choose among that branch's carriers
        long? suggestedLogi = advice.SuggestedLogisticsId is { } sl && logistics.Any(l => l.Id == sl) ? sl : null;
        var logiFlag = advice.LogisticsFlag;
        if (suggestedLogi is null && chosen is { } other && other != (advice.SuggestedBranchId ?? branches.FirstOrDefault()?.Id))
        {
            var pick = await allocator.CarrierAsync(other, order.ShipProvince, NeedLine.Of(lines), ct).ConfigureAwait(false);
            suggestedLogi = pick.Company?.Id;
            logiFlag = pick.Flag;
        }
        var orderDeliveries = await deliveries.OfOrderAsync(orderId, ct).ConfigureAwait(false);
        return new ReviewCaseView(order, shopName, lines, ReviewStateView.Of(state), merge, branches, advice.SuggestedBranchId, chosen,
            logistics, suggestedLogi, logiFlag, advice.Stock, orderDeliveries);
    }

    /// <summary>Where automatic review stands for <paramref name="orderId"/> (null: it never looked at the order).</summary>
    public async Task<ReviewStateView?> StateAsync(long orderId, CancellationToken ct = default) =>
        ReviewStateView.Of(await db.Set<OrderReviewState>().AsNoTracking().FirstOrDefaultAsync(s => s.OrderId == orderId, ct).ConfigureAwait(false));

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
