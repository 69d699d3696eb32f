using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Oms.Channels;

internal sealed class ShopConfiguration : IEntityTypeConfiguration<Shop>
{
    public void Configure(EntityTypeBuilder<Shop> b)
    {
        b.ToTable("shop");
        b.HasIndex(x => x.ShopBn).IsUnique();
        b.HasIndex(x => x.NodeId).IsUnique();
        b.Property(x => x.ShopType).HasMaxLength(32);
        b.Property(x => x.ApiUrl).HasMaxLength(1000);
    }
}
