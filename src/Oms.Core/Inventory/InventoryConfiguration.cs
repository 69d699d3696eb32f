using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Catalog;
using Oms.Channels;
using Oms.Warehouses;

namespace Oms.Inventory;

internal sealed class BranchStockConfiguration : IEntityTypeConfiguration<BranchStock>
{
    public void Configure(EntityTypeBuilder<BranchStock> b)
    {
        b.ToTable("branch_stock");
        b.HasKey(x => new { x.BranchId, x.BasicMaterialId });
        b.HasIndex(x => x.BasicMaterialId);
        b.HasIndex(x => x.UpdatedAt);
        b.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
        // The database itself refuses a negative counter: the last line of defence behind the conditional updates.
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_branch_stock_store", "store >= 0");
            t.HasCheckConstraint("ck_branch_stock_store_freeze", "store_freeze >= 0");
            t.HasCheckConstraint("ck_branch_stock_arrive_store", "arrive_store >= 0");
            t.HasCheckConstraint("ck_branch_stock_defective_store", "defective_store >= 0");
        });
    }
}

internal sealed class ShopFreezeConfiguration : IEntityTypeConfiguration<ShopFreeze>
{
    public void Configure(EntityTypeBuilder<ShopFreeze> b)
    {
        b.ToTable("shop_freeze", t => t.HasCheckConstraint("ck_shop_freeze_quantity", "quantity >= 0"));
        b.HasKey(x => new { x.ShopId, x.BasicMaterialId });
        b.HasIndex(x => x.BasicMaterialId);
        b.HasOne<Shop>().WithMany().HasForeignKey(x => x.ShopId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StockLedgerLineConfiguration : IEntityTypeConfiguration<StockLedgerLine>
{
    public void Configure(EntityTypeBuilder<StockLedgerLine> b)
    {
        b.ToTable("stock_ledger");
        b.Ignore(x => x.IoStockBn);
        b.HasIndex(x => new { x.BranchId, x.BasicMaterialId, x.Id });
        b.HasIndex(x => new { x.BasicMaterialId, x.Id });
        b.HasIndex(x => new { x.CreatedAt, x.Id });
        b.HasIndex(x => x.OriginalBn);
        b.Property(x => x.Memo).HasMaxLength(1000);
        b.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StockDocumentConfiguration : IEntityTypeConfiguration<StockDocument>
{
    public void Configure(EntityTypeBuilder<StockDocument> b)
    {
        b.ToTable("stock_document");
        b.HasIndex(x => x.IoBn).IsUnique();
        b.HasIndex(x => new { x.CreatedAt, x.Id });
        b.Property(x => x.Type).HasConversion(v => ((char)v).ToString(), v => (StockDocumentType)v[0]).HasMaxLength(1);
        b.Property(x => x.Memo).HasMaxLength(1000);
        b.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Lines).WithOne().HasForeignKey(x => x.StockDocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StockDocumentLineConfiguration : IEntityTypeConfiguration<StockDocumentLine>
{
    public void Configure(EntityTypeBuilder<StockDocumentLine> b)
    {
        b.ToTable("stock_document_line");
        b.HasOne<BasicMaterial>().WithMany().HasForeignKey(x => x.BasicMaterialId).OnDelete(DeleteBehavior.Restrict);
    }
}
