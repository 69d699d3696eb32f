using System.Globalization;
using Oms.Tests.Infrastructure;
using static Oms.Tests.MasterData.MasterDataApi;

namespace Oms.Tests.MasterData;

/// <summary><c>shop.add</c>, <c>shop.update</c>, <c>shop.getList</c> through HTTP.</summary>
public abstract class ShopApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const string List = "shop.getList";
    private OpenApiTestClient Api => server.OpenApi;

    private static Dictionary<string, string> ValidShop(string bn) =>
        P(("shop_bn", bn), ("shop_name", "旗舰店 " + bn), ("shop_type", "tmall"));

    [Fact]
    public async Task Add_answers_the_shop_and_getList_returns_every_field_but_the_token()
    {
        var bn = NewCode("SHOP");
        var node = NewCode("node");
        var added = await Api.CallAsync("shop.add", ValidShop(bn)
            .With("shop_type", "Douyin").With("node_id", node).With("token", "secret-token-1")
            .With("api_url", "https://matrix.example.com/api").With("stock_writeback", "false").With("ship_writeback", "0"));
        Assert.Equal(bn, added.GetProperty("shop_bn").GetString());

        var row = await Api.OnlyRowAsync(List, "shop_bn", bn);
        Assert.Equal(added.GetRawText(), row.GetRawText());
        Assert.Equal("旗舰店 " + bn, row.GetProperty("shop_name").GetString());
        Assert.Equal("douyin", row.GetProperty("shop_type").GetString());
        Assert.Equal(node, row.GetProperty("node_id").GetString());
        Assert.Equal("https://matrix.example.com/api", row.GetProperty("api_url").GetString());
        Assert.False(row.GetProperty("stock_writeback").GetBoolean());
        Assert.False(row.GetProperty("ship_writeback").GetBoolean());
        Assert.False(row.TryGetProperty("token", out _));
        Assert.DoesNotContain("secret-token-1", row.GetRawText(), StringComparison.Ordinal);
        var created = DateTime.ParseExact(row.GetProperty("createtime").GetString()!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.InRange(created, DateTime.UtcNow.AddHours(8).AddMinutes(-5), DateTime.UtcNow.AddHours(8).AddMinutes(5));
    }

    [Fact]
    public async Task Switches_default_to_true_and_optional_fields_to_null()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(bn));
        var row = await Api.OnlyRowAsync(List, "shop_bn", bn);
        Assert.True(row.GetProperty("stock_writeback").GetBoolean());
        Assert.True(row.GetProperty("ship_writeback").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, row.GetProperty("node_id").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, row.GetProperty("api_url").ValueKind);
    }

    [Fact]
    public async Task Add_writes_an_audit_entry_naming_the_client()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(bn));
        var entry = Assert.Single(await server.AuditAsync($"shop:{bn}"));
        Assert.Equal("shop.create", entry.Action);
        Assert.Equal("openapi:" + Api.Flag, entry.UserName);
    }

    [Fact]
    public async Task Duplicate_shop_bn_is_e000010_naming_the_code()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(bn));
        var msg = await Api.AssertRefusedAsync("shop.add", ValidShop(bn).With("shop_name", "other"), "e000010", "shop_bn", List);
        Assert.Contains($"'{bn}' already exists", msg, StringComparison.Ordinal);
        Assert.Equal("旗舰店 " + bn, (await Api.OnlyRowAsync(List, "shop_bn", bn)).GetProperty("shop_name").GetString());
    }

    [Fact]
    public async Task Node_id_bound_to_another_shop_is_e000010()
    {
        var node = NewCode("node");
        var first = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(first).With("node_id", node));
        var msg = await Api.AssertRefusedAsync("shop.add", ValidShop(NewCode("SHOP")).With("node_id", node), "e000010", "node_id", List);
        Assert.Contains(first, msg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shop_bn", null, "shop_bn: is required")]
    [InlineData("shop_name", null, "shop_name: is required")]
    [InlineData("shop_type", null, "shop_type: is required")]
    [InlineData("shop_bn", "has space", "shop_bn:")]
    [InlineData("shop_bn", "店铺1", "shop_bn:")]
    [InlineData("shop_bn", "A1234567890123456789012345678901234567890123456789012345678901234", "shop_bn:")]
    [InlineData("shop_name", "01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890", "shop_name:")]
    [InlineData("shop_type", "amazon", "shop_type: 'amazon' is not a known platform")]
    [InlineData("api_url", "ftp://matrix.example.com/", "api_url:")]
    [InlineData("api_url", "not a url", "api_url:")]
    [InlineData("stock_writeback", "maybe", "stock_writeback:")]
    [InlineData("ship_writeback", "yes please", "ship_writeback:")]
    [InlineData("node_id", "node 1", "node_id:")]
    public async Task Bad_input_is_e000006_naming_the_field_and_writes_nothing(string field, string? value, string expected)
    {
        var p = ValidShop(NewCode("SHOP")).With(field, value);
        await Api.AssertRefusedAsync("shop.add", p, "e000006", expected, List);
    }

    [Fact]
    public async Task Update_changes_the_sent_fields_and_keeps_the_others()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(bn).With("api_url", "http://a.example.com/api").With("token", "t1"));
        var updated = await Api.CallAsync("shop.update", P(("shop_bn", bn), ("shop_name", "改名"), ("ship_writeback", "false")));
        Assert.Equal("改名", updated.GetProperty("shop_name").GetString());

        var row = await Api.OnlyRowAsync(List, "shop_bn", bn);
        Assert.Equal("改名", row.GetProperty("shop_name").GetString());
        Assert.Equal("tmall", row.GetProperty("shop_type").GetString());
        Assert.Equal("http://a.example.com/api", row.GetProperty("api_url").GetString());
        Assert.False(row.GetProperty("ship_writeback").GetBoolean());
        Assert.True(row.GetProperty("stock_writeback").GetBoolean());
        var audit = await server.AuditAsync($"shop:{bn}");
        Assert.Equal(["shop.create", "shop.update"], audit.Select(a => a.Action));
        Assert.Contains("shop_name: 旗舰店 " + bn + " → 改名", audit[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_validates_like_add_and_changes_nothing_when_refused()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(bn));
        var (code, sub) = await Api.CallErrorAsync("shop.update", P(("shop_bn", bn), ("shop_name", "new"), ("shop_type", "nowhere")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("shop_type:", sub, StringComparison.Ordinal);
        Assert.Equal("旗舰店 " + bn, (await Api.OnlyRowAsync(List, "shop_bn", bn)).GetProperty("shop_name").GetString());
    }

    [Fact]
    public async Task Update_of_an_unknown_shop_is_e000010()
    {
        var bn = NewCode("NOSHOP");
        var (code, sub) = await Api.CallErrorAsync("shop.update", P(("shop_bn", bn), ("shop_name", "x")));
        Assert.Equal("e000010", code);
        Assert.Contains(bn, sub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetList_pages_in_id_order_and_filters_by_codes()
    {
        var codes = Enumerable.Range(0, 3).Select(_ => NewCode("PAGE")).ToList();
        foreach (var c in codes) await Api.CallAsync("shop.add", ValidShop(c));
        var filter = string.Join(",", codes);

        var page1 = await Api.CallAsync(List, P(("shop_bn", filter), ("page_size", "2")));
        Assert.Equal(3, page1.GetProperty("count").GetInt64());
        Assert.Equal(codes[..2], page1.GetProperty("lists").EnumerateArray().Select(r => r.GetProperty("shop_bn").GetString()));
        var page2 = await Api.CallAsync(List, P(("shop_bn", filter), ("page_size", "2"), ("page_no", "2")));
        Assert.Equal(3, page2.GetProperty("count").GetInt64());
        Assert.Equal([codes[2]], page2.GetProperty("lists").EnumerateArray().Select(r => r.GetProperty("shop_bn").GetString()));
    }

    [Fact]
    public async Task GetList_filters_by_modified_time()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", ValidShop(bn));
        var later = DateTime.UtcNow.AddHours(9).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var earlier = DateTime.UtcNow.AddHours(7).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.Equal(0, await Api.CountAsync(List, P(("shop_bn", bn), ("modified_start", later))));
        Assert.Equal(1, await Api.CountAsync(List, P(("shop_bn", bn), ("modified_start", earlier), ("modified_end", later))));
    }

    [Theory]
    [InlineData("shop.getList")]
    [InlineData("branch.getList")]
    [InlineData("logistics.getList")]
    [InlineData("basicmaterial.getList")]
    [InlineData("salesmaterial.getList")]
    [InlineData("supplier.getList")]
    public async Task Page_size_above_100_is_e000006(string method)
    {
        var (code, sub) = await Api.CallErrorAsync(method, P(("page_size", "101")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("page_size:", sub, StringComparison.Ordinal);
        var ok = await Api.CallAsync(method, P(("page_size", "100")));
        Assert.Equal(System.Text.Json.JsonValueKind.Array, ok.GetProperty("lists").ValueKind);
    }
}

public sealed class SqliteShopApiTests(SqliteServerFixture f) : ShopApiTests<SqliteServerFixture>(f);

public sealed class PostgresShopApiTests(PostgresServerFixture f) : ShopApiTests<PostgresServerFixture>(f);
