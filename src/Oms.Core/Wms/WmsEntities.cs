using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Deliveries;
using Oms.Warehouses;

namespace Oms.Wms;

/// <summary>How the OMS talks to a WMS channel.</summary>
public static class WmsAdapterNames
{
    /// <summary>Through the matrix (PROTOCOL.md §3): <c>store.wms.*</c> out, <c>wms.*.status_update</c> in.</summary>
    public const string Matrix = "matrix";
    /// <summary>Qimen 2.x directly (PROTOCOL.md §4).</summary>
    public const string Qimen = "qimen";

    public static readonly IReadOnlyList<string> All = [Matrix, Qimen];
}

/// <summary>
/// 第三方仓储渠道 (WMS channel, ONEX <c>wmsmgr</c>): a warehouse system run by someone else. Branches whose
/// <see cref="Branch.Wms"/> is this <see cref="ChannelBn"/> are worked by it: deliveries are pushed to it and its
/// status callbacks (or, for <see cref="Poll"/> channels, the answers to queries) move them on.
/// </summary>
public class WmsChannel
{
    public long Id { get; set; }
    public required string ChannelBn { get; set; }
    public required string Name { get; set; }
    /// <summary><see cref="WmsAdapterNames"/>.</summary>
    public required string Adapter { get; set; }
    /// <summary>Matrix: the channel's node id (to_node_id out, node_id in) and its token (signs both ways).</summary>
    public string? NodeId { get; set; }
    public string? Token { get; set; }
    /// <summary>Sent as <c>node_type</c> on outbound matrix requests (default <c>wms</c>).</summary>
    public string NodeType { get; set; } = "wms";
    /// <summary>Qimen credentials.</summary>
    public string? AppKey { get; set; }
    public string? Secret { get; set; }
    public string? CustomerId { get; set; }
    /// <summary>Where requests go; else the setting <c>matrix.url</c>.</summary>
    public string? ApiUrl { get; set; }
    /// <summary>The warehouse never calls back (JD 京东仓储): its deliveries are polled with <c>store.wms.saleorder.get</c>.</summary>
    public bool Poll { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Where the push of a delivery to its warehouse stands.</summary>
public static class WmsPushState
{
    public const string Pending = "pending";
    public const string Pushed = "pushed";
    public const string Failed = "failed";
}

/// <summary>Where a cancel asked of the warehouse stands (<c>none</c> when none was asked).</summary>
public static class WmsCancelState
{
    public const string None = "none";
    /// <summary>Asked; the delivery stays open (and cannot be asked again) until the warehouse answers.</summary>
    public const string Pending = "pending";
    /// <summary>Refused by the warehouse or finally failed: listed as 第三方发货单撤消失败.</summary>
    public const string Failed = "failed";
    /// <summary>The warehouse confirmed (or an operator confirmed it by other means): revoked locally.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>What to do once the warehouse confirms a cancel.</summary>
public static class WmsCancelIntent
{
    /// <summary>撤销/打回: the delivery is revoked and its orders return to review.</summary>
    public const string Revoke = "revoke";
    /// <summary>暂停: the delivery is revoked and the order paused.</summary>
    public const string Pause = "pause";
}

/// <summary>
/// WMS sync state of one delivery at a third-party branch (kept beside <c>delivery</c>, which only mirrors the last
/// status in <see cref="Delivery.WmsStatus"/>).
/// </summary>
public class DeliveryWms
{
    public long DeliveryId { get; set; }
    public long ChannelId { get; set; }
    public string PushState { get; set; } = WmsPushState.Pending;
    /// <summary>The request id of the last push (outbox message id for the matrix adapter).</summary>
    public string? PushRequestId { get; set; }
    public string? PushError { get; set; }
    public DateTime? PushedAt { get; set; }
    /// <summary>The warehouse's own number for the delivery.</summary>
    public string? OutDeliveryBn { get; set; }
    /// <summary>The last status the warehouse reported (ACCEPT … DELIVERY, CLOSE, FAILED).</summary>
    public string? WmsStatus { get; set; }
    /// <summary>The warehouse's <c>operate_time</c> of that status.</summary>
    public DateTime? WmsStatusAt { get; set; }
    public DateTime? LastCallbackAt { get; set; }
    public string? Remark { get; set; }
    public decimal? Volume { get; set; }

    public string CancelState { get; set; } = WmsCancelState.None;
    public string? CancelRequestId { get; set; }
    public string? CancelIntent { get; set; }
    /// <summary>The order to pause once the warehouse confirms (intent pause).</summary>
    public long? CancelOrderId { get; set; }
    public string? CancelReason { get; set; }
    public string? CancelActor { get; set; }
    public string? CancelError { get; set; }
    public DateTime? CancelRequestedAt { get; set; }
    public DateTime? CancelAnsweredAt { get; set; }

    /// <summary>The last <c>store.wms.saleorder.get</c> (poll channels).</summary>
    public string? PollRequestId { get; set; }
    public DateTime? PolledAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class WmsChannelConfiguration : IEntityTypeConfiguration<WmsChannel>
{
    public void Configure(EntityTypeBuilder<WmsChannel> b)
    {
        b.ToTable("wms_channel");
        b.HasIndex(x => x.ChannelBn).IsUnique();
        b.HasIndex(x => x.NodeId).IsUnique();
        b.Property(x => x.ChannelBn).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Adapter).HasMaxLength(16);
        b.Property(x => x.NodeId).HasMaxLength(64);
        b.Property(x => x.Token).HasMaxLength(200);
        b.Property(x => x.NodeType).HasMaxLength(50);
        b.Property(x => x.AppKey).HasMaxLength(100);
        b.Property(x => x.Secret).HasMaxLength(200);
        b.Property(x => x.CustomerId).HasMaxLength(100);
        b.Property(x => x.ApiUrl).HasMaxLength(500);
    }
}

internal sealed class DeliveryWmsConfiguration : IEntityTypeConfiguration<DeliveryWms>
{
    public void Configure(EntityTypeBuilder<DeliveryWms> b)
    {
        b.ToTable("delivery_wms");
        b.HasKey(x => x.DeliveryId);
        b.Property(x => x.DeliveryId).ValueGeneratedNever();
        b.Property(x => x.PushState).HasMaxLength(16);
        b.Property(x => x.PushRequestId).HasMaxLength(64);
        b.Property(x => x.PushError).HasMaxLength(1000);
        b.Property(x => x.OutDeliveryBn).HasMaxLength(64);
        b.Property(x => x.WmsStatus).HasMaxLength(16);
        b.Property(x => x.Remark).HasMaxLength(500);
        b.Property(x => x.CancelState).HasMaxLength(16);
        b.Property(x => x.CancelRequestId).HasMaxLength(64);
        b.Property(x => x.CancelIntent).HasMaxLength(16);
        b.Property(x => x.CancelReason).HasMaxLength(500);
        b.Property(x => x.CancelActor).HasMaxLength(100);
        b.Property(x => x.CancelError).HasMaxLength(1000);
        b.Property(x => x.PollRequestId).HasMaxLength(64);
        b.HasIndex(x => x.PushRequestId);
        b.HasIndex(x => x.CancelRequestId);
        b.HasIndex(x => x.PollRequestId);
        b.HasIndex(x => new { x.ChannelId, x.OutDeliveryBn });
        b.HasIndex(x => new { x.PushState, x.DeliveryId });
        b.HasIndex(x => new { x.CancelState, x.DeliveryId });
        b.HasOne<Delivery>().WithOne().HasForeignKey<DeliveryWms>(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<WmsChannel>().WithMany().HasForeignKey(x => x.ChannelId).OnDelete(DeleteBehavior.Restrict);
    }
}
