using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Oms.Admin;
using Oms.Deliveries;
using Oms.SelfWms;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.SelfWms;

/// <summary>The scan station in a real browser, driven by the keyboard only (a barcode gun types and presses Enter).</summary>
public sealed class SelfWmsBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task A_packer_with_only_delivery_operate_scans_verifies_and_ships_two_parcels_without_a_mouse()
    {
        using var k = await FloorKit.CreateAsync(server);
        var d1 = await k.DeliveryAsync(new Line(k.Review.Orders.SAB, 1, 30m));   // A×1, B×2
        var d2 = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var batch = await k.With<PrintService, PrintBatch>(p => p.CreateBatchAsync([d1.Id, d2.Id], PrintMode.Normal, 1, "printer"));
        var logi1 = FloorKit.NewLogiNo();
        foreach (var doc in PrintDocs.All)
            await k.With<PrintService, PrintOutcome>(p => p.PrintBatchAsync(batch.Id, doc, "printer",
                new Dictionary<long, string> { [d1.Id] = logi1, [d2.Id] = FloorKit.NewLogiNo() }));
        var name = "packer" + Guid.NewGuid().ToString("N")[..6];
        await k.Review.DoAsync(async sp =>
        {
            await sp.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.DeliveryOperate]);
            await sp.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name]);
        });

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server, name, "password-123");
        // the floor pages and the delivery pages open for delivery.operate alone
        await page.GotoAsync($"/selfwms/batches/{batch.Id}");
        await Assertions.Expect(page.Locator("#batch-members tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#batch-no")).ToContainTextAsync(batch.BatchNo);
        var print = await page.GotoAsync($"/selfwms/print/{batch.Id}/express?layout=label");
        Assert.Equal(200, print!.Status);
        await Assertions.Expect(page.Locator(".logi-no svg").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-floor-waybill.png" });
        var detail = await page.GotoAsync($"/deliveries/{d1.Id}");
        Assert.Equal(200, detail!.Status);

        await page.GotoAsync("/selfwms/station");
        var kb = page.Keyboard;
        // Enter posts the form: wait for the answer page (a new document, focus in the input) before the next scan
        async Task EnterAsync()
        {
            await page.EvaluateAsync("document.body.dataset.old = '1'");
            await kb.PressAsync("Enter");
            await page.WaitForSelectorAsync("body:not([data-old]) #scan:focus");
        }

        async Task Scan(string code)
        {
            await kb.TypeAsync(code);
            await EnterAsync();
        }

        await Scan(logi1);
        await Assertions.Expect(page.Locator("#station-bn")).ToHaveTextAsync(d1.DeliveryBn);
        await Assertions.Expect(page.Locator("#station-total")).ToHaveTextAsync("0 / 3");
        await Scan(k.BarcodeA);
        await Assertions.Expect(page.Locator("#station-total")).ToHaveTextAsync("1 / 3");
        await Assertions.Expect(page.Locator("#scan-box")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bok\\b"));
        await Scan("WRONG-1");
        await Assertions.Expect(page.Locator("#scan-box")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bbad\\b"));
        await Assertions.Expect(page.Locator("#station-message")).ToContainTextAsync("WRONG-1");
        await Assertions.Expect(page.Locator("#station-total")).ToHaveTextAsync("1 / 3");
        await Scan(k.BarcodeA);
        await Assertions.Expect(page.Locator("#station-message")).ToContainTextAsync("多扫");
        await Scan(k.B);
        await Scan(k.B);
        await Assertions.Expect(page.Locator("#station-total")).ToHaveTextAsync("3 / 3");
        await Assertions.Expect(page.Locator("#station-ready")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-floor-station.png", FullPage = true });
        // Enter on the empty input ships it
        await EnterAsync();
        await Assertions.Expect(page.Locator("#station-message")).ToContainTextAsync(d1.DeliveryBn);
        await Assertions.Expect(page.Locator("#station-delivery")).ToHaveCountAsync(0);

        // the next parcel with "ship when complete": Tab to the checkbox, Space, and the focus is back in the input
        await kb.PressAsync("Tab");
        await kb.PressAsync("Space");
        await Assertions.Expect(page.Locator("#auto")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#scan")).ToBeFocusedAsync();
        await Scan(d2.DeliveryBn);
        await Assertions.Expect(page.Locator("#station-total")).ToHaveTextAsync("0 / 1");
        await Scan(k.A);
        await Assertions.Expect(page.Locator("#station-message")).ToContainTextAsync(d2.DeliveryBn);
        await Assertions.Expect(page.Locator("#station-delivery")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#auto")).ToBeCheckedAsync();

        Assert.Equal(DeliveryStatus.Shipped, (await k.GetAsync(d1.Id)).Status);
        Assert.Equal(DeliveryStatus.Shipped, (await k.GetAsync(d2.Id)).Status);
        Assert.Equal((48, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.A));
        Assert.Equal((48, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.B));
        await k.AssertInvariantsAsync();
    }
}
