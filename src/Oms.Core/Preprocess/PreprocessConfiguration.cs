using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Orders;

namespace Oms.Preprocess;

internal sealed class PreprocessPluginSettingConfiguration : IEntityTypeConfiguration<PreprocessPluginSetting>
{
    public void Configure(EntityTypeBuilder<PreprocessPluginSetting> b)
    {
        b.ToTable("preprocess_plugin");
        b.HasKey(x => x.Code);
        b.Property(x => x.Code).HasMaxLength(40);
    }
}

internal sealed class PreprocessRunConfiguration : IEntityTypeConfiguration<PreprocessRun>
{
    public void Configure(EntityTypeBuilder<PreprocessRun> b)
    {
        b.ToTable("preprocess_run");
        b.HasIndex(x => new { x.OrderId, x.Id });
        b.Property(x => x.Operator).HasMaxLength(100);
        b.Property(x => x.Skipped).HasMaxLength(200);
        b.Property(x => x.Steps).HasColumnType("text");
        b.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InvoiceRequestConfiguration : IEntityTypeConfiguration<InvoiceRequest>
{
    public void Configure(EntityTypeBuilder<InvoiceRequest> b)
    {
        b.ToTable("invoice_request");
        b.HasIndex(x => x.OrderId).IsUnique();
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.TitleSource).HasMaxLength(20);
        b.Property(x => x.TaxNo).HasMaxLength(64);
        b.Property(x => x.Content).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(20);
        b.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CrmGiftRuleConfiguration : IEntityTypeConfiguration<CrmGiftRule>
{
    public void Configure(EntityTypeBuilder<CrmGiftRule> b)
    {
        b.ToTable("crm_gift_rule");
        b.HasIndex(x => x.RuleBn).IsUnique();
        b.Property(x => x.RuleBn).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasMany(x => x.Gifts).WithOne().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_crm_gift_rule_given", "given_count >= 0");
            t.HasCheckConstraint("ck_crm_gift_rule_limit", "max_times IS NULL OR given_count <= max_times");
        });
    }
}

internal sealed class CrmGiftRuleGiftConfiguration : IEntityTypeConfiguration<CrmGiftRuleGift>
{
    public void Configure(EntityTypeBuilder<CrmGiftRuleGift> b)
    {
        b.ToTable("crm_gift_rule_gift");
        b.HasIndex(x => x.RuleId);
        b.Property(x => x.SalesMaterialBn).HasMaxLength(OrderLimits.BnLength);
        b.ToTable(t => t.HasCheckConstraint("ck_crm_gift_rule_gift_quantity", "quantity > 0"));
    }
}
