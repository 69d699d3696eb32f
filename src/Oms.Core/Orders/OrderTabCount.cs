using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Channels;

namespace Oms.Orders;

/// <summary>
/// 页签计数 — a share of one shop's count of one order-list tab. The database triggers on <c>orders</c>
/// keep it (<see cref="OrderTabCountSql"/>); nothing in C# writes it except <see cref="OrderTabCounts.RebuildAsync"/>.
/// A shop's count of a tab is the SUM over its <see cref="OrderTabCountSql.Slots"/> slots: spreading
/// one counter over several rows keeps concurrent order writers of one shop from queuing on one row lock.
/// </summary>
public class OrderTabCount
{
    public long ShopId { get; set; }
    /// <summary><see cref="OrderTab.Key"/>.</summary>
    public required string Tab { get; set; }
    /// <summary>The share's slot (<see cref="OrderTabCountSql.Slots"/>): the writing backend's on PostgreSQL, the order id's on SQLite.</summary>
    public int Slot { get; set; }
    public long N { get; set; }
}

internal sealed class OrderTabCountConfiguration : IEntityTypeConfiguration<OrderTabCount>
{
    public void Configure(EntityTypeBuilder<OrderTabCount> b)
    {
        b.ToTable("order_tab_count");
        b.HasKey(x => new { x.ShopId, x.Tab, x.Slot });
        b.Property(x => x.Tab).HasMaxLength(20);
        // no foreign key: the triggers write it inside order writes and a shop is never deleted while it has orders
    }
}

/// <summary>
/// The indexes the order list's filters and tabs need (OrderListQuery): kept beside the list, apart from
/// the order model's own configuration. The tab indexes are partial, with the tab's predicate as filter,
/// so the newest orders of a small tab are a short backward index scan on both providers.
/// </summary>
internal sealed class OrderListIndexConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.HasIndex(x => new { x.ShopId, x.Id }, "ix_orders_shop_id_id").HasDatabaseName("ix_orders_shop_id_id");
        b.HasIndex(x => new { x.ArrivedAt, x.Id }, "ix_orders_arrived_at_id").HasDatabaseName("ix_orders_arrived_at_id");
        b.HasIndex(x => x.BuyerId, "ix_orders_buyer_id").HasDatabaseName("ix_orders_buyer_id");
        b.HasIndex(x => x.ShipName, "ix_orders_ship_name").HasDatabaseName("ix_orders_ship_name");
        foreach (var tab in OrderTabs.List.Where(t => t.Indexed))
            b.HasIndex(x => x.Id, tab.IndexName).HasDatabaseName(tab.IndexName).HasFilter(tab.Sql());
        // declared so EF knows writes to orders fire triggers (order_tab_count); created by migration SQL
        b.ToTable(t =>
        {
            t.HasTrigger("trg_orders_tab_count_ins");
            t.HasTrigger("trg_orders_tab_count_upd");
            t.HasTrigger("trg_orders_tab_count_del");
        });
    }
}

internal sealed class OrderObjectListIndexConfiguration : IEntityTypeConfiguration<OrderObject>
{
    public void Configure(EntityTypeBuilder<OrderObject> b) => b.HasIndex(x => new { x.Bn, x.OrderId }, "ix_order_object_bn_order_id").HasDatabaseName("ix_order_object_bn_order_id");
}

internal sealed class OrderItemListIndexConfiguration : IEntityTypeConfiguration<OrderItem>
{
    public void Configure(EntityTypeBuilder<OrderItem> b) => b.HasIndex(x => new { x.Bn, x.OrderId }, "ix_order_item_bn_order_id").HasDatabaseName("ix_order_item_bn_order_id");
}
