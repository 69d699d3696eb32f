using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Catalog;
using Oms.Channels;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Fulfillment;

internal sealed class SaleConfiguration : IEntityTypeConfiguration<Sale>
{
    public void Configure(EntityTypeBuilder<Sale> b)
    {
        b.ToTable("sales");
        b.HasIndex(x => x.SaleBn).IsUnique();
        b.HasIndex(x => new { x.DeliveryId, x.OrderId }).IsUnique();
        b.HasIndex(x => new { x.SaleTime, x.Id });
        b.HasIndex(x => x.OrderId);
        b.Property(x => x.SaleBn).HasMaxLength(40);
        b.Property(x => x.OrderBn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.DeliveryBn).HasMaxLength(40);
        b.Property(x => x.LogiCode).HasMaxLength(40);
        b.Property(x => x.LogiNo).HasMaxLength(64);
        b.Property(x => x.Operator).HasMaxLength(100);
        b.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Delivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.SaleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SaleItemConfiguration : IEntityTypeConfiguration<SaleItem>
{
    public void Configure(EntityTypeBuilder<SaleItem> b)
    {
        b.ToTable("sale_items");
        b.HasIndex(x => x.SaleId);
        b.Property(x => x.Bn).HasMaxLength(OrderLimits.BnLength);
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasOne<OrderItem>().WithMany().HasForeignKey(x => x.OrderItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_sale_items_nums", "nums > 0"));
    }
}
