using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Dispatch;
using Oms.Orders;
using Oms.Rules;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Rules;

/// <summary>Helpers shared by the dispatch tests.</summary>
internal static class DispatchData
{
    public static async Task<T> With<T>(IServiceProvider services, Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    public static async Task<User> UserAsync(IServiceProvider services, string prefix)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var user = new User { Name = Code(prefix).ToLowerInvariant(), PasswordHash = "x", CreatedAt = DateTime.UtcNow };
        db.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    /// <summary>A paid order out of the staging area (arrived and paid a day ago).</summary>
    public static Task<Order> ReadyAsync(IServiceProvider services, Shop shop, Action<Order>? change = null) =>
        new OrderBuilder(shop.Id, Code("D")).Paid(100).Line("X")
            .With(o => { o.ArrivedAt = DateTime.UtcNow.AddDays(-1); o.PaidAt = o.ArrivedAt; })
            .With(change ?? (_ => { })).SaveAsync(services);

    public static Task<Order> ReloadAsync(IServiceProvider services, long id) =>
        With(services, sp => sp.GetRequiredService<OmsDbContext>().Set<Order>().AsNoTracking().FirstAsync(o => o.Id == id));

    public static Task<List<OrderLog>> LogsAsync(IServiceProvider services, long id) =>
        With(services, sp => sp.GetRequiredService<OmsDbContext>().Set<OrderLog>().AsNoTracking().Where(l => l.OrderId == id && l.Action == "dispatch").ToListAsync());
}

/// <summary>Manual and automatic dispatch (分派) on a real database.</summary>
public abstract class DispatchTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    private IServiceProvider S => fixture.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Manual_dispatch_sets_group_operator_and_time_and_refuses_a_batch_with_an_order_it_may_not_dispatch()
    {
        var shop = await ShopAsync(S);
        var alice = await DispatchData.UserAsync(S, "alice");
        var bob = await DispatchData.UserAsync(S, "bob");
        var group = await DispatchData.With(S, sp => sp.GetRequiredService<ConfirmGroupService>().CreateAsync(Code("小组"),
            [new ConfirmGroupMemberInput(alice.Id, true)], "test", Ct));
        var a = await DispatchData.ReadyAsync(S, shop);
        var b = await DispatchData.ReadyAsync(S, shop, o => o.Pause = true);   // paused orders may still be dispatched

        var n = await DispatchData.With(S, sp => sp.GetRequiredService<DispatchService>().DispatchAsync([a.Id, b.Id], group.Id, alice.Id, "admin", Ct));
        Assert.Equal(2, n);
        var after = await DispatchData.ReloadAsync(S, a.Id);
        Assert.Equal((group.Id, alice.Id), (after.GroupId, after.OpId));
        Assert.NotNull(after.DispatchTime);
        var log = Assert.Single(await DispatchData.LogsAsync(S, a.Id));
        Assert.Equal($"分派给审单小组“{group.Name}”，审单员“{alice.Name}”", log.Text);
        Assert.Equal("admin", log.Operator);

        // re-dispatch to the group only
        await DispatchData.With(S, sp => sp.GetRequiredService<DispatchService>().DispatchAsync([a.Id], group.Id, null, "admin", Ct));
        Assert.Null((await DispatchData.ReloadAsync(S, a.Id)).OpId);

        var fresh = await DispatchData.ReadyAsync(S, shop);
        var dead = await DispatchData.ReadyAsync(S, shop, o => o.Status = OrderStatus.Dead);
        var failed = await DispatchData.ReadyAsync(S, shop, o => o.IsFail = true);
        var confirmed = await DispatchData.ReadyAsync(S, shop, o => { o.ProcessStatus = ProcessStatus.Splited; o.Confirmed = true; });
        var unpaid = await DispatchData.ReadyAsync(S, shop, o => { o.PayStatus = PayStatus.Unpaid; o.PaidAt = null; });
        var buffered = await DispatchData.ReadyAsync(S, shop, o => { o.ArrivedAt = DateTime.UtcNow; o.PaidAt = o.ArrivedAt; });

