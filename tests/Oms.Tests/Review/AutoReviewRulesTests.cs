using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Shop = Oms.Channels.Shop;
using Oms.Data;
using Oms.Dispatch;
using Oms.Orders;
using Oms.Preprocess;
using Oms.Review;
using Oms.Rules;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.Review;

/// <summary>
/// Automatic review steered by configuration: the order group's review rule decides what blocks, branch rules route, the
/// preprocess chain's CRM gifts ship in the same delivery, and an order left for people is dispatched by its group's rule.
/// </summary>
public abstract class AutoReviewRulesTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Groups_rules_gifts_and_dispatch_steer_automatic_review()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var main = await k.BranchAsync(weight: 100, stock: new Dictionary<string, int> { [k.Orders.A] = 20, [k.Orders.B] = 20, [k.Orders.C] = 20 });
        var routed = await k.BranchAsync(weight: 1, stock: new Dictionary<string, int> { [k.Orders.A] = 20, [k.Orders.B] = 20, [k.Orders.C] = 20 });
        await k.LogisticsAsync(main, "SF");
        await k.LogisticsAsync(routed, "ZTO");
        var shopBn = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Shop>().Where(s => s.Id == k.Orders.ShopId).Select(s => s.ShopBn).SingleAsync());
        var adminId = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<User>().Where(u => u.Name == ServerFixture.AdminUser).Select(u => u.Id).SingleAsync());

        await k.DoAsync(async sp =>
        {
            // this shop's orders: a memo does not block; orders asking for a person ("人工") go to a confirm group
            var lenient = await sp.GetRequiredService<ReviewRuleService>().CreateAsync(k.Orders.Prefix + "宽松", ReviewFlags.Store | ReviewFlags.Branch | ReviewFlags.Logi,
                false, "test");
            var confirm = await sp.GetRequiredService<ConfirmGroupService>().CreateAsync(k.Orders.Prefix + "客服组", [new ConfirmGroupMemberInput(adminId, true)], "test");
            var toPeople = await sp.GetRequiredService<ConfirmGroupService>().SaveDispatchRuleAsync(null, k.Orders.Prefix + "轮流", confirm.Id, DispatchMode.RoundRobin, "test");
            var groups = sp.GetRequiredService<OrderGroupService>();
            await groups.CreateAsync(new OrderGroupInput(k.Orders.Prefix + "人工", 200, true,
                [ShopFilter.Create([k.Orders.ShopId]), MemoFilter.Create(["人工"])], null, toPeople.Id), "test");
            await groups.CreateAsync(new OrderGroupInput(k.Orders.Prefix + "本店", 100, true, [ShopFilter.Create([k.Orders.ShopId])], lenient.Id, null), "test");
            await sp.GetRequiredService<BranchRuleService>().CreateAsync(new BranchRuleInput(k.Orders.Prefix + "分仓", 100, true,
                [ShopFilter.Create([k.Orders.ShopId])], [new BranchCandidate(routed.Id, 10)]), "test");
            await sp.GetRequiredService<CrmGiftService>().CreateAsync(new CrmGiftRuleInput(k.Orders.Prefix + "GIFT", "买 B 送 C")
            {
                SkuCodes = [k.Orders.SB], ShopBns = [shopBn], Gifts = [new GiftInput(k.Orders.SG, 1)],
            }, "test");
        });

        var memo = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "g-memo", change: f => f["custom_mark"] = "周末送");
        var gift = await k.PushAsync([new Line(k.Orders.SB, 2)], member: "g-gift");
        var person = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "g-person", change: f => f["custom_mark"] = "请人工确认地址");

        var results = (await k.AutoReviewAsync(memo.Id, gift.Id, person.Id)).ToDictionary(r => r.OrderId);
        Assert.Equal(AutoReviewOutcome.Reviewed, results[memo.Id].Outcome);
        Assert.Equal(routed.Id, Assert.Single(await k.DeliveriesOfAsync(memo.Id)).BranchId);

        Assert.Equal(AutoReviewOutcome.Reviewed, results[gift.Id].Outcome);
        Assert.True((results[gift.Id].Flags & ReviewFlags.CrmGift) != 0);
        var giftDelivery = Assert.Single(await k.DeliveriesOfAsync(gift.Id));
        Assert.Contains(giftDelivery.Items, i => i.BasicMaterialId == k.Orders.Basic[k.Orders.C] && i.Number == 1);

        Assert.Equal(AutoReviewOutcome.Held, results[person.Id].Outcome);
        Assert.Equal(ReviewFlags.Flag, results[person.Id].Blocking);
        var held = await k.OrderAsync(person.Id);
        Assert.NotNull(held.GroupId);
        Assert.Equal(adminId, held.OpId);
        // dispatching is not a change that makes the order due again
        Assert.DoesNotContain(person.Id, await k.WithAsync(sp => sp.GetRequiredService<AutoReviewService>().DueAsync(10000)));
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteAutoReviewRulesTests(SqliteServerFixture server) : AutoReviewRulesTests<SqliteServerFixture>(server);

public sealed class PostgresAutoReviewRulesTests(PostgresServerFixture server) : AutoReviewRulesTests<PostgresServerFixture>(server);
