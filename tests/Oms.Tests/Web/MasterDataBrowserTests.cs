using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Oms.Catalog;
using Oms.Channels;
using Oms.Tests.Infrastructure;
using Oms.Warehouses;

namespace Oms.Tests.Web;

/// <summary>The master-data pages in a real browser: a basic material form, the filter, the bindings editor.</summary>
public sealed class MasterDataBrowserTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_creates_a_basic_material_finds_it_and_builds_a_combination_in_the_bindings_editor()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var mug = "MUG-350-" + suffix;
        var lid = "MUG-LID-" + suffix;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<BasicMaterialService>()
                .CreateAsync(new BasicMaterialInput(lid, "马克杯杯盖") { RetailPrice = 9.9m, Unit = "个" }, ct: Ct);
            await scope.ServiceProvider.GetRequiredService<BasicMaterialService>()
                .CreateAsync(new BasicMaterialInput("OTHER-" + suffix, "另一个物料"), ct: Ct);
        }

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);

        // a basic material through the form
        await page.ClickAsync("details[data-group=Catalog] summary");
        await page.ClickAsync(".nav a[href='/catalog/basic-materials']");
        await page.ClickAsync("a[href='/catalog/basic-materials/edit']");
        await page.FillAsync("#code", mug);
        await page.FillAsync("#name", "陶瓷马克杯 350ml");
        await page.FillAsync("#barcode", "69" + suffix + "0001");
        await page.SelectOptionAsync("#type", "Finished");
        await page.FillAsync("#unit", "个");
        await page.FillAsync("#price", "39.9");
        await page.FillAsync("#cost", "12.5");
        await page.FillAsync("#weight", "0.42");
        await page.ClickAsync("#material-form button[type=submit]");
        await page.WaitForURLAsync(u => u.EndsWith("/catalog/basic-materials", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync(mug);

        // the filter (htmx swaps the list only) finds it, and only what matches
        await page.FillAsync("#filter-q", "mug-350-" + suffix.ToLowerInvariant());
        await page.ClickAsync(".filters button[type=submit]");
        await Assertions.Expect(page.Locator("#materials tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#materials tbody tr")).ToContainTextAsync("陶瓷马克杯 350ml");
        await page.FillAsync("#filter-q", suffix);
        await page.ClickAsync(".filters button[type=submit]");
        await Assertions.Expect(page.Locator("#materials tbody tr")).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-materials.png", FullPage = true });

        // a combination in the bindings editor: the share column appears with the type, a second row is added
        await page.GotoAsync("/catalog/sales-materials/edit");
        await Assertions.Expect(page.Locator("#bindings th.share-col")).ToBeHiddenAsync();
        await page.FillAsync("#code", "SET-" + suffix);
        await page.FillAsync("#name", "马克杯带盖套装");
        await page.SelectOptionAsync("#type", "Combination");
        await Assertions.Expect(page.Locator("#bindings th.share-col")).ToBeVisibleAsync();
        await page.FillAsync("#price", "45");
        var rows = page.Locator("#bindings tbody tr");
        await rows.Nth(0).Locator(".part-bn").FillAsync(mug);
        await rows.Nth(0).Locator(".part-share").FillAsync("85");
        await page.ClickAsync("#add-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await rows.Nth(1).Locator(".part-bn").FillAsync(lid);
        await rows.Nth(1).Locator(".part-share").FillAsync("15");
        await Assertions.Expect(page.Locator("#share-sum")).ToHaveTextAsync("100%");
        // a third row added and removed again leaves the numbering intact
        await page.ClickAsync("#add-row");
        await rows.Nth(2).Locator(".part-bn").FillAsync("OTHER-" + suffix);
        await rows.Nth(1).Locator(".remove-row").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        Assert.Equal("Input.Bindings[1].Bn", await rows.Nth(1).Locator(".part-bn").GetAttributeAsync("name"));
        await rows.Nth(1).Locator(".part-bn").FillAsync(lid);
        await rows.Nth(1).Locator(".part-share").FillAsync("15");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-sales-material-edit.png", FullPage = true });
        await page.ClickAsync("#sales-form button[type=submit]");
        await page.WaitForURLAsync(u => u.EndsWith("/catalog/sales-materials", StringComparison.Ordinal));
        var row = page.Locator("#sales-materials tr", new() { HasText = "SET-" + suffix });
        await Assertions.Expect(row).ToContainTextAsync($"{mug}×1 (85%) + {lid}×1 (15%)");
        await Assertions.Expect(row).ToContainTextAsync("组合");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-sales-materials.png", FullPage = true });

        // shares that do not sum to 100 come back beside the editor, the rows as typed
        await page.GotoAsync("/catalog/sales-materials/edit");
        await page.FillAsync("#code", "BAD-" + suffix);
        await page.FillAsync("#name", "错误占比");
        await page.SelectOptionAsync("#type", "Combination");
        await rows.Nth(0).Locator(".part-bn").FillAsync(mug);
        await rows.Nth(0).Locator(".part-share").FillAsync("50");
        await page.ClickAsync("#add-row");
        await rows.Nth(1).Locator(".part-bn").FillAsync(lid);
        await rows.Nth(1).Locator(".part-share").FillAsync("20");
        await Assertions.Expect(page.Locator("#share-sum")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("off"));
        await page.ClickAsync("#sales-form button[type=submit]");
        await Assertions.Expect(page.Locator("#bindings-error")).ToHaveTextAsync("price shares must sum to 100, got 70");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-sales-material-error.png", FullPage = true });
    }

    [Fact]
    public async Task Branches_page_shows_supplied_shops_as_chips()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var shops = scope.ServiceProvider.GetRequiredService<ShopService>();
            await shops.CreateAsync(new ShopInput("tm-" + suffix, "天猫旗舰店", "tmall"), ct: Ct);
            await shops.CreateAsync(new ShopInput("jd-" + suffix, "京东自营店", "jd"), ct: Ct);
            await shops.CreateAsync(new ShopInput("dy-" + suffix, "抖音小店", "douyin"), ct: Ct);
            var branches = scope.ServiceProvider.GetRequiredService<BranchService>();
            await branches.CreateAsync(new BranchInput("HZ-" + suffix, "杭州主仓")
            {
                Area = "浙江", Address = "杭州市余杭区仓前街道 1 号", Weight = 100, Shops = ["tm-" + suffix, "jd-" + suffix, "dy-" + suffix],
            }, ct: Ct);
            await branches.CreateAsync(new BranchInput("SH-" + suffix, "上海备货仓") { Area = "上海", Type = BranchType.StockUp, Online = false, Weight = 10 }, ct: Ct);
        }
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.LoggedInPageAsync(server);
        await page.GotoAsync("/warehouses/branches");
        var row = page.Locator("#branches tr", new() { HasText = "HZ-" + suffix });
        await Assertions.Expect(row.Locator(".tag", new() { HasText = "京东自营店" })).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync("浙江省");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-branches.png", FullPage = true });
        await page.GotoAsync("/warehouses/branches/edit");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-branch-edit.png", FullPage = true });
        await page.GotoAsync("/warehouses/logistics/edit");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-logistics-edit.png", FullPage = true });

        // in English the pages read English (province and shop names stay as merchants wrote them)
        await page.ClickAsync("#lang-en");
        await page.WaitForSelectorAsync("html[lang=en]");
        await page.GotoAsync("/warehouses/branches");
        await Assertions.Expect(page.Locator("#branches tr", new() { HasText = "SH-" + suffix })).ToContainTextAsync("Stock-up");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-branches-en.png", FullPage = true });
        await page.GotoAsync("/catalog/sales-materials/edit");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("New sales material");
        await page.SelectOptionAsync("#type", "LuckyBag");
        await Assertions.Expect(page.Locator("#bindings th.share-col")).ToHaveTextAsync("Price share");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = "/tmp/oms-sales-material-edit-en.png", FullPage = true });
    }
}
