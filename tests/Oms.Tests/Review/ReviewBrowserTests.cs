using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.Review;

/// <summary>A manual review in a real browser: from the queue to the review screen to the new delivery.</summary>
public sealed class ReviewBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task A_reviewer_merges_two_orders_into_a_delivery_from_the_branch_and_carrier_they_choose()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var suggested = await k.BranchAsync(weight: 10, stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        await k.LogisticsAsync(suggested, "SF", priority: 5);
        var chosen = await k.BranchAsync(weight: 1, stock: new Dictionary<string, int> { [k.Orders.A] = 10 });
        await k.LogisticsAsync(chosen, "EMS", priority: 9);
        var zto = await k.LogisticsAsync(chosen, "ZTO", priority: 1);
        var first = await k.PushAsync([new Line(k.Orders.SA, 2)], member: "m-browser");
        var second = await k.PushAsync([new Line(k.Orders.SA, 1)], member: "m-browser");

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);
        await page.GotoAsync($"/review?shop={k.Orders.ShopId}");
        await Assertions.Expect(page.Locator("#review-queue tbody tr")).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-review-queue.png" });
        await page.ClickAsync($"#review-{first.Id} a.btn");
        await page.WaitForURLAsync(u => u.EndsWith($"/review/{first.Id}", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(first.OrderBn);
        await Assertions.Expect(page.Locator("#branch")).ToHaveValueAsync(suggested.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // another branch: the page reloads with its carriers, the best one preselected
        await page.SelectOptionAsync("#branch", chosen.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.WaitForURLAsync(u => u.Contains($"branch={chosen.Id}", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#logistics option")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#logistics option:checked")).ToContainTextAsync("EMS");
        await page.CheckAsync($"#merge-check-{second.Id}");
        await page.SelectOptionAsync("#logistics", zto.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-review-before.png", FullPage = true });
        await page.ClickAsync("#confirm");

        await Assertions.Expect(page.Locator("#review-result")).ToContainTextAsync("已生成发货单 D");
        var text = await page.Locator("#review-result").InnerTextAsync();
        var bn = Regex.Match(text, "D\\d+").Value;
        await Assertions.Expect(page.Locator("#process-status")).ToContainTextAsync("已拆分");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-review.png", FullPage = true });
        await page.ClickAsync("#new-delivery");
        await page.WaitForURLAsync(u => u.Contains("/deliveries/", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(bn);
        await Assertions.Expect(page.Locator("#delivery-orders tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#delivery-header")).ToContainTextAsync("ZTO");

        await page.GotoAsync("/deliveries");
        await page.FillAsync("#f-delivery-bn", bn);
        await page.ClickAsync("#delivery-filters button[type=submit]");
        await Assertions.Expect(page.Locator("table.deliveries tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.deliveries tbody tr")).ToContainTextAsync(second.OrderBn);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-deliveries.png" });

        var d = (await k.DeliveriesOfAsync(first.Id)).Single();
        Assert.Equal((bn, chosen.Id, "ZTO", DeliveryStatus.Ready), (d.DeliveryBn, d.BranchId, d.LogiCode, d.Status));
        Assert.Equal(ProcessStatus.Splited, (await k.OrderAsync(second.Id)).ProcessStatus);
        Assert.Equal((10, 3, 0, 0), await k.CountersAsync(chosen.Id, k.Orders.A));
        Assert.Equal((10, 0, 0, 0), await k.CountersAsync(suggested.Id, k.Orders.A));
        Assert.Equal(0, await k.ShopFreezeAsync(k.Orders.A));
        await k.AssertInvariantsAsync();
    }
}
