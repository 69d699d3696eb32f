using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Admin;

namespace Oms.Dispatch;

/// <summary>审单小组 — a group of reviewers; orders are dispatched to a group (orders.group_id) and one of its members (op_id).</summary>
public class ConfirmGroup
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public List<ConfirmGroupMember> Members { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A reviewer of a confirm group; only members on duty (在岗) get orders by automatic dispatch.</summary>
public class ConfirmGroupMember
{
    public long GroupId { get; set; }
    public long UserId { get; set; }
    public bool OnDuty { get; set; } = true;
}

/// <summary>How a dispatch rule picks the operator.</summary>
public enum DispatchMode
{
    /// <summary>轮流分派 — the group's on-duty members in turn.</summary>
    RoundRobin = 1,
    /// <summary>只分派到小组 — the group only; a member takes the order with 获取订单.</summary>
    GroupOnly = 2,
}

/// <summary>
/// 自动分派规则 (ONEX <c>omeauto_autodispatch</c>): orders of the order groups linking it go to <see cref="ConfirmGroupId"/>,
/// and with <see cref="DispatchMode.RoundRobin"/> to its on-duty members in turn. <see cref="RoundRobinCounter"/> is the turn
/// counter, only ever advanced by one atomic <c>UPDATE … RETURNING</c>.
/// </summary>
public class DispatchRule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public long ConfirmGroupId { get; set; }
    public DispatchMode Mode { get; set; } = DispatchMode.RoundRobin;
    public long RoundRobinCounter { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class ConfirmGroupConfiguration : IEntityTypeConfiguration<ConfirmGroup>
{
    public void Configure(EntityTypeBuilder<ConfirmGroup> b)
    {
        b.ToTable("confirm_group");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.Name).IsUnique();
        b.HasMany(x => x.Members).WithOne().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ConfirmGroupMemberConfiguration : IEntityTypeConfiguration<ConfirmGroupMember>
{
    public void Configure(EntityTypeBuilder<ConfirmGroupMember> b)
    {
        b.ToTable("confirm_group_member");
        b.HasKey(x => new { x.GroupId, x.UserId });
        b.HasIndex(x => x.UserId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DispatchRuleConfiguration : IEntityTypeConfiguration<DispatchRule>
{
    public void Configure(EntityTypeBuilder<DispatchRule> b)
    {
        b.ToTable("dispatch_rule");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.Name).IsUnique();
        b.HasOne<ConfirmGroup>().WithMany().HasForeignKey(x => x.ConfirmGroupId).OnDelete(DeleteBehavior.Restrict);
    }
}
