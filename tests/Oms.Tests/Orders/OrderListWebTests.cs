using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Oms.Admin;
using Oms.Data;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Web;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary>The order list page over real HTTP: tabs with counts, rows, filters, the degrade switch, the permission.</summary>
public abstract partial class OrderListWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_list_shows_tabs_with_counts_and_the_rows_of_the_chosen_tab_and_filter()
    {
        var shop = await ShopAsync(server.Services);
        var unpaid = await new OrderBuilder(shop.Id, Code("U")).With(o => o.CustomMark = "请尽快发货").Line("SKU-1", 3).SaveAsync(server.Services);
        var paid = await new OrderBuilder(shop.Id, Code("P")).Paid(88.5m).Line("SKU-2", 1).SaveAsync(server.Services);
        var failed = await new OrderBuilder(shop.Id, Code("X")).With(o => { o.IsFail = true; o.IsCod = true; }).SaveAsync(server.Services);
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();

        var page = await web.GetAsync($"/orders?shop={shop.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("3", TabCount(page.Html, "all"));
        Assert.Equal("1", TabCount(page.Html, "to_pay"));
        Assert.Equal("1", TabCount(page.Html, "to_process"));
        Assert.Equal("1", TabCount(page.Html, "failed"));
        Assert.Equal("0", TabCount(page.Html, "shipped"));
        Assert.Contains("待付款", page.Html, StringComparison.Ordinal);
        Assert.Equal([failed.Id, paid.Id, unpaid.Id], RowIds(page.Html));
        var row = Row(page.Html, $"order-{unpaid.Id}");
        Assert.Contains($"<a href=\"/orders/{unpaid.Id}\" hx-boost=\"false\">{unpaid.OrderBn}</a>", row, StringComparison.Ordinal);
        Assert.Contains("title=\"请尽快发货\"", row, StringComparison.Ordinal);
        Assert.Contains("未付款", row, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">3</td>", row, StringComparison.Ordinal);
        var paidRow = Row(page.Html, $"order-{paid.Id}");
        Assert.Contains("<td class=\"num payed\">88.50</td>", paidRow, StringComparison.Ordinal);
        Assert.Contains("已付款", paidRow, StringComparison.Ordinal);
        Assert.Contains("货到付款", Row(page.Html, $"order-{failed.Id}"), StringComparison.Ordinal);
        // the batch bar is there, its actions wait for order review
        Assert.Matches("<button type=\"button\" class=\"btn small\" disabled title=\"审单功能上线后可用\">审核</button>", page.Html);

        var tab = await web.GetAsync($"/orders?shop={shop.Id}&tab=failed");
        Assert.Equal([failed.Id], RowIds(tab.Html));
        Assert.Contains("id=\"tab-failed\" class=\"on\"", tab.Html, StringComparison.Ordinal);
        // tab links keep the filters and drop the page position
        Assert.Contains($"href=\"/orders?shop={shop.Id}&amp;tab=to_pay\"", tab.Html, StringComparison.Ordinal);

        // another filter: counts come from a bounded count of the matching orders
        var search = await web.GetAsync($"/orders?bn={Uri.EscapeDataString(paid.OrderBn + " " + failed.OrderBn)}");
        Assert.Equal([failed.Id, paid.Id], RowIds(search.Html));
        Assert.Equal("2", TabCount(search.Html, "all"));
        Assert.Equal("1", TabCount(search.Html, "to_process"));
        Assert.Equal("0", TabCount(search.Html, "to_pay"));

        // keyset pager: page size 20, 21 orders of a fresh shop
        var busy = await ShopAsync(server.Services);
        for (var i = 0; i < 21; i++) await new OrderBuilder(busy.Id, Code("K")).SaveAsync(server.Services);
        var first = await web.GetAsync($"/orders?shop={busy.Id}&size=20");
        Assert.Equal(20, RowIds(first.Html).Count);
        var next = Regex.Match(first.Html, "href=\"([^\"]+)\" rel=\"next\"");
        Assert.True(next.Success, "no next-page link");
        var second = await web.GetAsync(WebUtility.HtmlDecode(next.Groups[1].Value));
        Assert.Single(RowIds(second.Html));
        Assert.Empty(RowIds(first.Html).Intersect(RowIds(second.Html)));
    }

    [Fact]
    public async Task With_the_degrade_switch_off_the_tabs_show_no_counts()
    {
        var shop = await ShopAsync(server.Services);
        var order = await new OrderBuilder(shop.Id, Code("D")).SaveAsync(server.Services);
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();
        await settings.SetAsync("ui.tab_counts", "false", "test", Ct);
        try
        {
            var page = await web.GetAsync($"/orders?shop={shop.Id}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains("id=\"tab-to_pay\"", page.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("class=\"count\"", page.Html, StringComparison.Ordinal);
            Assert.Equal([order.Id], RowIds(page.Html));
        }
        finally
        {
            await settings.SetAsync("ui.tab_counts", "true", "test", Ct);
        }
        Assert.Equal("1", TabCount((await web.GetAsync($"/orders?shop={shop.Id}")).Html, "all"));
    }

    [Fact]
    public async Task A_user_without_orders_view_gets_403_and_one_with_it_sees_the_list()
    {
        var name = "clerk" + Guid.NewGuid().ToString("N")[..6];
        var viewer = "viewer" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleService>();
            var users = scope.ServiceProvider.GetRequiredService<UserService>();
            await roles.CreateAsync("role-" + name, null, [Permissions.StockView], ct: Ct);
            await users.CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
            await roles.CreateAsync("role-" + viewer, null, [Permissions.OrdersView], ct: Ct);
            await users.CreateAsync(viewer, "password-123", ["role-" + viewer], ct: Ct);
        }
        using (var web = new WebSession(server))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/orders")).Status);
            Assert.DoesNotContain("href=\"/orders\"", (await web.GetAsync("/inventory/stock")).Html, StringComparison.Ordinal);
        }
        using (var web = new WebSession(server))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(viewer, "password-123")).Status);
            var page = await web.GetAsync("/orders");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains("href=\"/orders\"", page.Html, StringComparison.Ordinal);
        }
    }

    private static string? TabCount(string html, string tab)
    {
        var m = Regex.Match(html, $"id=\"tab-{tab}\"[^>]*>[^<]*<span class=\"count\">([^<]*)</span>");
        return m.Success ? m.Groups[1].Value : null;
    }

    private static List<long> RowIds(string html) =>
        OrderRow().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static string Row(string html, string id)
    {
        var m = Regex.Match(html, $"<tr id=\"{Regex.Escape(id)}\"[^>]*>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no row {id}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    [GeneratedRegex("<tr id=\"order-(\\d+)\"")]
    private static partial Regex OrderRow();
}

