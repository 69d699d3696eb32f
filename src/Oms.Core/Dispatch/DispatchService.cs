using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Rules;

namespace Oms.Dispatch;

/// <summary>Where an order was dispatched.</summary>
public sealed record DispatchResult(long OrderId, long ConfirmGroupId, long? OpId);

/// <summary>A row of the dispatch page: a dispatchable (out of the staging area, unreviewed) order.</summary>
public sealed record DispatchRow(long Id, string OrderBn, string ShopName, decimal TotalAmount, DateTime CreateTime, DateTime ArrivedAt,
    long? ConfirmGroupId, string? ConfirmGroupName, long? OpId, string? OpName, DateTime? DispatchTime);

/// <summary>
/// 分派 (DOMAIN.md §3.5): manual dispatch to a confirm group and operator, automatic dispatch by the order group's dispatch rule,
/// and 获取订单 (a reviewer takes the oldest dispatchable orders). Every change is a conditional update of the order row
/// (so two writers never both win) and writes an <see cref="OrderLog"/> line. <c>orders.group_id</c> is the confirm group.
/// </summary>
public sealed class DispatchService(OmsDbContext db, TimeProvider clock, StagingArea staging, OrderGroupMatcher groups)
{
    public const int MaxFetch = 200;
    public const int MaxBatch = 1000;

