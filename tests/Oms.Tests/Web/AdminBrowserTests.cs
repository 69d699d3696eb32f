using Microsoft.Playwright;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Web;

/// <summary>The admin UI in a real browser: login, language switch, a form, an htmx row action.</summary>
public sealed class AdminBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Admin_switches_language_and_creates_an_openapi_client_through_the_form()
    {
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("首页", (await page.TextContentAsync(".nav a.top"))?.Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-dashboard.png", FullPage = true });

        await page.ClickAsync("#lang-en");
        await page.WaitForSelectorAsync("html[lang=en]");
        Assert.Equal("Dashboard", (await page.TextContentAsync(".nav a.top"))?.Trim());
        await page.ClickAsync("#lang-zh");
        await page.WaitForSelectorAsync("html[lang=zh-CN]");
        Assert.Equal("首页", (await page.TextContentAsync(".nav a.top"))?.Trim());

        // groups other than the current one are folded: open 系统 and follow its entry
        await page.ClickAsync("details[data-group=System] summary");
        await page.ClickAsync(".nav a[href='/admin/openapi-clients']");
        await Assertions.Expect(page.Locator(".nav a.active")).ToHaveTextAsync("OpenAPI 客户端");
        await page.ClickAsync("a[href='/admin/openapi-clients/edit']");
        await page.FillAsync("#flag", "erp-browser");
        await page.FillAsync("#cname", "浏览器测试 ERP");
        await page.ClickAsync("#client-form button[type=submit]");
        var key = (await page.TextContentAsync("#interface-key"))?.Trim();
        Assert.Equal(32, key?.Length);

        await page.GotoAsync("/admin/openapi-clients");
        var row = page.Locator("#clients tr", new() { HasText = "erp-browser" });
        await Assertions.Expect(row).ToContainTextAsync("浏览器测试 ERP");
        await Assertions.Expect(row).ToContainTextAsync("启用中");
        Assert.DoesNotContain(key!, await page.ContentAsync(), StringComparison.Ordinal);

        // the row action goes through htmx: the antiforgery token rides in the hx-headers of <body>;
        // a marker on window survives only if the page was not reloaded
        await page.EvaluateAsync("() => { window.omsMarker = 42; }");
        await row.Locator("button", new() { HasText = "停用" }).ClickAsync();
        await Assertions.Expect(page.Locator("#clients tr", new() { HasText = "erp-browser" })).ToContainTextAsync("已停用");
        Assert.Equal(42, await page.EvaluateAsync<int>("() => window.omsMarker ?? 0"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-openapi-clients.png", FullPage = true });
    }
}