public sealed class SqliteOrderListWebTests(SqliteServerFixture f) : OrderListWebTests<SqliteServerFixture>(f);

public sealed class PostgresOrderListWebTests(PostgresServerFixture f) : OrderListWebTests<PostgresServerFixture>(f);

/// <summary>The order list in a real browser: tabs and the order-number search swap the list through htmx.</summary>
public sealed class OrderListBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Switching_tab_and_searching_an_order_number_swap_the_list_in_place()
    {
        var shop = await ShopAsync(server.Services);
        var unpaid = await new OrderBuilder(shop.Id, Code("BU")).SaveAsync(server.Services);
        var paid = await new OrderBuilder(shop.Id, Code("BP")).Paid().SaveAsync(server.Services);
        var paid2 = await new OrderBuilder(shop.Id, Code("BQ")).Paid().SaveAsync(server.Services);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);

        await page.ClickAsync("details[data-group=Orders] summary");
        await page.ClickAsync(".nav a[href='/orders']");
        await page.WaitForURLAsync(u => u.EndsWith("/orders", StringComparison.Ordinal));
        // a marker on the window survives only if the page is not reloaded: htmx swaps #list
        await page.EvaluateAsync("window.__listMarker = 42");
        await page.SelectOptionAsync("#f-shop", shop.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#order-filters button[type=submit]");
        await Assertions.Expect(page.Locator("#orders tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#tab-all .count")).ToHaveTextAsync("3");

        await page.ClickAsync("#tab-to_process");
        await Assertions.Expect(page.Locator("#tab-to_process")).ToHaveClassAsync("on");
        await Assertions.Expect(page.Locator("#orders tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#order-{unpaid.Id}")).ToHaveCountAsync(0);

        // the search keeps the tab; an unpaid order's number finds nothing in 待处理
        await page.FillAsync("#f-bn", paid2.OrderBn);
        await page.ClickAsync("#order-filters button[type=submit]");
        await Assertions.Expect(page.Locator("#orders tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#order-{paid2.Id} a")).ToHaveAttributeAsync("href", $"/orders/{paid2.Id}");
        await Assertions.Expect(page.Locator("#tab-all .count")).ToHaveTextAsync("1");
        Assert.Contains("tab=to_process", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#f-bn", unpaid.OrderBn);
        await page.ClickAsync("#order-filters button[type=submit]");
        await Assertions.Expect(page.Locator(".empty")).ToBeVisibleAsync();

        // select all on the page counts the rows; the actions stay disabled
        await page.ClickAsync("#tab-all");
        await Assertions.Expect(page.Locator($"#order-{unpaid.Id}")).ToHaveCountAsync(1);
        await page.CheckAsync("#select-all");
        await Assertions.Expect(page.Locator("#selected-count")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#batch-bar button").First).ToBeDisabledAsync();
        Assert.Equal(42, await page.EvaluateAsync<int>("window.__listMarker"));
        _ = paid;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-orders.png", FullPage = true });
    }
}

/// <summary><c>oms orders verify-counts</c> and <c>oms orders recount</c> as the real executable, on SQLite.</summary>
public sealed class OrderListCliTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private Dictionary<string, string> _env = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _env = _db.ProcessEnvironment();
        var (code, _, err) = await OmsProcess.RunAsync(_env, "migrate");
        Assert.True(code == 0, err);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Verify_reports_a_drifted_counter_and_recount_repairs_it()
    {
        await using (var sp = _db.CoreServices())
        {
            var shop = await ShopAsync(sp);
            for (var i = 0; i < 3; i++) await new OrderBuilder(shop.Id, Code("CLI")).SaveAsync(sp);
            await using var scope = sp.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Database
                .ExecuteSqlRawAsync("UPDATE order_tab_count SET n = n + 1 WHERE tab = 'to_pay' AND slot = 1", TestContext.Current.CancellationToken);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var drifted = await OmsProcess.RunAsync(_env, "orders", "verify-counts");
        Assert.Equal(1, drifted.ExitCode);
        Assert.Contains("tab to_pay: counter says 4, orders say 3", drifted.Stderr, StringComparison.Ordinal);
        var recount = await OmsProcess.RunAsync(_env, "orders", "recount");
        Assert.True(recount.ExitCode == 0, recount.Stderr);
        Assert.Contains("tab counters rebuilt", recount.Stdout, StringComparison.Ordinal);
        var verified = await OmsProcess.RunAsync(_env, "orders", "verify-counts");
        Assert.True(verified.ExitCode == 0, verified.Stderr);
    }
}
