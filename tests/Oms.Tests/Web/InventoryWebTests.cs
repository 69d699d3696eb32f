using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using Oms.Warehouses;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Web;

/// <summary>The inventory pages over real HTTP: documents posted through the form move stock and the ledger, refusals write nothing.</summary>
public abstract partial class InventoryWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Form = "/inventory/documents/edit";

    [Fact]
    public async Task An_in_document_posted_through_the_form_shows_on_the_stock_page_and_in_the_ledger()
    {
        var branch = await BranchAsync(server.Services);
        var material = await MaterialAsync(server.Services);
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();

        var first = await PostDocumentAsync(web, branch, "E", "首批入库", (material.MaterialBn, "12", "3.5"));
        Assert.Equal(HttpStatusCode.Redirect, first.Status);
        Assert.Matches("^/inventory/documents/\\d+$", first.Location);
        var second = await PostDocumentAsync(web, branch, "E", "补货", (material.MaterialBn, "5", ""));
        Assert.Equal(HttpStatusCode.Redirect, second.Status);

        var stock = await web.GetAsync($"/inventory/stock?branch={branch.Id}");
        Assert.Equal(HttpStatusCode.OK, stock.Status);
        var row = Row(stock.Html, $"stock-{branch.Id}-{material.Id}");
        Assert.Contains("<td class=\"num store\"><b>17</b></td>", row, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num available \">17</td>", row, StringComparison.Ordinal);

        var ledger = await web.GetAsync($"/inventory/ledger?branch={branch.Id}&material={material.MaterialBn}");
        var lines = await LedgerAsync(server.Services, branch.Id, material.Id);
        Assert.Equal([12, 5], lines.Select(l => l.Quantity));
        var newest = Row(ledger.Html, $"ledger-{lines[1].Id}");
        Assert.Contains(StockLedgerLine.FormatBn(lines[1].Id), newest, StringComparison.Ordinal);
        Assert.Contains("qty-in\">+5</td>", newest, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num balance\">17</td>", newest, StringComparison.Ordinal);
        Assert.Contains("直接入库", newest, StringComparison.Ordinal);
        Assert.Contains(ServerFixture.AdminUser, newest, StringComparison.Ordinal);
        var oldest = Row(ledger.Html, $"ledger-{lines[0].Id}");
        Assert.Contains("<td class=\"num balance\">12</td>", oldest, StringComparison.Ordinal);
        Assert.Contains($"href=\"{first.Location}\"", oldest, StringComparison.Ordinal);
        Assert.True(ledger.Html.IndexOf($"ledger-{lines[1].Id}", StringComparison.Ordinal) < ledger.Html.IndexOf($"ledger-{lines[0].Id}", StringComparison.Ordinal), "newest first");

        var detail = await web.GetAsync(first.Location!);
        Assert.Contains("首批入库", detail.Html, StringComparison.Ordinal);
        Assert.Contains(material.MaterialBn, detail.Html, StringComparison.Ordinal);
        Assert.Contains("3.50", detail.Html, StringComparison.Ordinal);
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_out_document_larger_than_available_is_refused_and_writes_nothing()
    {
        var branch = await BranchAsync(server.Services);
        var material = await MaterialAsync(server.Services);
        var other = await MaterialAsync(server.Services);
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await PostDocumentAsync(web, branch, "E", "入库", (material.MaterialBn, "5", "1"), (other.MaterialBn, "20", "1"))).Status);

        // the second line is short: the whole document is refused, the first line's move undone too
        var refused = await PostDocumentAsync(web, branch, "A", "出库", (other.MaterialBn, "3", ""), (material.MaterialBn, "8", ""));
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Matches("id=\"document-summary\"[^>]*>.*Not enough stock", refused.Html.Replace("\n", " ", StringComparison.Ordinal));
        Assert.Contains(material.MaterialBn, refused.Html, StringComparison.Ordinal);
        Assert.Contains("value=\"8\"", refused.Html, StringComparison.Ordinal); // the form keeps what was typed

        Assert.Equal((5, 0, 0, 0), await CountersAsync(server.Services, branch.Id, material.Id));
        Assert.Equal((20, 0, 0, 0), await CountersAsync(server.Services, branch.Id, other.Id));
        Assert.Single(await LedgerAsync(server.Services, branch.Id, material.Id));
        Assert.Single(await LedgerAsync(server.Services, branch.Id, other.Id));
        Assert.Equal(1, await DocumentCountAsync(branch.Id));
        var stock = await web.GetAsync($"/inventory/stock?branch={branch.Id}");
        Assert.Contains("<td class=\"num store\"><b>5</b></td>", Row(stock.Html, $"stock-{branch.Id}-{material.Id}"), StringComparison.Ordinal);
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_unknown_material_code_is_named_beside_its_line_and_nothing_is_written()
    {
        var branch = await BranchAsync(server.Services);
        var material = await MaterialAsync(server.Services);
        var unknown = "NO-SUCH-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();

        var answer = await PostDocumentAsync(web, branch, "E", "入库", (material.MaterialBn, "4", ""), (unknown, "2", ""));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Matches($"name=\"Input.Lines\\[1\\].Code\" value=\"{unknown}\"[^>]*>\\s*<span class=\"field-error\">物料编码 {unknown} 不存在</span>", answer.Html);
        Assert.DoesNotMatch($"name=\"Input.Lines\\[0\\].Code\" value=\"{material.MaterialBn}\"[^>]*>\\s*<span", answer.Html);
        Assert.Equal(0, await DocumentCountAsync(branch.Id));
        Assert.Empty(await LedgerAsync(server.Services, branch.Id, material.Id));
        Assert.Equal((0, 0, 0, 0), await CountersAsync(server.Services, branch.Id, material.Id));
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_ledger_filters_by_type_and_by_a_china_time_range()
    {
        var branch = await BranchAsync(server.Services);
        var material = await MaterialAsync(server.Services);
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await PostDocumentAsync(web, branch, "E", "入库", (material.MaterialBn, "10", ""))).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await PostDocumentAsync(web, branch, "A", "出库", (material.MaterialBn, "4", ""))).Status);
        var lines = await LedgerAsync(server.Services, branch.Id, material.Id);
        Assert.Equal([10, -4], lines.Select(l => l.Quantity));
        var (inLine, outLine) = (lines[0].Id, lines[1].Id);
        var basePath = $"/inventory/ledger?material={material.MaterialBn}";

        Assert.Equal([inLine], LedgerIds((await web.GetAsync($"{basePath}&type={(int)StockMoveType.DirectIn}")).Html));
        var outs = await web.GetAsync($"{basePath}&type={(int)StockMoveType.DirectOut}");
        Assert.Equal([outLine], LedgerIds(outs.Html));
        Assert.Contains("qty-out\">-4</td>", Row(outs.Html, $"ledger-{outLine}"), StringComparison.Ordinal);
        Assert.Contains("<td class=\"num balance\">6</td>", Row(outs.Html, $"ledger-{outLine}"), StringComparison.Ordinal);
        Assert.Empty(LedgerIds((await web.GetAsync($"{basePath}&type={(int)StockMoveType.SalesOut}")).Html));

        // China time (UTC+8) in the fields; a window read as UTC would lie eight hours off and find nothing
        var created = lines[0].CreatedAt;
        string China(DateTime utc, int minutes) => Uri.EscapeDataString(ChinaTime.ToText(utc.AddMinutes(minutes)));
        Assert.Equal([outLine, inLine], LedgerIds((await web.GetAsync($"{basePath}&from={China(created, -5)}&to={China(created, 5)}")).Html));
        Assert.Empty(LedgerIds((await web.GetAsync($"{basePath}&from={China(created, 10)}")).Html));
        Assert.Empty(LedgerIds((await web.GetAsync($"{basePath}&to={China(created, -10)}")).Html));
        // a datetime-local value (with 'T') and a whole day work too
        var local = ChinaTime.ToText(created.AddMinutes(-5)).Replace(' ', 'T');
        Assert.Equal([outLine, inLine], LedgerIds((await web.GetAsync($"{basePath}&from={Uri.EscapeDataString(local)}&type=")).Html));
        var day = ChinaTime.ToText(created)[..10];
        Assert.Equal([outLine, inLine], LedgerIds((await web.GetAsync($"{basePath}&from={day}&to={day}")).Html));

        // the source document number filter, and the document list's type filter
        var doc = lines[1].OriginalBn!;
        Assert.Equal([outLine], LedgerIds((await web.GetAsync($"/inventory/ledger?doc={doc}")).Html));
        var documents = await web.GetAsync($"/inventory/documents?branch={branch.Id}&type=A");
        Assert.Contains(doc, documents.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(lines[0].OriginalBn!, documents.Html, StringComparison.Ordinal);
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task Totals_and_sellable_per_shop_show_for_a_material()
    {
        var shop = await ShopAsync(server.Services);
        var branch = await BranchAsync(server.Services, true, shop);
        var offline = await BranchAsync(server.Services, false, shop);
        var material = await MaterialAsync(server.Services);
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await PostDocumentAsync(web, branch, "E", "入库", (material.MaterialBn, "9", ""))).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await PostDocumentAsync(web, offline, "G", "赠品入库", (material.MaterialBn, "4", ""))).Status);

        var totals = await web.GetAsync($"/inventory/stock?view=totals&q={material.MaterialBn}&material={material.Id}");
        Assert.Contains("<td class=\"num store\"><b>13</b></td>", Row(totals.Html, $"totals-{material.Id}"), StringComparison.Ordinal);
        // only the online branch supplies the shop
        var shopRow = Regex.Match(totals.Html, $"<tr data-shop=\"{shop.ShopBn}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(shopRow.Success, "no sellable row for the shop");
        Assert.Contains("<b>9</b>", shopRow.Groups[1].Value, StringComparison.Ordinal);
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_user_without_stock_edit_gets_403_on_the_create_page_but_may_view_stock()
    {
        var name = "viewer" + Guid.NewGuid().ToString("N")[..6];
        var branch = await BranchAsync(server.Services);
        var material = await MaterialAsync(server.Services);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.StockView], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        var form = await web.GetAsync(Form);
        Assert.Equal(HttpStatusCode.Forbidden, form.Status);
        var stock = await web.GetAsync("/inventory/stock");
        Assert.Equal(HttpStatusCode.OK, stock.Status);
        Assert.DoesNotContain($"href=\"{Form}\"", stock.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/inventory/documents")).Status);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/inventory/ledger")).Status);

        // posting directly is refused too, with a valid token from a form the user may open
        var post = await web.PostAsync(Form, DocumentFields(branch, "E", "x", [(material.MaterialBn, "1", "")]), tokenFrom: "/account/password");
        Assert.Equal(HttpStatusCode.Forbidden, post.Status);
        Assert.Equal(0, await DocumentCountAsync(branch.Id));
        await AssertInvariantsAsync();
    }

    private static List<KeyValuePair<string, string>> DocumentFields(Branch branch, string type, string name, (string Code, string Quantity, string Price)[] lines)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.BranchId", branch.Id.ToString(CultureInfo.InvariantCulture)), new("Input.Type", type), new("Input.Name", name), new("Input.Memo", ""),
        };
        for (var i = 0; i < lines.Length; i++)
        {
            // indices as the editor sends them after a row was removed: not contiguous
            var k = (i * 2).ToString(CultureInfo.InvariantCulture);
            fields.Add(new("Input.Lines.Index", k));
            fields.Add(new($"Input.Lines[{k}].Code", lines[i].Code));
            fields.Add(new($"Input.Lines[{k}].Quantity", lines[i].Quantity));
            fields.Add(new($"Input.Lines[{k}].Price", lines[i].Price));
        }
        // a blank row, as the form starts with three
        fields.Add(new("Input.Lines.Index", "99"));
        fields.Add(new("Input.Lines[99].Code", ""));
        fields.Add(new("Input.Lines[99].Quantity", ""));
        return fields;
    }

    private static Task<WebSession.Answer> PostDocumentAsync(WebSession web, Branch branch, string type, string name, params (string Code, string Quantity, string Price)[] lines) =>
        web.PostAsync(Form, DocumentFields(branch, type, name, lines), tokenFrom: Form);

    private async Task<int> DocumentCountAsync(long branchId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<StockDocument>().CountAsync(d => d.BranchId == branchId, Ct);
    }

    private async Task AssertInvariantsAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var violations = await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync(Ct);
        Assert.True(violations.Count == 0, "inventory invariants violated:\n" + string.Join("\n", violations));
    }

    /// <summary>The inner HTML of the table row with this id, entities decoded (Razor writes "+" as an entity).</summary>
    private static string Row(string html, string id)
    {
        var m = Regex.Match(html, $"<tr id=\"{Regex.Escape(id)}\"[^>]*>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no row {id}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    /// <summary>The ids of the ledger rows shown, in page order.</summary>
    private static List<long> LedgerIds(string html) =>
        LedgerRow().Matches(html).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex("<tr id=\"ledger-(\\d+)\"")]
    private static partial Regex LedgerRow();
}

public sealed class SqliteInventoryWebTests(SqliteServerFixture f) : InventoryWebTests<SqliteServerFixture>(f);

public sealed class PostgresInventoryWebTests(PostgresServerFixture f) : InventoryWebTests<PostgresServerFixture>(f);