        async Task<string> Refused(IReadOnlyCollection<long> ids, long groupId, long? op) =>
            (await Assert.ThrowsAsync<DomainException>(() => DispatchData.With(S, sp => sp.GetRequiredService<DispatchService>().DispatchAsync(ids, groupId, op, "admin", Ct)))).Message;

        Assert.Contains($"{dead.OrderBn}（已取消）", await Refused([fresh.Id, dead.Id], group.Id, null), StringComparison.Ordinal);
        Assert.Contains($"{failed.OrderBn}（失败订单）", await Refused([fresh.Id, failed.Id], group.Id, null), StringComparison.Ordinal);
        Assert.Contains($"{confirmed.OrderBn}（已审核）", await Refused([fresh.Id, confirmed.Id], group.Id, null), StringComparison.Ordinal);
        Assert.Contains($"{unpaid.OrderBn}（仍在订单暂存区）", await Refused([fresh.Id, unpaid.Id], group.Id, null), StringComparison.Ordinal);
        Assert.Contains($"{buffered.OrderBn}（仍在订单暂存区）", await Refused([buffered.Id], group.Id, null), StringComparison.Ordinal);
        Assert.Contains("不是审单小组", await Refused([fresh.Id], group.Id, bob.Id), StringComparison.Ordinal);
        Assert.Contains("审单小组 987654321 不存在", await Refused([fresh.Id], 987654321, null), StringComparison.Ordinal);
        Assert.Contains("订单 987654321 不存在", await Refused([fresh.Id, 987654321], group.Id, null), StringComparison.Ordinal);
        Assert.Equal("请选择要分派的订单", await Refused([], group.Id, null));
        // nothing of a refused batch changed
        var untouched = await DispatchData.ReloadAsync(S, fresh.Id);
        Assert.Equal((null, null, null), (untouched.GroupId, untouched.OpId, untouched.DispatchTime));
        Assert.Empty(await DispatchData.LogsAsync(S, fresh.Id));
    }