    /// <summary>
    /// 人工分派: sets <c>group_id</c>, <c>op_id</c> and <c>dispatch_time</c> of every order. Refused as a whole (nothing changes)
    /// when an order is unknown, not active, failed, already reviewed, or still held in the staging area, when the group does
    /// not exist, or when <paramref name="opId"/> is not a member of it. Runs in the caller's transaction, or its own.
    /// </summary>
    public async Task<int> DispatchAsync(IReadOnlyCollection<long> orderIds, long confirmGroupId, long? opId, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        var ids = orderIds.Distinct().ToList();
        if (ids.Count == 0) throw new DomainException("请选择要分派的订单");
        if (ids.Count > MaxBatch) throw new DomainException($"一次最多分派 {MaxBatch} 个订单");
        var group = await db.Set<ConfirmGroup>().AsNoTracking().Include(g => g.Members).FirstOrDefaultAsync(g => g.Id == confirmGroupId, ct).ConfigureAwait(false)
                    ?? throw new DomainException($"审单小组 {confirmGroupId} 不存在");
        string? opName = null;
        if (opId is { } op)
        {
            if (group.Members.All(m => m.UserId != op)) throw new DomainException($"用户 {op} 不是审单小组“{group.Name}”的成员");
            opName = await UserNameAsync(op, ct).ConfigureAwait(false);
        }
        var buffer = await staging.BufferAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;

        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        var orders = await db.Set<Order>().AsNoTracking().Where(o => ids.Contains(o.Id)).ToListAsync(ct).ConfigureAwait(false);
        if (ids.Except(orders.Select(o => o.Id)).ToList() is { Count: > 0 } missing)
            throw new DomainException($"订单 {string.Join("、", missing)} 不存在");
        var refusals = orders.Select(o => (o, Reason: Refusal(o, buffer, now))).Where(x => x.Reason is not null)
            .Select(x => $"{x.o.OrderBn}（{x.Reason}）").ToList();
        if (refusals.Count > 0) throw new DomainException("以下订单不能分派：" + string.Join("；", refusals.Take(20)) + (refusals.Count > 20 ? $" 等 {refusals.Count} 个" : ""));

        // the same rule again in the UPDATE: an order reviewed or cancelled meanwhile is not overwritten
        var changed = await db.Set<Order>()
            .Where(o => ids.Contains(o.Id) && o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.GroupId, confirmGroupId).SetProperty(o => o.OpId, opId)
                .SetProperty(o => o.DispatchTime, now).SetProperty(o => o.UpdatedAt, now), ct).ConfigureAwait(false);
        if (changed != ids.Count) throw new DomainException("有订单刚被其他人处理，请刷新后重试");
        var text = opName is null ? $"分派给审单小组“{group.Name}”" : $"分派给审单小组“{group.Name}”，审单员“{opName}”";
        foreach (var o in orders) db.Add(OrderLog.Create(o.Id, "dispatch", text, actor, now));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (own is not null) await own.CommitAsync(ct).ConfigureAwait(false);
        return changed;
    }

    /// <summary>Why <paramref name="o"/> cannot be dispatched now, or null.</summary>
    public static string? Refusal(Order o, TimeSpan buffer, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Status != OrderStatus.Active) return o.Status == OrderStatus.Dead ? "已取消" : "已完成";
        if (o.IsFail) return "失败订单";
        if (o.ProcessStatus != ProcessStatus.Unconfirmed) return "已审核";
        var verdict = StagingArea.Evaluate(StagingFacts.Of(o), buffer, now);
        return verdict.InStagingArea ? "仍在订单暂存区" : null;
    }

    /// <summary>
    /// 自动分派 of orders leaving the staging area: each order not yet dispatched goes by its order group's dispatch rule to the
    /// rule's confirm group and, in round-robin mode, to the next on-duty member (the turn counter advances by one atomic
    /// <c>UPDATE … RETURNING</c>, so concurrent callers never hand out the same turn). Orders whose group has no dispatch rule
    /// are left alone. Runs in the caller's transaction, or its own.
    /// </summary>
    public async Task<IReadOnlyList<DispatchResult>> AutoDispatchAsync(IReadOnlyCollection<OrderFacts> orders, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var set = await groups.LoadAsync(ct).ConfigureAwait(false);
        var byRule = orders.Where(o => o.ConfirmGroupId is null && o.OpId is null)
            .Select(o => (Order: o, Group: set.GroupFor(o)))
            .Where(x => x.Group.DispatchRuleId is not null)
            .GroupBy(x => x.Group.DispatchRuleId!.Value)
            .ToList();
        if (byRule.Count == 0) return [];
        var now = clock.GetUtcNow().UtcDateTime;
        var results = new List<DispatchResult>();
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        foreach (var batch in byRule.OrderBy(g => g.Key))
        {
            var rule = await db.Set<DispatchRule>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == batch.Key, ct).ConfigureAwait(false);
            if (rule is null) continue;
            var group = await db.Set<ConfirmGroup>().AsNoTracking().Include(g => g.Members).FirstAsync(g => g.Id == rule.ConfirmGroupId, ct).ConfigureAwait(false);
            var onDuty = rule.Mode == DispatchMode.RoundRobin
                ? await db.Set<ConfirmGroupMember>().AsNoTracking().Where(m => m.GroupId == group.Id && m.OnDuty)
                    .Join(db.Set<User>().Where(u => !u.Disabled), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Name })
                    .OrderBy(u => u.Id).ToListAsync(ct).ConfigureAwait(false)
                : [];
            var list = batch.Select(x => x.Order).OrderBy(o => o.OrderId).ToList();
            long first = 0;
            if (onDuty.Count > 0)
            {
                var counter = (await db.Database.SqlQuery<long>(
                    $"UPDATE dispatch_rule SET round_robin_counter = round_robin_counter + {(long)list.Count} WHERE id = {rule.Id} RETURNING round_robin_counter AS \"Value\"")
                    .ToListAsync(ct).ConfigureAwait(false)).Single();
                first = counter - list.Count;
            }
            for (var i = 0; i < list.Count; i++)
            {
                var member = onDuty.Count > 0 ? onDuty[(int)((first + i) % onDuty.Count)] : null;
                var orderId = list[i].OrderId;
                long? opId = member?.Id;
                var changed = await db.Set<Order>()
                    .Where(o => o.Id == orderId && o.GroupId == null && o.OpId == null && o.Status == OrderStatus.Active && !o.IsFail
                                && o.ProcessStatus == ProcessStatus.Unconfirmed)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.GroupId, group.Id).SetProperty(o => o.OpId, opId)
                        .SetProperty(o => o.DispatchTime, now).SetProperty(o => o.UpdatedAt, now), ct).ConfigureAwait(false);
                if (changed == 0) continue;
                db.Add(OrderLog.Create(orderId, "dispatch",
                    member is null ? $"按分派规则“{rule.Name}”自动分派给审单小组“{group.Name}”"
                                   : $"按分派规则“{rule.Name}”自动分派给审单小组“{group.Name}”，审单员“{member.Name}”", actor, now));
                results.Add(new DispatchResult(orderId, group.Id, opId));
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (own is not null) await own.CommitAsync(ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// 获取订单: assigns to <paramref name="userId"/> (and their confirm group) up to <paramref name="count"/> of the oldest
    /// dispatchable orders — out of the staging area, active, not failed, unreviewed, not paused, not dispatched to anybody
    /// (or dispatched to the user's group without an operator). Each order is taken by a conditional update in ascending id
    /// order, so two reviewers fetching at once never get the same order. Runs in a transaction of its own. Answers the ids taken.
    /// </summary>
    public async Task<IReadOnlyList<long>> FetchAsync(long userId, int count, CancellationToken ct = default)
    {
        if (count is < 1 or > MaxFetch) throw new DomainException($"获取数量应在 1 至 {MaxFetch} 之间");
        var user = await db.Set<User>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct).ConfigureAwait(false)
                   ?? throw new DomainException($"用户 {userId} 不存在");
        if (user.Disabled) throw new DomainException($"用户“{user.Name}”已停用");
        var membership = await db.Set<ConfirmGroupMember>().AsNoTracking().Where(m => m.UserId == userId)
            .OrderByDescending(m => m.OnDuty).ThenBy(m => m.GroupId).FirstOrDefaultAsync(ct).ConfigureAwait(false)
            ?? throw new DomainException("你不是任何审单小组的成员，不能获取订单");
        var groupId = membership.GroupId;
        var groupName = await db.Set<ConfirmGroup>().Where(g => g.Id == groupId).Select(g => g.Name).FirstAsync(ct).ConfigureAwait(false);
        var buffer = await staging.BufferAsync(ct).ConfigureAwait(false);
        var taken = new List<long>();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var after = 0L;
        for (var round = 0; round < 5 && taken.Count < count; round++)
        {
            var want = count - taken.Count;
            var candidates = await Dispatchable(now - buffer)
                .Where(o => o.Id > after && o.OpId == null && (o.GroupId == null || o.GroupId == groupId))
                .OrderBy(o => o.Id).Select(o => o.Id).Take(want * 2 + 5).ToListAsync(ct).ConfigureAwait(false);
            if (candidates.Count == 0) break;
            foreach (var id in candidates)
            {
                var changed = await db.Set<Order>()
                    .Where(o => o.Id == id && o.OpId == null && (o.GroupId == null || o.GroupId == groupId)
                                && o.Status == OrderStatus.Active && !o.IsFail && o.ProcessStatus == ProcessStatus.Unconfirmed)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.GroupId, groupId).SetProperty(o => o.OpId, userId)
                        .SetProperty(o => o.DispatchTime, now).SetProperty(o => o.UpdatedAt, now), ct).ConfigureAwait(false);
                if (changed == 1) taken.Add(id);
                if (taken.Count == count) break;
            }
            after = candidates[^1];
        }
        foreach (var id in taken)
            db.Add(OrderLog.Create(id, "dispatch", $"获取订单：分派给审单小组“{groupName}”，审单员“{user.Name}”", user.Name, now));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return taken;
    }

    /// <summary>Active, not failed, unreviewed, not paused orders out of the staging area (<see cref="StagingArea.Dispatchable"/>).</summary>
    public IQueryable<Order> Dispatchable(DateTime bufferStart) => db.Set<Order>().Where(StagingArea.Dispatchable(bufferStart));

    /// <summary>
    /// The dispatch page's list: dispatchable orders, oldest first would starve nobody but the page shows newest first
    /// (keyset by id); <paramref name="undispatchedOnly"/> leaves out orders that have a confirm group.
    /// </summary>
    public async Task<KeysetPage<DispatchRow>> ListAsync(bool undispatchedOnly, long? shopId, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        var buffer = await staging.BufferAsync(ct).ConfigureAwait(false);
        var q = Dispatchable(clock.GetUtcNow().UtcDateTime - buffer).AsNoTracking();
        if (undispatchedOnly) q = q.Where(o => o.GroupId == null);
        if (shopId is { } s) q = q.Where(o => o.ShopId == s);
        var page = await q.Join(db.Set<Shop>(), o => o.ShopId, s => s.Id, (o, s) => new { o, ShopName = s.Name })
            .Select(x => new { x.o.Id, x.o.OrderBn, x.ShopName, x.o.TotalAmount, x.o.CreateTime, x.o.ArrivedAt, x.o.GroupId, x.o.OpId, x.o.DispatchTime })
            .ToKeysetPageAsync(x => x.Id, before, pageSize, ct).ConfigureAwait(false);
        var groupIds = page.Items.Where(x => x.GroupId != null).Select(x => x.GroupId!.Value).Distinct().ToList();
        var userIds = page.Items.Where(x => x.OpId != null).Select(x => x.OpId!.Value).Distinct().ToList();
        var groupNames = await db.Set<ConfirmGroup>().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Name, ct).ConfigureAwait(false);
        var userNames = await db.Set<User>().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct).ConfigureAwait(false);
        return new KeysetPage<DispatchRow>(page.Items.Select(x => new DispatchRow(x.Id, x.OrderBn, x.ShopName, x.TotalAmount, x.CreateTime, x.ArrivedAt,
            x.GroupId, x.GroupId is { } g ? groupNames.GetValueOrDefault(g) : null, x.OpId, x.OpId is { } u ? userNames.GetValueOrDefault(u) : null, x.DispatchTime)).ToList(),
            page.NextBefore);
    }

    private async Task<string> UserNameAsync(long userId, CancellationToken ct) =>
        await db.Set<User>().Where(u => u.Id == userId).Select(u => u.DisplayName ?? u.Name).FirstOrDefaultAsync(ct).ConfigureAwait(false)
        ?? throw new DomainException($"用户 {userId} 不存在");
}
