using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Catalog;
using Oms.Channels;

namespace Oms.Orders;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        // "order" is a reserved word in SQL
        b.ToTable("orders");
        b.HasIndex(x => new { x.ShopId, x.OrderBn }).IsUnique();
        b.HasIndex(x => x.OrderBn);
        b.HasIndex(x => new { x.UpdatedAt, x.Id });
        b.HasIndex(x => new { x.CreateTime, x.Id });
        b.HasIndex(x => x.ShipMobile);
        b.HasIndex(x => x.MemberUname);
        b.Property(x => x.OrderBn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.AbnormalReason).HasMaxLength(500);
        b.Property(x => x.Currency).HasMaxLength(10);
        b.Property(x => x.ShipAddr).HasMaxLength(500);
        b.Property(x => x.CustomMark).HasMaxLength(2000);
        b.Property(x => x.MarkText).HasMaxLength(2000);
        b.Property(x => x.PromotionDetail).HasColumnType("text");
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Objects).WithOne().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Payments).WithOne().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_orders_pay_status", "pay_status BETWEEN 0 AND 8");
            t.HasCheckConstraint("ck_orders_ship_status", "ship_status BETWEEN 0 AND 4");
        });
    }
}

internal sealed class OrderObjectConfiguration : IEntityTypeConfiguration<OrderObject>
{
    public void Configure(EntityTypeBuilder<OrderObject> b)
    {
        b.ToTable("order_object");
        b.HasIndex(x => x.OrderId);
        b.Property(x => x.Bn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.Oid).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.ObjType).HasMaxLength(20);
        b.Property(x => x.ShopItems).HasColumnType("text");
        b.Property(x => x.Source).HasMaxLength(20); // existing rows: "shop" (the Preprocess migration fills them)
        b.HasOne<SalesMaterial>().WithMany().HasForeignKey(x => x.SalesMaterialId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_order_object_quantity", "quantity > 0"));
    }
}

internal sealed class OrderItemConfiguration : IEntityTypeConfiguration<OrderItem>
{
    public void Configure(EntityTypeBuilder<OrderItem> b)
    {
        b.ToTable("order_item");
        b.HasIndex(x => x.OrderId);
        b.HasIndex(x => x.BasicMaterialId);
        b.Property(x => x.Bn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.ItemType).HasMaxLength(20);
        b.HasOne<OrderObject>().WithMany().HasForeignKey(x => x.ObjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_order_item_quantity", "quantity > 0");
            t.HasCheckConstraint("ck_order_item_split", "split_num >= 0 AND split_num <= quantity");
        });
    }
}

internal sealed class OrderPaymentConfiguration : IEntityTypeConfiguration<OrderPayment>
{
    public void Configure(EntityTypeBuilder<OrderPayment> b)
    {
        b.ToTable("order_payment");
        b.HasIndex(x => new { x.OrderId, x.TradeNo }).IsUnique();
        b.Property(x => x.TradeNo).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.Memo).HasMaxLength(500);
    }
}

internal sealed class OrderLogConfiguration : IEntityTypeConfiguration<OrderLog>
{
    public void Configure(EntityTypeBuilder<OrderLog> b)
    {
        b.ToTable("order_log");
        b.HasIndex(x => new { x.OrderId, x.Id });
        b.Property(x => x.Action).HasMaxLength(40);
        b.Property(x => x.Operator).HasMaxLength(100);
        b.Property(x => x.Text).HasMaxLength(4000);
        b.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AfterSaleRequestConfiguration : IEntityTypeConfiguration<AfterSaleRequest>
{
    public void Configure(EntityTypeBuilder<AfterSaleRequest> b)
    {
        b.ToTable("after_sale_request");
        b.HasIndex(x => new { x.ShopId, x.Kind, x.RequestBn }).IsUnique();
        b.HasIndex(x => new { x.ShopId, x.OrderBn });
        b.Property(x => x.Kind).HasMaxLength(20);
        b.Property(x => x.RequestBn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.OrderBn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.Status).HasMaxLength(40);
        b.Property(x => x.Reason).HasMaxLength(500);
        b.Property(x => x.Payload).HasColumnType("text");
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>Field limits shared by the intake, the OpenAPI and the screens.</summary>
public static class OrderLimits
{
    public const int BnLength = 64;
    public const int MaxObjects = 500;
}