    [Fact]
    public async Task Automatic_dispatch_hands_orders_to_on_duty_members_in_turn_even_from_concurrent_callers()
    {
        var shop = await ShopAsync(S);
        var users = new List<User>();
        for (var i = 0; i < 4; i++) users.Add(await DispatchData.UserAsync(S, "rr"));
        var service = (Func<IServiceProvider, ConfirmGroupService>)(sp => sp.GetRequiredService<ConfirmGroupService>());
        var group = await DispatchData.With(S, sp => service(sp).CreateAsync(Code("轮流"),
            users.Select((u, i) => new ConfirmGroupMemberInput(u.Id, i < 3)).ToList(), "test", Ct));
        var rule = await DispatchData.With(S, sp => service(sp).SaveDispatchRuleAsync(null, Code("规则"), group.Id, DispatchMode.RoundRobin, "test", Ct));
        await DispatchData.With(S, sp => sp.GetRequiredService<OrderGroupService>().CreateAsync(new OrderGroupInput(Code("分组"), 1, true,
            [RuleFilter.FromForm(new RuleConditionForm("shop", shop.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))], null, rule.Id), "test", Ct));

        var orders = new List<Order>();
        for (var i = 0; i < 30; i++) orders.Add(await DispatchData.ReadyAsync(S, shop));
        var already = await DispatchData.ReadyAsync(S, shop, o => { o.GroupId = group.Id; o.OpId = users[3].Id; });
        var facts = await DispatchData.With(S, sp => sp.GetRequiredService<OrderFactsLoader>().LoadAsync(orders.Select(o => o.Id).Append(already.Id).ToList(), Ct));

        // six callers at once, five orders each (the already dispatched one is offered to every caller)
        var batches = facts.Where(f => f.OrderId != already.Id).Chunk(5).ToList();
        var alreadyFacts = facts.Single(f => f.OrderId == already.Id);
        var results = await Task.WhenAll(batches.Select(batch => Task.Run(() => DispatchData.With(S, sp =>
            sp.GetRequiredService<DispatchService>().AutoDispatchAsync([.. batch, alreadyFacts], "system", Ct)), Ct)));
        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(30, all.Count);
        Assert.DoesNotContain(all, r => r.OrderId == already.Id);
        Assert.Equal(orders.Select(o => o.Id).Order(), all.Select(r => r.OrderId).Order());
        var perUser = all.GroupBy(r => r.OpId!.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, perUser.Count);
        Assert.All(users.Take(3), u => Assert.Equal(10, perUser[u.Id]));   // fair: 30 orders, 3 members on duty
        Assert.False(perUser.ContainsKey(users[3].Id));                    // off duty
        foreach (var o in orders.Take(3))
        {
            var row = await DispatchData.ReloadAsync(S, o.Id);
            Assert.Equal(group.Id, row.GroupId);
            Assert.Contains($"按分派规则“{rule.Name}”自动分派给审单小组“{group.Name}”，审单员", Assert.Single(await DispatchData.LogsAsync(S, o.Id)).Text, StringComparison.Ordinal);
        }
        Assert.Equal(users[3].Id, (await DispatchData.ReloadAsync(S, already.Id)).OpId);

        // group-only mode leaves the operator empty; a group without a dispatch rule is left alone
        await DispatchData.With(S, sp => service(sp).SaveDispatchRuleAsync(rule.Id, rule.Name, group.Id, DispatchMode.GroupOnly, "test", Ct));
        var next = await DispatchData.ReadyAsync(S, shop);
        var other = await DispatchData.ReadyAsync(S, await ShopAsync(S));
        var more = await DispatchData.With(S, async sp => await sp.GetRequiredService<DispatchService>().AutoDispatchAsync(
            await sp.GetRequiredService<OrderFactsLoader>().LoadAsync([next.Id, other.Id], Ct), "system", Ct));
        Assert.Equal([new DispatchResult(next.Id, group.Id, null)], more);
        Assert.Null((await DispatchData.ReloadAsync(S, other.Id)).GroupId);

        // rules and groups in use cannot be deleted
        Assert.Contains("正被订单分组", (await Assert.ThrowsAsync<DomainException>(() => DispatchData.With(S, async sp =>
        { await service(sp).DeleteDispatchRuleAsync(rule.Id, "test", Ct); return 0; }))).Message, StringComparison.Ordinal);
        Assert.Contains("正被分派规则", (await Assert.ThrowsAsync<DomainException>(() => DispatchData.With(S, async sp =>
        { await service(sp).DeleteAsync(group.Id, "test", Ct); return 0; }))).Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteDispatchTests(SqliteCoreFixture f) : DispatchTests<SqliteCoreFixture>(f);

public sealed class PostgresDispatchTests(PostgresCoreFixture f) : DispatchTests<PostgresCoreFixture>(f);

/// <summary>获取订单 on a database of its own (it takes the oldest dispatchable orders of the whole database).</summary>
public abstract class FetchTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    private IServiceProvider S => fixture.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reviewers_fetching_at_once_never_get_the_same_order_and_never_get_held_or_foreign_orders()
    {
        var shop = await ShopAsync(S);
        var reviewers = new List<User>();
        for (var i = 0; i < 4; i++) reviewers.Add(await DispatchData.UserAsync(S, "fetch"));
        var stranger = await DispatchData.UserAsync(S, "stranger");
        var group = await DispatchData.With(S, sp => sp.GetRequiredService<ConfirmGroupService>().CreateAsync(Code("获取"),
            reviewers.Select(u => new ConfirmGroupMemberInput(u.Id, true)).ToList(), "test", Ct));
        var otherGroup = await DispatchData.With(S, sp => sp.GetRequiredService<ConfirmGroupService>().CreateAsync(Code("别组"),
            [new ConfirmGroupMemberInput(stranger.Id, true)], "test", Ct));

        Assert.Equal("你不是任何审单小组的成员，不能获取订单", (await Assert.ThrowsAsync<DomainException>(async () =>
            await DispatchData.With(S, async sp => await sp.GetRequiredService<DispatchService>().FetchAsync((await DispatchData.UserAsync(S, "nobody")).Id, 5, Ct)))).Message);
        Assert.Contains("1 至 200", (await Assert.ThrowsAsync<DomainException>(() =>
            DispatchData.With(S, sp => sp.GetRequiredService<DispatchService>().FetchAsync(reviewers[0].Id, 0, Ct)))).Message, StringComparison.Ordinal);

        var ready = new List<Order>();
        for (var i = 0; i < 30; i++) ready.Add(await DispatchData.ReadyAsync(S, shop));
        // COD without payment time is out of the staging area too (the negated SQL predicate must not drop it)
        ready.Add(await DispatchData.ReadyAsync(S, shop, o => { o.IsCod = true; o.PayStatus = PayStatus.Unpaid; o.PaidAt = null; }));
        var toOwnGroup = await DispatchData.ReadyAsync(S, shop, o => o.GroupId = group.Id);
        ready.Add(toOwnGroup);
        var held = new List<Order>
        {
            await DispatchData.ReadyAsync(S, shop, o => { o.PayStatus = PayStatus.Unpaid; o.PaidAt = null; }),
            await DispatchData.ReadyAsync(S, shop, o => { o.ArrivedAt = DateTime.UtcNow; o.PaidAt = o.ArrivedAt; }),
            await DispatchData.ReadyAsync(S, shop, o => o.PayStatus = PayStatus.Refunding),
            await DispatchData.ReadyAsync(S, shop, o => o.Pause = true),
            await DispatchData.ReadyAsync(S, shop, o => o.IsFail = true),
            await DispatchData.ReadyAsync(S, shop, o => { o.ProcessStatus = ProcessStatus.Splited; o.Confirmed = true; }),
            await DispatchData.ReadyAsync(S, shop, o => o.GroupId = otherGroup.Id),
            await DispatchData.ReadyAsync(S, shop, o => { o.GroupId = group.Id; o.OpId = stranger.Id; }),
        };

        var taken = await Task.WhenAll(reviewers.Select(u => Task.Run(() => DispatchData.With(S, async sp =>
            (User: u, Ids: await sp.GetRequiredService<DispatchService>().FetchAsync(u.Id, 10, Ct))), Ct)));
        var all = taken.SelectMany(t => t.Ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());                       // never the same order twice
        Assert.Equal(ready.Select(o => o.Id).Order(), all.Order());            // 32 ready orders, 40 asked for: every one taken
        Assert.Empty(all.Intersect(held.Select(o => o.Id)));
        foreach (var (user, ids) in taken)
            foreach (var id in ids)
            {
                var row = await DispatchData.ReloadAsync(S, id);
                Assert.Equal((group.Id, user.Id), (row.GroupId!.Value, row.OpId!.Value));
                Assert.Contains($"获取订单：分派给审单小组“{group.Name}”，审单员“{user.Name}”", Assert.Single(await DispatchData.LogsAsync(S, id)).Text, StringComparison.Ordinal);
            }
        // the oldest first: a single fetch of 2 after more arrive gets the two oldest new ones
        var newer = new[] { await DispatchData.ReadyAsync(S, shop), await DispatchData.ReadyAsync(S, shop), await DispatchData.ReadyAsync(S, shop) };
        Assert.Equal(newer.Take(2).Select(o => o.Id), await DispatchData.With(S, sp => sp.GetRequiredService<DispatchService>().FetchAsync(reviewers[0].Id, 2, Ct)));
        foreach (var o in held) Assert.Equal(o.OpId, (await DispatchData.ReloadAsync(S, o.Id)).OpId);
    }
}

public sealed class SqliteFetchTests(SqliteCoreFixture f) : FetchTests<SqliteCoreFixture>(f);

public sealed class PostgresFetchTests(PostgresCoreFixture f) : FetchTests<PostgresCoreFixture>(f);
