using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Rules;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.Review;

/// <summary>The auto-review chain on its own: every plugin's flag from a crafted case.</summary>
public sealed class AutoReviewChainTests
{
    private static Order O(long id, Action<Order>? change = null)
    {
        var o = new Order { Id = id, OrderBn = "O" + id, PayStatus = PayStatus.Paid, Items = [new OrderItem { Bn = "A", ItemType = "product", BasicMaterialId = 1, Quantity = 1 }] };
        change?.Invoke(o);
        return o;
    }

    private static ReviewCase Case(IReadOnlyList<Order>? orders = null, int candidates = 1, bool stock = true, ReviewFlags logi = ReviewFlags.None,
        int otherAddress = 0, int otherShop = 0, bool platformGift = false, bool crmGift = false, bool unsellable = false, bool checkProduct = false) => new()
    {
        Orders = orders ?? [O(1)],
        Candidates = Enumerable.Range(1, candidates).Select(i => new BranchCandidate(i, 0)).ToList(),
        Branch = new BranchChoice(candidates > 0 && stock ? 1 : null, []),
        Logistics = candidates == 0 ? null : new LogisticsChoice(null, logi),
        OtherAddressOrders = otherAddress, OtherShopOrders = otherShop,
        PlatformGiftOrders = platformGift ? new HashSet<long> { 1 } : [],
        CrmGiftOrders = crmGift ? new HashSet<long> { 1 } : [],
        UnsellableMaterials = unsellable ? new HashSet<long> { 1 } : [],
        CheckProduct = checkProduct,
        Need = [new NeedLine(1, 1)],
        MaterialWeights = new Dictionary<long, decimal>(),
    };

