using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Dispatch;
using Oms.Review;
using Oms.Warehouses;

namespace Oms.Rules;

/// <summary>One stored condition of a rule (规则筛选器): the filter type and its parameters as JSON. Owned by its rule.</summary>
public class RuleCondition
{
    public int Position { get; set; }
    public required string Type { get; set; }
    public required string Parameters { get; set; }

    public StoredCondition ToStored() => new(Type, Parameters);
}

/// <summary>
/// 订单分组 (ONEX <c>omeauto_order_type</c>, group_type order): an order belongs to the first enabled group, by priority
/// (higher first), whose conditions it meets; the group says which auto-review rule (<c>oid</c>) and which dispatch rule
/// (<c>did</c>) apply. The default group (<see cref="IsDefault"/>) has no conditions, comes last and cannot be deleted.
/// </summary>
public class OrderGroup
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Higher is tried first.</summary>
    public int Priority { get; set; }
    public bool Enabled { get; set; } = true;
    public bool IsDefault { get; set; }
    /// <summary>审单规则 (oid); null = the default review rule.</summary>
    public long? ReviewRuleId { get; set; }
    /// <summary>自动分派规则 (did); null = not dispatched automatically.</summary>
    public long? DispatchRuleId { get; set; }
    public List<RuleCondition> Conditions { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// 审单规则 (ONEX <c>omeauto_autoconfirm</c>): the review flags that stop an order of the groups using it, and whether
/// the product check (商品匹配检查) runs. The default rule blocks on every flag but SINGLE and MULTI.
/// </summary>
public class ReviewRule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The blocking <see cref="ReviewFlags"/>, a bitmask.</summary>
    public long BlockingFlags { get; set; }
    public bool CheckProduct { get; set; }
    public bool IsDefault { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// 分仓规则: orders meeting the conditions go to one of the candidate branches (highest weight first, with stock). The
/// first enabled rule by priority (higher first) whose conditions match wins.
/// </summary>
public class BranchRule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public int Priority { get; set; }
    public bool Enabled { get; set; } = true;
    public List<RuleCondition> Conditions { get; set; } = [];
    public List<BranchRuleCandidate> Candidates { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A candidate branch of a branch rule with its weight (higher preferred).</summary>
public class BranchRuleCandidate
{
    public long BranchId { get; set; }
    public int Weight { get; set; }
}

internal sealed class OrderGroupConfiguration : IEntityTypeConfiguration<OrderGroup>
{
    public void Configure(EntityTypeBuilder<OrderGroup> b)
    {
        b.ToTable("order_group");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.Name).IsUnique();
        // at most one default group (the lazy creation relies on it under concurrency)
        b.HasIndex(x => x.IsDefault).IsUnique().HasFilter("is_default");
        b.HasOne<ReviewRule>().WithMany().HasForeignKey(x => x.ReviewRuleId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<DispatchRule>().WithMany().HasForeignKey(x => x.DispatchRuleId).OnDelete(DeleteBehavior.Restrict);
        b.OwnsMany(x => x.Conditions, c =>
        {
            c.ToTable("order_group_condition");
            c.WithOwner().HasForeignKey("OrderGroupId");
            c.Property<long>("Id");
            c.HasKey("Id");
            c.Property(x => x.Type).HasMaxLength(32);
            c.Property(x => x.Parameters).HasMaxLength(4000);
        });
        b.Navigation(x => x.Conditions).AutoInclude();
    }
}

internal sealed class ReviewRuleConfiguration : IEntityTypeConfiguration<ReviewRule>
{
    public void Configure(EntityTypeBuilder<ReviewRule> b)
    {
        b.ToTable("review_rule");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.Name).IsUnique();
        b.HasIndex(x => x.IsDefault).IsUnique().HasFilter("is_default");
    }
}

internal sealed class BranchRuleConfiguration : IEntityTypeConfiguration<BranchRule>
{
    public void Configure(EntityTypeBuilder<BranchRule> b)
    {
        b.ToTable("branch_rule");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.Name).IsUnique();
        b.OwnsMany(x => x.Conditions, c =>
        {
            c.ToTable("branch_rule_condition");
            c.WithOwner().HasForeignKey("BranchRuleId");
            c.Property<long>("Id");
            c.HasKey("Id");
            c.Property(x => x.Type).HasMaxLength(32);
            c.Property(x => x.Parameters).HasMaxLength(4000);
        });
        b.OwnsMany(x => x.Candidates, c =>
        {
            c.ToTable("branch_rule_branch");
            c.WithOwner().HasForeignKey("BranchRuleId");
            c.HasKey("BranchRuleId", nameof(BranchRuleCandidate.BranchId));
            c.HasOne<Branch>().WithMany().HasForeignKey(x => x.BranchId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Navigation(x => x.Conditions).AutoInclude();
        b.Navigation(x => x.Candidates).AutoInclude();
    }
}
