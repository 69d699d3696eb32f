using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Catalog;
using Oms.Channels;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Deliveries;

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    public void Configure(EntityTypeBuilder<Delivery> b)
    {
        b.ToTable("delivery");
        b.HasIndex(x => x.DeliveryBn).IsUnique();
        b.HasIndex(x => new { x.Status, x.BranchId, x.Id });
        b.HasIndex(x => new { x.UpdatedAt, x.Id });
        b.HasIndex(x => x.LogiNo);
        b.Property(x => x.DeliveryBn).HasMaxLength(40);
        b.Property(x => x.LogiCode).HasMaxLength(40);
        b.Property(x => x.LogiName).HasMaxLength(100);
        b.Property(x => x.LogiNo).HasMaxLength(64);
        b.Property(x => x.WmsStatus).HasMaxLength(40);
        b.Property(x => x.MemberUname).HasMaxLength(200);
        b.Property(x => x.ShipName).HasMaxLength(200);
        b.Property(x => x.ShipProvince).HasMaxLength(100);
        b.Property(x => x.ShipCity).HasMaxLength(100);
        b.Property(x => x.ShipDistrict).HasMaxLength(100);
        b.Property(x => x.ShipAddr).HasMaxLength(500);
        b.Property(x => x.ShipZip).HasMaxLength(20);
        b.Property(x => x.ShipTel).HasMaxLength(100);
        b.Property(x => x.ShipMobile).HasMaxLength(100);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.Property(x => x.Memo).HasMaxLength(500);
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<LogisticsCompany>().WithMany().HasForeignKey(x => x.LogisticsId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.OrderItems).WithOne().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeliveryItemConfiguration : IEntityTypeConfiguration<DeliveryItem>
{
    public void Configure(EntityTypeBuilder<DeliveryItem> b)
    {
        b.ToTable("delivery_item");
        b.HasIndex(x => new { x.DeliveryId, x.BasicMaterialId }).IsUnique();
        b.Property(x => x.Bn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_delivery_item_number", "number > 0");
            t.HasCheckConstraint("ck_delivery_item_verify", "verify_num >= 0 AND verify_num <= number");
        });
    }
}

internal sealed class DeliveryOrderItemConfiguration : IEntityTypeConfiguration<DeliveryOrderItem>
{
    public void Configure(EntityTypeBuilder<DeliveryOrderItem> b)
    {
        b.ToTable("delivery_order_item");
        b.HasIndex(x => x.DeliveryId);
        b.HasIndex(x => new { x.OrderId, x.DeliveryId });
        b.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<OrderItem>().WithMany().HasForeignKey(x => x.OrderItemId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_delivery_order_item_number", "number > 0"));
    }
}
