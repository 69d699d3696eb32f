using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.Review;

/// <summary>
/// The batch path of automatic review (<see cref="AutoReviewService.ReviewAsync"/> on a whole <c>autorder</c> batch): orders
/// competing for short stock inside one batch, a mixed batch (merge groups, held, reviewed) written set-wise, and — on
/// PostgreSQL, where two reviewers really run at once — the fallback when another reviewer takes the stock first.
/// </summary>
public abstract class AutoReviewBatchTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Orders_competing_for_short_stock_in_one_batch_get_it_in_id_order_and_the_rest_is_held_with_store()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 4 });
        await k.LogisticsAsync(branch, "SF");
        var ids = new List<long>();
        for (var i = 0; i < 6; i++) ids.Add((await k.PushAsync([new Line(k.Orders.SA, i == 1 ? 2 : 1)], member: "short-" + i)).Id);

        var results = (await k.AutoReviewAsync([.. ids])).ToDictionary(r => r.OrderId);
        // ascending id: 1 + 2 + 1 units fill the 4, then nothing is left for the last three
        Assert.Equal([AutoReviewOutcome.Reviewed, AutoReviewOutcome.Reviewed, AutoReviewOutcome.Reviewed, AutoReviewOutcome.Held, AutoReviewOutcome.Held,
            AutoReviewOutcome.Held], ids.Select(id => results[id].Outcome).ToList());
        Assert.All(ids.Skip(3), id => Assert.Equal(ReviewFlags.Store, results[id].Blocking));
        Assert.Equal((4, 4, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal(3, await k.ShopFreezeAsync(k.Orders.A));
        var log = await k.Orders.LogAsync(ids[5]);
        Assert.Contains(log, l => l.Action == "review.auto" && l.Text == $"自动审单未通过：仓库库存不足（仓库 {branch.Name} 物料 {k.Orders.A} 需要 1，可用 0）");
        var state = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OrderReviewState>().AsNoTracking().SingleAsync(s => s.OrderId == ids[5]));
        Assert.Equal((long)ReviewFlags.Store, state.Blocking);
        Assert.NotNull(state.RetryAt);
        Assert.Null(state.QueuedUntil);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_mixed_batch_merges_holds_and_reviews_with_the_fields_and_texts_of_the_single_path()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        await k.LogisticsAsync(branch, "SF");
        var m1 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "mix-merge");
        var single = await k.PushAsync([new Line(k.Orders.SA, 2), new Line(k.Orders.SB, 1)], member: "mix-single");
        var memo = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "mix-memo", change: f => f["custom_mark"] = "请尽快发货");
        var m2 = await k.PushAsync([new Line(k.Orders.SB, 3)], member: "mix-merge");
        var tooMany = await k.PushAsync([new Line(k.Orders.SB, 20)], member: "mix-store");

        // m2 is not in the batch: the merge group finds it all the same
        var results = (await k.AutoReviewAsync(m1.Id, single.Id, memo.Id, tooMany.Id)).ToDictionary(r => r.OrderId);
        Assert.Equal(4, results.Count);
        var merged = results[m1.Id];
        Assert.Equal(AutoReviewOutcome.Reviewed, merged.Outcome);
        Assert.Equal(ReviewFlags.Multi, merged.Flags);
        Assert.Equal([m1.Id, m2.Id], merged.MergedOrderIds.Order().ToList());
        Assert.Equal(AutoReviewOutcome.Reviewed, results[single.Id].Outcome);
        Assert.Equal(ReviewFlags.Single, results[single.Id].Flags);
        Assert.Equal(ReviewFlags.Flag, results[memo.Id].Blocking);
        Assert.Equal(ReviewFlags.Store, results[tooMany.Id].Blocking);

        var d = Assert.Single(await k.DeliveriesOfAsync(m2.Id));
        Assert.Equal(merged.DeliveryBn, d.DeliveryBn);
        Assert.StartsWith("D", d.DeliveryBn, StringComparison.Ordinal);
        Assert.EndsWith(d.Id.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), d.DeliveryBn, StringComparison.Ordinal);
        Assert.Equal((branch.Id, "SF", "SF 快递", "system", DeliveryStatus.Ready), (d.BranchId, d.LogiCode, d.LogiName, d.CreatedBy, d.Status));
        Assert.Equal((4, 2, false), (d.ItemNum, d.SkuNum, d.IsCod));
        Assert.Equal((m1.TotalAmount + m2.TotalAmount, "mix-merge", "李四", k.Mobile, "浙江省", "文三路 1 号"),
            (d.TotalAmount, d.MemberUname, d.ShipName, d.ShipMobile, d.ShipProvince, d.ShipAddr));
        var weights = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<BasicMaterial>().AsNoTracking()
            .Where(m => m.Id == k.Orders.Basic[k.Orders.A] || m.Id == k.Orders.Basic[k.Orders.B]).ToDictionaryAsync(m => m.Id, m => m.Weight));
        Assert.Equal(1 * weights[k.Orders.Basic[k.Orders.A]] + 3 * weights[k.Orders.Basic[k.Orders.B]], d.Weight);
        Assert.Equal([(k.Orders.Basic[k.Orders.A], k.Orders.A, 1), (k.Orders.Basic[k.Orders.B], k.Orders.B, 3)],
            d.Items.OrderBy(i => i.BasicMaterialId).Select(i => (i.BasicMaterialId, i.Bn, i.Number)).ToList());
        Assert.Equal(2, d.OrderItems.Count);
        foreach (var o in new[] { m1, m2 })
        {
            var after = await k.OrderAsync(o.Id);
            Assert.True(after.Confirmed);
            Assert.Equal(ProcessStatus.Splited, after.ProcessStatus);
            Assert.Equal((long)ReviewFlags.Multi, after.AutoStatus);
            Assert.All(after.Items, i => Assert.Equal(i.Quantity, i.SplitNum));
            Assert.Contains(await k.Orders.LogAsync(o.Id), l => l.Action == "delivery.create"
                && l.Text == $"生成发货单 {d.DeliveryBn}（仓库 {branch.Name}，物流 SF 快递，合并订单 {m1.OrderBn}、{m2.OrderBn}）");
            var state = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OrderReviewState>().AsNoTracking().SingleAsync(s => s.OrderId == o.Id));
            Assert.Equal((after.UpdatedAt, (long)ReviewFlags.Multi, 0L, (string?)null, (DateTime?)null), (state.SeenUpdatedAt, state.Flags, state.Blocking, state.Detail, state.RetryAt));
        }
        var one = Assert.Single(await k.DeliveriesOfAsync(single.Id));
        Assert.Equal(results[single.Id].DeliveryBn, one.DeliveryBn);
        Assert.Equal((3, 2), (one.ItemNum, one.SkuNum));
        Assert.Contains(await k.Orders.LogAsync(single.Id), l => l.Action == "delivery.create" && l.Text == $"生成发货单 {one.DeliveryBn}（仓库 {branch.Name}，物流 SF 快递）");

        var held = await k.OrderAsync(memo.Id);
        Assert.False(held.Confirmed);
        Assert.Equal((long)(ReviewFlags.Flag | ReviewFlags.Single), held.AutoStatus);
        Assert.Equal(memo.UpdatedAt, held.UpdatedAt);
        Assert.Contains(await k.Orders.LogAsync(memo.Id), l => l.Action == "review.auto" && l.Text == "自动审单未通过：有买家留言、卖家备注或旗标");
        var memoState = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OrderReviewState>().AsNoTracking().SingleAsync(s => s.OrderId == memo.Id));
        Assert.Equal((held.UpdatedAt, (long)ReviewFlags.Flag, (DateTime?)null), (memoState.SeenUpdatedAt, memoState.Blocking, memoState.RetryAt));
        Assert.Empty(await k.DeliveriesOfAsync(tooMany.Id));
        Assert.Equal((10, 3, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal((10, 4, 0, 0), await k.CountersAsync(branch.Id, k.Orders.B));

        // looked at again unchanged: no second log line (the flags did not change), nothing reviewed twice
        var again = (await k.AutoReviewAsync(m1.Id, single.Id, memo.Id, tooMany.Id)).ToDictionary(r => r.OrderId);
        Assert.Equal(AutoReviewOutcome.Skipped, again[m1.Id].Outcome);
        Assert.Equal(AutoReviewOutcome.Held, again[memo.Id].Outcome);
        Assert.Single(await k.Orders.LogAsync(memo.Id), l => l.Action == "review.auto");
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_third_party_group_is_reviewed_in_the_batch_with_one_push_per_delivery_and_its_freeze_moved()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 5 });
        await k.LogisticsAsync(branch, "SF");
        var channelBn = k.Orders.Prefix + "WMS";
        await k.DoAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            db.Add(new Oms.Wms.WmsChannel
            {
                ChannelBn = channelBn, Name = "第三方仓", Adapter = Oms.Wms.WmsAdapterNames.Matrix, Token = "tp-token",
                NodeId = "19" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            await db.Set<Oms.Warehouses.Branch>().Where(b => b.Id == branch.Id).ExecuteUpdateAsync(u => u.SetProperty(b => b.Wms, channelBn));
        });
        var m1 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "tp-merge");
        var m2 = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "tp-merge");
        var single = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "tp-single");

        var results = (await k.AutoReviewAsync(m1.Id, m2.Id, single.Id)).ToDictionary(r => r.OrderId);

        Assert.Equal(AutoReviewOutcome.Reviewed, results[m1.Id].Outcome);
        Assert.Equal([m1.Id, m2.Id], results[m1.Id].MergedOrderIds.Order().ToList());
        Assert.Equal(AutoReviewOutcome.Reviewed, results[single.Id].Outcome);
        var merged = Assert.Single(await k.DeliveriesOfAsync(m1.Id));
        var alone = Assert.Single(await k.DeliveriesOfAsync(single.Id));
        foreach (var (d, orders) in new[] { (merged, new[] { m1, m2 }), (alone, new[] { single }) })
        {
            Assert.Equal(branch.Id, d.BranchId);
            var (pushes, wms) = await k.WithAsync(async sp =>
            {
                var db = sp.GetRequiredService<OmsDbContext>();
                return (await db.Set<Oms.Outbox.OutboxMessage>().AsNoTracking().Where(m => m.BusinessKey == d.DeliveryBn).ToListAsync(),
                    await db.Set<Oms.Wms.DeliveryWms>().AsNoTracking().Where(x => x.DeliveryId == d.Id).ToListAsync());
            });
            var push = Assert.Single(pushes);
            Assert.Equal(Oms.Wms.WmsMethods.SaleOrderCreate, push.Method);
            var row = Assert.Single(wms);
            Assert.Equal(push.Id, row.PushRequestId);
            using var p = System.Text.Json.JsonDocument.Parse(push.Parameters);
            Assert.Equal(d.DeliveryBn, p.RootElement.GetProperty("out_order_code").GetString());
            Assert.Equal(branch.BranchBn, p.RootElement.GetProperty("warehouse_code").GetString());
            Assert.Equal(string.Join(",", orders.Select(o => o.OrderBn)), p.RootElement.GetProperty("trade_codes").GetString());
        }
        // shop freeze → branch freeze, exactly the three units
        Assert.Equal((5, 3, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_group_the_delivery_service_refuses_is_held_with_the_reason_and_the_rest_of_the_batch_goes_on()
    {
        using var good = await ReviewKit.CreateAsync(server);
        using var bad = await ReviewKit.CreateAsync(server);
        var branch = await good.BranchAsync(stock: new Dictionary<string, int> { [good.Orders.A] = 5 });
        await good.LogisticsAsync(branch, "SF");
        var lost = await bad.BranchAsync(stock: new Dictionary<string, int> { [bad.Orders.A] = 5 });
        await bad.LogisticsAsync(lost, "YTO");
        // a third-party branch whose WMS channel is gone: the batch hands it over, the delivery service refuses it
        await bad.DoAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            await db.Set<Oms.Warehouses.Branch>().Where(b => b.Id == lost.Id).ExecuteUpdateAsync(u => u.SetProperty(b => b.Wms, "GONE-" + lost.BranchBn));
        });
        var refused = await bad.PushAsync([new Line(bad.Orders.SA, 1)], member: "refused");
        var fine = await good.PushAsync([new Line(good.Orders.SA, 1)], member: "fine");

        var results = (await good.AutoReviewAsync(refused.Id, fine.Id)).ToDictionary(r => r.OrderId);

        Assert.Equal(AutoReviewOutcome.Reviewed, results[fine.Id].Outcome);
        Assert.Single(await good.DeliveriesOfAsync(fine.Id));
        Assert.True(results[refused.Id].Outcome == AutoReviewOutcome.Held, $"{results[refused.Id]}");
        Assert.Empty(await bad.DeliveriesOfAsync(refused.Id));
        var reason = $"生成发货单被拒绝：仓库 {lost.BranchBn} 的 WMS 渠道 GONE-{lost.BranchBn} 不存在";
        var state = await bad.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<OrderReviewState>().AsNoTracking().SingleAsync(s => s.OrderId == refused.Id));
        Assert.True(reason == state.Detail, $"{results[refused.Id]} {state.Detail} {state.Flags} {state.Blocking}");
        Assert.NotNull(state.RetryAt);
        Assert.Null(state.QueuedUntil);
        Assert.Contains(await bad.Orders.LogAsync(refused.Id), l => l.Action == "review.auto" && l.Text == "自动审单未通过：" + reason);
        // nothing of the refused group stayed: its stock still sits in the shop freeze
        Assert.Equal(1, await bad.ShopFreezeAsync(bad.Orders.A));
        await good.AssertInvariantsAsync();
        await bad.AssertInvariantsAsync();
    }
}

