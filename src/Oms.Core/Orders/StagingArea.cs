using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;

namespace Oms.Orders;

/// <summary>Why an order may not be dispatched yet (or at all). <see cref="None"/>: it may.</summary>
public enum StagingHold
{
    /// <summary>Dispatchable: out of the staging area.</summary>
    None = 0,
    /// <summary>缓冲中 — within <c>order.buffer_minutes</c> of the later of arrival and payment.</summary>
    Buffer,
    /// <summary>待付款 — not COD and pay_status 0, 3 or 8.</summary>
    Unpaid,
    /// <summary>退款处理中 — pay_status 6 or 7: waits until the refund is settled.</summary>
    Refunding,
    /// <summary>已全额退款 — pay_status 5: nothing left to send; the order waits to be cancelled.</summary>
    FullyRefunded,

    // Not staging reasons: the order is outside the staging area altogether.
    /// <summary>Not active (dead or finished).</summary>
    NotActive,
    /// <summary>A failed order: some object matched no sales material.</summary>
    Failed,
    /// <summary>Paused.</summary>
    Paused,
    /// <summary>Already reviewed (process_status is not unconfirmed).</summary>
    NotUnconfirmed,
}

/// <summary>The staging verdict of one order: dispatchable or not, why not, and for a buffer hold until when (UTC).</summary>
public sealed record StagingVerdict(StagingHold Hold, DateTime? Until = null)
{
    public bool Dispatchable => Hold == StagingHold.None;

    /// <summary>True for the holds the staging area shows (the order waits there); false when dispatchable or outside it.</summary>
    public bool InStagingArea => Hold is StagingHold.Buffer or StagingHold.Unpaid or StagingHold.Refunding or StagingHold.FullyRefunded;
}

/// <summary>The order fields the staging rule reads.</summary>
public readonly record struct StagingFacts(
    OrderStatus Status, bool IsFail, bool Pause, ProcessStatus ProcessStatus,
    PayStatus PayStatus, bool IsCod, DateTime ArrivedAt, DateTime? PaidAt)
{
    public static StagingFacts Of(Order o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.Status, o.IsFail, o.Pause, o.ProcessStatus, o.PayStatus, o.IsCod, o.ArrivedAt, o.PaidAt);
    }
}

/// <summary>A row of the staging area list.</summary>
public sealed record StagingRow(
    long Id, string OrderBn, long ShopId, string ShopName, PayStatus PayStatus, bool IsCod, decimal TotalAmount,
    DateTime CreateTime, DateTime ArrivedAt, DateTime? PaidAt, StagingVerdict Verdict);

/// <summary>Filters of the staging area list; every one optional.</summary>
public sealed record StagingFilter(long? ShopId = null, string? OrderBn = null, StagingHold? Hold = null);

/// <summary>
/// 订单暂存区 — the one place that says whether an unreviewed order may leave the staging area
/// (DOMAIN.md §3.2) and be dispatched. Holds, first match wins: a refund applied for or in progress
/// (pay_status 6, 7) → <see cref="StagingHold.Refunding"/>; fully refunded (5) → <see cref="StagingHold.FullyRefunded"/>;
/// not COD and unpaid (0 unpaid, 3 partly paid, 8 paying) → <see cref="StagingHold.Unpaid"/>; else within
/// <c>order.buffer_minutes</c> of the later of arrival and payment → <see cref="StagingHold.Buffer"/> (until that
/// moment, exclusive: at exactly arrival + buffer it is released). Paid (1), processing (2) and partly refunded
/// (4, the rest still ships) count as paid; COD orders need no payment.
/// <para>
/// Only active, non-failed, unpaused, unconfirmed orders are in the staging area; for any other order
/// <see cref="Evaluate"/> answers the state that keeps it out (<see cref="StagingHold.NotActive"/>, ...).
/// The list query (<see cref="ListAsync"/>) is the same rule in SQL (<see cref="Held"/>).
/// </para>
/// </summary>
public sealed class StagingArea(OmsDbContext db, SettingsService settings, TimeProvider clock)
{
    public const string BufferSetting = "order.buffer_minutes";

