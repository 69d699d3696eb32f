using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Channels;

namespace Oms.Catalog;

internal sealed class BasicMaterialConfiguration : IEntityTypeConfiguration<BasicMaterial>
{
    public void Configure(EntityTypeBuilder<BasicMaterial> b)
    {
        b.ToTable("basic_material");
        b.HasIndex(x => x.MaterialBn).IsUnique();
        b.HasIndex(x => x.Barcode).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
    }
}

internal sealed class SalesMaterialConfiguration : IEntityTypeConfiguration<SalesMaterial>
{
    public void Configure(EntityTypeBuilder<SalesMaterial> b)
    {
        b.ToTable("sales_material");
        b.HasIndex(x => x.SalesMaterialBn).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Bindings).WithOne().HasForeignKey(x => x.SalesMaterialId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SalesMaterialBindingConfiguration : IEntityTypeConfiguration<SalesMaterialBinding>
{
    public void Configure(EntityTypeBuilder<SalesMaterialBinding> b)
    {
        b.ToTable("sales_material_binding");
        b.HasIndex(x => new { x.SalesMaterialId, x.BasicMaterialId }).IsUnique();
        b.HasIndex(x => x.BasicMaterialId);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SupplierConfiguration : IEntityTypeConfiguration<Supplier>
{
    public void Configure(EntityTypeBuilder<Supplier> b)
    {
        b.ToTable("supplier");
        b.HasIndex(x => x.SupplierBn).IsUnique();
    }
}
