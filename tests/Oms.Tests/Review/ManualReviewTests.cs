using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.Review;

/// <summary>人工审单: confirm, merge, split, revoke, pause, cancel, remaining cancel — freezes and invariants after each.</summary>
public abstract class ManualReviewTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Confirming_creates_a_delivery_and_moves_the_shop_freeze_to_the_branch()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        var sf = await k.LogisticsAsync(branch, "SF");
        var o = await k.PushAsync([new Line(k.Orders.SA, 2), new Line(k.Orders.SAB, 1, 100m)]);
        Assert.Equal(3, await k.ShopFreezeAsync(k.Orders.A));

        var d = await k.ConfirmAsync([o.Id], branch.Id, sf.Id);
        Assert.StartsWith("D", d.DeliveryBn);
        Assert.Equal(DeliveryStatus.Ready, d.Status);
        Assert.Equal("SF", d.LogiCode);
        Assert.Equal([(k.Orders.Basic[k.Orders.A], 3), (k.Orders.Basic[k.Orders.B], 2)],
            d.Items.OrderBy(i => i.BasicMaterialId).Select(i => (i.BasicMaterialId, i.Number)).ToList());
        Assert.Equal("李四", d.ShipName);

        var after = await k.OrderAsync(o.Id);
        Assert.True(after.Confirmed);
        Assert.Equal(ProcessStatus.Splited, after.ProcessStatus);
        Assert.All(after.Items, i => Assert.Equal(i.Quantity, i.SplitNum));
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal((10, 3, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync(branch.Id, k.Orders.B));
        Assert.Contains(await k.Orders.LogAsync(o.Id), l => l.Action == "delivery.create" && l.Text.Contains(d.DeliveryBn));
        await k.AssertInvariantsAsync();

        var again = await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o.Id], branch.Id));
        Assert.Contains("没有待生成发货单", again.Message);
    }

    [Fact]
    public async Task Short_stock_refuses_the_review_and_changes_nothing()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 1 });
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        await Assert.ThrowsAsync<InsufficientStockException>(() => k.ConfirmAsync([o.Id], branch.Id));
        Assert.Equal(2, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal((1, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Empty(await k.DeliveriesOfAsync(o.Id));
        Assert.False((await k.OrderAsync(o.Id)).Confirmed);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Refusals_name_the_reason()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var stockUp = await k.BranchAsync(type: Oms.Warehouses.BranchType.StockUp, stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var foreign = await k.BranchAsync(suppliesShop: false, stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var otherLogi = await k.LogisticsAsync(foreign, "ZTO");
        var o = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        Assert.Contains("备货仓", (await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o.Id], stockUp.Id))).Message);
        Assert.Contains("不供应", (await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o.Id], foreign.Id))).Message);
        Assert.Contains("没有设置在仓库", (await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o.Id], branch.Id, otherLogi.Id))).Message);
        var unpaid = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-unpaid", change: f => { f["pay_status"] = "0"; f["payed"] = "0"; });
        Assert.Contains("未付款", (await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([unpaid.Id], branch.Id))).Message);
        await k.DoAsync(sp => sp.GetRequiredService<ReviewService>().MarkAbnormalAsync(o.Id, "地址可疑", "reviewer"));
        Assert.Contains("异常", (await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o.Id], branch.Id))).Message);
        Assert.Equal(2, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Orders_of_one_member_and_address_merge_into_one_delivery_and_others_do_not()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        var o1 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m1");
        var o2 = await k.PushAsync([new Line(k.Orders.SB, 2)], member: "m1");
        var elsewhere = await k.PushAsync([new Line(k.Orders.SB, 1)], member: "m1", address: "文三路 99 号");
        var advice = await k.WithAsync(sp => sp.GetRequiredService<ReviewService>().AdviseAsync(o1.Id));
        Assert.Equal([o2.Id], advice.MergeCandidates);
        Assert.Equal(branch.Id, advice.SuggestedBranchId);

        Assert.Contains("不同", (await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o1.Id, elsewhere.Id], branch.Id))).Message);
        var d = await k.ConfirmAsync([o1.Id, o2.Id], branch.Id);
        Assert.Equal([o1.Id, o2.Id], d.OrderItems.Select(x => x.OrderId).Distinct().Order().ToList());
        Assert.Equal(3, d.ItemNum);
        Assert.Equal(ProcessStatus.Splited, (await k.OrderAsync(o2.Id)).ProcessStatus);
        Assert.Equal(ProcessStatus.Unconfirmed, (await k.OrderAsync(elsewhere.Id)).ProcessStatus);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_order_splits_across_branches_and_its_remaining_lines_can_be_cancelled()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var north = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 5 });
        var south = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.B] = 5 });
        var o = await k.PushAsync([new Line(k.Orders.SA, 3), new Line(k.Orders.SB, 2)]);
        var a = o.Items.Single(i => i.Bn == k.Orders.A);
        var b = o.Items.Single(i => i.Bn == k.Orders.B);

        var made = await k.WithAsync(sp => sp.GetRequiredService<ReviewService>().SplitAsync(
        [
            new DeliveryDraft(north.Id, null, [new DeliveryLine(a.Id, 2)]),
            new DeliveryDraft(south.Id, null, [new DeliveryLine(b.Id, 2)]),
        ], "reviewer"));
        Assert.Equal(2, made.Count);
        var partly = await k.OrderAsync(o.Id);
        Assert.Equal(ProcessStatus.Splitting, partly.ProcessStatus);
        Assert.Equal(1, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal((5, 2, 0, 0), await k.CountersAsync(north.Id, k.Orders.A));
        Assert.Equal((5, 2, 0, 0), await k.CountersAsync(south.Id, k.Orders.B));
        await k.AssertInvariantsAsync();

        // one bad draft refuses the whole split
        await Assert.ThrowsAsync<DomainException>(() => k.WithAsync(sp => sp.GetRequiredService<ReviewService>().SplitAsync(
        [
            new DeliveryDraft(north.Id, null, [new DeliveryLine(a.Id, 1)]),
            new DeliveryDraft(south.Id, null, [new DeliveryLine(b.Id, 1)]),
        ], "reviewer")));
        Assert.Equal(1, await k.ShopFreezeAsync(k.Orders.A));

        await k.DoAsync(sp => sp.GetRequiredService<ReviewService>().CancelRemainingAsync(o.Id, "缺货不发", "reviewer"));
        var done = await k.OrderAsync(o.Id);
        Assert.Equal(ProcessStatus.RemainCancel, done.ProcessStatus);
        Assert.Equal(2, done.Items.Single(i => i.Id == a.Id).Quantity);
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Revoking_a_delivery_returns_the_freeze_and_the_order_to_review_by_people()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        var d = await k.ConfirmAsync([o.Id], branch.Id);
        await k.WithAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(d.Id, "地址要改", "reviewer"));

        var back = await k.OrderAsync(o.Id);
        Assert.False(back.Confirmed);
        Assert.Equal(ProcessStatus.Unconfirmed, back.ProcessStatus);
        Assert.All(back.Items, i => Assert.Equal(0, i.SplitNum));
        Assert.Equal(DeliveryStatus.Cancel, Assert.Single(await k.DeliveriesOfAsync(o.Id)).Status);
        Assert.Equal(2, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        // automatic review leaves an order an operator sent back alone
        Assert.DoesNotContain(o.Id, await k.WithAsync(sp => sp.GetRequiredService<AutoReviewService>().DueAsync(1000)));
        Assert.Contains("已撤销", (await Assert.ThrowsAsync<DomainException>(() =>
            k.WithAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(d.Id, "", "reviewer")))).Message);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Pausing_revokes_open_deliveries_and_cancelling_releases_the_shop_freeze()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        await k.ConfirmAsync([o.Id], branch.Id);
        var review = (Func<IServiceProvider, ReviewService>)(sp => sp.GetRequiredService<ReviewService>());
        await k.DoAsync(sp => review(sp).PauseAsync(o.Id, "买家要求暂缓", "reviewer"));
        var paused = await k.OrderAsync(o.Id);
        Assert.True(paused.Pause);
        Assert.Equal(ProcessStatus.Unconfirmed, paused.ProcessStatus);
        Assert.Equal(2, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        await Assert.ThrowsAsync<DomainException>(() => k.ConfirmAsync([o.Id], branch.Id));

        await k.DoAsync(sp => review(sp).ResumeAsync(o.Id, "reviewer"));
        await k.DoAsync(sp => review(sp).CancelAsync(o.Id, "买家取消", "reviewer"));
        var dead = await k.OrderAsync(o.Id);
        Assert.Equal(OrderStatus.Dead, dead.Status);
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteManualReviewTests(SqliteServerFixture server) : ManualReviewTests<SqliteServerFixture>(server);

public sealed class PostgresManualReviewTests(PostgresServerFixture server) : ManualReviewTests<PostgresServerFixture>(server);