    public static TheoryData<string, ReviewFlags> Cases => new()
    {
        { "clean", ReviewFlags.Single },
        { "no branch", ReviewFlags.Branch | ReviewFlags.Single },
        { "no stock", ReviewFlags.Store | ReviewFlags.Single },
        { "memo", ReviewFlags.Flag | ReviewFlags.Single },
        { "seller memo", ReviewFlags.Flag | ReviewFlags.Single },
        { "mark type", ReviewFlags.Flag | ReviewFlags.Single },
        { "unpaid", ReviewFlags.Pay | ReviewFlags.Single },
        { "cod unpaid", ReviewFlags.Single },
        { "no carrier", ReviewFlags.Logi | ReviewFlags.Single },
        { "unreachable", ReviewFlags.Arrived | ReviewFlags.Single },
        { "member", ReviewFlags.Member | ReviewFlags.Single },
        { "merge", ReviewFlags.Multi },
        { "paused", ReviewFlags.Abnormal | ReviewFlags.Single },
        { "abnormal", ReviewFlags.Abnormal | ReviewFlags.Single },
        { "platform gift", ReviewFlags.PmtGift | ReviewFlags.Single },
        { "other shop", ReviewFlags.Combine | ReviewFlags.Single },
        { "crm gift", ReviewFlags.CrmGift | ReviewFlags.Single },
        { "invoice", ReviewFlags.Tax | ReviewFlags.Single },
        { "unsellable unchecked", ReviewFlags.Single },
        { "unsellable checked", ReviewFlags.Product | ReviewFlags.Single },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_plugin_sets_its_flag(string name, ReviewFlags expected)
    {
        var c = name switch
        {
            "clean" => Case(),
            "no branch" => Case(candidates: 0),
            "no stock" => Case(stock: false),
            "memo" => Case([O(1, o => o.CustomMark = "请发顺丰")]),
            "seller memo" => Case([O(1, o => o.MarkText = "VIP")]),
            "mark type" => Case([O(1, o => o.MarkType = "red")]),
            "unpaid" => Case([O(1, o => o.PayStatus = PayStatus.Unpaid)]),
            "cod unpaid" => Case([O(1, o => { o.PayStatus = PayStatus.Unpaid; o.IsCod = true; })]),
            "no carrier" => Case(logi: ReviewFlags.Logi),
            "unreachable" => Case(logi: ReviewFlags.Arrived),
            "member" => Case(otherAddress: 1),
            "merge" => Case([O(1), O(2)]),
            "paused" => Case([O(1, o => o.Pause = true)]),
            "abnormal" => Case([O(1, o => o.Abnormal = true)]),
            "platform gift" => Case(platformGift: true),
            "other shop" => Case(otherShop: 2),
            "crm gift" => Case(crmGift: true),
            "invoice" => Case([O(1, o => o.IsTax = true)]),
            "unsellable unchecked" => Case(unsellable: true),
            "unsellable checked" => Case(unsellable: true, checkProduct: true),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        Assert.Equal(expected, AutoReviewChain.Run(c));
    }

    [Fact]
    public void The_default_rule_blocks_every_flag_but_single_and_multi()
    {
        foreach (var f in ReviewFlagText.All)
            Assert.Equal(f is not (ReviewFlags.Single or ReviewFlags.Multi), (Oms.Rules.RuleDefaults.DefaultBlocking & f) != 0);
        Assert.All(ReviewFlagText.All, f => Assert.False(string.IsNullOrEmpty(ReviewFlagText.Reason(f))));
    }

    [Fact]
    public void Logistics_choice_prefers_priority_and_tells_logi_from_arrived()
    {
        var sf = new Oms.Warehouses.LogisticsCompany { Id = 1, Code = "SF", Name = "顺丰", Priority = 10, MaxWeight = 5m, Areas = ["浙江省"] };
        var zto = new Oms.Warehouses.LogisticsCompany { Id = 2, Code = "ZTO", Name = "中通", Priority = 5 };
        var ems = new Oms.Warehouses.LogisticsCompany { Id = 3, Code = "EMS", Name = "邮政", Priority = 1, Areas = ["广东省"] };
        Assert.Equal("SF", LogisticsChooser.Choose([zto, sf, ems], "浙江省", 1m).Company?.Code);
        Assert.Equal("ZTO", LogisticsChooser.Choose([zto, sf, ems], "浙江省", 6m).Company?.Code);
        Assert.Equal(ReviewFlags.Arrived, LogisticsChooser.Choose([sf, ems], "北京市", 1m).Flag);
        Assert.Equal(ReviewFlags.Logi, LogisticsChooser.Choose([sf], "浙江省", 6m).Flag);
        Assert.Equal(ReviewFlags.Logi, LogisticsChooser.Choose([], "浙江省", 1m).Flag);
    }
}

/// <summary>Automatic review against a real database: deliveries, held orders with reasons, merges, races.</summary>
public abstract class AutoReviewTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static Dictionary<string, int> Stock(params (string Bn, int N)[] s) => s.ToDictionary(x => x.Bn, x => x.N);

    [Fact]
    public async Task A_clean_order_becomes_a_delivery_at_the_heaviest_branch_with_stock_and_the_best_carrier()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var light = await k.BranchAsync(weight: 1, stock: Stock((k.Orders.A, 10)));
        var heavyEmpty = await k.BranchAsync(weight: 9, stock: Stock((k.Orders.A, 1)));
        var heavy = await k.BranchAsync(weight: 5, stock: Stock((k.Orders.A, 10)));
        await k.LogisticsAsync(heavy, "ZTO", priority: 1);
        var sf = await k.LogisticsAsync(heavy, "SF", priority: 9);
        await k.LogisticsAsync(light, "YTO");
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)], member: "m-clean");

        var r = Assert.Single(await k.AutoReviewAsync(o.Id));
        Assert.Equal(AutoReviewOutcome.Reviewed, r.Outcome);
        var d = Assert.Single(await k.DeliveriesOfAsync(o.Id));
        Assert.Equal(r.DeliveryBn, d.DeliveryBn);
        Assert.Equal(heavy.Id, d.BranchId);
        Assert.Equal(sf.Id, d.LogisticsId);
        Assert.Equal("system", d.CreatedBy);
        Assert.Equal((10, 2, 0, 0), await k.CountersAsync(heavy.Id, k.Orders.A));
        Assert.Equal((1, 0, 0, 0), await k.CountersAsync(heavyEmpty.Id, k.Orders.A));
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal(ProcessStatus.Splited, (await k.OrderAsync(o.Id)).ProcessStatus);
        // reviewed once: a second run skips it
        Assert.Equal(AutoReviewOutcome.Skipped, Assert.Single(await k.AutoReviewAsync(o.Id)).Outcome);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Held_orders_keep_their_flags_and_readable_reasons()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 3)));
        await k.LogisticsAsync(branch, "SF", 1, null, "浙江省");
        var memo = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-memo", change: f => f["custom_mark"] = "请用顺丰");
        var tax = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-tax", change: f => { f["is_tax"] = "true"; f["tax_title"] = "某公司"; });
        var tooMany = await k.PushAsync([new Line(k.Orders.SA, 5)], member: "m-store");
        var far = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-far", change: f => f["consignee"] = JsonSerializer.Serialize(new
        {
            name = "王五", area_state = "广东省", area_city = "广州市", area_district = "天河区", addr = "体育西路 1 号", mobile = "13800000002",
        }));

        var results = (await k.AutoReviewAsync(memo.Id, tax.Id, tooMany.Id, far.Id)).ToDictionary(r => r.OrderId);
        Assert.All(results.Values, r => Assert.Equal(AutoReviewOutcome.Held, r.Outcome));
        Assert.Equal(ReviewFlags.Flag, results[memo.Id].Blocking);
        Assert.Equal(ReviewFlags.Tax, results[tax.Id].Blocking);
        Assert.Equal(ReviewFlags.Store, results[tooMany.Id].Blocking);
        Assert.Equal(ReviewFlags.Arrived, results[far.Id].Blocking);
        Assert.Equal((long)(ReviewFlags.Flag | ReviewFlags.Single), (await k.OrderAsync(memo.Id)).AutoStatus);
        Assert.Contains(await k.Orders.LogAsync(memo.Id), l => l.Action == "review.auto" && l.Text.Contains("留言"));
        Assert.Contains(await k.Orders.LogAsync(tooMany.Id), l => l.Action == "review.auto" && l.Text.Contains("库存不足") && l.Text.Contains("需要 5"));
        Assert.All(results.Keys, id => Assert.Empty(k.DeliveriesOfAsync(id).Result));
        Assert.Equal(8, await k.ShopFreezeAsync(k.Orders.A));

        // held orders are not due again until they change (STORE: until its retry time)
        var due = await k.WithAsync(sp => sp.GetRequiredService<AutoReviewService>().DueAsync(10000));
        Assert.DoesNotContain(memo.Id, due);
        Assert.DoesNotContain(tooMany.Id, due);
        var state = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OrderReviewState>().AsNoTracking().SingleAsync(s => s.OrderId == tooMany.Id));
        Assert.NotNull(state.RetryAt);
        // a change of the order (a new buyer message) makes it due again
        await k.Orders.SuccAsync("ome.order.custom_mark_update", new Dictionary<string, string> { ["order_bn"] = memo.OrderBn, ["custom_mark"] = "改用中通" });
        Assert.Contains(memo.Id, await k.WithAsync(sp => sp.GetRequiredService<AutoReviewService>().DueAsync(10000)));

        // queued for an autorder task (the scan, one statement): not due while queued; what review found before is kept, and
        // an order never looked at gets its state row
        var fresh = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-fresh");
        Assert.Contains(fresh.Id, await k.WithAsync(sp => sp.GetRequiredService<AutoReviewService>().DueAsync(10000)));
        var until = new DateTime(2099, 1, 1, 8, 30, 0, DateTimeKind.Utc);
        await k.WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await sp.GetRequiredService<AutoReviewService>().MarkQueuedAsync([memo.Id, fresh.Id], until);
            await tx.CommitAsync();
            return 0;
        });
        var queued = await k.WithAsync(sp => sp.GetRequiredService<AutoReviewService>().DueAsync(10000));
        Assert.DoesNotContain(memo.Id, queued);
        Assert.DoesNotContain(fresh.Id, queued);
        var states = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OrderReviewState>().AsNoTracking()
            .Where(s => s.OrderId == memo.Id || s.OrderId == fresh.Id).ToDictionaryAsync(s => s.OrderId));
        Assert.All(states.Values, s => Assert.Equal(until, s.QueuedUntil));
        Assert.Equal((long)(ReviewFlags.Flag | ReviewFlags.Single), states[memo.Id].Flags);
        Assert.Equal(DateTime.MinValue, states[fresh.Id].SeenUpdatedAt);
        Assert.Equal(0, states[fresh.Id].Flags);
        Assert.False(states[fresh.Id].ManualOnly);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Orders_without_branch_or_carrier_are_held()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var nobody = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-nobranch");
        Assert.Equal(ReviewFlags.Branch, Assert.Single(await k.AutoReviewAsync(nobody.Id)).Blocking & ReviewFlags.Branch);
        await k.BranchAsync(stock: Stock((k.Orders.A, 5)));
        var noCarrier = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-nologi");
        var r = Assert.Single(await k.AutoReviewAsync(noCarrier.Id));
        Assert.Equal(ReviewFlags.Logi, r.Blocking);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Mergeable_orders_become_one_delivery_and_a_second_address_holds_the_member()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 10), (k.Orders.B, 10)));
        await k.LogisticsAsync(branch, "SF");
        var o1 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-merge");
        var o2 = await k.PushAsync([new Line(k.Orders.SB, 1)], member: "m-merge");
        var r = Assert.Single(await k.AutoReviewAsync(o1.Id, o2.Id));
        Assert.Equal(AutoReviewOutcome.Reviewed, r.Outcome);
        Assert.Equal(ReviewFlags.Multi, r.Flags);
        Assert.Equal([o1.Id, o2.Id], r.MergedOrderIds.Order().ToList());
        var d = Assert.Single(await k.DeliveriesOfAsync(o2.Id));
        Assert.Equal(2, d.ItemNum);

        var home = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-two");
        await k.PushAsync([new Line(k.Orders.SB, 1)], member: "m-two", address: "公司地址 8 号");
        Assert.Equal(ReviewFlags.Member, Assert.Single(await k.AutoReviewAsync(home.Id)).Blocking);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task With_split_by_branch_an_order_no_branch_can_fill_alone_ships_from_several()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var first = await k.BranchAsync(weight: 9, stock: Stock((k.Orders.A, 2), (k.Orders.B, 5)));
        var second = await k.BranchAsync(weight: 5, stock: Stock((k.Orders.A, 3)));
        await k.LogisticsAsync(first, "SF");
        await k.LogisticsAsync(second, "ZTO");
        var o = await k.PushAsync([new Line(k.Orders.SA, 4), new Line(k.Orders.SB, 1)], member: "m-split");
        Assert.Equal(ReviewFlags.Store, Assert.Single(await k.AutoReviewAsync(o.Id)).Blocking);

        await k.Orders.SetSettingAsync(AutoReviewService.SplitSetting, "true");
        try
        {
            var r = Assert.Single(await k.AutoReviewAsync(o.Id));
            Assert.Equal(AutoReviewOutcome.Reviewed, r.Outcome);
            var made = await k.DeliveriesOfAsync(o.Id);
            Assert.Equal(2, made.Count);
            var a = k.Orders.Basic[k.Orders.A];
            var b = k.Orders.Basic[k.Orders.B];
            var atFirst = made.Single(d => d.BranchId == first.Id);
            Assert.Equal([(a, 2), (b, 1)], atFirst.Items.OrderBy(i => i.BasicMaterialId).Select(i => (i.BasicMaterialId, i.Number)).ToList());
            Assert.Equal("SF", atFirst.LogiCode);
            var atSecond = made.Single(d => d.BranchId == second.Id);
            Assert.Equal([(a, 2)], atSecond.Items.Select(i => (i.BasicMaterialId, i.Number)).ToList());
            Assert.Equal("ZTO", atSecond.LogiCode);
            Assert.Equal(ProcessStatus.Splited, (await k.OrderAsync(o.Id)).ProcessStatus);
            Assert.Equal((3, 2, 0, 0), await k.CountersAsync(second.Id, k.Orders.A));

            // more than all branches together: held, nothing written
            var tooMuch = await k.PushAsync([new Line(k.Orders.SA, 5)], member: "m-split-2");
            Assert.Equal(ReviewFlags.Store, Assert.Single(await k.AutoReviewAsync(tooMuch.Id)).Blocking);
            Assert.Empty(await k.DeliveriesOfAsync(tooMuch.Id));
            await k.AssertInvariantsAsync();
        }
        finally
        {
            await k.Orders.SetSettingAsync(AutoReviewService.SplitSetting, "false");
        }
    }

    [Fact]
    public async Task Racing_orders_for_one_sku_never_reserve_a_unit_twice_with_two_reviewers()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 120)));
        await k.LogisticsAsync(branch, "SF");
        var ids = new long[200];
        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            ids[i] = (await k.PushAsync([new Line(k.Orders.SA, 1)], member: "race-" + i)).Id);

        var two = await Task.WhenAll(k.AutoReviewAsync(ids), k.AutoReviewAsync(ids.Reverse().ToArray()));
        var reviewed = two.SelectMany(x => x).Where(r => r.Outcome == AutoReviewOutcome.Reviewed).ToList();
        Assert.Equal(120, reviewed.Count);
        Assert.Equal(120, reviewed.Select(r => r.OrderId).Distinct().Count());
        Assert.Equal((120, 120, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal(80, await k.ShopFreezeAsync(k.Orders.A));
        var flagged = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Order>().AsNoTracking()
            .CountAsync(o => ids.Contains(o.Id) && !o.Confirmed && (o.AutoStatus & (long)ReviewFlags.Store) != 0));
        Assert.Equal(80, flagged);
        var deliveries = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<DeliveryOrderItem>().AsNoTracking()
            .Where(x => ids.Contains(x.OrderId)).GroupBy(x => x.OrderId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(120, deliveries.Count);
        Assert.All(deliveries, n => Assert.Equal(1, n));
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteAutoReviewTests(SqliteServerFixture server) : AutoReviewTests<SqliteServerFixture>(server);

public sealed class PostgresAutoReviewTests(PostgresServerFixture server) : AutoReviewTests<PostgresServerFixture>(server);

/// <summary>
/// DOMAIN.md §5 from outside: with <c>review.auto_enabled</c> and no buffer, an order pushed to <c>/api</c> becomes a
/// delivery without human action, and <c>stock.getBnStock</c> shows its freeze moved from the shop to the branch.
/// (A fixture of its own: the setting turns the background review on for the whole database.)
/// </summary>
public abstract class AutoReviewEndToEndTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task A_pushed_order_is_reviewed_in_the_background()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        await k.LogisticsAsync(branch, "SF");
        await k.Orders.SetSettingAsync("review.auto_enabled", "true");
        var o = await k.PushAsync([new Line(k.Orders.SA, 3)], member: "m-e2e");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<Delivery> made;
        while ((made = await k.DeliveriesOfAsync(o.Id)).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var d = Assert.Single(made);
        Assert.Equal(branch.Id, d.BranchId);

        var stock = await server.OpenApi.CallAsync("stock.getBnStock", new Dictionary<string, string> { ["product_bns"] = k.Orders.A });
        var row = stock.GetProperty("lists")[0];
        Assert.Equal("0", row.GetProperty("shop_freeze").ToString());
        Assert.Equal("3", row.GetProperty("branch_freeze").ToString());
        Assert.Equal("7", row.GetProperty("available").ToString());
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteAutoReviewEndToEndTests(SqliteServerFixture server) : AutoReviewEndToEndTests<SqliteServerFixture>(server);

public sealed class PostgresAutoReviewEndToEndTests(PostgresServerFixture server) : AutoReviewEndToEndTests<PostgresServerFixture>(server);
