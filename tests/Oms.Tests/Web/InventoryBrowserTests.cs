using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Web;

/// <summary>The inventory pages in a real browser: the lines editor, the stock list filtered by branch, the ledger.</summary>
public sealed class InventoryBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Admin_posts_a_two_line_in_document_and_sees_stock_and_ledger()
    {
        var branch = await BranchAsync(server.Services);
        var first = await MaterialAsync(server.Services);
        var second = await MaterialAsync(server.Services);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);

        await page.ClickAsync("details[data-group=Inventory] summary");
        await page.ClickAsync(".nav a[href='/inventory/documents']");
        await page.ClickAsync("a[href='/inventory/documents/edit']");
        await page.SelectOptionAsync("#branch", branch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("#type", "E");
        await page.FillAsync("#name", "浏览器入库");
        await page.FillAsync("#memo", "两行");
        // typing a code looks the material up and shows its name beside it
        var rows = page.Locator("#lines tr.line");
        await Assertions.Expect(rows).ToHaveCountAsync(DocumentEditModelRows);
        await rows.Nth(0).Locator("input.code").PressSequentiallyAsync(first.MaterialBn);
        await Assertions.Expect(rows.Nth(0).Locator(".c-name")).ToHaveTextAsync(first.Name);
        await rows.Nth(0).Locator("input.qty").FillAsync("7");
        await rows.Nth(0).Locator("input.price").FillAsync("2.5");
        // remove the second row, add one at the end: the editor keeps the form consistent
        await rows.Nth(1).Locator("button.remove").ClickAsync();
        await page.ClickAsync("#add-line");
        await Assertions.Expect(rows).ToHaveCountAsync(DocumentEditModelRows);
        await rows.Nth(2).Locator("input.code").PressSequentiallyAsync(second.MaterialBn);
        await Assertions.Expect(rows.Nth(2).Locator(".c-name")).ToHaveTextAsync(second.Name);
        await rows.Nth(2).Locator("input.qty").FillAsync("11");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-stock-document-form.png", FullPage = true });
        await page.ClickAsync("#post-document");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/inventory/documents/\\d+$"));
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("已创建");
        await Assertions.Expect(page.Locator("#document-lines tbody tr")).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-stock-document.png", FullPage = true });

        await page.ClickAsync(".nav a[href='/inventory/stock']");
        await page.SelectOptionAsync("#f-branch", branch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#stock-filters button[type=submit]");
        await Assertions.Expect(page.Locator("#stock tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#stock-{branch.Id}-{first.Id} td.store")).ToHaveTextAsync("7");
        await Assertions.Expect(page.Locator($"#stock-{branch.Id}-{second.Id} td.store")).ToHaveTextAsync("11");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-stock.png", FullPage = true });

        // the material code opens the ledger filtered to it
        await page.ClickAsync($"#stock-{branch.Id}-{second.Id} a[href^='/inventory/ledger']");
        await page.WaitForURLAsync(u => u.Contains("/inventory/ledger", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#ledger tbody tr td.balance")).ToHaveTextAsync("11");

        await page.GotoAsync("/inventory/ledger");
        await page.SelectOptionAsync("#f-branch", branch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#ledger-filters button[type=submit]");
        await Assertions.Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#ledger tbody tr td.quantity")).ToHaveTextAsync(["+11", "+7"]);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-ledger.png", FullPage = true });

        // totals per material with the sellable panel, in English
        await page.GotoAsync($"/inventory/stock?view=totals&q={first.MaterialBn}&material={first.Id}");
        await page.ClickAsync("#lang-en");
        await page.WaitForSelectorAsync("html[lang=en]");
        await Assertions.Expect(page.Locator($"#totals-{first.Id} td.store")).ToHaveTextAsync("7");
        await Assertions.Expect(page.Locator("#sellable h2")).ToContainTextAsync("Sellable per shop");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-stock-totals-en.png", FullPage = true });
        await page.GotoAsync($"/inventory/ledger?branch={branch.Id}");
        await Assertions.Expect(page.Locator("#ledger tbody tr td .tag").First).ToHaveTextAsync("Direct in");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-ledger-en.png", FullPage = true });

        await using var scope = server.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync(TestContext.Current.CancellationToken));
    }

    private const int DocumentEditModelRows = Oms.Server.Pages.Inventory.Documents.DocumentEditModel.StartRows;
}
