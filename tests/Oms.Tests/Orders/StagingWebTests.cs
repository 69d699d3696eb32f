using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Channels;
using Oms.Data;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Web;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary>The staging area list (the rule in SQL, at a fixed moment) and its page over HTTP.</summary>
public abstract partial class StagingWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }

    private Task<Order> OrderAsync(Shop shop, string bn, Action<Order> change) =>
        new OrderBuilder(shop.Id, bn).Line("SKU").With(o => { o.PayStatus = PayStatus.Paid; o.Payed = 10; }).With(change).SaveAsync(S);

    [Fact]
    public async Task The_list_query_holds_exactly_the_orders_the_rule_holds_with_the_buffer_boundary()
    {
        var now = new DateTime(2025, 6, 1, 8, 0, 0, DateTimeKind.Utc);
        var shop = await ShopAsync(S);
        var p = Code("Q");
        DateTime Ago(int minutes, int seconds = 0) => now.AddMinutes(-minutes).AddSeconds(seconds);
        var released = await OrderAsync(shop, p + "-released", o => { o.ArrivedAt = Ago(10); o.PaidAt = Ago(10); });
        var edge = await OrderAsync(shop, p + "-edge", o => { o.ArrivedAt = Ago(10, 1); o.PaidAt = Ago(20); });
        var paidLate = await OrderAsync(shop, p + "-paidlate", o => { o.ArrivedAt = Ago(600); o.PaidAt = Ago(1); });
        var unpaid = await OrderAsync(shop, p + "-unpaid", o => { o.ArrivedAt = Ago(600); o.PayStatus = PayStatus.Unpaid; o.PaidAt = null; });
        var refunding = await OrderAsync(shop, p + "-refund", o => { o.ArrivedAt = Ago(600); o.PaidAt = Ago(600); o.PayStatus = PayStatus.RefundApplied; });
        var refunded = await OrderAsync(shop, p + "-refunded", o => { o.ArrivedAt = Ago(600); o.PaidAt = Ago(600); o.PayStatus = PayStatus.FullyRefunded; });
        await OrderAsync(shop, p + "-cod", o => { o.ArrivedAt = Ago(600); o.IsCod = true; o.PayStatus = PayStatus.Unpaid; o.PaidAt = null; });
        await OrderAsync(shop, p + "-failed", o => { o.ArrivedAt = Ago(1); o.IsFail = true; });
        await OrderAsync(shop, p + "-paused", o => { o.ArrivedAt = Ago(1); o.Pause = true; });
        await OrderAsync(shop, p + "-confirmed", o => { o.ArrivedAt = Ago(1); o.ProcessStatus = ProcessStatus.Confirmed; o.Confirmed = true; });
        await OrderAsync(shop, p + "-dead", o => { o.ArrivedAt = Ago(1); o.Status = OrderStatus.Dead; o.PayStatus = PayStatus.Unpaid; });
        Assert.NotEqual(0, released.Id);

        await using var scope = S.CreateAsyncScope();
        var staging = new StagingArea(scope.ServiceProvider.GetRequiredService<OmsDbContext>(), scope.ServiceProvider.GetRequiredService<SettingsService>(), new FixedClock(now));
        var all = await staging.ListAsync(new StagingFilter(shop.Id), null, ct: Ct);
        Assert.Equal([refunded.Id, refunding.Id, unpaid.Id, paidLate.Id, edge.Id], all.Items.Select(r => r.Id));
        Assert.Equal(
            [(StagingHold.FullyRefunded, (DateTime?)null), (StagingHold.Refunding, null), (StagingHold.Unpaid, null),
             (StagingHold.Buffer, now.AddMinutes(9)), (StagingHold.Buffer, now.AddSeconds(1))],
            all.Items.Select(r => (r.Verdict.Hold, r.Verdict.Until)));

        foreach (var (hold, expected) in new[]
                 {
                     (StagingHold.Buffer, new[] { paidLate.Id, edge.Id }), (StagingHold.Unpaid, [unpaid.Id]),
                     (StagingHold.Refunding, [refunding.Id]), (StagingHold.FullyRefunded, [refunded.Id]),
                 })
        {
            var rows = await staging.ListAsync(new StagingFilter(shop.Id, Hold: hold), null, ct: Ct);
            Assert.Equal(expected, rows.Items.Select(r => r.Id));
            Assert.All(rows.Items, r => Assert.Equal(hold, r.Verdict.Hold));
        }
        Assert.Equal([unpaid.Id], (await staging.ListAsync(new StagingFilter(shop.Id, OrderBn: p + "-unpaid"), null, ct: Ct)).Items.Select(r => r.Id));

        // one second later the edge order leaves the buffer; keyset paging walks the rest
        var later = new StagingArea(scope.ServiceProvider.GetRequiredService<OmsDbContext>(), scope.ServiceProvider.GetRequiredService<SettingsService>(), new FixedClock(now.AddSeconds(1)));
        var first = await later.ListAsync(new StagingFilter(shop.Id), null, pageSize: 2, ct: Ct);
        var second = await later.ListAsync(new StagingFilter(shop.Id), first.NextBefore, pageSize: 2, ct: Ct);
        Assert.Equal([refunded.Id, refunding.Id, unpaid.Id, paidLate.Id], first.Items.Concat(second.Items).Select(r => r.Id));
        Assert.Null(second.NextBefore);
    }

    [Fact]
    public async Task The_page_shows_each_held_order_with_its_reason_and_the_buffer_end()
    {
        var shop = await ShopAsync(S);
        var p = Code("W");
        var now = DateTime.UtcNow;
        var fresh = await OrderAsync(shop, p + "-fresh", o => { o.ArrivedAt = now.AddMinutes(-1); o.PaidAt = now.AddMinutes(-1); });
        var unpaid = await OrderAsync(shop, p + "-unpaid", o => { o.ArrivedAt = now.AddHours(-3); o.PayStatus = PayStatus.Unpaid; o.PaidAt = null; });
        var refunding = await OrderAsync(shop, p + "-refund", o => { o.ArrivedAt = now.AddHours(-3); o.PayStatus = PayStatus.Refunding; });
        var old = await OrderAsync(shop, p + "-old", o => { o.ArrivedAt = now.AddHours(-3); o.PaidAt = now.AddHours(-3); });

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var page = await web.GetAsync($"/orders/staging?shop={shop.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("订单暂存区", page.Html, StringComparison.Ordinal);
        Assert.Contains("订单缓冲时间 10 分钟", page.Html, StringComparison.Ordinal);
        var until = now.AddMinutes(9).AddHours(8);
        Assert.Matches("缓冲至 (\\d\\d-\\d\\d )?" + Regex.Escape(until.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)) + "|缓冲至 (\\d\\d-\\d\\d )?" +
                       Regex.Escape(until.AddMinutes(1).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)), Row(page.Html, $"staging-{fresh.Id}"));
        Assert.Contains("待付款", Row(page.Html, $"staging-{unpaid.Id}"), StringComparison.Ordinal);
        Assert.Contains("退款处理中", Row(page.Html, $"staging-{refunding.Id}"), StringComparison.Ordinal);
        Assert.DoesNotContain($"staging-{old.Id}\"", page.Html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/orders/{fresh.Id}\"", page.Html, StringComparison.Ordinal);

        var filtered = await web.GetAsync($"/orders/staging?shop={shop.Id}&reason=Unpaid");
        Assert.Contains($"staging-{unpaid.Id}\"", filtered.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"staging-{fresh.Id}\"", filtered.Html, StringComparison.Ordinal);

        // the detail page of a held order says so too
        var detail = await web.GetAsync($"/orders/{fresh.Id}");
        Assert.Contains("订单暂存区：缓冲至", detail.Html, StringComparison.Ordinal);

        await web.GetAsync("/culture?lang=en&returnUrl=/");
        var english = await web.GetAsync($"/orders/staging?shop={shop.Id}");
        Assert.Contains("Awaiting payment", english.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_orders_view_the_order_pages_are_403()
    {
        var name = "nostaging" + Guid.NewGuid().ToString("N")[..6];
        var shop = await ShopAsync(S);
        var order = await OrderAsync(shop, Code("N"), _ => { });
        await using (var scope = S.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.StockView], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/orders/staging")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/orders/failed")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync($"/orders/{order.Id}")).Status);
        var home = await web.GetAsync("/");
        Assert.DoesNotContain("href=\"/orders/staging\"", home.Html, StringComparison.Ordinal);
    }

    /// <summary>The HTML of the table row with <paramref name="id"/>.</summary>
    internal static string Row(string html, string id)
    {
        var m = Regex.Match(html, $"<tr id=\"{Regex.Escape(id)}\"[^>]*>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no row {id}");
        return m.Groups[1].Value;
    }
}

public sealed class SqliteStagingWebTests(SqliteServerFixture f) : StagingWebTests<SqliteServerFixture>(f);

public sealed class PostgresStagingWebTests(PostgresServerFixture f) : StagingWebTests<PostgresServerFixture>(f);
