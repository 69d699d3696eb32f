using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Channels;

namespace Oms.Warehouses;

internal sealed class BranchConfiguration : IEntityTypeConfiguration<Branch>
{
    public void Configure(EntityTypeBuilder<Branch> b)
    {
        b.ToTable("branch");
        b.HasIndex(x => x.BranchBn).IsUnique();
        b.Property(x => x.Wms).HasMaxLength(64);
        b.Ignore(x => x.IsThirdParty);
        b.HasMany(x => x.Shops).WithOne().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BranchShopConfiguration : IEntityTypeConfiguration<BranchShop>
{
    public void Configure(EntityTypeBuilder<BranchShop> b)
    {
        b.ToTable("branch_shop");
        b.HasKey(x => new { x.BranchId, x.ShopId });
        b.HasIndex(x => x.ShopId);
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LogisticsCompanyConfiguration : IEntityTypeConfiguration<LogisticsCompany>
{
    public void Configure(EntityTypeBuilder<LogisticsCompany> b)
    {
        b.ToTable("logistics_company");
        b.HasIndex(x => new { x.BranchId, x.Code }).IsUnique();
        b.HasIndex(x => x.Code);
        b.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Cascade);
    }
}
