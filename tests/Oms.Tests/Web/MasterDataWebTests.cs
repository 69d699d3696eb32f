using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Tests.Infrastructure;
using Oms.Tests.MasterData;
using Oms.Warehouses;

namespace Oms.Tests.Web;

/// <summary>The master-data admin pages over real HTTP: lists, create forms, refusals shown in place, permissions.</summary>
public abstract class MasterDataWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewCode(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private async Task<WebSession> AdminAsync()
    {
        var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        return web;
    }

    private static void AssertRedirect(WebSession.Answer answer, string location)
    {
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"expected a redirect, got {(int)answer.Status}: {Excerpt(answer.Html)}");
        Assert.Equal(location, answer.Location);
    }

    /// <summary>The message boxes of a refused form, for assertion messages.</summary>
    private static string Excerpt(string html) =>
        string.Join(" | ", System.Text.RegularExpressions.Regex.Matches(html, "class=\"(field-error|flash bad)[^\"]*\"[^>]*>(.*?)</", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[2].Value.Trim()).Where(t => t.Length > 0));

    [Fact]
    public async Task Shop_is_created_through_the_form_and_listed_and_its_token_is_never_shown()
    {
        var bn = NewCode("shop");
        using var web = await AdminAsync();
        var answer = await web.PostAsync("/channels/shops/edit",
        [
            new("Input.ShopBn", bn), new("Input.Name", "天猫旗舰店 " + bn), new("Input.ShopType", "tmall"),
            new("Input.NodeId", "node-" + bn), new("Input.Token", "secret-token-" + bn), new("Input.ApiUrl", "https://api.example.com/"),
            new("Input.StockWriteback", "true"), new("Input.StockWriteback", "false"), new("Input.ShipWriteback", "false"),
        ], tokenFrom: "/channels/shops/edit");
        AssertRedirect(answer, "/channels/shops");

        var shop = await WithAsync(sp => sp.GetRequiredService<ShopService>().GetAsync(bn, Ct));
        Assert.Equal(("tmall", "secret-token-" + bn, true, false), (shop.ShopType, shop.Token, shop.StockWriteback, shop.ShipWriteback));

        var list = await web.GetAsync("/channels/shops?q=" + bn.ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains($"id=\"shop-{shop.Id}\"", list.Html, StringComparison.Ordinal);
        Assert.Contains("天猫 · tmall", list.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-", list.Html, StringComparison.Ordinal);
        var other = await web.GetAsync("/channels/shops?platform=taobao&q=" + bn);
        Assert.DoesNotContain($"id=\"shop-{shop.Id}\"", other.Html, StringComparison.Ordinal);

        // the edit page never shows the token; saving with the field left blank keeps it
        var edit = await web.GetAsync($"/channels/shops/edit/{shop.Id}");
        Assert.Equal(HttpStatusCode.OK, edit.Status);
        Assert.DoesNotContain("secret-token-", edit.Html, StringComparison.Ordinal);
        var save = await web.PostAsync($"/channels/shops/edit/{shop.Id}",
            [new("Input.Name", "改名 " + bn), new("Input.ShopType", "tmall"), new("Input.NodeId", "node-" + bn), new("Input.Token", ""),
             new("Input.StockWriteback", "false"), new("Input.ShipWriteback", "false")], tokenFrom: $"/channels/shops/edit/{shop.Id}");
        AssertRedirect(save, "/channels/shops");
        shop = await WithAsync(sp => sp.GetRequiredService<ShopService>().GetAsync(bn, Ct));
        Assert.Equal(("改名 " + bn, "secret-token-" + bn, false), (shop.Name, shop.Token, shop.StockWriteback));
    }

    [Fact]
    public async Task A_duplicate_shop_code_shows_the_error_and_writes_nothing()
    {
        var bn = NewCode("dup");
        await WithAsync(sp => sp.GetRequiredService<ShopService>().CreateAsync(new ShopInput(bn, "原店铺", "taobao"), ct: Ct));
        using var web = await AdminAsync();
        var answer = await web.PostAsync("/channels/shops/edit",
            [new("Input.ShopBn", bn), new("Input.Name", "重复店铺"), new("Input.ShopType", "jd")], tokenFrom: "/channels/shops/edit");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains($"shop_bn &#x27;{bn}&#x27; already exists", answer.Html, StringComparison.Ordinal);
        Assert.Contains("value=\"重复店铺\"", answer.Html, StringComparison.Ordinal);
        var shop = await WithAsync(sp => sp.GetRequiredService<ShopService>().GetAsync(bn, Ct));
        Assert.Equal(("原店铺", "taobao"), (shop.Name, shop.ShopType));
        Assert.Single(await server.AuditAsync($"shop:{bn}"));
    }

    [Fact]
    public async Task A_bad_field_is_refused_beside_that_field()
    {
        using var web = await AdminAsync();
        var bn = NewCode("badurl");
        var answer = await web.PostAsync("/channels/shops/edit",
            [new("Input.ShopBn", bn), new("Input.Name", "店"), new("Input.ShopType", "taobao"), new("Input.ApiUrl", "ftp://x")], tokenFrom: "/channels/shops/edit");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Matches("data-valmsg-for=\"Input.api_url\"[^>]*>&#x27;ftp://x&#x27; is not an http\\(s\\) address<", answer.Html);
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<ShopService>().FindAsync(bn, Ct)));
    }

    [Fact]
    public async Task Branch_is_created_with_its_shops_and_listed_with_shop_chips()
    {
        var s1 = NewCode("bs1");
        var s2 = NewCode("bs2");
        await WithAsync(async sp =>
        {
            var shops = sp.GetRequiredService<ShopService>();
            await shops.CreateAsync(new ShopInput(s1, "店铺甲" + s1[^4..], "taobao"), ct: Ct);
            return await shops.CreateAsync(new ShopInput(s2, "店铺乙" + s2[^4..], "jd"), ct: Ct);
        });
        var bn = NewCode("wh");
        using var web = await AdminAsync();
        var form = await web.GetAsync("/warehouses/branches/edit");
        Assert.Contains($"value=\"{s1}\"", form.Html, StringComparison.Ordinal);
        Assert.Contains("selfwms", form.Html, StringComparison.Ordinal);
        var answer = await web.PostAsync("/warehouses/branches/edit",
        [
            new("Input.BranchBn", bn), new("Input.Name", "杭州仓"), new("Input.Online", "false"), new("Input.Type", "StockUp"),
            new("Input.Area", "浙江省"), new("Input.Address", "余杭区 1 号"), new("Input.Weight", "30"), new("Input.Shops", s1), new("Input.Shops", s2),
        ], tokenFrom: "/warehouses/branches/edit");
        AssertRedirect(answer, "/warehouses/branches");

        var branch = await WithAsync(sp => sp.GetRequiredService<BranchService>().GetAsync(bn, Ct));
        Assert.Equal((false, BranchType.StockUp, "浙江省", 30), (branch.Online, branch.Type, branch.Area, branch.Weight));
        Assert.Equal([s1, s2], (await WithAsync(sp => sp.GetRequiredService<BranchService>().ShopBnsAsync(branch.Id, Ct))).Order(StringComparer.Ordinal));

        var list = await web.GetAsync($"/warehouses/branches?q={bn}&attr=offline&type=stockup");
        var row = RowOf(list.Html, $"branch-{branch.Id}");
        Assert.Contains("店铺甲" + s1[^4..], row, StringComparison.Ordinal);
        Assert.Contains("店铺乙" + s2[^4..], row, StringComparison.Ordinal);
        Assert.Contains("备货仓", row, StringComparison.Ordinal);
        Assert.Contains("线下仓", row, StringComparison.Ordinal);
        var online = await web.GetAsync($"/warehouses/branches?q={bn}&attr=online");
        Assert.DoesNotContain($"branch-{branch.Id}", online.Html, StringComparison.Ordinal);

        // an unknown shop is refused beside the shop checkboxes
        var bad = await web.PostAsync("/warehouses/branches/edit",
            [new("Input.BranchBn", bn + "x"), new("Input.Name", "仓"), new("Input.Shops", "no-such-shop")], tokenFrom: "/warehouses/branches/edit");
        Assert.Matches("data-valmsg-for=\"Input.shops\"[^>]*>shop_bn &#x27;no-such-shop&#x27; does not exist<", bad.Html);
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<BranchService>().FindAsync(bn + "x", Ct)));
    }

    [Fact]
    public async Task Logistics_company_is_created_for_a_branch_and_listed_by_branch_and_code()
    {
        var bn = NewCode("lwh");
        await WithAsync(sp => sp.GetRequiredService<BranchService>().CreateAsync(new BranchInput(bn, "物流测试仓"), ct: Ct));
        using var web = await AdminAsync();
        var answer = await web.PostAsync("/warehouses/logistics/edit",
        [
            new("Input.BranchBn", bn), new("Input.Code", "sf"), new("Input.Name", "顺丰速运"), new("Input.Areas", "浙江省"), new("Input.Areas", "上海市"),
            new("Input.Priority", "80"), new("Input.MaxWeight", "30.5"),
        ], tokenFrom: "/warehouses/logistics/edit");
        AssertRedirect(answer, "/warehouses/logistics");
        var company = await WithAsync(sp => sp.GetRequiredService<LogisticsService>().FindAsync(bn, "SF", Ct));
        Assert.NotNull(company);
        Assert.Equal(["浙江省", "上海市"], company.Areas);
        Assert.Equal((80, 30.5m), (company.Priority, company.MaxWeight));

        // everywhere: no province ticked
        AssertRedirect(await web.PostAsync("/warehouses/logistics/edit",
            [new("Input.BranchBn", bn), new("Input.Code", "ZTO"), new("Input.Name", "中通快递")], tokenFrom: "/warehouses/logistics/edit"), "/warehouses/logistics");

        var list = await web.GetAsync($"/warehouses/logistics?branch={bn}&code=s");
        var row = RowOf(list.Html, $"logistics-{company.Id}");
        Assert.Contains("顺丰速运", row, StringComparison.Ordinal);
        Assert.Contains("30.5 kg", row, StringComparison.Ordinal);
        Assert.DoesNotContain("中通快递", list.Html, StringComparison.Ordinal);
        var all = await web.GetAsync($"/warehouses/logistics?branch={bn}");
        Assert.Contains("中通快递", all.Html, StringComparison.Ordinal);
        Assert.Contains("全国", all.Html, StringComparison.Ordinal);

        // the same carrier twice for one branch is refused and nothing is written
        var dup = await web.PostAsync("/warehouses/logistics/edit",
            [new("Input.BranchBn", bn), new("Input.Code", "SF"), new("Input.Name", "顺丰二号")], tokenFrom: "/warehouses/logistics/edit");
        Assert.Equal(HttpStatusCode.OK, dup.Status);
        Assert.Contains("already exists for branch", dup.Html, StringComparison.Ordinal);
        Assert.Equal("顺丰速运", (await WithAsync(sp => sp.GetRequiredService<LogisticsService>().FindAsync(bn, "SF", Ct)))!.Name);
    }

    [Fact]
    public async Task Basic_material_is_created_through_the_form_and_found_by_the_filters()
    {
        var bn = NewCode("mat");
        var barcode = "69" + Guid.NewGuid().ToString("N")[..11];
        using var web = await AdminAsync();
        var answer = await web.PostAsync("/catalog/basic-materials/edit",
        [
            new("Input.MaterialBn", bn), new("Input.Name", "陶瓷马克杯 350ml"), new("Input.Barcode", barcode), new("Input.Type", "Gift"),
            new("Input.Sellable", "false"), new("Input.Unit", "个"), new("Input.RetailPrice", "39.9"), new("Input.Cost", "12.5"), new("Input.Weight", "0.42"),
        ], tokenFrom: "/catalog/basic-materials/edit");
        AssertRedirect(answer, "/catalog/basic-materials");
        var m = await WithAsync(sp => sp.GetRequiredService<BasicMaterialService>().GetAsync(bn, Ct));
        Assert.Equal((BasicMaterialType.Gift, false, 39.9m, 12.5m, 0.42m, barcode), (m.Type, m.Sellable, m.RetailPrice, m.Cost, m.Weight, m.Barcode));

        var byBarcode = await web.GetAsync("/catalog/basic-materials?q=" + barcode[2..]);
        var row = RowOf(byBarcode.Html, $"material-{m.Id}");
        Assert.Contains("陶瓷马克杯 350ml", row, StringComparison.Ordinal);
        Assert.Contains("停售", row, StringComparison.Ordinal);
        Assert.Contains("赠品", row, StringComparison.Ordinal);
        Assert.Contains($"material-{m.Id}", (await web.GetAsync($"/catalog/basic-materials?q={bn}&type=Gift&sellable=no")).Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"material-{m.Id}", (await web.GetAsync($"/catalog/basic-materials?q={bn}&sellable=yes")).Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"material-{m.Id}", (await web.GetAsync($"/catalog/basic-materials?q={bn}&type=Finished")).Html, StringComparison.Ordinal);

        // a negative cost is refused beside the field
        var bad = await web.PostAsync("/catalog/basic-materials/edit",
            [new("Input.MaterialBn", bn + "n"), new("Input.Name", "负成本"), new("Input.Cost", "-1")], tokenFrom: "/catalog/basic-materials/edit");
        Assert.Matches("data-valmsg-for=\"Input.cost\"[^>]*>must not be negative", bad.Html);
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<BasicMaterialService>().FindAsync(bn + "n", Ct)));
    }

    [Fact]
    public async Task Combination_sales_material_needs_shares_summing_to_100_and_lists_its_bindings()
    {
        var a = NewCode("MUG");
        var b = NewCode("LID");
        await WithAsync(async sp =>
        {
            var materials = sp.GetRequiredService<BasicMaterialService>();
            await materials.CreateAsync(new BasicMaterialInput(a, "马克杯"), ct: Ct);
            return await materials.CreateAsync(new BasicMaterialInput(b, "杯盖"), ct: Ct);
        });
        var bn = NewCode("SET");
        using var web = await AdminAsync();
        List<KeyValuePair<string, string>> Form(string shareA, string shareB) =>
        [
            new("Input.SalesMaterialBn", bn), new("Input.Name", "马克杯套装"), new("Input.Type", "Combination"), new("Input.RetailPrice", "59"),
            new("Input.Bindings[0].Bn", a), new("Input.Bindings[0].Quantity", "1"), new("Input.Bindings[0].Share", shareA),
            new("Input.Bindings[1].Bn", b), new("Input.Bindings[1].Quantity", "2"), new("Input.Bindings[1].Share", shareB),
            new("Input.Bindings[2].Bn", ""), new("Input.Bindings[2].Quantity", "1"), new("Input.Bindings[2].Share", ""),
        ];

        var refused = await web.PostAsync("/catalog/sales-materials/edit", Form("80", "15"), tokenFrom: "/catalog/sales-materials/edit");
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Matches("id=\"bindings-error\"[^>]*>price shares must sum to 100, got 95<", refused.Html);
        // the rows come back as typed, so the user corrects rather than retypes
        Assert.Contains($"value=\"{b}\"", refused.Html, StringComparison.Ordinal);
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<SalesMaterialService>().FindAsync(bn, Ct)));
        Assert.Empty(await server.AuditAsync($"salesmaterial:{bn}"));

        var unknown = await web.PostAsync("/catalog/sales-materials/edit",
            [new("Input.SalesMaterialBn", bn), new("Input.Name", "x"), new("Input.Type", "Normal"), new("Input.Bindings[0].Bn", "NO-SUCH-MAT")],
            tokenFrom: "/catalog/sales-materials/edit");
        Assert.Matches("id=\"bindings-error\"[^>]*>basic material &#x27;NO-SUCH-MAT&#x27; does not exist<", unknown.Html);

        AssertRedirect(await web.PostAsync("/catalog/sales-materials/edit", Form("85", "15"), tokenFrom: "/catalog/sales-materials/edit"), "/catalog/sales-materials");
        var saved = await WithAsync(sp => sp.GetRequiredService<SalesMaterialService>().GetAsync(bn, Ct));
        Assert.Equal(SalesMaterialType.Combination, saved.Type);
        var list = await web.GetAsync($"/catalog/sales-materials?q={bn}&type=Combination");
        var summary = System.Text.RegularExpressions.Regex.Match(RowOf(list.Html, $"sales-material-{saved.Id}"), "class=\"wrap mono bindings\">([^<]*)<");
        Assert.Equal($"{a}×1 (85%) + {b}×2 (15%)", System.Net.WebUtility.HtmlDecode(summary.Groups[1].Value));

        // the edit page shows the bindings in the editor
        var edit = await web.GetAsync($"/catalog/sales-materials/edit/{saved.Id}");
        Assert.Contains($"name=\"Input.Bindings[1].Bn\" value=\"{b}\"", edit.Html, StringComparison.Ordinal);
        Assert.Contains("name=\"Input.Bindings[0].Share\" value=\"85\"", edit.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Supplier_is_created_through_the_form_and_listed()
    {
        var bn = NewCode("sup");
        using var web = await AdminAsync();
        AssertRedirect(await web.PostAsync("/catalog/suppliers/edit",
            [new("Input.SupplierBn", bn), new("Input.Name", "景德镇陶瓷厂"), new("Input.Contact", "王经理"), new("Input.Phone", "+86 571-8888 0000"), new("Input.Address", "江西省景德镇市")],
            tokenFrom: "/catalog/suppliers/edit"), "/catalog/suppliers");
        var s = await WithAsync(sp => sp.GetRequiredService<SupplierService>().GetAsync(bn, Ct));
        var row = RowOf((await web.GetAsync("/catalog/suppliers?q=" + bn)).Html, $"supplier-{s.Id}");
        Assert.Contains("景德镇陶瓷厂", row, StringComparison.Ordinal);
        Assert.Contains("王经理", row, StringComparison.Ordinal);

        var bad = await web.PostAsync("/catalog/suppliers/edit",
            [new("Input.SupplierBn", bn + "p"), new("Input.Name", "x"), new("Input.Phone", "call me")], tokenFrom: "/catalog/suppliers/edit");
        Assert.Matches("data-valmsg-for=\"Input.phone\"[^>]*>&#x27;call me&#x27; is not a phone number", bad.Html);
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<SupplierService>().FindAsync(bn + "p", Ct)));
    }

    [Fact]
    public async Task A_viewer_sees_the_lists_but_gets_403_on_create()
    {
        var name = "viewer" + Guid.NewGuid().ToString("N")[..6];
        await WithAsync(async sp =>
        {
            await sp.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.MasterDataView], ct: Ct);
            return await sp.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        });
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        foreach (var list in new[] { "/channels/shops", "/warehouses/branches", "/warehouses/logistics", "/catalog/basic-materials", "/catalog/sales-materials", "/catalog/suppliers" })
        {
            var page = await web.GetAsync(list);
            Assert.True(page.Status == HttpStatusCode.OK, $"{list}: {(int)page.Status}");
            Assert.DoesNotContain($"href=\"{list}/edit\"", page.Html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync(list + "/edit")).Status);
        }
        var bn = NewCode("forbidden");
        var post = await web.PostAsync("/catalog/suppliers/edit", [new("Input.SupplierBn", bn), new("Input.Name", "不该创建")], tokenFrom: "/account/password");
        Assert.Equal(HttpStatusCode.Forbidden, post.Status);
        var shopPost = await web.PostAsync("/channels/shops/edit", [new("Input.ShopBn", bn), new("Input.Name", "不该创建"), new("Input.ShopType", "taobao")], tokenFrom: "/account/password");
        Assert.Equal(HttpStatusCode.Forbidden, shopPost.Status);
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<SupplierService>().FindAsync(bn, Ct)));
        Assert.Null(await WithAsync(sp => sp.GetRequiredService<ShopService>().FindAsync(bn, Ct)));
    }

    [Fact]
    public async Task Dashboard_counts_shops_branches_and_materials()
    {
        var bn = NewCode("cnt");
        await WithAsync(sp => sp.GetRequiredService<ShopService>().CreateAsync(new ShopInput(bn, "计数店铺", "taobao"), ct: Ct));
        var expected = await WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Shop>().CountAsync(Ct));
        using var web = await AdminAsync();
        var home = await web.GetAsync("/");
        Assert.Matches($"id=\"count-shops\">\\s*<div class=\"label\">店铺</div>\\s*<div class=\"value\">{expected}</div>", home.Html);
        foreach (var id in new[] { "count-branches", "count-basic-materials", "count-sales-materials" })
            Assert.Contains($"id=\"{id}\"", home.Html, StringComparison.Ordinal);
        // the navigation entries are built now: they link to the pages, not to the placeholder
        Assert.Contains("href=\"/catalog/sales-materials\"", home.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/todo/Shops\"", home.Html, StringComparison.Ordinal);
    }

    /// <summary>The HTML of the table row with this id (fails when it is not on the page).</summary>
    private static string RowOf(string html, string id)
    {
        var start = html.IndexOf($"<tr id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"row {id} is not on the page");
        var end = html.IndexOf("</tr>", start, StringComparison.Ordinal);
        return html[start..end];
    }
}

public sealed class SqliteMasterDataWebTests(SqliteServerFixture f) : MasterDataWebTests<SqliteServerFixture>(f);

public sealed class PostgresMasterDataWebTests(PostgresServerFixture f) : MasterDataWebTests<PostgresServerFixture>(f);
