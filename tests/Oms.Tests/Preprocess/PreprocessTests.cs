using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Preprocess;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using static Oms.Tests.Preprocess.PreprocessKit;

namespace Oms.Tests.Preprocess;

/// <summary>The preprocess chain (预处理) on orders pushed through the real <c>/api</c>: each plugin, every gift rule condition, idempotency, re-runs, the intake.</summary>
public abstract class PreprocessTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static readonly DateTime T0 = new DateTime(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddMinutes(-30);

    private static string RuleBn() => "R" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(OrderIntakeKit Kit, string ShopBn)> KitAsync()
    {
        var k = await OrderIntakeKit.CreateAsync(server);
        return (k, await ShopBnAsync(server, k.ShopId));
    }

    /// <summary>A rule for this kit's shop only (tests share the database), giving SG (→ C) × <paramref name="gift"/>.</summary>
    private static CrmGiftRuleInput Rule(OrderIntakeKit k, string shopBn, int gift = 1) =>
        new(RuleBn(), "测试赠品规则") { ShopBns = [shopBn], Gifts = [new GiftInput(k.SG, gift)] };

    private async Task<Order> PushAndRunAsync(OrderIntakeKit k, IReadOnlyList<Line> lines, DateTime? modified = null, string? bn = null)
    {
        bn ??= k.NewBn();
        await k.PushOrderAsync(bn, lines, modified ?? T0);
        var o = await k.OrderAsync(bn);
        await RunAsync(server, o.Id);
        return await k.OrderAsync(bn);
    }

    [Fact]
    public async Task Platform_gift_lines_are_recognized_marked_and_reported()
    {
        var (k, _) = await KitAsync();
        using var _k = k;
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 1), new Line(k.SG, 1, 0m, "gift")], T0);
        var id = (await k.OrderAsync(bn)).Id;
        Assert.False((await FactAsync(server, id)).HasPlatformGift);

        var run = await RunAsync(server, id);
        Assert.True(run.Changed);
        Assert.Contains(run.Steps, s => s.Code == "platform_gift" && s.Changed && s.Text.Contains(k.SG, StringComparison.Ordinal));
        var o = await k.OrderAsync(bn);
        Assert.Equal(OrderLineSources.PlatformGift, o.Objects.Single(x => x.Bn == k.SG).Source);
        Assert.Equal(OrderLineSources.Shop, o.Objects.Single(x => x.Bn == k.SA).Source);
        Assert.Equal(new PreprocessFact(true, false, false), await FactAsync(server, id));
        Assert.Contains(await k.LogAsync(id), l => l.Action == "preprocess" && l.Text.Contains("平台赠品", StringComparison.Ordinal));

        // a free line of an order whose promotions name a gift is one too
        var bn2 = k.NewBn();
        var fields = OrderIntakeKit.OrderFields(bn2, [new Line(k.SA, 1), new Line(k.SB, 1, 0m)], T0);
        fields["pmt_detail"] = """[{"pmt_amount":"0.00","pmt_describe":"满 100 送 B"}]""";
        await k.SuccAsync("ome.order.add", fields);
        var id2 = (await k.OrderAsync(bn2)).Id;
        await RunAsync(server, id2);
        var o2 = await k.OrderAsync(bn2);
        Assert.Equal(OrderLineSources.PlatformGift, o2.Objects.Single(x => x.Bn == k.SB).Source);
        Assert.Equal(OrderLineSources.Shop, o2.Objects.Single(x => x.Bn == k.SA).Source);
        Assert.False(PlatformGiftPreprocessor.PromotionNamesGift("""[{"pmt_describe":"满 100 减 10"}]"""));
        Assert.False(PlatformGiftPreprocessor.PromotionNamesGift("not json"));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Invoice_requests_are_completed_by_the_title_rule_and_follow_later_pushes()
    {
        var (k, _) = await KitAsync();
        using var _k = k;
        var bn = k.NewBn();
        var fields = OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 2, 50m)], T0);
        fields["is_tax"] = "true";
        await k.SuccAsync("ome.order.add", fields);
        var id = (await k.OrderAsync(bn)).Id;
        await RunAsync(server, id);
        var r = await InvoiceAsync(server, id);
        Assert.NotNull(r);
        // no title sent → the member's name (member_info.name 李四)
        Assert.Equal(("李四", "member", "商品明细", 100m, InvoiceRequestStatus.Pending), (r.Title, r.TitleSource, r.Content, r.Amount, r.Status));
        Assert.Null(r.TaxNo);
        Assert.True((await FactAsync(server, id)).InvoiceRequested);
        Assert.Null((await k.OrderAsync(bn)).TaxTitle); // the order keeps what the shop sent

        var again = await RunAsync(server, id);
        Assert.DoesNotContain(again.Steps, s => s.Changed);

        // a newer push with a company title and tax number, and another default content
        await k.SetSettingAsync(InvoicePreprocessor.ContentSetting, "办公用品");
        try
        {
            fields = OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 2, 50m)], T0.AddMinutes(1));
            fields["is_tax"] = "true";
            fields["tax_title"] = "杭州某某有限公司";
            fields["tax_no"] = "91330100MA0000000X";
            await k.SuccAsync("ome.order.add", fields);
            await RunAsync(server, id);
            r = await InvoiceAsync(server, id);
            Assert.Equal(("杭州某某有限公司", "shop", "91330100MA0000000X", "办公用品"), (r!.Title, r.TitleSource, r.TaxNo, r.Content));
        }
        finally
        {
            await k.SetSettingAsync(InvoicePreprocessor.ContentSetting, "商品明细");
        }

        // the shop withdraws the request
        await k.PushOrderAsync(bn, [new Line(k.SA, 2, 50m)], T0.AddMinutes(2));
        await RunAsync(server, id);
        Assert.Equal(InvoiceRequestStatus.Cancelled, (await InvoiceAsync(server, id))!.Status);
        Assert.False((await FactAsync(server, id)).InvoiceRequested);
        Assert.Equal(3, (await k.LogAsync(id)).Count(l => l.Action == "preprocess" && l.Text.Contains("发票", StringComparison.Ordinal)));

        Assert.Equal(("个人", "default"), InvoicePreprocessor.Title(" ", null, "", null));
        Assert.Equal(("王五", "consignee"), InvoicePreprocessor.Title(null, null, "王五", "tb_x"));
    }

    [Fact]
    public async Task Amount_band_edges_are_inclusive()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var rule = await RuleAsync(server, Rule(k, shop) with { MinAmount = 100m, MaxAmount = 200m });
        var gifts = new List<int>();
        foreach (var amount in new[] { 99.99m, 100m, 200m, 200.01m })
            gifts.Add(CrmLines(await PushAndRunAsync(k, [new Line(k.SA, 1, amount)])).Count);
        Assert.Equal([0, 1, 1, 0], gifts);
        Assert.Equal(2, await k.ShopFreezeAsync(k.C));
        Assert.Equal(0, (await FindRuleAsync(server, rule.Id)).GivenCount); // unlimited rules count nothing
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Item_count_band_counts_the_shops_goods_not_gifts()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        await RuleAsync(server, Rule(k, shop) with { MinItems = 3, MaxItems = 4 });
        var gifts = new List<int>();
        foreach (var n in new[] { 2, 3, 4, 5 })
            gifts.Add(CrmLines(await PushAndRunAsync(k, [new Line(k.SA, n)])).Count);
        Assert.Equal([0, 1, 1, 0], gifts);
        // a platform gift does not count as an item
        Assert.Empty(CrmLines(await PushAndRunAsync(k, [new Line(k.SA, 2), new Line(k.SG, 1, 0m, "gift")])));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Sku_condition_counts_sales_or_basic_material_codes_with_a_minimum_quantity()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        await RuleAsync(server, Rule(k, shop) with { SkuCodes = [k.SB], SkuMinQuantity = 2 });
        Assert.Empty(CrmLines(await PushAndRunAsync(k, [new Line(k.SA, 5), new Line(k.SB, 1)])));
        Assert.Single(CrmLines(await PushAndRunAsync(k, [new Line(k.SB, 2)])));

        // by basic material: SAB holds B × 2
        var (k2, shop2) = await KitAsync();
        using var _k2 = k2;
        await RuleAsync(server, Rule(k2, shop2) with { SkuCodes = [k2.B], SkuMinQuantity = 2 });
        Assert.Single(CrmLines(await PushAndRunAsync(k2, [new Line(k2.SAB, 1)])));
        Assert.Empty(CrmLines(await PushAndRunAsync(k2, [new Line(k2.SA, 3)])));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Shop_condition_limits_a_rule_to_its_shops()
    {
        var (k, shop) = await KitAsync();
        var (other, _) = await KitAsync();
        using var _k = k;
        using var _o = other;
        // a rule of k's shop giving other's gift material: an order of the other shop gets nothing
        await RuleAsync(server, new CrmGiftRuleInput(RuleBn(), "本店规则") { ShopBns = [shop], MinItems = 1, SkuCodes = [other.SA, k.SA], Gifts = [new GiftInput(k.SG, 1)] });
        Assert.Empty(CrmLines(await PushAndRunAsync(other, [new Line(other.SA, 1)])));
        Assert.Single(CrmLines(await PushAndRunAsync(k, [new Line(k.SA, 1)])));
    }

    [Fact]
    public async Task Validity_period_is_judged_by_the_order_time_start_inclusive_end_exclusive()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var orderTime = T0.AddMinutes(-5); // OrderFields: createtime = modified − 5 min
        var startsAt = await RuleAsync(server, Rule(k, shop) with { StartAt = orderTime, SkuCodes = [k.SA] });
        var o = await PushAndRunAsync(k, [new Line(k.SA, 1)]);
        Assert.Equal([(k.SG, 1, (long?)startsAt.Id)], CrmLines(o));

        var (k2, shop2) = await KitAsync();
        using var _k2 = k2;
        await RuleAsync(server, Rule(k2, shop2) with { StartAt = orderTime.AddSeconds(1) });
        await RuleAsync(server, Rule(k2, shop2) with { EndAt = orderTime });
        await RuleAsync(server, Rule(k2, shop2) with { StartAt = orderTime.AddDays(-1), EndAt = orderTime.AddDays(-1).AddHours(1) });
        var o2 = await PushAndRunAsync(k2, [new Line(k2.SA, 1)]);
        Assert.Empty(CrmLines(o2));
        var preview = await PreviewAsync(server, o2.OrderBn);
        var mine = preview.Plan.Verdicts.Where(v => v.Rule.ShopBns.Contains(shop2)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.All(mine, v => Assert.False(v.Fires));
        Assert.Single(mine, v => v.Reason.Contains("早于活动开始", StringComparison.Ordinal));
        Assert.Equal(2, mine.Count(v => v.Reason.Contains("不早于活动结束", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_rule_gives_at_most_its_limit_even_to_concurrent_runs()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var rule = await RuleAsync(server, Rule(k, shop, gift: 2) with { MaxTimes = 3 });
        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            var bn = k.NewBn();
            await k.PushOrderAsync(bn, [new Line(k.SA, 1)], T0);
            ids.Add((await k.OrderAsync(bn)).Id);
        }
        await Task.WhenAll(ids.Select(id => Task.Run(() => RunAsync(server, id))));
        var given = 0;
        foreach (var id in ids)
        {
            await using var scope = server.Services.CreateAsyncScope();
            given += await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<OrderObject>()
                .CountAsync(x => x.OrderId == id && !x.Deleted && x.Source == OrderLineSources.CrmGift);
        }
        Assert.Equal(3, given);
        Assert.Equal(3, (await FindRuleAsync(server, rule.Id)).GivenCount);
        Assert.Equal(6, await k.ShopFreezeAsync(k.C));
        // the preview of an order without the gift says why
        var without = ids[0];
        foreach (var id in ids)
            if ((await FactAsync(server, id)).HasCrmGift is false) { without = id; break; }
        var preview = await PreviewAsync(server, without.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(preview.Plan.Verdicts, v => v.Rule.Id == rule.Id && !v.Fires && v.Reason.Contains("上限", StringComparison.Ordinal));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Stackable_rules_give_together_and_a_non_stackable_rule_gives_alone()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var high = await RuleAsync(server, Rule(k, shop, 1) with { Priority = 10, Stackable = true });
        var mid = await RuleAsync(server, Rule(k, shop, 2) with { Priority = 5, Stackable = true });
        var low = await RuleAsync(server, Rule(k, shop, 3) with { Priority = 1, Stackable = false });
        var o = await PushAndRunAsync(k, [new Line(k.SA, 1)]);
        Assert.Equal([(k.SG, 1, (long?)high.Id), (k.SG, 2, (long?)mid.Id)], CrmLines(o));

        var (k2, shop2) = await KitAsync();
        using var _k2 = k2;
        var alone = await RuleAsync(server, Rule(k2, shop2, 4) with { Priority = 10, Stackable = false });
        await RuleAsync(server, Rule(k2, shop2, 5) with { Priority = 5, Stackable = true });
        var o2 = await PushAndRunAsync(k2, [new Line(k2.SA, 1)]);
        Assert.Equal([(k2.SG, 4, (long?)alone.Id)], CrmLines(o2));
        var preview = await PreviewAsync(server, o2.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([true, false], preview.Plan.Verdicts.Where(v => v.Rule.ShopBns.Contains(shop2)).Select(v => v.Fires).ToList());
        Assert.Empty(preview.Plan.ToAdd);
        Assert.Equal(3, await k.ShopFreezeAsync(k.C));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Running_twice_changes_nothing_the_second_time()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var rule = await RuleAsync(server, Rule(k, shop, 2) with { MaxTimes = 10 });
        var bn = k.NewBn();
        var fields = OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 1), new Line(k.SG, 1, 0m, "gift")], T0);
        fields["is_tax"] = "true";
        await k.SuccAsync("ome.order.add", fields);
        var id = (await k.OrderAsync(bn)).Id;
        var first = await RunAsync(server, id);
        Assert.All(first.Steps, s => Assert.True(s.Changed, s.Code));
        var after1 = await k.OrderAsync(bn);
        var log1 = (await k.LogAsync(id)).Count;
        var freeze1 = await k.ShopFreezeAsync(k.C);

        var second = await RunAsync(server, id);
        Assert.False(second.Changed);
        var after2 = await k.OrderAsync(bn);
        Assert.Equal(after1.Objects.Select(x => (x.Id, x.Source, x.Deleted)).OrderBy(x => x.Id), after2.Objects.Select(x => (x.Id, x.Source, x.Deleted)).OrderBy(x => x.Id));
        Assert.Equal(after1.Items.Select(x => (x.Id, x.Deleted)).OrderBy(x => x.Id), after2.Items.Select(x => (x.Id, x.Deleted)).OrderBy(x => x.Id));
        Assert.Equal(log1, (await k.LogAsync(id)).Count);
        Assert.Equal(freeze1, await k.ShopFreezeAsync(k.C));
        Assert.Equal(3, freeze1); // platform gift C×1 + CRM gift C×2
        Assert.Equal(1, (await FindRuleAsync(server, rule.Id)).GivenCount);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var runs = await scope.ServiceProvider.GetRequiredService<PreprocessChain>().RunsAsync(id);
            Assert.Equal([false, true], runs.Select(r => r.Changed).ToList());
            Assert.Equal(["platform_gift", "invoice", "crm_gift"], runs[1].Steps.Select(s => s.Code).ToList());
        }
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_newer_push_keeps_the_chains_lines_and_the_next_run_recomputes_them()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var rule = await RuleAsync(server, Rule(k, shop, 2) with { MinAmount = 100m, MaxAmount = 200m, MaxTimes = 5 });
        var bn = k.NewBn();
        var o = await PushAndRunAsync(k, [new Line(k.SA, 3, 50m)], T0, bn);
        var gift = Assert.Single(o.Objects, x => x.Source == OrderLineSources.CrmGift);
        Assert.Equal(2, await k.ShopFreezeAsync(k.C));
        Assert.Equal(3, await k.ShopFreezeAsync(k.A));

        // the shop changes the lines (now 300.00): the intake leaves the CRM line and its freeze alone
        Assert.Equal(IntakeStates.Updated, await k.PushOrderAsync(bn, [new Line(k.SA, 6, 50m)], T0.AddMinutes(1)));
        o = await k.OrderAsync(bn);
        Assert.False(o.Objects.Single(x => x.Id == gift.Id).Deleted);
        Assert.All(o.Items.Where(i => i.ObjectId == gift.Id), i => Assert.False(i.Deleted));
        Assert.Equal(2, await k.ShopFreezeAsync(k.C));
        Assert.Equal(6, await k.ShopFreezeAsync(k.A));
        await k.AssertInvariantsAsync();

        // the next run: out of the band → the gift is removed, its freeze released, the rule's count given back
        var run = await RunAsync(server, o.Id);
        Assert.Contains(run.Steps, s => s.Code == "crm_gift" && s.Changed && s.Text.Contains("移除", StringComparison.Ordinal));
        o = await k.OrderAsync(bn);
        Assert.Empty(CrmLines(o));
        Assert.Equal(0, await k.ShopFreezeAsync(k.C));
        Assert.Equal(0, (await FindRuleAsync(server, rule.Id)).GivenCount);
        await k.AssertInvariantsAsync();

        // back in the band: added again, claimed again
        await k.PushOrderAsync(bn, [new Line(k.SA, 2, 50m)], T0.AddMinutes(2));
        await RunAsync(server, o.Id);
        o = await k.OrderAsync(bn);
        Assert.Equal([(k.SG, 2, (long?)rule.Id)], CrmLines(o));
        Assert.Equal(2, await k.ShopFreezeAsync(k.C));
        Assert.Equal(1, (await FindRuleAsync(server, rule.Id)).GivenCount);
        await k.AssertInvariantsAsync();

        // cancelled: everything released, the chain then skips the order
        await k.PushOrderAsync(bn, [new Line(k.SA, 2, 50m)], T0.AddMinutes(3), payStatus: "0", status: "dead");
        Assert.Equal(0, await k.ShopFreezeAsync(k.C));
        Assert.NotNull((await RunAsync(server, o.Id)).Skipped);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_push_that_makes_the_order_failed_and_a_fixed_push_leave_the_gifts_consistent()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        await RuleAsync(server, Rule(k, shop));
        var bn = k.NewBn();
        var o = await PushAndRunAsync(k, [new Line(k.SA, 1)], T0, bn);
        Assert.Single(CrmLines(o));
        Assert.Equal(IntakeStates.Failed, await k.PushOrderAsync(bn, [new Line(k.SA, 1), new Line("NO-SUCH-" + bn, 1)], T0.AddMinutes(1)));
        Assert.Equal(0, await k.ShopFreezeAsync(k.C));
        await k.AssertInvariantsAsync();
        Assert.NotNull((await RunAsync(server, o.Id)).Skipped);

        await k.PushOrderAsync(bn, [new Line(k.SA, 1)], T0.AddMinutes(2));
        await RunAsync(server, o.Id);
        o = await k.OrderAsync(bn);
        Assert.Single(CrmLines(o));
        Assert.Equal(1, await k.ShopFreezeAsync(k.C));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_preview_shows_the_rules_and_lines_and_changes_nothing()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var rule = await RuleAsync(server, Rule(k, shop, 2) with { MinAmount = 10m, MaxTimes = 1 });
        var skipped = await RuleAsync(server, Rule(k, shop) with { MinAmount = 1000m });
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 1)], T0);
        var before = await k.OrderAsync(bn);
        var logBefore = (await k.LogAsync(before.Id)).Count;

        var preview = await PreviewAsync(server, bn);
        Assert.Equal(before.Id, preview.OrderId);
        Assert.Null(preview.NotProcessed);
        Assert.Contains(preview.Plan.Verdicts, v => v.Rule.Id == rule.Id && v.Fires);
        Assert.Contains(preview.Plan.Verdicts, v => v.Rule.Id == skipped.Id && !v.Fires && v.Reason.Contains("低于", StringComparison.Ordinal));
        var add = Assert.Single(preview.Plan.ToAdd);
        Assert.Equal((k.SG, 2), (add.Bn, add.Quantity));
        Assert.Equal([(k.C, 2)], add.Match.Items.Select(i => (i.Bn, i.Quantity)).ToList());

        var after = await k.OrderAsync(bn);
        Assert.Equal(before.Objects.Count, after.Objects.Count);
        Assert.Equal(before.Items.Count, after.Items.Count);
        Assert.Equal(logBefore, (await k.LogAsync(before.Id)).Count);
        Assert.Equal(0, await k.ShopFreezeAsync(k.C));
        Assert.Equal(0, (await FindRuleAsync(server, rule.Id)).GivenCount);
        // by id too; unknown orders are a clear error
        Assert.Equal(bn, (await PreviewAsync(server, before.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))).OrderBn);
        var e = await Assert.ThrowsAsync<ValidationException>(() => PreviewAsync(server, "NO-SUCH-ORDER-" + bn));
        Assert.Contains("不存在", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_rules_are_refused_with_a_clear_message_and_nothing_is_saved()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        var good = Rule(k, shop);
        async Task<string> Refused(CrmGiftRuleInput input) => (await Assert.ThrowsAsync<ValidationException>(() => RuleAsync(server, input))).Field;
        Assert.Equal("max_amount", await Refused(good with { MinAmount = 200m, MaxAmount = 100m }));
        Assert.Equal("max_items", await Refused(good with { MinItems = 5, MaxItems = 4 }));
        Assert.Equal("end_at", await Refused(good with { StartAt = T0, EndAt = T0 }));
        Assert.Equal("gifts", await Refused(good with { Gifts = [] }));
        Assert.Equal("gifts", await Refused(good with { Gifts = [new GiftInput("NO-SUCH-" + shop, 1)] }));
        Assert.Equal("gifts", await Refused(good with { Gifts = [new GiftInput(k.SG, 0)] }));
        Assert.Equal("sku_codes", await Refused(good with { SkuCodes = ["NO-SUCH-" + shop] }));
        Assert.Equal("shop_bns", await Refused(good with { ShopBns = ["NO-SUCH-" + shop] }));
        Assert.Equal("max_times", await Refused(good with { MaxTimes = 0 }));
        Assert.Equal("name", await Refused(good with { Name = " " }));
        await using (var scope = server.Services.CreateAsyncScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<CrmGiftRule>().AnyAsync(r => r.RuleBn == good.RuleBn));
        var saved = await RuleAsync(server, good);
        Assert.Equal("rule_bn", await Refused(good));
        Assert.Equal(good.RuleBn, saved.RuleBn);
    }

    [Fact]
    public async Task A_batch_runs_each_order_once_in_the_callers_transaction_which_is_required()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        await RuleAsync(server, Rule(k, shop) with { MaxTimes = 2 });
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var bn = k.NewBn();
            await k.PushOrderAsync(bn, [new Line(k.SA, 1)], T0);
            ids.Add((await k.OrderAsync(bn)).Id);
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var chain = scope.ServiceProvider.GetRequiredService<PreprocessChain>();
            await Assert.ThrowsAsync<InvalidOperationException>(() => chain.RunAsync(ids[0], "test"));
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var results = await chain.RunManyAsync([ids[2], ids[0], ids[1], ids[0]], "test");
            Assert.Equal(ids, results.Select(r => r.OrderId).ToList());
            Assert.Equal([true, true, false], results.Select(r => r.Steps.Single(s => s.Code == "crm_gift").Changed).ToList());
            // rolled back: nothing stays
            await tx.RollbackAsync();
        }
        foreach (var id in ids) Assert.False((await FactAsync(server, id)).HasCrmGift);
        Assert.Equal(0, await k.ShopFreezeAsync(k.C));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_switched_off_plugin_does_not_run_and_positions_order_the_chain()
    {
        var (k, shop) = await KitAsync();
        using var _k = k;
        await RuleAsync(server, Rule(k, shop));
        try
        {
            await SetPluginAsync(server, "crm_gift", false, 30);
            await SetPluginAsync(server, "invoice", true, 1);
            var o = await PushAndRunAsync(k, [new Line(k.SA, 1)]);
            Assert.Empty(CrmLines(o));
            await using var scope = server.Services.CreateAsyncScope();
            var chain = scope.ServiceProvider.GetRequiredService<PreprocessChain>();
            Assert.Equal(["invoice", "platform_gift"], (await chain.RunsAsync(o.Id)).Single().Steps.Select(s => s.Code).ToList());
            Assert.Equal(["invoice", "platform_gift", "crm_gift"], (await chain.PluginsAsync()).Select(p => p.Code).ToList());
            await Assert.ThrowsAsync<ValidationException>(() => chain.SetPluginAsync("nope", true, 1, "test"));
        }
        finally
        {
            await SetPluginAsync(server, "crm_gift", true, 30);
            await SetPluginAsync(server, "invoice", true, 20);
        }
    }
}

public sealed class SqlitePreprocessTests(SqliteServerFixture server) : PreprocessTests<SqliteServerFixture>(server);

public sealed class PostgresPreprocessTests(PostgresServerFixture server) : PreprocessTests<PostgresServerFixture>(server);
