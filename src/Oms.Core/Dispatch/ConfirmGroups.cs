using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Rules;

namespace Oms.Dispatch;

/// <summary>A member as the editor posts it.</summary>
public sealed record ConfirmGroupMemberInput(long UserId, bool OnDuty);

/// <summary>A member with the user's names.</summary>
public sealed record ConfirmGroupMemberView(long UserId, string UserName, string? DisplayName, bool OnDuty, bool Disabled)
{
    public string Label => string.IsNullOrWhiteSpace(DisplayName) ? UserName : $"{DisplayName}（{UserName}）";
}

/// <summary>A confirm group with its members.</summary>
public sealed record ConfirmGroupView(long Id, string Name, IReadOnlyList<ConfirmGroupMemberView> Members);

/// <summary>A dispatch rule with its group's name.</summary>
public sealed record DispatchRuleView(DispatchRule Rule, string ConfirmGroupName, IReadOnlyList<string> OrderGroups);

/// <summary>审单小组 and 自动分派规则 maintenance.</summary>
public sealed class ConfirmGroupService(OmsDbContext db, TimeProvider clock, AuditLog audit)
{
    public async Task<IReadOnlyList<ConfirmGroupView>> ListAsync(CancellationToken ct = default)
    {
        var groups = await db.Set<ConfirmGroup>().AsNoTracking().Include(g => g.Members).OrderBy(g => g.Id).ToListAsync(ct).ConfigureAwait(false);
        var userIds = groups.SelectMany(g => g.Members).Select(m => m.UserId).Distinct().ToList();
        var users = await db.Set<User>().AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct).ConfigureAwait(false);
        return groups.Select(g => new ConfirmGroupView(g.Id, g.Name, g.Members.OrderBy(m => m.UserId).Select(m =>
        {
            var u = users[m.UserId];
            return new ConfirmGroupMemberView(m.UserId, u.Name, u.DisplayName, m.OnDuty, u.Disabled);
        }).ToList())).ToList();
    }

    /// <summary>Enabled users, for the member picker.</summary>
    public async Task<IReadOnlyList<(long Id, string Label)>> UserOptionsAsync(CancellationToken ct = default) =>
        (await db.Set<User>().AsNoTracking().Where(u => !u.Disabled).OrderBy(u => u.Name).Select(u => new { u.Id, u.Name, u.DisplayName }).ToListAsync(ct).ConfigureAwait(false))
        .Select(u => (u.Id, string.IsNullOrWhiteSpace(u.DisplayName) ? u.Name : $"{u.DisplayName}（{u.Name}）")).ToList();

    public async Task<ConfirmGroup> GetAsync(long id, CancellationToken ct = default) =>
        await db.Set<ConfirmGroup>().Include(g => g.Members).FirstOrDefaultAsync(g => g.Id == id, ct).ConfigureAwait(false)
        ?? throw new DomainException($"审单小组 {id} 不存在");

    public async Task<ConfirmGroup> CreateAsync(string name, IReadOnlyList<ConfirmGroupMemberInput> members, string actor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var group = new ConfirmGroup { Name = "", CreatedAt = now };
        await ApplyAsync(group, name, members, ct).ConfigureAwait(false);
        db.Add(group);
        audit.Record("confirm_group.create", $"confirm_group:{group.Name}", Summary(group), actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return group;
    }

    public async Task<ConfirmGroup> UpdateAsync(long id, string name, IReadOnlyList<ConfirmGroupMemberInput> members, string actor, CancellationToken ct = default)
    {
        var group = await GetAsync(id, ct).ConfigureAwait(false);
        await ApplyAsync(group, name, members, ct).ConfigureAwait(false);
        audit.Record("confirm_group.update", $"confirm_group:{group.Name}", Summary(group), actor);
        await SaveAsync(ct).ConfigureAwait(false);
        return group;
    }

    /// <summary>在岗/离岗 of one member: only on-duty members get orders by round robin.</summary>
    public async Task SetOnDutyAsync(long groupId, long userId, bool onDuty, string actor, CancellationToken ct = default)
    {
        var group = await GetAsync(groupId, ct).ConfigureAwait(false);
        var member = group.Members.FirstOrDefault(m => m.UserId == userId) ?? throw new DomainException($"用户 {userId} 不是审单小组“{group.Name}”的成员");
        member.OnDuty = onDuty;
        group.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("confirm_group.duty", $"confirm_group:{group.Name}", $"user={userId}, on_duty={onDuty}", actor);
        await SaveAsync(ct).ConfigureAwait(false);
    }

    public async Task DeleteAsync(long id, string actor, CancellationToken ct = default)
    {
        var group = await GetAsync(id, ct).ConfigureAwait(false);
        var rules = await db.Set<DispatchRule>().Where(r => r.ConfirmGroupId == id).Select(r => r.Name).ToListAsync(ct).ConfigureAwait(false);
        if (rules.Count > 0) throw new DomainException($"审单小组“{group.Name}”正被分派规则 {string.Join("、", rules)} 使用，不能删除");
        var open = await db.Set<Order>().CountAsync(o => o.GroupId == id && o.Status == OrderStatus.Active && o.ProcessStatus == ProcessStatus.Unconfirmed, ct).ConfigureAwait(false);
        if (open > 0) throw new DomainException($"审单小组“{group.Name}”还有 {open} 个未审核的订单，请先改派");
        db.Remove(group);
        audit.Record("confirm_group.delete", $"confirm_group:{group.Name}", null, actor);
        await SaveAsync(ct).ConfigureAwait(false);
    }

    private async Task ApplyAsync(ConfirmGroup group, string name, IReadOnlyList<ConfirmGroupMemberInput> members, CancellationToken ct)
    {
        var n = RuleCommon.Name(name, "审单小组");
        if (await db.Set<ConfirmGroup>().AnyAsync(g => g.Name == n && g.Id != group.Id, ct).ConfigureAwait(false))
            throw new DomainException($"审单小组“{n}”已存在");
        if (members.GroupBy(m => m.UserId).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new DomainException($"用户 {dup.Key} 重复出现");
        var ids = members.Select(m => m.UserId).ToList();
        var known = await db.Set<User>().Where(u => ids.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct).ConfigureAwait(false);
        if (ids.Except(known).ToList() is { Count: > 0 } missing) throw new DomainException($"用户 {string.Join("、", missing)} 不存在");
        group.Name = n;
        group.Members.RemoveAll(m => !ids.Contains(m.UserId));
        foreach (var m in members)
        {
            var existing = group.Members.FirstOrDefault(x => x.UserId == m.UserId);
            if (existing is null) group.Members.Add(new ConfirmGroupMember { UserId = m.UserId, OnDuty = m.OnDuty });
            else existing.OnDuty = m.OnDuty;
        }
        group.UpdatedAt = clock.GetUtcNow().UtcDateTime;
    }

    private static string Summary(ConfirmGroup g) => "members=" + string.Join(",", g.Members.Select(m => $"{m.UserId}{(m.OnDuty ? "" : "(off)")}"));

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct).ConfigureAwait(false); }
        catch (DbUpdateException e) when (UniqueViolation.Is(e)) { throw new DomainException("审单小组名称已存在"); }
    }

    // --- dispatch rules (自动分派规则) ---

    public async Task<IReadOnlyList<DispatchRuleView>> DispatchRulesAsync(CancellationToken ct = default)
    {
        var rules = await db.Set<DispatchRule>().AsNoTracking().OrderBy(r => r.Id).ToListAsync(ct).ConfigureAwait(false);
        var groups = await db.Set<ConfirmGroup>().AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.Name, ct).ConfigureAwait(false);
        var users = (await db.Set<OrderGroup>().AsNoTracking().Where(g => g.DispatchRuleId != null).Select(g => new { g.DispatchRuleId, g.Name }).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(g => g.DispatchRuleId!.Value, g => g.Name);
        return rules.Select(r => new DispatchRuleView(r, groups.GetValueOrDefault(r.ConfirmGroupId) ?? "", users[r.Id].ToList())).ToList();
    }

    public async Task<DispatchRule> SaveDispatchRuleAsync(long? id, string name, long confirmGroupId, DispatchMode mode, string actor, CancellationToken ct = default)
    {
        var n = RuleCommon.Name(name, "分派规则");
        if (!Enum.IsDefined(mode)) throw new DomainException("请选择分派方式");
        if (!await db.Set<ConfirmGroup>().AnyAsync(g => g.Id == confirmGroupId, ct).ConfigureAwait(false))
            throw new DomainException($"审单小组 {confirmGroupId} 不存在");
        if (await db.Set<DispatchRule>().AnyAsync(r => r.Name == n && r.Id != id, ct).ConfigureAwait(false))
            throw new DomainException($"分派规则“{n}”已存在");
        var now = clock.GetUtcNow().UtcDateTime;
        DispatchRule rule;
        if (id is { } existing)
            rule = await db.Set<DispatchRule>().FirstOrDefaultAsync(r => r.Id == existing, ct).ConfigureAwait(false) ?? throw new DomainException($"分派规则 {existing} 不存在");
        else
            db.Add(rule = new DispatchRule { Name = n, CreatedAt = now });
        rule.Name = n;
        rule.ConfirmGroupId = confirmGroupId;
        rule.Mode = mode;
        rule.UpdatedAt = now;
        audit.Record(id is null ? "dispatch_rule.create" : "dispatch_rule.update", $"dispatch_rule:{n}", $"group={confirmGroupId}, mode={mode}", actor);
        try { await db.SaveChangesAsync(ct).ConfigureAwait(false); }
        catch (DbUpdateException e) when (UniqueViolation.Is(e)) { throw new DomainException($"分派规则“{n}”已存在"); }
        return rule;
    }

    public async Task DeleteDispatchRuleAsync(long id, string actor, CancellationToken ct = default)
    {
        var rule = await db.Set<DispatchRule>().FirstOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false) ?? throw new DomainException($"分派规则 {id} 不存在");
        var users = await db.Set<OrderGroup>().Where(g => g.DispatchRuleId == id).Select(g => g.Name).ToListAsync(ct).ConfigureAwait(false);
        if (users.Count > 0) throw new DomainException($"分派规则“{rule.Name}”正被订单分组 {string.Join("、", users)} 使用，不能删除");
        db.Remove(rule);
        audit.Record("dispatch_rule.delete", $"dispatch_rule:{rule.Name}", null, actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }
}