    /// <summary>The rule for one order at <paramref name="now"/> (UTC) with the buffer time <paramref name="buffer"/>.</summary>
    public static StagingVerdict Evaluate(StagingFacts o, TimeSpan buffer, DateTime now)
    {
        if (o.Status != OrderStatus.Active) return new(StagingHold.NotActive);
        if (o.IsFail) return new(StagingHold.Failed);
        if (o.ProcessStatus != ProcessStatus.Unconfirmed) return new(StagingHold.NotUnconfirmed);
        if (o.Pause) return new(StagingHold.Paused);
        if (o.PayStatus is PayStatus.RefundApplied or PayStatus.Refunding) return new(StagingHold.Refunding);
        if (o.PayStatus == PayStatus.FullyRefunded) return new(StagingHold.FullyRefunded);
        if (!o.IsCod && o.PayStatus is PayStatus.Unpaid or PayStatus.PartlyPaid or PayStatus.Paying) return new(StagingHold.Unpaid);
        var until = BufferEnd(o.ArrivedAt, o.PaidAt, buffer);
        return now < until ? new(StagingHold.Buffer, until) : new(StagingHold.None);
    }

    /// <summary>When the buffer ends: the later of arrival and payment plus the buffer time.</summary>
    public static DateTime BufferEnd(DateTime arrivedAt, DateTime? paidAt, TimeSpan buffer) =>
        (paidAt is { } p && p > arrivedAt ? p : arrivedAt) + buffer;

    /// <summary><c>order.buffer_minutes</c> as a time span.</summary>
    public async Task<TimeSpan> BufferAsync(CancellationToken ct = default) =>
        TimeSpan.FromMinutes(await settings.GetIntAsync(BufferSetting, ct).ConfigureAwait(false));