public sealed class SqliteAutoReviewBatchTests(SqliteServerFixture server) : AutoReviewBatchTests<SqliteServerFixture>(server);

public sealed class PostgresAutoReviewBatchTests(PostgresServerFixture server) : AutoReviewBatchTests<PostgresServerFixture>(server)
{
    private readonly PostgresServerFixture _server = server;

    /// <summary>
    /// Another reviewer creates a delivery from the same branch row while the batch decides on its snapshot: the batch's
    /// conditional move waits for it, then comes up short, and every group goes the per-group way — nothing reserved twice.
    /// (SQLite has one writer at a time: there the race cannot happen.)
    /// </summary>
    [Fact]
    public async Task A_batch_that_loses_the_stock_to_a_concurrent_reviewer_falls_back_group_by_group()
    {
        using var k = await ReviewKit.CreateAsync(_server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 4 });
        await k.LogisticsAsync(branch, "SF");
        var other = await k.PushAsync([new Line(k.Orders.SA, 2)], member: "race-other");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++) ids.Add((await k.PushAsync([new Line(k.Orders.SA, 1)], member: "race-batch-" + i)).Id);

        // the other reviewer: its delivery written, its transaction still open (it holds the branch_stock row)
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var item = (await k.OrderAsync(other.Id)).Items.Single();
        await scope.ServiceProvider.GetRequiredService<DeliveryService>().CreateAsync(new DeliveryDraft(branch.Id, null, [new DeliveryLine(item.Id, 2)]), "rival");

        var batch = k.AutoReviewAsync([.. ids]);
        // wait until the batch has read its snapshot (4 free) and waits for the row
        var waiting = false;
        for (var i = 0; i < 300 && !waiting && !batch.IsCompleted; i++)
        {
            await Task.Delay(100);
            waiting = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Database
                .SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%branch_stock%'")
                .SingleAsync()) > 0;
        }
        Assert.True(waiting, "the batch never waited for the branch row");
        await tx.CommitAsync();

        var results = (await batch).ToDictionary(r => r.OrderId);
        Assert.Equal([AutoReviewOutcome.Reviewed, AutoReviewOutcome.Reviewed, AutoReviewOutcome.Held], ids.Select(id => results[id].Outcome).ToList());
        Assert.Equal(ReviewFlags.Store, results[ids[2]].Blocking);
        Assert.Equal((4, 4, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));
        Assert.Equal(1, await k.ShopFreezeAsync(k.Orders.A));
        Assert.All(ids.Take(2), id => Assert.Single(k.DeliveriesOfAsync(id).Result));
        Assert.Empty(await k.DeliveriesOfAsync(ids[2]));
        await k.AssertInvariantsAsync();
    }
}
