using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Channels;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Web;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary>The failed-order list (失败订单): which orders, their unmatched codes, filters, keyset paging, the page.</summary>
public abstract class FailedOrdersWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<Order> FailedAsync(Shop shop, string bn, params string[] unmatched)
    {
        var b = new OrderBuilder(shop.Id, bn).Paid().With(o => o.IsFail = true);
        foreach (var code in unmatched) b.Line(code);
        return b.SaveAsync(S);
    }

    private async Task<KeysetPage<FailedOrderRow>> ListAsync(FailedOrderFilter filter, long? before = null, int pageSize = 50)
    {
        await using var scope = S.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FailedOrderQuery>().ListAsync(filter, before, pageSize, Ct);
    }

    [Fact]
    public async Task Failed_orders_that_are_not_dead_are_listed_newest_first_with_their_unmatched_codes()
    {
        var shop = await ShopAsync(S);
        var other = await ShopAsync(S);
        var p = Code("F");
        var a = await FailedAsync(shop, p + "-a", "NOPE-1-" + p, "NOPE-2-" + p);
        var b = await FailedAsync(shop, p + "-b", "NOPE-1-" + p);
        var dead = await FailedAsync(shop, p + "-dead", "NOPE-1-" + p);
        await using (var scope = S.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await db.Set<Order>().Where(o => o.Id == dead.Id).ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, OrderStatus.Dead), Ct);
        }
        await new OrderBuilder(shop.Id, p + "-ok").Paid().Line("FINE").SaveAsync(S);
        var c = await FailedAsync(other, p + "-c", "NOPE-3-" + p);

        var mine = await ListAsync(new FailedOrderFilter(shop.Id));
        Assert.Equal([b.Id, a.Id], mine.Items.Select(r => r.Id));
        Assert.Equal(["NOPE-1-" + p, "NOPE-2-" + p], mine.Items[1].UnmatchedCodes);
        Assert.Equal(shop.Name, mine.Items[0].ShopName);

        Assert.Equal([a.Id], (await ListAsync(new FailedOrderFilter(OrderBn: p + "-a"))).Items.Select(r => r.Id));
        Assert.Equal([b.Id, a.Id], (await ListAsync(new FailedOrderFilter(Code: "NOPE-1-" + p))).Items.Select(r => r.Id));
        Assert.Equal([c.Id], (await ListAsync(new FailedOrderFilter(Code: "NOPE-3-" + p))).Items.Select(r => r.Id));
        Assert.Empty((await ListAsync(new FailedOrderFilter(shop.Id, Code: "NOPE-3-" + p))).Items);

        var first = await ListAsync(new FailedOrderFilter(Code: "NOPE-1-" + p), pageSize: 1);
        Assert.Equal([b.Id], first.Items.Select(r => r.Id));
        var second = await ListAsync(new FailedOrderFilter(Code: "NOPE-1-" + p), first.NextBefore, pageSize: 1);
        Assert.Equal([a.Id], second.Items.Select(r => r.Id));
        Assert.Null(second.NextBefore);

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var page = await web.GetAsync($"/orders/failed?shop={shop.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("失败订单", page.Html, StringComparison.Ordinal);
        var row = StagingWebTests<TFixture>.Row(page.Html, $"failed-{a.Id}");
        Assert.Contains("NOPE-1-" + p, row, StringComparison.Ordinal);
        Assert.Contains("NOPE-2-" + p, row, StringComparison.Ordinal);
        Assert.Contains($"href=\"/orders/{a.Id}\"", row, StringComparison.Ordinal);
        Assert.DoesNotContain($"failed-{c.Id}\"", page.Html, StringComparison.Ordinal);
        var byCode = await web.GetAsync($"/orders/failed?code=NOPE-3-{p}");
        Assert.Contains($"failed-{c.Id}\"", byCode.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"failed-{a.Id}\"", byCode.Html, StringComparison.Ordinal);
        // the navigation links the built pages
        Assert.Contains("href=\"/orders/failed\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/orders/staging\"", page.Html, StringComparison.Ordinal);
    }
}