    /// <summary>The verdict for <paramref name="order"/> now, with the configured buffer.</summary>
    public async Task<StagingVerdict> EvaluateAsync(Order order, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Evaluate(StagingFacts.Of(order), await BufferAsync(ct).ConfigureAwait(false), clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The orders in the staging area (or, with <see cref="StagingFilter.Hold"/>, those held for that reason), newest
    /// first, keyset-paged by id, each with its verdict.
    /// </summary>
    public async Task<KeysetPage<StagingRow>> ListAsync(StagingFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var buffer = await BufferAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var q = db.Set<Order>().AsNoTracking().Where(Held(filter.Hold, now - buffer));
        if (filter.ShopId is { } shopId) q = q.Where(o => o.ShopId == shopId);
        if (!string.IsNullOrWhiteSpace(filter.OrderBn)) { var bn = filter.OrderBn.Trim(); q = q.Where(o => o.OrderBn == bn); }
        var page = await q.Join(db.Set<Shop>(), o => o.ShopId, s => s.Id, (o, s) => new StagingHead
        {
            Id = o.Id, OrderBn = o.OrderBn, ShopId = o.ShopId, ShopName = s.Name, Status = o.Status, IsFail = o.IsFail, Pause = o.Pause,
            ProcessStatus = o.ProcessStatus, PayStatus = o.PayStatus, IsCod = o.IsCod, TotalAmount = o.TotalAmount,
            CreateTime = o.CreateTime, ArrivedAt = o.ArrivedAt, PaidAt = o.PaidAt,
        }).ToKeysetPageAsync(h => h.Id, before, pageSize, ct).ConfigureAwait(false);
        return new KeysetPage<StagingRow>(page.Items.Select(h => new StagingRow(
            h.Id, h.OrderBn, h.ShopId, h.ShopName, h.PayStatus, h.IsCod, h.TotalAmount, h.CreateTime, h.ArrivedAt, h.PaidAt,
            Evaluate(new StagingFacts(h.Status, h.IsFail, h.Pause, h.ProcessStatus, h.PayStatus, h.IsCod, h.ArrivedAt, h.PaidAt), buffer, now)))
            .ToList(), page.NextBefore);
    }

    /// <summary>
    /// <see cref="Evaluate"/> as a SQL predicate: orders in the staging area held by <paramref name="hold"/> (any staging
    /// hold when null). <paramref name="bufferStart"/> = now − buffer: an order arrived or paid after it is still buffered.
    /// </summary>
    public static Expression<Func<Order, bool>> Held(StagingHold? hold, DateTime bufferStart)
    {
        Expression<Func<Order, bool>> inArea = hold switch
        {
            null => o => o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.Pause
                         && (o.PayStatus == PayStatus.RefundApplied || o.PayStatus == PayStatus.Refunding || o.PayStatus == PayStatus.FullyRefunded
                             || (!o.IsCod && (o.PayStatus == PayStatus.Unpaid || o.PayStatus == PayStatus.PartlyPaid || o.PayStatus == PayStatus.Paying))
                             || o.ArrivedAt > bufferStart || o.PaidAt > bufferStart),
            StagingHold.Refunding => o => o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.Pause
                         && (o.PayStatus == PayStatus.RefundApplied || o.PayStatus == PayStatus.Refunding),
            StagingHold.FullyRefunded => o => o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.Pause
                         && o.PayStatus == PayStatus.FullyRefunded,
            StagingHold.Unpaid => o => o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.Pause
                         && !o.IsCod && (o.PayStatus == PayStatus.Unpaid || o.PayStatus == PayStatus.PartlyPaid || o.PayStatus == PayStatus.Paying),
            StagingHold.Buffer => o => o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.Pause
                         && o.PayStatus != PayStatus.RefundApplied && o.PayStatus != PayStatus.Refunding && o.PayStatus != PayStatus.FullyRefunded
                         && (o.IsCod || (o.PayStatus != PayStatus.Unpaid && o.PayStatus != PayStatus.PartlyPaid && o.PayStatus != PayStatus.Paying))
                         && (o.ArrivedAt > bufferStart || o.PaidAt > bufferStart),
            _ => throw new ArgumentOutOfRangeException(nameof(hold), hold, "not a staging hold"),
        };
        return inArea;
    }

    /// <summary>
    /// <see cref="Evaluate"/> = <see cref="StagingHold.None"/> as a SQL predicate: the orders that have left the staging area
    /// and may be dispatched and reviewed (<paramref name="bufferStart"/> = now − buffer).
    /// </summary>
    public static Expression<Func<Order, bool>> Dispatchable(DateTime bufferStart) =>
        o => o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.Pause
             && o.PayStatus != PayStatus.RefundApplied && o.PayStatus != PayStatus.Refunding && o.PayStatus != PayStatus.FullyRefunded
             && (o.IsCod || (o.PayStatus != PayStatus.Unpaid && o.PayStatus != PayStatus.PartlyPaid && o.PayStatus != PayStatus.Paying))
             && o.ArrivedAt <= bufferStart && (o.PaidAt == null || o.PaidAt <= bufferStart);

    private sealed class StagingHead
    {
        public long Id { get; init; }
        public required string OrderBn { get; init; }
        public long ShopId { get; init; }
        public required string ShopName { get; init; }
        public OrderStatus Status { get; init; }
        public bool IsFail { get; init; }
        public bool Pause { get; init; }
        public ProcessStatus ProcessStatus { get; init; }
        public PayStatus PayStatus { get; init; }
        public bool IsCod { get; init; }
        public decimal TotalAmount { get; init; }
        public DateTime CreateTime { get; init; }
        public DateTime ArrivedAt { get; init; }
        public DateTime? PaidAt { get; init; }
    }
}
