using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using Oms.Warehouses;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Inventory;

/// <summary><c>transfer.add</c>, <c>stock.*</c> and <c>iostock.getList</c> over the real HTTP endpoint.</summary>
public abstract class StockOpenApiTests<TFixture>(TFixture server) : IClassFixture<TFixture>, IAsyncLifetime where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;
    private OpenApiTestClient Api => server.OpenApi;
    private Branch _branch = null!;
    private BasicMaterial _a = null!;
    private BasicMaterial _b = null!;

    public async ValueTask InitializeAsync()
    {
        _branch = await BranchAsync(S);
        _a = await MaterialAsync(S);
        _b = await MaterialAsync(S);
    }

    public async ValueTask DisposeAsync()
    {
        await AssertInvariantsAsync(S, FreezeBook.For(server));
        GC.SuppressFinalize(this);
    }

    private Dictionary<string, string> Transfer(string tType, string items, string? ioBn = null, Branch? branch = null)
    {
        var p = new Dictionary<string, string>
        {
            ["name"] = "测试出入库",
            ["branch_bn"] = (branch ?? _branch).BranchBn,
            ["t_type"] = tType,
            ["items"] = items,
            ["memo"] = "by test",
            ["operator"] = "tester",
        };
        if (ioBn is not null) p["io_bn"] = ioBn;
        return p;
    }

    private async Task<int> StoreAsync(BasicMaterial m, Branch? branch = null) => (await CountersAsync(S, (branch ?? _branch).Id, m.Id)).Store;

    private static int Int(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    [Fact]
    public async Task Transfer_in_and_out_change_store_and_answer_the_balances()
    {
        var inAnswer = await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},name:甲,price:10.5,nums:8;bn:{_b.MaterialBn},nums:3"));
        var ioBn = inAnswer.GetProperty("io_bn").GetString()!;
        Assert.Matches("^T[0-9]{18,}$", ioBn);
        Assert.Equal(_branch.BranchBn, inAnswer.GetProperty("branch_bn").GetString());
        Assert.Equal("E", inAnswer.GetProperty("t_type").GetString());
        var items = inAnswer.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([(_a.MaterialBn, 8, 8), (_b.MaterialBn, 3, 3)], items.Select(i => (i.GetProperty("bn").GetString(), Int(i, "nums"), Int(i, "balance"))));

        var outAnswer = await Api.CallAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:5", ioBn: "OUT-" + _a.MaterialBn));
        Assert.Equal("OUT-" + _a.MaterialBn, outAnswer.GetProperty("io_bn").GetString());
        Assert.Equal(3, Int(outAnswer.GetProperty("items")[0], "balance"));
        Assert.Equal(3, await StoreAsync(_a));
        Assert.Equal(3, await StoreAsync(_b));

        await using var scope = S.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var doc = await db.Set<StockDocument>().Include(d => d.Lines).SingleAsync(d => d.IoBn == ioBn, TestContext.Current.CancellationToken);
        Assert.Equal((StockDocumentType.DirectIn, "tester", "by test"), (doc.Type, doc.Operator, doc.Memo));
        Assert.Equal([("甲", 8, 10.5m), (_b.Name, 3, 0m)], doc.Lines.OrderBy(l => l.Id).Select(l => (l.Name, l.Quantity, l.Price)));
        var ledger = await LedgerAsync(S, _branch.Id, _a.Id);
        Assert.Equal([(8, StockMoveType.DirectIn, ioBn), (-5, StockMoveType.DirectOut, "OUT-" + _a.MaterialBn)],
            ledger.Select(l => (l.Quantity, l.Type, l.OriginalBn)));
        Assert.True(await db.Set<Oms.Admin.AuditEntry>().AnyAsync(e => e.Target == "stock_document:" + ioBn, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("G", StockMoveType.GiftIn, "F", StockMoveType.GiftOut)]
    [InlineData("K", StockMoveType.SampleIn, "J", StockMoveType.SampleOut)]
    public async Task Gift_and_sample_documents_write_their_ledger_types(string inType, StockMoveType inLedger, string outType, StockMoveType outLedger)
    {
        await Api.CallAsync("transfer.add", Transfer(inType, $"bn:{_a.MaterialBn},nums:4"));
        await Api.CallAsync("transfer.add", Transfer(outType, $"bn:{_a.MaterialBn},nums:1"));
        Assert.Equal([inLedger, outLedger], (await LedgerAsync(S, _branch.Id, _a.Id)).Select(l => l.Type));
        Assert.Equal(3, await StoreAsync(_a));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("branch_bn")]
    [InlineData("t_type")]
    [InlineData("items")]
    public async Task A_missing_required_parameter_is_e000006_naming_it(string field)
    {
        var p = Transfer("E", $"bn:{_a.MaterialBn},nums:1");
        p.Remove(field);
        var (code, sub) = await Api.CallErrorAsync("transfer.add", p);
        Assert.Equal("e000006", code);
        Assert.StartsWith(field, sub, StringComparison.Ordinal);
        Assert.Equal(0, await StoreAsync(_a));
    }

    [Theory]
    [InlineData("bn:{a},nums:0", "nums")]
    [InlineData("bn:{a},nums:-1", "nums")]
    [InlineData("bn:{a},nums:1.5", "nums")]
    [InlineData("bn:{a},nums:x", "nums")]
    [InlineData("bn:{a}", "nums is missing")]
    [InlineData("nums:1", "bn is missing")]
    [InlineData("bn:{a},nums:1,color:red", "unknown key 'color'")]
    [InlineData("bn:{a},nums:1,price:-2", "price")]
    [InlineData("bn:{a},nums:1;bn:{a},nums:2", "more than once")]
    [InlineData("bn:NO-SUCH-CODE,nums:1", "NO-SUCH-CODE")]
    [InlineData("bn:{a},nums:1;;bn:{b},nums:1", "empty")]
    [InlineData("garbage", "key:value")]
    public async Task Malformed_items_are_e000006_naming_the_field_and_write_nothing(string items, string mentions)
    {
        var (code, sub) = await Api.CallErrorAsync("transfer.add", Transfer("E", items.Replace("{a}", _a.MaterialBn, StringComparison.Ordinal).Replace("{b}", _b.MaterialBn, StringComparison.Ordinal)));
        Assert.Equal("e000006", code);
        Assert.StartsWith("items", sub, StringComparison.Ordinal);
        Assert.Contains(mentions, sub, StringComparison.Ordinal);
        Assert.Equal(0, await StoreAsync(_a));
        Assert.Equal(0, await StoreAsync(_b));
    }

    [Fact]
    public async Task Unknown_branch_and_bad_t_type_are_e000006()
    {
        var p = Transfer("E", $"bn:{_a.MaterialBn},nums:1");
        p["branch_bn"] = "NO-SUCH-BRANCH";
        var (code, sub) = await Api.CallErrorAsync("transfer.add", p);
        Assert.Equal("e000006", code);
        Assert.Contains("branch_bn", sub, StringComparison.Ordinal);
        Assert.Contains("NO-SUCH-BRANCH", sub, StringComparison.Ordinal);

        (code, sub) = await Api.CallErrorAsync("transfer.add", Transfer("X", $"bn:{_a.MaterialBn},nums:1"));
        Assert.Equal("e000006", code);
        Assert.StartsWith("t_type", sub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_out_document_larger_than_the_free_stock_is_e000010_and_writes_nothing()
    {
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:5;bn:{_b.MaterialBn},nums:5"));
        var ledgerBefore = (await LedgerAsync(S, _branch.Id, _a.Id)).Count;
        var ioBn = "BIG-" + _a.MaterialBn;

        // the first line would fit, the second does not: refused as a whole
        var (code, sub) = await Api.CallErrorAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:2;bn:{_b.MaterialBn},nums:6", ioBn));
        Assert.Equal("e000010", code);
        Assert.Contains(_b.MaterialBn, sub, StringComparison.Ordinal);
        Assert.Contains("wanted 6", sub, StringComparison.Ordinal);
        Assert.Equal(5, await StoreAsync(_a));
        Assert.Equal(5, await StoreAsync(_b));
        Assert.Equal(ledgerBefore, (await LedgerAsync(S, _branch.Id, _a.Id)).Count);

        // the io_bn was not taken either
        await Api.CallAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:2;bn:{_b.MaterialBn},nums:5", ioBn));
        Assert.Equal(3, await StoreAsync(_a));
        Assert.Equal(0, await StoreAsync(_b));
    }

    [Fact]
    public async Task Free_stock_excludes_frozen_units_for_out_documents()
    {
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:5"));
        await StockAsync(S, inv => inv.FreezeBranchAsync([new StockMoveLine(_branch.Id, _a.Id, 4)]));
        try
        {
            var (code, _) = await Api.CallErrorAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:2"));
            Assert.Equal("e000010", code);
            await Api.CallAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:1"));
        }
        finally
        {
            await StockAsync(S, inv => inv.ReleaseBranchFreezeAsync([new StockMoveLine(_branch.Id, _a.Id, 4)]));
        }
        Assert.Equal(4, await StoreAsync(_a));
    }

    [Fact]
    public async Task A_duplicate_io_bn_is_e000010()
    {
        var ioBn = "DUP-" + _a.MaterialBn;
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:1", ioBn));
        var (code, sub) = await Api.CallErrorAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:1", ioBn));
        Assert.Equal("e000010", code);
        Assert.Contains(ioBn, sub, StringComparison.Ordinal);
        Assert.Equal(1, await StoreAsync(_a));
    }

    [Fact]
    public async Task GetBnStock_reports_total_freeze_as_shop_plus_branch()
    {
        var shop = await ShopAsync(S);
        var other = await BranchAsync(S);
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:10"));
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:4", branch: other));
        await Api.CallAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:1"));
        await StockAsync(S, async inv =>
        {
            await inv.FreezeBranchAsync([new StockMoveLine(_branch.Id, _a.Id, 3)]);
            await inv.FreezeShopAsync([new ShopFreezeLine(shop.Id, _a.Id, 2)]);
            await inv.AddArrivingAsync([new StockMoveLine(other.Id, _a.Id, 6)]);
        });
        try
        {
            var answer = await Api.CallAsync("stock.getBnStock", new Dictionary<string, string> { ["product_bns"] = $"{_a.MaterialBn},{_b.MaterialBn},NOPE" });
            Assert.Equal(2, answer.GetProperty("count").GetInt32());
            var a = answer.GetProperty("lists").EnumerateArray().Single(r => r.GetProperty("bn").GetString() == _a.MaterialBn);
            Assert.Equal(_a.Barcode, a.GetProperty("barcode").GetString());
            Assert.Equal((13, 5, 2, 3, 6, 8), (Int(a, "store"), Int(a, "store_freeze"), Int(a, "shop_freeze"), Int(a, "branch_freeze"), Int(a, "arrive_store"), Int(a, "available")));
            var b = answer.GetProperty("lists").EnumerateArray().Single(r => r.GetProperty("bn").GetString() == _b.MaterialBn);
            Assert.Equal((0, 0, 0), (Int(b, "store"), Int(b, "store_freeze"), Int(b, "available")));

            var byBarcode = await Api.CallAsync("stock.getBnStock", new Dictionary<string, string> { ["barcodes"] = _a.Barcode! });
            Assert.Equal(13, Int(byBarcode.GetProperty("lists")[0], "store"));

            var (code, sub) = await Api.CallErrorAsync("stock.getBnStock", new Dictionary<string, string>());
            Assert.Equal("e000006", code);
            Assert.StartsWith("product_bns", sub, StringComparison.Ordinal);
        }
        finally
        {
            await StockAsync(S, async inv =>
            {
                await inv.ReleaseBranchFreezeAsync([new StockMoveLine(_branch.Id, _a.Id, 3)]);
                await inv.ReleaseShopFreezeAsync([new ShopFreezeLine(shop.Id, _a.Id, 2)]);
            });
        }
    }

    [Fact]
    public async Task GetDetailList_and_getAll_list_each_branch()
    {
        var other = await BranchAsync(S);
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:7"));
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:2", branch: other));

        var detail = await Api.CallAsync("stock.getDetailList", new Dictionary<string, string> { ["product_bn"] = _a.MaterialBn });
        Assert.Equal(2, detail.GetProperty("count").GetInt32());
        Assert.Equal([(_branch.BranchBn, 7), (other.BranchBn, 2)],
            detail.GetProperty("lists").EnumerateArray().Select(r => (r.GetProperty("branch_bn").GetString(), Int(r, "store"))));
        Assert.All(detail.GetProperty("lists").EnumerateArray(), r => Assert.Equal(_a.MaterialBn, r.GetProperty("bn").GetString()));

        var one = await Api.CallAsync("stock.getDetailList", new Dictionary<string, string> { ["product_bn"] = _a.MaterialBn, ["branch_bn"] = other.BranchBn });
        Assert.Equal(1, one.GetProperty("count").GetInt32());

        var future = ChinaTime.ToText(DateTime.UtcNow.AddHours(1));
        var none = await Api.CallAsync("stock.getDetailList", new Dictionary<string, string> { ["product_bn"] = _a.MaterialBn, ["modified_start"] = future });
        Assert.Equal(0, none.GetProperty("count").GetInt32());
        var past = ChinaTime.ToText(DateTime.UtcNow.AddHours(-1));
        var window = await Api.CallAsync("stock.getDetailList", new Dictionary<string, string> { ["product_bn"] = _a.MaterialBn, ["modified_start"] = past, ["modified_end"] = future });
        Assert.Equal(2, window.GetProperty("count").GetInt32());

        var paged = await Api.CallAsync("stock.getDetailList", new Dictionary<string, string> { ["product_bn"] = _a.MaterialBn, ["page_size"] = "1", ["page_no"] = "2" });
        Assert.Equal(2, paged.GetProperty("count").GetInt32());
        Assert.Equal(other.BranchBn, Assert.Single(paged.GetProperty("lists").EnumerateArray()).GetProperty("branch_bn").GetString());
        var (code, _) = await Api.CallErrorAsync("stock.getDetailList", new Dictionary<string, string> { ["page_size"] = "101" });
        Assert.Equal("e000006", code);

        var all = await Api.CallAsync("stock.getAll", new Dictionary<string, string> { ["product_bn"] = _a.MaterialBn });
        Assert.Equal(1, all.GetProperty("count").GetInt32());
        var row = all.GetProperty("lists")[0];
        Assert.Equal((9, 0, 9), (Int(row, "store"), Int(row, "store_freeze"), Int(row, "available")));
        Assert.Equal([(_branch.BranchBn, 7), (other.BranchBn, 2)],
            row.GetProperty("branches").EnumerateArray().Select(r => (r.GetProperty("branch_bn").GetString(), Int(r, "store"))));
    }

    [Fact]
    public async Task IoStock_getList_filters_by_time_window_and_type()
    {
        var inDoc = await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},price:2.5,nums:6"));
        await Api.CallAsync("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:4"));
        var start = ChinaTime.ToText(DateTime.UtcNow.AddMinutes(-10));
        var end = ChinaTime.ToText(DateTime.UtcNow.AddMinutes(10));

        var list = await Api.CallAsync("iostock.getList", new Dictionary<string, string> { ["start_time"] = start, ["end_time"] = end, ["product_bn"] = _a.MaterialBn });
        Assert.Equal(2, list.GetProperty("count").GetInt32());
        var rows = list.GetProperty("lists").EnumerateArray().ToList();
        var first = rows[0];
        Assert.Matches("^IO[0-9]{10}$", first.GetProperty("iostock_bn").GetString()!);
        Assert.Equal(_branch.BranchBn, first.GetProperty("branch_bn").GetString());
        Assert.Equal((6, "in", 70, "直接入库", 6), (Int(first, "nums"), first.GetProperty("io").GetString(), Int(first, "type_id"), first.GetProperty("type_name").GetString(), Int(first, "balance")));
        Assert.Equal(inDoc.GetProperty("io_bn").GetString(), first.GetProperty("original_bn").GetString());
        Assert.Equal("tester", first.GetProperty("operator").GetString());
        Assert.True(ChinaTime.TryParse(first.GetProperty("create_time").GetString(), out var created));
        Assert.InRange(created, DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddMinutes(10));
        Assert.Equal((4, "out", 7, "直接出库", 2), (Int(rows[1], "nums"), rows[1].GetProperty("io").GetString(), Int(rows[1], "type_id"), rows[1].GetProperty("type_name").GetString(), Int(rows[1], "balance")));

        var outs = await Api.CallAsync("iostock.getList", new Dictionary<string, string> { ["start_time"] = start, ["end_time"] = end, ["product_bn"] = _a.MaterialBn, ["type"] = "7" });
        Assert.Equal(1, outs.GetProperty("count").GetInt32());
        Assert.Equal("out", outs.GetProperty("lists")[0].GetProperty("io").GetString());

        var ins = await Api.CallAsync("iostock.getList", new Dictionary<string, string> { ["start_time"] = start, ["end_time"] = end, ["product_bn"] = _a.MaterialBn, ["type_id"] = "70" });
        Assert.Equal("in", Assert.Single(ins.GetProperty("lists").EnumerateArray()).GetProperty("io").GetString());

        var byBranch = await Api.CallAsync("iostock.getList", new Dictionary<string, string> { ["start_time"] = start, ["end_time"] = end, ["branch_bn"] = _branch.BranchBn });
        Assert.Equal(2, byBranch.GetProperty("count").GetInt32());

        var later = await Api.CallAsync("iostock.getList", new Dictionary<string, string>
        {
            ["start_time"] = ChinaTime.ToText(DateTime.UtcNow.AddMinutes(10)), ["end_time"] = ChinaTime.ToText(DateTime.UtcNow.AddMinutes(20)), ["product_bn"] = _a.MaterialBn,
        });
        Assert.Equal(0, later.GetProperty("count").GetInt32());

        var (code, sub) = await Api.CallErrorAsync("iostock.getList", new Dictionary<string, string> { ["end_time"] = end });
        Assert.Equal("e000006", code);
        Assert.StartsWith("start_time", sub, StringComparison.Ordinal);
        (code, _) = await Api.CallErrorAsync("iostock.getList", new Dictionary<string, string> { ["start_time"] = start, ["end_time"] = end, ["type"] = "9999" });
        Assert.Equal("e000006", code);
    }

    [Fact]
    public async Task Fifty_parallel_out_documents_on_twenty_units_sell_exactly_twenty()
    {
        await Api.CallAsync("transfer.add", Transfer("E", $"bn:{_a.MaterialBn},nums:20"));
        var tasks = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            var answer = await Api.PostAsync(Api.Form("transfer.add", Transfer("A", $"bn:{_a.MaterialBn},nums:1")));
            if (answer.TryGetProperty("response", out _)) return "ok";
            return answer.GetProperty("error_response").GetProperty("code").GetString()!;
        })).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(20, results.Count(r => r == "ok"));
        Assert.Equal(30, results.Count(r => r == "e000010"));
        Assert.Equal(0, await StoreAsync(_a));
        var ledger = await LedgerAsync(S, _branch.Id, _a.Id);
        Assert.Equal(21, ledger.Count);
        Assert.All(ledger, l => Assert.True(l.BalanceAfter >= 0));
        Assert.Equal(Enumerable.Range(0, 20).Reverse().Select(i => i.ToString(CultureInfo.InvariantCulture)),
            ledger.Skip(1).Select(l => l.BalanceAfter.ToString(CultureInfo.InvariantCulture)));
        await using var scope = S.CreateAsyncScope();
        Assert.Equal(21, await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<StockDocument>()
            .CountAsync(d => d.Lines.Any(l => l.BasicMaterialId == _a.Id), TestContext.Current.CancellationToken));
    }
}

public sealed class SqliteStockOpenApiTests(SqliteServerFixture f) : StockOpenApiTests<SqliteServerFixture>(f);

public sealed class PostgresStockOpenApiTests(PostgresServerFixture f) : StockOpenApiTests<PostgresServerFixture>(f);
