using Microsoft.Playwright;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Orders;

/// <summary>The order detail page in a real browser, opened from a URL as a link in a chat or e-mail would.</summary>
public sealed class OrderDetailBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task An_order_opened_by_url_shows_its_lines_and_its_log()
    {
        var f = await OrderScreenData.FullOrderAsync(server.Services);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);

        await page.GotoAsync($"/orders/{f.Order.Id}");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(f.Order.OrderBn);
        // two live objects and the removed one; the matched object's item under it
        await Assertions.Expect(page.Locator("#order-lines tr.obj")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#order-lines tr.item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#obj-{f.Unmatched.Id}")).ToContainTextAsync("未匹配");
        await Assertions.Expect(page.Locator("#order-log tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#order-log tbody tr").First).ToContainTextAsync("卖家备注改为 老客户");
        await Assertions.Expect(page.Locator($"#log-{f.FirstLog.Id}")).ToContainTextAsync("订单创建");

        // the after-sale payload unfolds
        var payload = page.Locator($"#aftersale-{f.AfterSale.Id} pre.payload");
        await Assertions.Expect(payload).Not.ToBeVisibleAsync();
        await page.ClickAsync($"#aftersale-{f.AfterSale.Id} summary");
        await Assertions.Expect(payload).ToContainTextAsync("七天无理由");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-order-detail.png", FullPage = true });

        // the API log link opens the API log filtered by this order
        await page.ClickAsync("#api-log-all");
        await page.WaitForURLAsync(u => u.Contains("/integration/api-logs?key=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#api-logs tbody tr")).ToHaveCountAsync(1);
    }
}
