using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Orders;

namespace Oms.Review;

/// <summary>
/// Where automatic review stands for one order (one row per order it has looked at): what it found, when, and whether
/// to look again. An order is looked at again when it changed since (<see cref="SeenUpdatedAt"/> &lt; the order's
/// <c>updated_at</c>), when <see cref="RetryAt"/> has come (stock may have arrived), never when
/// <see cref="ManualOnly"/> (an operator sent it back).
/// </summary>
public class OrderReviewState
{
    public long OrderId { get; set; }
    /// <summary>The order's <c>updated_at</c> when it was last looked at.</summary>
    public DateTime SeenUpdatedAt { get; set; }
    public DateTime AttemptedAt { get; set; }
    /// <summary>Every flag the chain found (the blocking ones are <see cref="Blocking"/>).</summary>
    public long Flags { get; set; }
    public long Blocking { get; set; }
    /// <summary>Readable details beyond the flags' own reasons (which material is short where, …).</summary>
    public string? Detail { get; set; }
    /// <summary>STORE / BRANCH: look again at this time even if the order did not change.</summary>
    public DateTime? RetryAt { get; set; }
    /// <summary>Queued for an <c>autorder</c> task until then (the scanner does not queue it twice).</summary>
    public DateTime? QueuedUntil { get; set; }
    /// <summary>An operator took it over (revoked its delivery): automatic review leaves it alone.</summary>
    public bool ManualOnly { get; set; }
}

internal sealed class OrderReviewStateConfiguration : IEntityTypeConfiguration<OrderReviewState>
{
    public void Configure(EntityTypeBuilder<OrderReviewState> b)
    {
        b.ToTable("order_review_state");
        b.HasKey(x => x.OrderId);
        b.Property(x => x.OrderId).ValueGeneratedNever();
        b.Property(x => x.Detail).HasMaxLength(2000);
        b.HasOne<Order>().WithOne().HasForeignKey<OrderReviewState>(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}
