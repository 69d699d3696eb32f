using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Orders;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Orders;

/// <summary><c>ome.order.add</c> and the other shop-side methods through the real <c>/api</c> endpoint.</summary>
public abstract class OrderIntakeTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private readonly DateTime T0 = DateTime.UtcNow.AddMinutes(-30);

    [Fact]
    public async Task A_new_order_is_created_expanded_into_basic_materials_and_freezes_shop_stock()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        var data = await k.SuccAsync("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 2), new Line(k.SAB, 1, 100m), new Line(k.SG, 1, 0m, "gift")], T0));
        Assert.Equal(IntakeStates.Created, data.GetProperty("state").GetString());
        Assert.Equal(bn, data.GetProperty("order_bn").GetString());

        var o = await k.OrderAsync(bn);
        Assert.Equal(data.GetProperty("order_id").GetInt64(), o.Id);
        Assert.False(o.IsFail);
        Assert.Equal(OrderStatus.Active, o.Status);
        Assert.Equal(PayStatus.Paid, o.PayStatus);
        Assert.Equal("李四", o.ShipName);
        Assert.Equal("浙江省", o.ShipProvince);
        Assert.Equal("tb_lisi", o.MemberUname);
        Assert.Equal(3, o.Objects.Count);
        // SA×2 → A×2; SAB×1 → A×1 (60.00) + B×2 (40.00); SG → C×1 gift
        var combo = o.Objects.Single(x => x.Bn == k.SAB);
        var comboItems = o.Items.Where(i => i.ObjectId == combo.Id).OrderBy(i => i.Bn).ToList();
        Assert.Equal([(k.A, 1, 60m, "pkg"), (k.B, 2, 40m, "pkg")], comboItems.Select(i => (i.Bn, i.Quantity, i.Amount, i.ItemType)).ToList());
        Assert.Equal("gift", o.Items.Single(i => i.Bn == k.C).ItemType);
        Assert.Equal(3, await k.ShopFreezeAsync(k.A));
        Assert.Equal(2, await k.ShopFreezeAsync(k.B));
        Assert.Equal(1, await k.ShopFreezeAsync(k.C));
        var log = await k.LogAsync(o.Id);
        Assert.Equal("create", Assert.Single(log).Action);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_equal_or_older_modified_is_unchanged_and_freezes_nothing_twice()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        Assert.Equal(IntakeStates.Created, await k.PushOrderAsync(bn, [new Line(k.SA, 2)], T0));
        Assert.Equal(IntakeStates.Unchanged, await k.PushOrderAsync(bn, [new Line(k.SA, 2)], T0));
        Assert.Equal(IntakeStates.Unchanged, await k.PushOrderAsync(bn, [new Line(k.SA, 9)], T0.AddMinutes(-1)));
        Assert.Equal(1, await k.OrderCountAsync(bn));
        Assert.Equal(2, await k.ShopFreezeAsync(k.A));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_newer_push_with_nothing_new_is_unchanged_but_keeps_its_time_against_older_pushes()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 2)], T0);
        Assert.Equal(IntakeStates.Unchanged, await k.PushOrderAsync(bn, [new Line(k.SA, 2)], T0.AddMinutes(2)));
        // between the first and the stored time: older than what the shop last said, so ignored
        Assert.Equal(IntakeStates.Unchanged, await k.PushOrderAsync(bn, [new Line(k.SA, 5)], T0.AddMinutes(1)));
        Assert.Equal(2, await k.ShopFreezeAsync(k.A));
        Assert.Single(await k.LogAsync((await k.OrderAsync(bn)).Id));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_repeated_task_gets_the_first_answer_byte_for_byte()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        var form = k.Form("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 1)], T0), "same-task-" + bn);
        var (first, _) = await k.Matrix.PostAsync(form);
        var (second, _) = await k.Matrix.PostAsync(form);
        Assert.Equal(first, second);
        Assert.Contains("\"state\":\"created\"", first);
        Assert.Equal(1, await k.ShopFreezeAsync(k.A));
    }

    [Fact]
    public async Task A_newer_push_changing_lines_moves_exactly_the_freeze_difference()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 2, Oid: "1"), new Line(k.SB, 3, Oid: "2")], T0);
        Assert.Equal((2, 3), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));

        // line 1 unchanged, line 2 quantity 3 → 1, a new combination line
        Assert.Equal(IntakeStates.Updated, await k.PushOrderAsync(bn, [new Line(k.SA, 2, Oid: "1"), new Line(k.SB, 1, Oid: "2"), new Line(k.SAB, 1, Oid: "3")], T0.AddMinutes(1)));
        Assert.Equal((3, 3), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));
        var o = await k.OrderAsync(bn);
        Assert.Equal(3, o.Objects.Count(x => !x.Deleted));
        Assert.Single(o.Objects, x => x.Deleted);
        Assert.Equal([k.SA, k.SB, k.SAB], o.Objects.Where(x => !x.Deleted).OrderBy(x => x.Position).Select(x => x.Bn).ToList());

        // the combination goes away, address changes
        Assert.Equal(IntakeStates.Updated, await k.PushOrderAsync(bn, [new Line(k.SA, 2, Oid: "1"), new Line(k.SB, 1, Oid: "2")], T0.AddMinutes(2), address: "新地址 9 号"));
        Assert.Equal((2, 1), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));
        o = await k.OrderAsync(bn);
        Assert.Equal("新地址 9 号", o.ShipAddr);
        Assert.False(o.Abnormal);
        var log = await k.LogAsync(o.Id);
        Assert.Contains(log, l => l.Action == "update" && l.Text.Contains("新地址 9 号", StringComparison.Ordinal));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Dead_cancels_an_unpaid_order_and_releases_its_freeze_but_a_paid_order_is_refused()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var unpaid = k.NewBn();
        await k.PushOrderAsync(unpaid, [new Line(k.SA, 4)], T0, payStatus: "0");
        Assert.Equal(4, await k.ShopFreezeAsync(k.A));
        Assert.Equal(IntakeStates.Updated, await k.PushOrderAsync(unpaid, [new Line(k.SA, 4)], T0.AddMinutes(1), payStatus: "0", status: "dead"));
        var o = await k.OrderAsync(unpaid);
        Assert.Equal(OrderStatus.Dead, o.Status);
        Assert.Equal(ProcessStatus.Cancel, o.ProcessStatus);
        Assert.Equal(0, await k.ShopFreezeAsync(k.A));
        // a later push does not revive it
        Assert.Equal(IntakeStates.Unchanged, await k.PushOrderAsync(unpaid, [new Line(k.SA, 4)], T0.AddMinutes(2), payStatus: "0"));
        Assert.Equal(0, await k.ShopFreezeAsync(k.A));

        var paid = k.NewBn();
        await k.PushOrderAsync(paid, [new Line(k.SA, 1)], T0);
        var msg = await k.Matrix.FailAsync(k.Form("ome.order.status_update", new Dictionary<string, string> { ["order_bn"] = paid, ["status"] = "dead" }), MatrixCodes.BusinessRefused);
        Assert.Contains("refund", msg, StringComparison.Ordinal);
        msg = await k.Matrix.FailAsync(k.Form("ome.order.add", OrderIntakeKit.OrderFields(paid, [new Line(k.SA, 7)], T0.AddMinutes(1), status: "dead")), MatrixCodes.BusinessRefused);
        Assert.Contains("paid", msg, StringComparison.Ordinal);
        o = await k.OrderAsync(paid);
        Assert.Equal(OrderStatus.Active, o.Status);
        Assert.Equal(1, o.Items.Single().Quantity);
        Assert.Equal(1, await k.ShopFreezeAsync(k.A));

        // status_update on an unpaid order works too; only dead is accepted
        var other = k.NewBn();
        await k.PushOrderAsync(other, [new Line(k.SB, 2)], T0, payStatus: "0");
        await k.Matrix.FailAsync(k.Form("ome.order.status_update", new Dictionary<string, string> { ["order_bn"] = other, ["status"] = "finish" }), MatrixCodes.BusinessRefused);
        var data = await k.SuccAsync("ome.order.status_update", new Dictionary<string, string> { ["order_bn"] = other, ["status"] = "dead" });
        Assert.Equal(IntakeStates.Updated, data.GetProperty("state").GetString());
        Assert.Equal(0, await k.ShopFreezeAsync(k.B));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_unmatched_code_makes_a_failed_order_that_freezes_nothing_until_it_is_re_matched()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        var missing = k.Prefix + "NEW-SKU";
        Assert.Equal(IntakeStates.Failed, await k.PushOrderAsync(bn, [new Line(k.SA, 2), new Line(missing, 1)], T0));
        var o = await k.OrderAsync(bn);
        Assert.True(o.IsFail);
        Assert.Equal([k.SA, missing], o.Objects.OrderBy(x => x.Position).Select(x => x.Bn).ToList());
        Assert.Empty(o.Items);
        Assert.Equal(0, await k.ShopFreezeAsync(k.A));
        Assert.Contains(missing, (await k.LogAsync(o.Id)).Single().Text, StringComparison.Ordinal);
        await k.AssertInvariantsAsync();

        // still unmatched: re-match says which code
        var first = await RematchAsync(o.Id);
        Assert.False(first.Matched);
        Assert.Contains(first.Unmatched, u => u.Contains(missing, StringComparison.Ordinal));

        await using (var scope = server.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SalesMaterialService>().CreateAsync(
                new SalesMaterialInput(missing, "新商品", SalesMaterialType.Normal, [new BindingPart(k.B, 1, null)]), "test");
        var second = await RematchAsync(o.Id);
        Assert.True(second.Matched);
        o = await k.OrderAsync(bn);
        Assert.False(o.IsFail);
        Assert.Equal((2, 1), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));
        await k.AssertInvariantsAsync();
        await Assert.ThrowsAsync<Oms.Common.DomainException>(() => RematchAsync(o.Id));
    }

    [Fact]
    public async Task A_normal_order_whose_update_brings_an_unknown_code_becomes_failed_and_releases_its_freeze()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 2)], T0);
        Assert.Equal(IntakeStates.Failed, await k.PushOrderAsync(bn, [new Line(k.SA, 2), new Line(k.Prefix + "NOPE", 1)], T0.AddMinutes(1)));
        Assert.Equal(0, await k.ShopFreezeAsync(k.A));
        await k.AssertInvariantsAsync();
        // the shop corrects the line: a normal order again
        Assert.Equal(IntakeStates.Updated, await k.PushOrderAsync(bn, [new Line(k.SA, 2), new Line(k.SB, 1)], T0.AddMinutes(2)));
        Assert.Equal((2, 1), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));
        Assert.False((await k.OrderAsync(bn)).IsFail);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Twenty_concurrent_pushes_of_one_order_make_one_order_and_one_freeze()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        var fields = OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 2), new Line(k.SAB, 1)], T0);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => k.Matrix.PostAsync(k.Form("ome.order.add", fields))));
        var states = answers.Select(a => a.Answer.GetProperty("data").GetProperty("state").GetString()).ToList();
        Assert.Equal(1, states.Count(s => s == IntakeStates.Created));
        Assert.Equal(19, states.Count(s => s == IntakeStates.Unchanged));
        Assert.Equal(1, await k.OrderCountAsync(bn));
        Assert.Equal((3, 2), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));

        // 20 concurrent updates with different modified times: the newest wins, whatever the arrival order
        var updates = Enumerable.Range(1, 20).Select(i => OrderIntakeKit.OrderFields(bn, [new Line(k.SA, i)], T0.AddSeconds(i))).ToList();
        await Task.WhenAll(updates.Select(u => k.Matrix.PostAsync(k.Form("ome.order.add", u))));
        var o = await k.OrderAsync(bn);
        Assert.Equal(20, o.Items.Where(i => !i.Deleted).Sum(i => i.Quantity));
        Assert.Equal((20, 0), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Bad_parameters_are_4006_naming_the_field_and_write_nothing()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        async Task Refused(Action<Dictionary<string, string>> change, string field)
        {
            var f = OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 1)], T0);
            change(f);
            var msg = await k.Matrix.FailAsync(k.Form("ome.order.add", f), MatrixCodes.InvalidParameters);
            Assert.Contains(field, msg, StringComparison.Ordinal);
        }
        await Refused(f => f.Remove("order_bn"), "order_bn");
        await Refused(f => f["order_bn"] = new string('x', 65), "order_bn");
        await Refused(f => f.Remove("order_objects"), "order_objects");
        await Refused(f => f["order_objects"] = "[", "order_objects");
        await Refused(f => f["order_objects"] = "[]", "order_objects");
        await Refused(f => f["order_objects"] = """[{"bn":"X","quantity":"0"}]""", "order_objects[0].quantity");
        await Refused(f => f["order_objects"] = """[{"quantity":"1"}]""", "order_objects[0].bn");
        await Refused(f => f["order_objects"] = """[{"bn":"X","quantity":"1","price":"abc"}]""", "order_objects[0].price");
        await Refused(f => { f.Remove("modified"); }, "modified");
        await Refused(f => f["pay_status"] = "9", "pay_status");
        await Refused(f => f["status"] = "gone", "status");
        await Refused(f => f["consignee"] = "[1]", "consignee");
        await Refused(f => f["total_amount"] = "-1", "total_amount");
        Assert.Equal(0, await k.OrderCountAsync(bn));

        var msg = await k.Matrix.FailAsync(k.Form("ome.order.pay_status_update", new Dictionary<string, string> { ["order_bn"] = "nope-" + bn, ["pay_status"] = "1" }), MatrixCodes.BusinessRefused);
        Assert.Contains("does not exist", msg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payment_status_memos_and_payments_update_the_order_and_its_log()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 1, 50m)], T0, payStatus: "0");
        var o = await k.OrderAsync(bn);
        Assert.Null(o.PaidAt);

        var data = await k.SuccAsync("ome.payment.add", new Dictionary<string, string> { ["order_bn"] = bn, ["trade_no"] = "P1", ["money"] = "20", ["paymethod"] = "支付宝" });
        Assert.Equal(IntakeStates.Updated, data.GetProperty("state").GetString());
        o = await k.OrderAsync(bn);
        Assert.Equal((PayStatus.PartlyPaid, 20m), (o.PayStatus, o.Payed));
        data = await k.SuccAsync("ome.payment.add", new Dictionary<string, string> { ["order_bn"] = bn, ["trade_no"] = "P1", ["money"] = "20" });
        Assert.Equal(IntakeStates.Unchanged, data.GetProperty("state").GetString());
        await k.SuccAsync("ome.payment.add", new Dictionary<string, string> { ["order_bn"] = bn, ["trade_no"] = "P2", ["money"] = "30" });
        o = await k.OrderAsync(bn);
        Assert.Equal((PayStatus.Paid, 50m, 2), (o.PayStatus, o.Payed, o.Payments.Count));
        Assert.NotNull(o.PaidAt);

        await k.SuccAsync("ome.order.pay_status_update", new Dictionary<string, string> { ["order_bn"] = bn, ["pay_status"] = "6" });
        Assert.Equal(PayStatus.RefundApplied, (await k.OrderAsync(bn)).PayStatus);
        await k.SuccAsync("ome.order.memo_update", new Dictionary<string, string> { ["order_bn"] = bn, ["mark_text"] = "加急发顺丰", ["mark_type"] = "red" });
        await k.SuccAsync("ome.order.custom_mark_update", new Dictionary<string, string> { ["order_bn"] = bn, ["custom_mark"] = "请不要放发票" });
        o = await k.OrderAsync(bn);
        Assert.Equal(("加急发顺丰", "red", "请不要放发票"), (o.MarkText, o.MarkType, o.CustomMark));
        var actions = (await k.LogAsync(o.Id)).Select(l => l.Action).ToList();
        Assert.Equal(["create", "payment", "payment", "pay", "memo", "memo"], actions);
        await k.Matrix.FailAsync(k.Form("ome.order.memo_update", new Dictionary<string, string> { ["order_bn"] = bn }), MatrixCodes.InvalidParameters);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Refund_and_after_sale_requests_are_stored_whole_and_noted_on_the_order()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 1)], T0);
        var refund = new Dictionary<string, string> { ["refund_bn"] = "R-" + bn, ["order_bn"] = bn, ["money"] = "10", ["status"] = "WAIT_SELLER_AGREE", ["reason"] = "不想要了", ["oid"] = "1" };
        var data = await k.SuccAsync("ome.refund.add", refund);
        Assert.Equal(IntakeStates.Created, data.GetProperty("state").GetString());
        Assert.Equal(IntakeStates.Unchanged, (await k.SuccAsync("ome.refund.add", refund)).GetProperty("state").GetString());
        await k.SuccAsync("ome.refund.status_update", new Dictionary<string, string> { ["refund_bn"] = "R-" + bn, ["status"] = "SUCCESS" });
        await k.SuccAsync("ome.aftersalev2.add", new Dictionary<string, string> { ["aftersale_bn"] = "AS-" + bn, ["order_bn"] = bn, ["status"] = "1", ["items"] = """[{"bn":"x","num":1}]""" });
        // a request may arrive before its order
        await k.SuccAsync("ome.aftersale.add", new Dictionary<string, string> { ["aftersale_bn"] = "AS2-" + bn, ["order_bn"] = "later-" + bn });
        await k.Matrix.FailAsync(k.Form("ome.refund.add", new Dictionary<string, string> { ["order_bn"] = bn }), MatrixCodes.InvalidParameters);

        await using var scope = server.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<AfterSaleRequest>().AsNoTracking()
            .Where(r => r.ShopId == k.ShopId).OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(3, rows.Count);
        Assert.Equal(("SUCCESS", 10m, "不想要了"), (rows[0].Status, rows[0].Money, rows[0].Reason));
        using (var payload = JsonDocument.Parse(rows[1].Payload))
        {
            Assert.Equal("""[{"bn":"x","num":1}]""", payload.RootElement.GetProperty("items").GetString());
            Assert.False(payload.RootElement.TryGetProperty("sign", out _));
        }
        var log = await k.LogAsync((await k.OrderAsync(bn)).Id);
        Assert.Equal(3, log.Count(l => l.Action is AfterSaleKinds.Refund or AfterSaleKinds.AfterSale));
    }

    [Fact]
    public async Task Pick_one_takes_the_first_option_the_shop_can_sell()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SPick, 1)], T0);
        // no stock anywhere: the first option
        Assert.Equal(k.A, (await k.OrderAsync(bn)).Items.Single().Bn);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task With_async_intake_the_push_is_answered_queued_and_stored_by_a_worker()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        await k.SetSettingAsync("order.intake_async", "true");
        try
        {
            var bn = k.NewBn();
            var data = await k.SuccAsync("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 3)], T0));
            Assert.Equal(IntakeStates.Queued, data.GetProperty("state").GetString());
            Assert.False(data.TryGetProperty("order_id", out _));
            // bad input is still refused at once
            await k.Matrix.FailAsync(k.Form("ome.order.add", new Dictionary<string, string> { ["order_bn"] = bn }), MatrixCodes.InvalidParameters);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await k.OrderCountAsync(bn) == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.Equal(3, await k.ShopFreezeAsync(k.A));
            // a refused asynchronous push (dead for a paid order) lands on the order's log
            await k.SuccAsync("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 3)], T0.AddMinutes(1), status: "dead"));
            var id = (await k.OrderAsync(bn)).Id;
            while (!(await k.LogAsync(id)).Any(l => l.Action == "refused") && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.Contains(await k.LogAsync(id), l => l.Action == "refused");
            Assert.Equal(OrderStatus.Active, (await k.OrderAsync(bn)).Status);
            await k.AssertInvariantsAsync();
        }
        finally
        {
            await k.SetSettingAsync("order.intake_async", "false");
        }
    }

    private async Task<RematchResult> RematchAsync(long orderId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var r = await scope.ServiceProvider.GetRequiredService<OrderIntakeService>().RematchAsync(orderId, "test");
        await tx.CommitAsync();
        return r;
    }
}

public sealed class SqliteOrderIntakeTests(SqliteServerFixture server) : OrderIntakeTests<SqliteServerFixture>(server);

public sealed class PostgresOrderIntakeTests(PostgresServerFixture server) : OrderIntakeTests<PostgresServerFixture>(server);
