using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Fulfillment;
using Oms.Review;
using Oms.SelfWms;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.SelfWms;

/// <summary>Print, verify and the floor's consign front-ends through the services, on a real database.</summary>
public abstract class SelfWmsFloorTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public void Batch_numbers_have_the_manuals_shape()
    {
        Assert.Equal("1-41124-0003", PrintService.BatchNo(1, new DateTime(2014, 11, 24), 3));
        Assert.Equal("1-41124-0003_01", PrintService.ItemCode("1-41124-0003", 1));
        Assert.Equal("12-60105-0120_17", PrintService.ItemCode(PrintService.BatchNo(12, new DateTime(2026, 1, 5), 120), 17));
    }

    [Fact]
    public async Task Printing_sets_the_bits_and_printed_once_every_required_document_is_printed()
    {
        using var k = await FloorKit.CreateAsync(server);
        var d = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        await k.PrintAsync(d.Id, PrintDoc.Stock);
        Assert.Equal((PrintStatus.PickList, DeliveryProcess.New), await BitsAsync(k, d.Id));
        await k.PrintAsync(d.Id, PrintDoc.Delivery);
        Assert.Equal((PrintStatus.PickList | PrintStatus.DeliveryNote, DeliveryProcess.New), await BitsAsync(k, d.Id));
        await k.PrintAsync(d.Id, PrintDoc.Express, "SF-P-" + d.Id);
        Assert.Equal((PrintStatus.All, DeliveryProcess.Printed), await BitsAsync(k, d.Id));
        Assert.Equal("SF-P-" + d.Id, (await k.GetAsync(d.Id)).LogiNo);
        // a reprint keeps it printed
        await k.PrintAsync(d.Id, PrintDoc.Stock);
        Assert.Equal((PrintStatus.All, DeliveryProcess.Printed), await BitsAsync(k, d.Id));

        await k.Review.Orders.SetSettingAsync("print.required", "express");
        var e = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        await k.PrintAsync(e.Id, PrintDoc.Stock);
        Assert.Equal((PrintStatus.PickList, DeliveryProcess.New), await BitsAsync(k, e.Id));
        await k.PrintAsync(e.Id, PrintDoc.Express);
        Assert.Equal((PrintStatus.PickList | PrintStatus.Waybill, DeliveryProcess.Printed), await BitsAsync(k, e.Id));

        // print.required empty: nothing has to be printed, so any print makes it printed — and verification needs none
        await k.Review.Orders.SetSettingAsync("print.required", "");
        var f = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        await k.With<VerifyService, VerifyState>(v => v.OpenAsync(f.DeliveryBn));
        await k.PrintAsync(f.Id, PrintDoc.Delivery);
        Assert.Equal((PrintStatus.DeliveryNote, DeliveryProcess.Printed), await BitsAsync(k, f.Id));
    }

    [Fact]
    public async Task Print_batches_are_numbered_per_operator_and_day_with_two_digit_positions()
    {
        using var k = await FloorKit.CreateAsync(server);
        var single1 = await k.DeliveryAsync(new Line(k.Review.Orders.SB, 1));
        var single2 = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var multi = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 2));
        var op = Random.Shared.Next(1000, 900_000);
        var china = DateTime.UtcNow.Add(ChinaTime.Offset);
        var prefix = $"{op}-{china.Year % 10}{china.Month:D2}{china.Day:D2}-";

        var first = await k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([single1.Id, single2.Id], PrintMode.Single, op, "printer"));
        Assert.Equal(prefix + "0001", first.BatchNo);
        // single mode sorts by material: A before B
        Assert.Equal([(prefix + "0001_01", single2.Id), (prefix + "0001_02", single1.Id)],
            first.Items.OrderBy(i => i.Position).Select(i => (i.Code, i.DeliveryId)).ToList());

        var refused = await Assert.ThrowsAsync<DomainException>(() => k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([multi.Id], PrintMode.Single, op, "printer")));
        Assert.Contains("不是单品", refused.Message, StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<DomainException>(() => k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([single1.Id, multi.Id], PrintMode.Normal, op, "printer")));
        Assert.Contains(prefix + "0001_02", again.Message, StringComparison.Ordinal);

        var second = await k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([multi.Id], PrintMode.Multi, op, "printer"));
        Assert.Equal(prefix + "0002", second.BatchNo);
        Assert.Equal(prefix + "0002_01", Assert.Single(second.Items).Code);
        // another operator starts at 1
        var other = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var third = await k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([other.Id], PrintMode.Normal, op + 1, "printer"));
        Assert.Equal($"{op + 1}-{china.Year % 10}{china.Month:D2}{china.Day:D2}-0001", third.BatchNo);

        // printing the batch marks its deliveries; the pick list adds up the materials of the batch
        await k.With<PrintService, PrintOutcome>(p => p.PrintBatchAsync(first.Id, PrintDoc.Stock, "printer"));
        Assert.Equal(PrintStatus.PickList, (await k.GetAsync(single1.Id)).PrintStatus);
        Assert.Equal(PrintStatus.PickList, (await k.GetAsync(single2.Id)).PrintStatus);
        var sheet = await k.With<PrintSheets, PrintSheet>(s => s.SheetAsync(first.Id, PrintDoc.Stock));
        Assert.Equal([(k.A, 1, "01"), (k.B, 1, "02")], sheet.PickList.Select(p => (p.Bn, p.Number, p.Positions)).ToList());
        var html = new PrintLayouts(PrintLayouts.DefaultDirectory).Render(sheet, "a4", new Dictionary<string, string>());
        Assert.Contains(first.BatchNo, html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Scanning_counts_each_barcode_and_verifies_the_delivery_at_the_last_piece()
    {
        using var k = await FloorKit.CreateAsync(server);
        var d = await k.DeliveryAsync(new Line(k.Review.Orders.SAB, 1, 30m));   // A×1, B×2
        await k.PrintAllAsync(d.Id, FloorKit.NewLogiNo());
        var logiNo = (await k.GetAsync(d.Id)).LogiNo!;
        var open = await k.With<VerifyService, VerifyState>(v => v.OpenAsync(logiNo));
        Assert.Equal((d.Id, 0, 3), (open.Delivery.Id, open.Scanned, open.Total));

        var s1 = await k.With<VerifyService, VerifyState>(v => v.ScanAsync(d.Id, k.BarcodeA, "checker"));
        Assert.Equal(1, s1.Lines.Single(l => l.Bn == k.A).VerifyNum);
        Assert.False(s1.Complete);
        // B has no barcode: its bn is scanned
        await k.With<VerifyService, VerifyState>(v => v.ScanAsync(d.Id, k.B, "checker"));
        Assert.Equal(DeliveryProcess.Printed, (await k.GetAsync(d.Id)).ProcessStatus);
        // over-scan of A: refused, nothing changes
        var before = await k.SnapshotAsync(d.Id);
        var over = await Assert.ThrowsAsync<DomainException>(() => k.With<VerifyService, VerifyState>(v => v.ScanAsync(d.Id, k.BarcodeA, "checker")));
        Assert.Contains("多扫", over.Message, StringComparison.Ordinal);
        Assert.Equal(before, await k.SnapshotAsync(d.Id));

        var last = await k.With<VerifyService, VerifyState>(v => v.ScanAsync(d.Id, k.B, "checker"));
        Assert.True(last.Complete);
        var after = await k.GetAsync(d.Id);
        Assert.Equal(DeliveryProcess.Verified, after.ProcessStatus);
        Assert.All(after.Items, i => Assert.Equal(i.Number, i.VerifyNum));
    }

    [Fact]
    public async Task Every_verify_refusal_changes_nothing()
    {
        using var k = await FloorKit.CreateAsync(server);
        async Task Refused(long id, Func<VerifyService, Task> act, string expected)
        {
            var before = await k.SnapshotAsync(id);
            var e = await Assert.ThrowsAnyAsync<Exception>(() => k.With<VerifyService, int>(async v => { await act(v); return 0; }));
            Assert.True(e is DomainException or ValidationException, e.ToString());
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Equal(before, await k.SnapshotAsync(id));
        }

        // not printed as print.required demands
        var notPrinted = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 2));
        await k.PrintAsync(notPrinted.Id, PrintDoc.Stock);
        await Refused(notPrinted.Id, v => v.ScanAsync(notPrinted.Id, k.BarcodeA, "c"), "还没有打印发货单、快递单");
        await Refused(notPrinted.Id, v => v.VerifyAllAsync(notPrinted.Id, "c"), "还没有打印");

        var d = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 2));
        await k.PrintAllAsync(d.Id, FloorKit.NewLogiNo());
        await Refused(d.Id, v => v.ScanAsync(d.Id, "NO-SUCH-CODE", "c"), "条码 NO-SUCH-CODE 不是发货单");
        await Refused(d.Id, v => v.ScanAsync(d.Id, [(k.BarcodeA, 1), ("NOPE", 1)], "c"), "条码 NOPE");
        await Refused(d.Id, v => v.ScanAsync(d.Id, [(k.BarcodeA, 3)], "c"), "只需 2 件");
        await Refused(d.Id, v => v.ScanAsync(d.Id, k.B, "c"), "不是发货单");

        // paused
        await k.Review.DoAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Delivery>().Where(x => x.Id == d.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, DeliveryStatus.Pause)));
        await Refused(d.Id, v => v.ScanAsync(d.Id, k.BarcodeA, "c"), "已暂停");
        await k.Review.DoAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Delivery>().Where(x => x.Id == d.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, DeliveryStatus.Ready)));

        // cancelled (sent back)
        var cancelled = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        await k.PrintAllAsync(cancelled.Id, FloorKit.NewLogiNo());
        await k.Review.DoAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(cancelled.Id, "测试", "reviewer"));
        await Refused(cancelled.Id, v => v.ScanAsync(cancelled.Id, k.BarcodeA, "c"), "已撤销");
        await Refused(cancelled.Id, v => v.VerifyAllAsync(cancelled.Id, "c"), "已撤销");

        // verified already, then shipped
        await k.With<VerifyService, VerifyState>(v => v.VerifyAllAsync(d.Id, "c"));
        await Refused(d.Id, v => v.ScanAsync(d.Id, k.BarcodeA, "c"), "已校验完成");
        await k.With<FloorConsign, ConsignResult>(c => c.ConsignAsync(d.Id, null, null, "packer"));
        await Refused(d.Id, v => v.ScanAsync(d.Id, k.BarcodeA, "c"), "已发货");
        await Refused(d.Id, v => v.OpenAsync(d.DeliveryBn), "已发货");
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Group_verification_verifies_the_batch_and_names_what_it_refused_then_group_consign_ships_it()
    {
        using var k = await FloorKit.CreateAsync(server);
        var a = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var b = await k.DeliveryAsync(new Line(k.Review.Orders.SAB, 1, 30m));
        var c = await k.DeliveryAsync(new Line(k.Review.Orders.SB, 3));
        var batch = await k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([a.Id, b.Id, c.Id], PrintMode.Normal, 1, "printer"));
        foreach (var doc in PrintDocs.All)
            await k.With<PrintService, PrintOutcome>(p => p.PrintBatchAsync(batch.Id, doc, "printer",
                doc == PrintDoc.Express ? new Dictionary<long, string> { [a.Id] = FloorKit.NewLogiNo(), [b.Id] = FloorKit.NewLogiNo() } : null));
        await k.Review.DoAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(c.Id, "缺货", "reviewer"));

        var outcomes = await k.With<VerifyService, IReadOnlyList<FloorOutcome>>(v => v.VerifyBatchAsync(batch.Id, "checker"));
        Assert.Equal([(a.DeliveryBn, true), (b.DeliveryBn, true), (c.DeliveryBn, false)], outcomes.Select(o => (o.Code, o.Ok)).ToList());
        Assert.Contains("已撤销", outcomes[2].Error, StringComparison.Ordinal);
        Assert.Equal(DeliveryProcess.Verified, (await k.GetAsync(a.Id)).ProcessStatus);
        Assert.Equal(DeliveryProcess.Verified, (await k.GetAsync(b.Id)).ProcessStatus);
        Assert.All((await k.GetAsync(b.Id)).Items, i => Assert.Equal(i.Number, i.VerifyNum));

        var shipped = await k.With<FloorConsign, IReadOnlyList<ConsignOutcome>>(f => f.ConsignBatchAsync(batch.Id, "packer"));
        Assert.Equal([(a.Id, true), (b.Id, true)], shipped.Select(o => (o.DeliveryId, o.Shipped)).ToList());
        Assert.Equal(DeliveryStatus.Shipped, (await k.GetAsync(b.Id)).Status);
        Assert.Equal((48, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.A));
        Assert.Equal((48, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.B));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Batch_verification_and_batch_consign_run_as_background_jobs_with_an_answer_per_waybill()
    {
        using var k = await FloorKit.CreateAsync(server);
        var a = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var b = await k.DeliveryAsync(new Line(k.Review.Orders.SB, 2));
        var unprinted = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var la = FloorKit.NewLogiNo();
        await k.PrintAllAsync(a.Id, la);
        await k.PrintAllAsync(b.Id, FloorKit.NewLogiNo());
        var codes = FloorJobService.ParseCodes($"{la}\n{b.DeliveryBn}, {unprinted.DeliveryBn}\r\nNO-SUCH-WAYBILL\n{la}");
        Assert.Equal(4, codes.Count);

        var chk = await k.With<FloorJobService, FloorJob>(j => j.CreateAsync(FloorJobTypes.AutoCheck, codes, "checker"));
        var done = await WaitDoneAsync(k, chk.Id);
        Assert.Equal((FloorJobStatus.Done, 2, 2), (done.Status, done.Succeeded, done.Failed));
        Assert.Equal([FloorJobLineResult.Ok, FloorJobLineResult.Ok, FloorJobLineResult.Refused, FloorJobLineResult.Refused], done.Lines.Select(l => l.Result).ToList());
        Assert.Contains("还没有打印", done.Lines[2].Message, StringComparison.Ordinal);
        Assert.Contains("NO-SUCH-WAYBILL", done.Lines[3].Message, StringComparison.Ordinal);
        Assert.Equal(DeliveryProcess.Verified, (await k.GetAsync(a.Id)).ProcessStatus);
        Assert.Equal(DeliveryProcess.Verified, (await k.GetAsync(b.Id)).ProcessStatus);

        var dly = await k.With<FloorJobService, FloorJob>(j => j.CreateAsync(FloorJobTypes.AutoConsign, [la, unprinted.DeliveryBn, "NO-SUCH-WAYBILL", b.DeliveryBn], "packer"));
        var shipped = await WaitDoneAsync(k, dly.Id);
        Assert.Equal((2, 2), (shipped.Succeeded, shipped.Failed));
        Assert.Equal([FloorJobLineResult.Ok, FloorJobLineResult.Refused, FloorJobLineResult.Refused, FloorJobLineResult.Ok], shipped.Lines.Select(l => l.Result).ToList());
        Assert.Contains("还没有打印", shipped.Lines[1].Message, StringComparison.Ordinal);
        Assert.Contains("NO-SUCH-WAYBILL", shipped.Lines[2].Message, StringComparison.Ordinal);
        Assert.Equal([a.Id, unprinted.Id, (long?)null, b.Id], shipped.Lines.Select(l => l.DeliveryId).ToList());
        Assert.Equal(DeliveryStatus.Shipped, (await k.GetAsync(a.Id)).Status);
        Assert.Equal(DeliveryStatus.Shipped, (await k.GetAsync(b.Id)).Status);
        Assert.Equal(DeliveryStatus.Ready, (await k.GetAsync(unprinted.Id)).Status);
        Assert.Equal((49, 1, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.A));
        Assert.Equal((48, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.B));
        await k.AssertInvariantsAsync();
    }

    private static async Task<(PrintStatus, int)> BitsAsync(FloorKit k, long id)
    {
        var d = await k.GetAsync(id);
        return (d.PrintStatus, d.ProcessStatus);
    }

    /// <summary>The workers of the test host run the job; wait (bounded) until it says done.</summary>
    internal static async Task<FloorJob> WaitDoneAsync(FloorKit k, long jobId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = await k.With<FloorJobService, FloorJob?>(j => j.GetAsync(jobId));
            if (job!.Status == FloorJobStatus.Done) return job;
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} not done: {job.Succeeded} ok, {job.Failed} refused of {job.Total}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_user_with_only_delivery_operate_sees_the_floor_and_the_delivery_list_in_the_menu()
    {
        using var k = await FloorKit.CreateAsync(server);
        var name = "packer" + Guid.NewGuid().ToString("N")[..6];
        await k.Review.DoAsync(async sp =>
        {
            await sp.GetRequiredService<Oms.Admin.RoleService>().CreateAsync("role-" + name, null, [Oms.Admin.Permissions.DeliveryOperate]);
            await sp.GetRequiredService<Oms.Admin.UserService>().CreateAsync(name, "password-123", ["role-" + name]);
        });
        using var web = new Oms.Tests.Web.WebSession(server);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        var page = await web.GetAsync("/selfwms");
        Assert.Equal(System.Net.HttpStatusCode.OK, page.Status);
        Assert.Contains("href=\"/deliveries\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/selfwms/station\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/orders\"", page.Html, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await web.GetAsync("/deliveries")).Status);
    }

    [Fact]
    public async Task The_floor_tabs_count_deliveries_and_the_degrade_switch_turns_the_counts_off()
    {
        using var k = await FloorKit.CreateAsync(server);
        var d = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        using var web = new Oms.Tests.Web.WebSession(server);
        await web.LoginAsAdminAsync();
        var url = $"/selfwms?branch={k.Branch.Id}";
        var on = await web.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, on.Status);
        Assert.Matches("id=\"tab-to_print\"[^>]*>[^<]*<span class=\"count\">1</span>", on.Html);
        Assert.Contains(d.DeliveryBn, on.Html, StringComparison.Ordinal);
        await k.Review.Orders.SetSettingAsync("ui.tab_counts", "false");
        try
        {
            var off = await web.GetAsync(url);
            Assert.Contains("id=\"tab-to_print\"", off.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("class=\"count\"", off.Html, StringComparison.Ordinal);
            Assert.Contains(d.DeliveryBn, off.Html, StringComparison.Ordinal);
        }
        finally
        {
            await k.Review.Orders.SetSettingAsync("ui.tab_counts", "true");
        }
    }
}

public sealed class SqliteSelfWmsFloorTests(SqliteServerFixture server) : SelfWmsFloorTests<SqliteServerFixture>(server);

public sealed class PostgresSelfWmsFloorTests(PostgresServerFixture server) : SelfWmsFloorTests<PostgresServerFixture>(server);
