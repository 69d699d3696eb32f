using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Review;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Tests.Web;

namespace Oms.Tests.Review;

/// <summary>
/// The manual-review screens over HTTP (待审核订单 /review, 审单 /review/{id}, 发货单 /deliveries) on orders pushed through
/// <c>/api</c>: the queue and its filters, every action and its effect, refusals shown with nothing changed, permissions,
/// the automatic review's reasons on the order list and detail; inventory invariants after each.
/// </summary>
public abstract class ReviewScreensWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static KeyValuePair<string, string> F(string k, string v) => new(k, v);
    private static KeyValuePair<string, string> F(string k, long v) => new(k, S(v));
    private static string Row(string html, string id) => StagingWebTests<TFixture>.Row(html, id);

    private static List<long> Ids(string html, string prefix) =>
        Regex.Matches(html, $"<tr id=\"{prefix}-(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    private static Dictionary<string, int> Stock(params (string Bn, int N)[] s) => s.ToDictionary(x => x.Bn, x => x.N);

    private async Task<WebSession> AdminAsync()
    {
        var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        return web;
    }

    /// <summary>Posts an action of a page (token read from <paramref name="page"/>), expects the redirect and returns the page it leads to.</summary>
    private static async Task<WebSession.Answer> ActAsync(WebSession web, string page, string action, params KeyValuePair<string, string>[] fields)
    {
        var token = WebSession.TokenIn((await web.GetAsync(page)).Html);
        var answer = await web.PostAsync(action, [.. fields, F("__RequestVerificationToken", token)]);
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"{action}: {answer.Status} {answer.Html}");
        var next = await web.GetAsync(answer.Location!);
        Assert.Equal(HttpStatusCode.OK, next.Status);
        return next;
    }

    private static string Result(string html)
    {
        var m = Regex.Match(html, "<div class=\"flash (ok|bad)\" id=\"[a-z-]*result\" role=\"status\">(.*?)</div>", RegexOptions.Singleline);
        Assert.True(m.Success, "no answer shown");
        return m.Groups[1].Value + ":" + m.Groups[2].Value.Trim();
    }

    [Fact]
    public async Task The_queue_lists_orders_waiting_for_review_with_filters_sorting_and_the_reasons_automatic_review_held_them()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 10)));
        await k.LogisticsAsync(branch, "SF");
        var ready = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        // another address: not in the ready order's merge group, whose flags automatic review would share
        var held = await k.PushAsync([new Line(k.Orders.SB, 1)], address: "文二路 2 号");
        var unpaid = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-unpaid", change: f => { f["pay_status"] = "0"; f["payed"] = "0"; });
        var paused = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var done = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var results = await k.AutoReviewAsync(held.Id);
        Assert.Equal(AutoReviewOutcome.Held, results.Single().Outcome);
        Assert.True(results.Single().Blocking.HasFlag(ReviewFlags.Store));
        await k.DoAsync(sp => sp.GetRequiredService<ReviewService>().PauseAsync(paused.Id, "等买家确认", "reviewer", Ct));
        await k.ConfirmAsync([done.Id], branch.Id);

        using var web = await AdminAsync();
        var list = await web.GetAsync($"/review?shop={k.Orders.ShopId}");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains("待审核订单", list.Html, StringComparison.Ordinal);
        Assert.Equal([paused.Id, held.Id, ready.Id], Ids(list.Html, "review"));
        Assert.DoesNotContain($"review-{unpaid.Id}\"", list.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"review-{done.Id}\"", list.Html, StringComparison.Ordinal);
        var heldRow = Row(list.Html, $"review-{held.Id}");
        Assert.Contains("仓库库存不足", heldRow, StringComparison.Ordinal);
        Assert.Contains("tag bad flag-store", heldRow, StringComparison.Ordinal);
        Assert.Contains($"href=\"/review/{held.Id}\"", heldRow, StringComparison.Ordinal);
        Assert.Contains("暂停", Row(list.Html, $"review-{paused.Id}"), StringComparison.Ordinal);
        Assert.DoesNotContain("flag-", Row(list.Html, $"review-{ready.Id}"), StringComparison.Ordinal);

        Assert.Equal([ready.Id, held.Id, paused.Id], Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}&sort=oldest")).Html, "review"));
        Assert.Equal([held.Id], Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}&held=1")).Html, "review"));
        Assert.Equal([held.Id], Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}&flag=Store")).Html, "review"));
        Assert.Empty(Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}&flag=Tax")).Html, "review"));
        Assert.Equal([ready.Id], Ids((await web.GetAsync($"/review?order_bn={ready.OrderBn}")).Html, "review"));
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/review/987654321")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/deliveries/987654321")).Status);
        // the navigation links the page
        Assert.Contains("href=\"/review\"", list.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/deliveries\"", list.Html, StringComparison.Ordinal);

        // keyset pages both ways
        await k.DoAsync(async sp =>
        {
            var q = sp.GetRequiredService<ReviewQueue>();
            var first = await q.ListAsync(new ReviewQueueFilter(k.Orders.ShopId, OldestFirst: true), null, 2, Ct);
            Assert.Equal([ready.Id, held.Id], first.Items.Select(r => r.Id));
            var second = await q.ListAsync(new ReviewQueueFilter(k.Orders.ShopId, OldestFirst: true), first.NextBefore, 2, Ct);
            Assert.Equal([paused.Id], second.Items.Select(r => r.Id));
            Assert.Null(second.NextBefore);
            var newest = await q.ListAsync(new ReviewQueueFilter(k.Orders.ShopId), null, 2, Ct);
            Assert.Equal([paused.Id, held.Id], newest.Items.Select(r => r.Id));
            Assert.Equal([ready.Id], (await q.ListAsync(new ReviewQueueFilter(k.Orders.ShopId), newest.NextBefore, 2, Ct)).Items.Select(r => r.Id));
        });
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_reviewer_confirms_an_order_merged_with_a_candidate_and_sees_the_new_delivery()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(weight: 10, stock: Stock((k.Orders.A, 10), (k.Orders.B, 10)));
        var other = await k.BranchAsync(weight: 1, stock: Stock((k.Orders.A, 1)));
        var sf = await k.LogisticsAsync(branch, "SF", priority: 5);
        var yto = await k.LogisticsAsync(branch, "YTO", priority: 1);
        var m1 = await k.PushAsync([new Line(k.Orders.SA, 2)], member: "m-merge");
        var m2 = await k.PushAsync([new Line(k.Orders.SB, 1)], member: "m-merge");
        var elsewhere = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-merge", address: "文一路 9 号");

        using var web = await AdminAsync();
        var page = await web.GetAsync($"/review/{m1.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(m1.OrderBn, page.Html, StringComparison.Ordinal);
        Assert.Contains($"id=\"merge-check-{m2.Id}\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"merge-{elsewhere.Id}\"", page.Html, StringComparison.Ordinal);
        Assert.Matches($"<option value=\"{branch.Id}\" selected=\"selected\">", page.Html);
        Assert.Matches($"<option value=\"{sf.Id}\" selected=\"selected\">", page.Html);
        // stock per candidate branch: free / store, short in the other one
        Assert.Contains("10 / 10", Row(page.Html, $"stock-{k.Orders.Basic[k.Orders.A]}"), StringComparison.Ordinal);
        Assert.Contains("class=\"num short\"", Row(page.Html, $"stock-{k.Orders.Basic[k.Orders.A]}"), StringComparison.Ordinal);
        Assert.Contains("2", Row(page.Html, $"line-{(await k.OrderAsync(m1.Id)).Items.Single().Id}"), StringComparison.Ordinal);
        // choosing another branch lists its carriers (none here)
        var otherPage = await web.GetAsync($"/review/{m1.Id}?branch={other.Id}");
        Assert.Matches($"<option value=\"{other.Id}\" selected=\"selected\">", otherPage.Html);
        var carriers = otherPage.Html[otherPage.Html.IndexOf("id=\"logistics\"", StringComparison.Ordinal)..];
        carriers = carriers[..carriers.IndexOf("</select>", StringComparison.Ordinal)];
        Assert.DoesNotContain($"<option value=\"{sf.Id}\"", carriers, StringComparison.Ordinal);

        // a "candidate" at another address (a forged form) is refused by the service, nothing changes
        var forged = await ActAsync(web, $"/review/{m1.Id}", $"/review/{m1.Id}?handler=Confirm",
            F("merge", elsewhere.Id), F("branch", branch.Id), F("logistics", sf.Id));
        Assert.StartsWith("bad:", Result(forged.Html), StringComparison.Ordinal);
        Assert.Contains("不能合并发货", Result(forged.Html), StringComparison.Ordinal);
        Assert.Empty(await k.DeliveriesOfAsync(m1.Id));
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync(branch.Id, k.Orders.A));

        var after = await ActAsync(web, $"/review/{m1.Id}", $"/review/{m1.Id}?handler=Confirm",
            F("merge", m2.Id), F("branch", branch.Id), F("logistics", yto.Id));
        var d = (await k.DeliveriesOfAsync(m1.Id)).Single();
        Assert.Equal($"ok:已生成发货单 {d.DeliveryBn}", Regex.Replace(Result(after.Html), "\\s*<a.*", "", RegexOptions.Singleline));
        Assert.Contains($"href=\"/deliveries/{d.Id}\" id=\"new-delivery\"", after.Html, StringComparison.Ordinal);
        Assert.Equal("YTO", d.LogiCode);
        Assert.Equal([m1.Id, m2.Id], d.OrderItems.Select(x => x.OrderId).Distinct().Order());
        Assert.Equal(d.Id, (await k.DeliveriesOfAsync(m2.Id)).Single().Id);
        Assert.Equal(ProcessStatus.Splited, (await k.OrderAsync(m2.Id)).ProcessStatus);
        Assert.Contains(d.DeliveryBn, Row(after.Html, $"delivery-{d.Id}"), StringComparison.Ordinal);
        // confirmed orders leave the queue
        var queue = await web.GetAsync($"/review?shop={k.Orders.ShopId}");
        Assert.Equal([elsewhere.Id], Ids(queue.Html, "review"));

        var deliveries = await web.GetAsync($"/deliveries?order_bn={m2.OrderBn}");
        Assert.Equal([d.Id], Ids(deliveries.Html, "delivery"));
        var row = Row(deliveries.Html, $"delivery-{d.Id}");
        Assert.Contains(m1.OrderBn, row, StringComparison.Ordinal);
        Assert.Contains(m2.OrderBn, row, StringComparison.Ordinal);
        Assert.Contains("YTO 快递", row, StringComparison.Ordinal);
        Assert.Contains("待处理", row, StringComparison.Ordinal);
        var detail = await web.GetAsync($"/deliveries/{d.Id}");
        Assert.Contains(d.DeliveryBn, detail.Html, StringComparison.Ordinal);
        Assert.Contains(k.Orders.A, Regex.Match(detail.Html, "id=\"delivery-items\".*?</table>", RegexOptions.Singleline).Value, StringComparison.Ordinal);
        Assert.Contains($"href=\"/orders/{m2.Id}\"", detail.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"revoke\"", detail.Html, StringComparison.Ordinal);
        // the order detail lists its delivery
        var orderPage = await web.GetAsync($"/orders/{m1.Id}");
        Assert.Contains($"href=\"/deliveries/{d.Id}\"", Regex.Match(orderPage.Html, "id=\"order-review\".*", RegexOptions.Singleline).Value, StringComparison.Ordinal);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Partial_deliveries_leave_the_order_splitting_until_the_remaining_lines_are_cancelled()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var b1 = await k.BranchAsync(weight: 5, stock: Stock((k.Orders.A, 10)));
        var b2 = await k.BranchAsync(weight: 1, stock: Stock((k.Orders.B, 5)));
        var o = await k.PushAsync([new Line(k.Orders.SA, 3), new Line(k.Orders.SB, 2)]);
        var items = (await k.OrderAsync(o.Id)).Items.ToDictionary(i => i.BasicMaterialId);
        var (itemA, itemB) = (items[k.Orders.Basic[k.Orders.A]].Id, items[k.Orders.Basic[k.Orders.B]].Id);
        using var web = await AdminAsync();
        var url = $"/review/{o.Id}";

        var first = await ActAsync(web, url, $"{url}?handler=Split", F("branch", b1.Id), F($"qty[{itemA}]", "3"), F($"qty[{itemB}]", ""));
        Assert.StartsWith("ok:已生成发货单", Result(first.Html), StringComparison.Ordinal);
        Assert.Equal(ProcessStatus.Splitting, (await k.OrderAsync(o.Id)).ProcessStatus);
        Assert.Equal([o.Id], Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}")).Html, "review"));

        // refusals: shown, nothing changed
        var notNumber = await ActAsync(web, url, $"{url}?handler=Split", F("branch", b2.Id), F($"qty[{itemB}]", "two"));
        Assert.Equal("bad:数量“two”不是整数", Result(notNumber.Html));
        var tooMany = await ActAsync(web, url, $"{url}?handler=Split", F("branch", b2.Id), F($"qty[{itemB}]", "3"));
        Assert.Contains("只剩 2 件未生成发货单", Result(tooMany.Html), StringComparison.Ordinal);
        var none = await ActAsync(web, url, $"{url}?handler=Split", F("branch", b2.Id), F($"qty[{itemB}]", "0"));
        Assert.Equal("bad:发货单至少要有一行明细", Result(none.Html));
        var noBranch = await ActAsync(web, url, $"{url}?handler=Split", F($"qty[{itemB}]", "1"));
        Assert.Equal("bad:请选择发货仓库", Result(noBranch.Html));
        Assert.Single(await k.DeliveriesOfAsync(o.Id));
        Assert.Equal((5, 0, 0, 0), await k.CountersAsync(b2.Id, k.Orders.B));

        // another branch for part of the rest, then the remainder is given up
        await ActAsync(web, url, $"{url}?handler=Split", F("branch", b2.Id), F($"qty[{itemB}]", "1"));
        var page = await web.GetAsync(url);
        Assert.Contains("id=\"cancel-remaining\"", page.Html, StringComparison.Ordinal);
        Assert.Equal(2, Ids(page.Html, "delivery").Count);
        var cancelled = await ActAsync(web, url, $"{url}?handler=CancelRemaining", F("reason", "缺货不等了"));
        Assert.Equal("ok:余单已撤销", Result(cancelled.Html));
        var after = await k.OrderAsync(o.Id);
        Assert.Equal(ProcessStatus.RemainCancel, after.ProcessStatus);
        Assert.Equal(1, after.Items.Single(i => i.Id == itemB).Quantity);
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.B));
        Assert.Equal((10, 3, 0, 0), await k.CountersAsync(b1.Id, k.Orders.A));
        Assert.Equal((5, 1, 0, 0), await k.CountersAsync(b2.Id, k.Orders.B));
        Assert.Empty(Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}")).Html, "review"));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Pause_resume_abnormal_and_cancel_change_the_order_and_refusals_show_the_reason()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 5)));
        var o = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        using var web = await AdminAsync();
        var url = $"/review/{o.Id}";

        var paused = await ActAsync(web, url, $"{url}?handler=Pause", F("reason", "等买家确认"));
        Assert.Equal("ok:订单已暂停", Result(paused.Html));
        Assert.Contains("id=\"paused\"", paused.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"resume\"", paused.Html, StringComparison.Ordinal);
        Assert.True((await k.OrderAsync(o.Id)).Pause);
        var refused = await ActAsync(web, url, $"{url}?handler=Confirm", F("branch", branch.Id));
        Assert.Equal($"bad:订单 {o.OrderBn} 已暂停", Result(refused.Html));
        Assert.Empty(await k.DeliveriesOfAsync(o.Id));
        Assert.Equal(2, await k.ShopFreezeAsync(k.Orders.A));
        Assert.Equal("ok:订单已恢复", Result((await ActAsync(web, url, $"{url}?handler=Resume")).Html));
        Assert.False((await k.OrderAsync(o.Id)).Pause);

        Assert.Equal("bad:请填写异常原因", Result((await ActAsync(web, url, $"{url}?handler=Abnormal", F("reason", " "))).Html));
        Assert.False((await k.OrderAsync(o.Id)).Abnormal);
        var abnormal = await ActAsync(web, url, $"{url}?handler=Abnormal", F("reason", "地址可疑"));
        Assert.Equal("ok:已标记异常", Result(abnormal.Html));
        Assert.Contains("地址可疑", Regex.Match(abnormal.Html, "id=\"abnormal\">[^<]*").Value, StringComparison.Ordinal);
        Assert.Equal("ok:已取消异常", Result((await ActAsync(web, url, $"{url}?handler=ClearAbnormal")).Html));
        Assert.False((await k.OrderAsync(o.Id)).Abnormal);

        Assert.Equal($"bad:订单 {o.OrderBn} 不是部分生成发货单的订单，没有余单可撤销", Result((await ActAsync(web, url, $"{url}?handler=CancelRemaining")).Html));
        var cancelled = await ActAsync(web, url, $"{url}?handler=Cancel", F("reason", "买家不要了"));
        Assert.Equal("ok:订单已取消", Result(cancelled.Html));
        var after = await k.OrderAsync(o.Id);
        Assert.Equal((OrderStatus.Dead, ProcessStatus.Cancel), (after.Status, after.ProcessStatus));
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        Assert.DoesNotContain("id=\"cancel\"", cancelled.Html, StringComparison.Ordinal);
        Assert.Contains(await k.Orders.LogAsync(o.Id), l => l.Action == "order.cancel" && l.Text.Contains("买家不要了", StringComparison.Ordinal));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Deliveries_are_filtered_and_revoked_from_the_list_the_detail_and_the_review_screen()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var b1 = await k.BranchAsync(stock: Stock((k.Orders.A, 10)));
        var b2 = await k.BranchAsync(stock: Stock((k.Orders.A, 10)));
        var o1 = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var o2 = await k.PushAsync([new Line(k.Orders.SA, 2)]);
        var o3 = await k.PushAsync([new Line(k.Orders.SA, 3)]);
        var d1 = await k.ConfirmAsync([o1.Id], b1.Id);
        var d2 = await k.ConfirmAsync([o2.Id], b2.Id);
        var d3 = await k.ConfirmAsync([o3.Id], b2.Id);
        using var web = await AdminAsync();

        Assert.Equal([d1.Id], Ids((await web.GetAsync($"/deliveries?branch={b1.Id}")).Html, "delivery"));
        Assert.Equal([d3.Id, d2.Id], Ids((await web.GetAsync($"/deliveries?branch={b2.Id}&status=ready")).Html, "delivery"));
        Assert.Equal([d2.Id], Ids((await web.GetAsync($"/deliveries?delivery_bn={d2.DeliveryBn}")).Html, "delivery"));
        Assert.Equal([d1.Id], Ids((await web.GetAsync($"/deliveries?order_bn={o1.OrderBn}")).Html, "delivery"));
        Assert.Empty(Ids((await web.GetAsync($"/deliveries?branch={b1.Id}&status=cancel")).Html, "delivery"));

        // from the detail page
        var revoked = await ActAsync(web, $"/deliveries/{d1.Id}", $"/deliveries/{d1.Id}?handler=Revoke", F("reason", "地址错"));
        Assert.Equal($"ok:发货单 {d1.DeliveryBn} 已打回，订单退回待审核", Result(revoked.Html));
        Assert.Contains("已撤销", Regex.Match(revoked.Html, "id=\"delivery-status\">[^<]*").Value, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"revoke\"", revoked.Html, StringComparison.Ordinal);
        Assert.Equal(ProcessStatus.Unconfirmed, (await k.OrderAsync(o1.Id)).ProcessStatus);
        Assert.Equal([d1.Id], Ids((await web.GetAsync($"/deliveries?branch={b1.Id}&status=cancel")).Html, "delivery"));
        var again = await ActAsync(web, $"/deliveries/{d2.Id}", $"/deliveries/{d1.Id}?handler=Revoke");
        Assert.Equal($"bad:发货单 {d1.DeliveryBn} 已撤销", Result(again.Html));

        // from the review screen of its order
        var fromReview = await ActAsync(web, $"/review/{o2.Id}", $"/review/{o2.Id}?handler=Revoke", F("delivery", d2.Id));
        Assert.Equal($"ok:发货单 {d2.DeliveryBn} 已打回，订单退回待审核", Result(fromReview.Html));
        Assert.Equal(ProcessStatus.Unconfirmed, (await k.OrderAsync(o2.Id)).ProcessStatus);

        // from the list, which comes back with its filters
        var token = WebSession.TokenIn((await web.GetAsync($"/deliveries?branch={b2.Id}")).Html);
        var post = await web.PostAsync($"/deliveries?branch={b2.Id}&handler=Revoke", [F("delivery", d3.Id), F("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.Redirect, post.Status);
        Assert.Equal($"/deliveries?branch={b2.Id}", post.Location);
        var list = await web.GetAsync(post.Location!);
        Assert.Equal($"ok:发货单 {d3.DeliveryBn} 已打回，订单退回待审核", Result(list.Html));
        Assert.Equal(DeliveryStatus.Cancel, (await k.DeliveriesOfAsync(o3.Id)).Single().Status);
        Assert.Equal([o3.Id, o2.Id, o1.Id], Ids((await web.GetAsync($"/review?shop={k.Orders.ShopId}")).Html, "review"));
        Assert.Equal(6, await k.ShopFreezeAsync(k.Orders.A));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Without_orders_review_the_screens_show_no_actions_and_posts_are_forbidden()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 10)));
        var o = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var confirmed = await k.PushAsync([new Line(k.Orders.SA, 1)]);
        var d = await k.ConfirmAsync([confirmed.Id], branch.Id);
        var name = "reviewviewer" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.OrdersView], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);

        var queue = await web.GetAsync($"/review?shop={k.Orders.ShopId}");
        Assert.Equal([o.Id], Ids(queue.Html, "review"));
        var page = await web.GetAsync($"/review/{o.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain("handler=", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("merge-check-", page.Html, StringComparison.Ordinal);
        var deliveryPage = await web.GetAsync($"/deliveries/{d.Id}");
        Assert.Equal(HttpStatusCode.OK, deliveryPage.Status);
        Assert.DoesNotContain("handler=Revoke", deliveryPage.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Revoke", (await web.GetAsync("/deliveries")).Html, StringComparison.Ordinal);

        var token = WebSession.TokenIn((await web.GetAsync("/account/password")).Html);
        foreach (var (action, fields) in new (string, KeyValuePair<string, string>[])[]
                 {
                     ($"/review/{o.Id}?handler=Confirm", [F("branch", branch.Id)]),
                     ($"/review/{o.Id}?handler=Pause", []),
                     ($"/review/{o.Id}?handler=Cancel", []),
                     ($"/review/{confirmed.Id}?handler=Revoke", [F("delivery", d.Id)]),
                     ($"/deliveries/{d.Id}?handler=Revoke", []),
                     ("/deliveries?handler=Revoke", [F("delivery", d.Id)]),
                 })
        {
            var post = await web.PostAsync(action, [.. fields, F("__RequestVerificationToken", token)]);
            Assert.True(post.Status == HttpStatusCode.Forbidden, $"{action}: {post.Status}");
        }
        Assert.Empty(await k.DeliveriesOfAsync(o.Id));
        var order = await k.OrderAsync(o.Id);
        Assert.Equal((OrderStatus.Active, false), (order.Status, order.Pause));
        Assert.Equal(DeliveryStatus.Ready, (await k.DeliveriesOfAsync(confirmed.Id)).Single().Status);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_order_list_and_detail_show_why_automatic_review_held_an_order()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: Stock((k.Orders.A, 1)));
        await k.LogisticsAsync(branch, "SF");
        var o = await k.PushAsync([new Line(k.Orders.SA, 3)]);
        var fresh = await k.PushAsync([new Line(k.Orders.SA, 1)], address: "文二路 2 号");
        Assert.Equal(AutoReviewOutcome.Held, (await k.AutoReviewAsync(o.Id)).Single().Outcome);
        using var web = await AdminAsync();

        var list = await web.GetAsync($"/orders?shop={k.Orders.ShopId}");
        Assert.Contains("仓库库存不足", Row(list.Html, $"order-{o.Id}"), StringComparison.Ordinal);
        Assert.DoesNotContain("review-flags", Row(list.Html, $"order-{fresh.Id}"), StringComparison.Ordinal);

        var detail = await web.GetAsync($"/orders/{o.Id}");
        var panel = Regex.Match(detail.Html, "id=\"order-review\".*", RegexOptions.Singleline).Value;
        Assert.Contains("仓库库存不足", Regex.Match(panel, "id=\"review-blocking\">.*?</dd>", RegexOptions.Singleline).Value, StringComparison.Ordinal);
        Assert.Contains("需要 3，可用 1", Regex.Match(panel, "id=\"review-detail\">.*?</dd>", RegexOptions.Singleline).Value, StringComparison.Ordinal);
        Assert.Matches("id=\"review-attempted\">\\d{4}-\\d\\d-\\d\\d ", panel);
        Assert.Matches("id=\"review-retry\">\\d{4}-\\d\\d-\\d\\d ", panel);
        Assert.Contains($"href=\"/review/{o.Id}\"", panel, StringComparison.Ordinal);
        Assert.Contains("id=\"review-never\"", (await web.GetAsync($"/orders/{fresh.Id}")).Html, StringComparison.Ordinal);
        var review = await web.GetAsync($"/review/{o.Id}");
        Assert.Contains("仓库库存不足", Regex.Match(review.Html, "id=\"review-auto\">.*?</div>", RegexOptions.Singleline).Value, StringComparison.Ordinal);
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteReviewScreensWebTests(SqliteServerFixture f) : ReviewScreensWebTests<SqliteServerFixture>(f);

public sealed class PostgresReviewScreensWebTests(PostgresServerFixture f) : ReviewScreensWebTests<PostgresServerFixture>(f);

/// <summary>The screens' flag texts are the readable reasons of <see cref="ReviewFlagText"/>, in Chinese.</summary>
public sealed class ReviewFlagResourceTests
{
    [Fact]
    public void Every_flag_has_its_readable_reason_as_ui_text()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Oms.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var zh = XDocument.Load(Path.Combine(dir.FullName, "src", "Oms.Server", "Resources", "SharedResource.resx")).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);
        Assert.All(ReviewFlagText.All, f => Assert.Equal(ReviewFlagText.Reason(f), zh["Review.Flag." + f]));
    }
}
