using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Review;
using Oms.Rules;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Warehouses;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Rules;

/// <summary>OrderFacts loading, order groups, review rules and branch rules on a real database.</summary>
public abstract class RulesTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    private IServiceProvider S => fixture.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<T> With<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = S.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    private Task<OrderFacts> FactsAsync(long orderId) =>
        With(async sp => (await sp.GetRequiredService<OrderFactsLoader>().LoadOneAsync(orderId, Ct))!);

    private static RuleFilter F(string type, string? values = null, string? min = null, string? max = null) =>
        RuleFilter.FromForm(new RuleConditionForm(type, values, min, max));

    [Fact]
    public async Task The_loader_reads_a_batch_with_items_weights_and_object_codes_and_skips_deleted_lines()
    {
        var shop = await ShopAsync(S);
        var light = await MaterialAsync(S);
        var heavy = await MaterialAsync(S);
        await With(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await db.Set<BasicMaterial>().Where(m => m.Id == light.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Weight, 0.25m), Ct);
            await db.Set<BasicMaterial>().Where(m => m.Id == heavy.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Weight, 1.5m), Ct);
            return 0;
        });
        var orders = new List<Order>();
        for (var i = 0; i < 30; i++)
            orders.Add(await new OrderBuilder(shop.Id, Code("F")).Paid(10 + i)
                .Line("SL" + i, 2, basicMaterialId: light.Id).Line("SH" + i, 1, basicMaterialId: heavy.Id)
                .With(o => { o.CustomMark = "留言" + i; o.IsCod = i % 2 == 0; }).SaveAsync(S));
        // a removed line does not count
        await With(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            var first = orders[0].Id;
            await db.Set<OrderItem>().Where(x => x.OrderId == first && x.BasicMaterialId == heavy.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Deleted, true), Ct);
            await db.Set<OrderObject>().Where(x => x.OrderId == first && x.Bn == "SH0").ExecuteUpdateAsync(s => s.SetProperty(x => x.Deleted, true), Ct);
            await db.Set<Order>().Where(o => o.Id == orders[1].Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Weight, 9m), Ct);
            return 0;
        });

        var ids = orders.Select(o => o.Id).Reverse().Append(-5).ToList();
        var facts = await With(sp => sp.GetRequiredService<OrderFactsLoader>().LoadAsync(ids, Ct));
        Assert.Equal(orders.Select(o => o.Id).Reverse(), facts.Select(f => f.OrderId));
        var byId = facts.ToDictionary(f => f.OrderId);
        var f0 = byId[orders[0].Id];
        Assert.Equal(["SL0"], f0.ObjectCodes);
        Assert.Equal([(light.Id, 2, 0.25m)], f0.Items.Select(i => (i.BasicMaterialId, i.Quantity, i.UnitWeight)));
        Assert.Equal(0.5m, f0.Weight);
        Assert.Equal(9m, byId[orders[1].Id].Weight);                    // the order's own weight wins
        var f2 = byId[orders[2].Id];
        Assert.Equal((2, 3, 2m), (f2.SkuKinds, f2.ItemCount, f2.Weight)); // 2×0.25 + 1×1.5
        Assert.Equal(("taobao", shop.Id, 12m, "留言2", true, "浙江省"), (f2.ShopType, f2.ShopId, f2.TotalAmount, f2.CustomMark, f2.IsCod, f2.ShipProvince));

        // From(entity) gives the same facts as the loader
        var fromEntity = await With(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            var o = await db.Set<Order>().Include(x => x.Items).Include(x => x.Objects).FirstAsync(x => x.Id == orders[2].Id, Ct);
            return OrderFacts.From(o, "taobao", new Dictionary<long, decimal> { [light.Id] = 0.25m, [heavy.Id] = 1.5m });
        });
        Assert.Equal((f2.Weight, f2.SkuKinds, f2.ItemCount, f2.OrderBn), (fromEntity.Weight, fromEntity.SkuKinds, fromEntity.ItemCount, fromEntity.OrderBn));
        Assert.Equal(f2.ObjectCodes, fromEntity.ObjectCodes);
        Assert.Empty(await With(sp => sp.GetRequiredService<OrderFactsLoader>().LoadAsync([], Ct)));
    }

    [Fact]
    public async Task An_order_belongs_to_the_first_enabled_matching_group_by_priority_else_the_default_group()
    {
        var shop = await ShopAsync(S);
        var other = await ShopAsync(S);
        var p = Code("G");
        var big = await With(sp => sp.GetRequiredService<OrderGroupService>().CreateAsync(
            new OrderGroupInput(p + "大额", 10, true, [F("shop", shop.Id.ToString()), F("money", min: "500")], null, null), "test", Ct));
        var vip = await With(sp => sp.GetRequiredService<OrderGroupService>().CreateAsync(
            new OrderGroupInput(p + "VIP", 20, true, [F("shop", shop.Id.ToString()), F("memo", "VIP")], null, null), "test", Ct));
        var off = await With(sp => sp.GetRequiredService<OrderGroupService>().CreateAsync(
            new OrderGroupInput(p + "停用", 99, false, [F("shop", shop.Id.ToString())], null, null), "test", Ct));

        var rich = await FactsAsync((await new OrderBuilder(shop.Id, Code("O")).Paid(800).Line("X").SaveAsync(S)).Id);
        var richVip = rich with { MarkText = "vip 客户" };
        var small = await FactsAsync((await new OrderBuilder(shop.Id, Code("O")).Paid(80).Line("X").SaveAsync(S)).Id);
        var elsewhere = await FactsAsync((await new OrderBuilder(other.Id, Code("O")).Paid(800).Line("X").SaveAsync(S)).Id);

        var set = await With(sp => sp.GetRequiredService<OrderGroupMatcher>().LoadAsync(Ct));
        Assert.Equal(big.Id, set.GroupFor(rich).Id);
        Assert.Equal(vip.Id, set.GroupFor(richVip).Id);                 // higher priority wins when both match
        var fallback = set.GroupFor(small);
        Assert.True(fallback.IsDefault);
        Assert.Equal(RuleDefaults.DefaultGroupName, fallback.Name);
        Assert.Null(fallback.DispatchRuleId);
        Assert.True(set.GroupFor(elsewhere).IsDefault);
        Assert.NotEqual(off.Id, set.GroupFor(small).Id);

        // a change is seen at once (the cache is invalidated after the commit)
        await With(sp => sp.GetRequiredService<OrderGroupService>().UpdateAsync(off.Id,
            new OrderGroupInput(p + "停用", 99, true, [F("shop", shop.Id.ToString())], null, null), "test", Ct));
        Assert.Equal(off.Id, (await With(sp => sp.GetRequiredService<OrderGroupMatcher>().GroupForAsync(small, Ct))).Id);
        await With(async sp => { await sp.GetRequiredService<OrderGroupService>().DeleteAsync(off.Id, "test", Ct); return 0; });
        Assert.Equal(big.Id, (await With(sp => sp.GetRequiredService<OrderGroupMatcher>().GroupForAsync(rich, Ct))).Id);

        // the list: by priority, the default group last, conditions as text
        var list = await With(sp => sp.GetRequiredService<OrderGroupService>().ListAsync(Ct));
        Assert.True(list[^1].Group.IsDefault);
        Assert.Equal("所有订单", list[^1].ConditionText);
        Assert.Equal(RuleDefaults.DefaultReviewRuleName, list[^1].ReviewRuleName);
        var mine = list.Where(v => v.Group.Name.StartsWith(p, StringComparison.Ordinal)).Select(v => v.Group.Id).ToList();
        Assert.Equal([vip.Id, big.Id], mine);
        Assert.Equal($"来源店铺为 测试店铺，且订单金额≥ 500 元", list.Single(v => v.Group.Id == big.Id).ConditionText);
        Assert.Single(list, v => v.Group.IsDefault);
    }

    [Fact]
    public async Task Group_edits_are_checked_and_the_default_group_cannot_be_deleted_or_get_conditions()
    {
        var shop = await ShopAsync(S);
        var p = Code("E");
        var groups = await With(sp => sp.GetRequiredService<OrderGroupService>().ListAsync(Ct));
        var def = groups.Single(g => g.Group.IsDefault).Group;

        async Task<string> Refused(Func<OrderGroupService, Task> action) =>
            (await Assert.ThrowsAsync<DomainException>(() => With(async sp => { await action(sp.GetRequiredService<OrderGroupService>()); return 0; }))).Message;

        Assert.Equal("默认分组不能删除", await Refused(s => s.DeleteAsync(def.Id, "test", Ct)));
        Assert.Contains("不能设置条件", await Refused(s => s.UpdateAsync(def.Id, new OrderGroupInput(def.Name, 0, true, [F("cod")], null, null), "test", Ct)), StringComparison.Ordinal);
        Assert.Contains("至少添加一个筛选条件", await Refused(s => s.CreateAsync(new OrderGroupInput(p, 1, true, [], null, null), "test", Ct)), StringComparison.Ordinal);
        Assert.Contains("请填写订单分组名称", await Refused(s => s.CreateAsync(new OrderGroupInput(" ", 1, true, [F("cod")], null, null), "test", Ct)), StringComparison.Ordinal);
        Assert.Contains("店铺编号 987654321 不存在", await Refused(s => s.CreateAsync(new OrderGroupInput(p, 1, true, [F("shop", "987654321")], null, null), "test", Ct)), StringComparison.Ordinal);
        Assert.Contains("审单规则 987654321 不存在", await Refused(s => s.CreateAsync(new OrderGroupInput(p, 1, true, [F("cod")], 987654321, null), "test", Ct)), StringComparison.Ordinal);
        Assert.Contains("分派规则 987654321 不存在", await Refused(s => s.CreateAsync(new OrderGroupInput(p, 1, true, [F("cod")], null, 987654321), "test", Ct)), StringComparison.Ordinal);
        await With(sp => sp.GetRequiredService<OrderGroupService>().CreateAsync(new OrderGroupInput(p, 1, true, [F("shop", shop.Id.ToString())], null, null), "test", Ct));
        Assert.Contains("已存在", await Refused(s => s.CreateAsync(new OrderGroupInput(p, 2, true, [F("cod")], null, null), "test", Ct)), StringComparison.Ordinal);
        // nothing of the refused ones was written
        var after = await With(sp => sp.GetRequiredService<OrderGroupService>().ListAsync(Ct));
        Assert.Single(after, g => g.Group.Name == p);
        Assert.Equal(groups.Count + 1, after.Count);
    }

    [Fact]
    public async Task The_default_review_rule_blocks_everything_but_single_and_multi_and_a_group_can_name_its_own_rule()
    {
        var shop = await ShopAsync(S);
        var p = Code("R");
        var order = await FactsAsync((await new OrderBuilder(shop.Id, Code("O")).Paid(50).Line("X").SaveAsync(S)).Id);
        var byDefault = await With(sp => sp.GetRequiredService<AutoReviewRules>().BlockingForAsync(order, Ct));
        Assert.Equal(RuleDefaults.DefaultReviewRuleName, byDefault.Name);
        Assert.False(byDefault.CheckProduct);
        foreach (var flag in ReviewFlagText.All)
            Assert.Equal(flag is not (ReviewFlags.Single or ReviewFlags.Multi), byDefault.Blocking.HasFlag(flag));
        Assert.Equal(ReviewFlags.Pay, byDefault.BlockingOf(ReviewFlags.Pay | ReviewFlags.Single | ReviewFlags.Multi));

        var lenient = await With(sp => sp.GetRequiredService<ReviewRuleService>().CreateAsync(p + "宽松", ReviewFlags.Pay | ReviewFlags.Store, true, "test", Ct));
        var group = await With(sp => sp.GetRequiredService<OrderGroupService>().CreateAsync(
            new OrderGroupInput(p, 5, true, [F("shop", shop.Id.ToString())], lenient.Id, null), "test", Ct));
        var own = await With(sp => sp.GetRequiredService<AutoReviewRules>().BlockingForAsync(order, Ct));
        Assert.Equal((lenient.Id, ReviewFlags.Pay | ReviewFlags.Store, true), (own.RuleId, own.Blocking, own.CheckProduct));

        // editing the rule is seen at once; a rule in use or the default rule cannot be deleted
        await With(sp => sp.GetRequiredService<ReviewRuleService>().UpdateAsync(lenient.Id, p + "宽松", ReviewFlags.Flag, false, "test", Ct));
        Assert.Equal(ReviewFlags.Flag, (await With(sp => sp.GetRequiredService<AutoReviewRules>().BlockingForAsync(order, Ct))).Blocking);
        var inUse = await Assert.ThrowsAsync<DomainException>(() => With(async sp => { await sp.GetRequiredService<ReviewRuleService>().DeleteAsync(lenient.Id, "test", Ct); return 0; }));
        Assert.Contains(p, inUse.Message, StringComparison.Ordinal);
        var defaultId = (await With(sp => sp.GetRequiredService<ReviewRuleService>().ListAsync(Ct))).Single(r => r.IsDefault).Id;
        var def = await Assert.ThrowsAsync<DomainException>(() => With(async sp => { await sp.GetRequiredService<ReviewRuleService>().DeleteAsync(defaultId, "test", Ct); return 0; }));
        Assert.Equal("默认审单规则不能删除", def.Message);
        Assert.Contains("未知的审单标记", (await Assert.ThrowsAsync<DomainException>(() => With(sp =>
            sp.GetRequiredService<ReviewRuleService>().CreateAsync(p + "x", (ReviewFlags)0x800000, false, "test", Ct)))).Message, StringComparison.Ordinal);

        await With(async sp => { await sp.GetRequiredService<OrderGroupService>().DeleteAsync(group.Id, "test", Ct); return 0; });
        await With(async sp => { await sp.GetRequiredService<ReviewRuleService>().DeleteAsync(lenient.Id, "test", Ct); return 0; });
        Assert.Equal(RuleDefaults.DefaultBlocking, (await With(sp => sp.GetRequiredService<AutoReviewRules>().BlockingForAsync(order, Ct))).Blocking);
    }

    [Fact]
    public async Task Branch_rules_give_the_first_matching_rules_candidates_else_the_shops_online_delivery_branches_by_weight()
    {
        var shop = await ShopAsync(S);
        var p = Code("BR");
        var west = await BranchAsync(S, true, shop);
        var east = await BranchAsync(S, true, shop);
        var offline = await BranchAsync(S, false, shop);
        var stockUp = await BranchAsync(S, true, shop);
        var unrelated = await BranchAsync(S, true);
        await With(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await db.Set<Branch>().Where(b => b.Id == west.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Weight, 5), Ct);
            await db.Set<Branch>().Where(b => b.Id == east.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Weight, 50), Ct);
            await db.Set<Branch>().Where(b => b.Id == offline.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Weight, 100), Ct);
            await db.Set<Branch>().Where(b => b.Id == stockUp.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Weight, 100).SetProperty(b => b.Type, BranchType.StockUp), Ct);
            return 0;
        });
        var order = await FactsAsync((await new OrderBuilder(shop.Id, Code("O")).Paid(50).Line("X").SaveAsync(S)).Id);

        // no rule for this shop: null from the rules, the fallback by the branches' own weight
        Assert.Null(await With(sp => sp.GetRequiredService<BranchRuleMatcher>().CandidatesForAsync(order, Ct)));
        var fallback = await With(sp => sp.GetRequiredService<DefaultBranchCandidates>().ForShopAsync(shop.Id, Ct));
        Assert.Equal([new BranchCandidate(east.Id, 50), new BranchCandidate(west.Id, 5)], fallback);

        var zj = await With(sp => sp.GetRequiredService<BranchRuleService>().CreateAsync(new BranchRuleInput(p + "浙江", 10, true,
            [F("shop", shop.Id.ToString()), F("address", "浙江")], [new BranchCandidate(west.Id, 1), new BranchCandidate(unrelated.Id, 9)]), "test", Ct));
        await With(sp => sp.GetRequiredService<BranchRuleService>().CreateAsync(new BranchRuleInput(p + "全部", 1, true,
            [F("shop", shop.Id.ToString())], [new BranchCandidate(east.Id, 3)]), "test", Ct));
        var matcher = await With(sp => sp.GetRequiredService<BranchRuleMatcher>().LoadAsync(Ct));
        Assert.Equal([new BranchCandidate(unrelated.Id, 9), new BranchCandidate(west.Id, 1)], matcher.CandidatesFor(order));
        Assert.Equal([new BranchCandidate(east.Id, 3)], matcher.CandidatesFor(order with { ShipProvince = "北京" }));
        Assert.Equal([new BranchCandidate(unrelated.Id, 9), new BranchCandidate(west.Id, 1)],
            await With(sp => sp.GetRequiredService<DefaultBranchCandidates>().ForOrderAsync(sp.GetRequiredService<BranchRuleMatcher>(), order, Ct)));

        // a disabled rule is skipped; the list renders conditions and branch names
        await With(sp => sp.GetRequiredService<BranchRuleService>().UpdateAsync(zj.Id, new BranchRuleInput(p + "浙江", 10, false,
            [F("shop", shop.Id.ToString()), F("address", "浙江")], [new BranchCandidate(west.Id, 1)]), "test", Ct));
        Assert.Equal([new BranchCandidate(east.Id, 3)], await With(sp => sp.GetRequiredService<BranchRuleMatcher>().CandidatesForAsync(order, Ct)));
        var view = (await With(sp => sp.GetRequiredService<BranchRuleService>().ListAsync(Ct))).Single(v => v.Rule.Id == zj.Id);
        Assert.Equal("来源店铺为 测试店铺，且收货地区为 浙江省", view.ConditionText);
        Assert.Equal("测试仓", view.Candidates.Single().BranchName);

        async Task<string> Refused(BranchRuleInput input) =>
            (await Assert.ThrowsAsync<DomainException>(() => With(sp => sp.GetRequiredService<BranchRuleService>().CreateAsync(input, "test", Ct)))).Message;
        Assert.Equal("请至少选择一个仓库", await Refused(new BranchRuleInput(p + "x", 1, true, [F("cod")], [])));
        Assert.Contains("备货仓", await Refused(new BranchRuleInput(p + "x", 1, true, [F("cod")], [new BranchCandidate(stockUp.Id, 1)])), StringComparison.Ordinal);
        Assert.Contains("不存在", await Refused(new BranchRuleInput(p + "x", 1, true, [F("cod")], [new BranchCandidate(987654321, 1)])), StringComparison.Ordinal);
        Assert.Contains("超出范围", await Refused(new BranchRuleInput(p + "x", 1, true, [F("cod")], [new BranchCandidate(west.Id, -1)])), StringComparison.Ordinal);
        Assert.Contains("重复", await Refused(new BranchRuleInput(p + "x", 1, true, [F("cod")], [new BranchCandidate(west.Id, 1), new BranchCandidate(west.Id, 2)])), StringComparison.Ordinal);
    }
}

public sealed class SqliteRulesTests(SqliteCoreFixture f) : RulesTests<SqliteCoreFixture>(f);

public sealed class PostgresRulesTests(PostgresCoreFixture f) : RulesTests<PostgresCoreFixture>(f);