/// <summary>
/// 重新匹配 over HTTP on orders pushed through <c>/api</c> (so stock is frozen for real and the inventory
/// invariants hold): fix the mapping, press re-match, the order leaves the failed list. A class of its own:
/// the invariants are checked on a database holding only pushed orders.
/// </summary>
public abstract class FailedOrdersRematchTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KeyValuePair<string, string> F(string k, string v) => new(k, v);

    [Fact]
    public async Task Fixing_the_mapping_and_pressing_rematch_takes_the_order_off_the_failed_list()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var missing = k.Prefix + "NEW";
        var never = k.Prefix + "NEVER";
        var t = new DateTime(2025, 5, 1, 1, 0, 0, DateTimeKind.Utc);
        var (bn1, bn2, bn3) = (k.NewBn(), k.NewBn(), k.NewBn());
        Assert.Equal(IntakeStates.Failed, await k.PushOrderAsync(bn1, [new Line(k.SA, 2), new Line(missing, 1)], t));
        Assert.Equal(IntakeStates.Failed, await k.PushOrderAsync(bn2, [new Line(never, 1)], t));
        Assert.Equal(IntakeStates.Failed, await k.PushOrderAsync(bn3, [new Line(missing, 1)], t));
        var (o1, o2, o3) = (await k.OrderAsync(bn1), await k.OrderAsync(bn2), await k.OrderAsync(bn3));
        Assert.Equal(0, await k.ShopFreezeAsync(k.A));

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var list = $"/orders/failed?shop={k.ShopId}";
        var page = await web.GetAsync(list);
        Assert.Equal([o3.Id, o2.Id, o1.Id], System.Text.RegularExpressions.Regex.Matches(page.Html, "<tr id=\"failed-(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(missing, StagingWebTests<TFixture>.Row(page.Html, $"failed-{o1.Id}"), StringComparison.Ordinal);
        Assert.DoesNotContain(k.SA + "<", StagingWebTests<TFixture>.Row(page.Html, $"failed-{o1.Id}"), StringComparison.Ordinal);
        Assert.Contains("hx-post=\"/orders/failed?handler=Rematch\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("本页全部重新匹配", page.Html, StringComparison.Ordinal);

        // not fixed yet: the order stays, the answer names the code
        var token = WebSession.TokenIn(page.Html);
        var still = await web.PostAsync("/orders/failed?handler=Rematch", [F("id", o1.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("shop", k.ShopId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.Redirect, still.Status);
        Assert.Equal(list, still.Location);
        var after = await web.GetAsync(still.Location!);
        Assert.Contains("仍有未匹配编码", after.Html, StringComparison.Ordinal);
        Assert.Contains(missing, after.Html, StringComparison.Ordinal);
        Assert.Contains($"failed-{o1.Id}\"", after.Html, StringComparison.Ordinal);

        // the merchant creates the sales material, then presses re-match
        await using (var scope = server.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Oms.Catalog.SalesMaterialService>().CreateAsync(
                new Oms.Catalog.SalesMaterialInput(missing, "新商品", Oms.Catalog.SalesMaterialType.Normal, [new Oms.Catalog.BindingPart(k.B, 1, null)]), "test", Ct);
        var matched = await web.PostAsync("/orders/failed?handler=Rematch", [F("id", o1.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("shop", k.ShopId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("__RequestVerificationToken", token)]);
        after = await web.GetAsync(matched.Location!);
        Assert.Contains($"订单 {o1.Id} 已匹配", after.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"failed-{o1.Id}\"", after.Html, StringComparison.Ordinal);
        Assert.False((await k.OrderAsync(bn1)).IsFail);
        Assert.Equal((2, 1), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));

        // the whole page: one more matches, one stays
        var pageWide = await web.PostAsync("/orders/failed?handler=RematchPage",
            [F("ids", o3.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("ids", o2.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("shop", k.ShopId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("__RequestVerificationToken", token)]);
        after = await web.GetAsync(pageWide.Location!);
        Assert.Contains("重新匹配 2 单：1 单已匹配，1 单仍未匹配", after.Html, StringComparison.Ordinal);
        Assert.Equal([o2.Id], System.Text.RegularExpressions.Regex.Matches(after.Html, "<tr id=\"failed-(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(2, await k.ShopFreezeAsync(k.B));

        // the order's detail shows the log of it, newest first
        var detail = await web.GetAsync($"/orders/{o1.Id}");
        Assert.Contains("重新匹配成功", detail.Html, StringComparison.Ordinal);
        Assert.True(detail.Html.IndexOf("重新匹配成功", StringComparison.Ordinal) < detail.Html.IndexOf("重新匹配：仍未匹配", StringComparison.Ordinal));
        Assert.DoesNotContain("未匹配</span>", StagingWebTests<TFixture>.Row(detail.Html, $"obj-{(await k.OrderAsync(bn1)).Objects.Single(o => o.Bn == missing).Id}"), StringComparison.Ordinal);
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Without_orders_edit_there_is_no_rematch_button_and_posting_is_403()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.Prefix + "NONE", 1)], new DateTime(2025, 5, 1, 1, 0, 0, DateTimeKind.Utc));
        var order = await k.OrderAsync(bn);
        var name = "failedviewer" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Oms.Admin.RoleService>().CreateAsync("role-" + name, null, [Oms.Admin.Permissions.OrdersView], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<Oms.Admin.UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        var page = await web.GetAsync($"/orders/failed?shop={k.ShopId}");
        Assert.Contains($"failed-{order.Id}\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Rematch", page.Html, StringComparison.Ordinal);
        var post = await web.PostAsync("/orders/failed?handler=Rematch", [F("id", order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))], tokenFrom: "/account/password");
        Assert.Equal(HttpStatusCode.Forbidden, post.Status);
        Assert.True((await k.OrderAsync(bn)).IsFail);
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqliteFailedOrdersRematchTests(SqliteServerFixture f) : FailedOrdersRematchTests<SqliteServerFixture>(f);

public sealed class PostgresFailedOrdersRematchTests(PostgresServerFixture f) : FailedOrdersRematchTests<PostgresServerFixture>(f);

public sealed class SqliteFailedOrdersWebTests(SqliteServerFixture f) : FailedOrdersWebTests<SqliteServerFixture>(f);

public sealed class PostgresFailedOrdersWebTests(PostgresServerFixture f) : FailedOrdersWebTests<PostgresServerFixture>(f);
