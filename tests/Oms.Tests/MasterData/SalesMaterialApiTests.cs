using System.Text.Json;
using Oms.Tests.Infrastructure;
using static Oms.Tests.MasterData.MasterDataApi;

namespace Oms.Tests.MasterData;

/// <summary><c>salesmaterial.add</c>, <c>salesmaterial.update</c>, <c>salesmaterial.getList</c> through HTTP.</summary>
public abstract class SalesMaterialApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const string List = "salesmaterial.getList";
    private OpenApiTestClient Api => server.OpenApi;

    private async Task<string> AddBasicAsync()
    {
        var bn = NewCode("SKU");
        await Api.CallAsync("basicmaterial.add", P(("material_bn", bn), ("material_name", bn)));
        return bn;
    }

    private static Dictionary<string, string> Sm(string bn, int type, string bindInfo) =>
        P(("sales_material_bn", bn), ("sales_material_name", "商品 " + bn), ("sales_material_type", type.ToString(System.Globalization.CultureInfo.InvariantCulture)),
          ("bind_info", bindInfo));

    private static List<(string Bn, int Quantity, decimal Share)> Parts(JsonElement row) =>
        row.GetProperty("bind_info").EnumerateArray()
            .Select(p => (p.GetProperty("bn").GetString()!, p.GetProperty("quantity").GetInt32(), p.GetProperty("price_share").GetDecimal()))
            .ToList();

    [Fact]
    public async Task A_normal_sales_material_round_trips_with_its_binding()
    {
        var sku = await AddBasicAsync();
        var bn = NewCode("SM");
        var added = await Api.CallAsync("salesmaterial.add", Sm(bn, 1, sku).With("retail_price", "59.00"));
        var row = await Api.OnlyRowAsync(List, "sales_material_bn", bn);
        Assert.Equal(added.GetRawText(), row.GetRawText());
        Assert.Equal("商品 " + bn, row.GetProperty("sales_material_name").GetString());
        Assert.Equal(1, row.GetProperty("sales_material_type").GetInt32());
        Assert.Equal(59m, row.GetProperty("retail_price").GetDecimal());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("shop_bn").ValueKind);
        Assert.Equal([(sku, 1, 100m)], Parts(row));
        var audit = Assert.Single(await server.AuditAsync($"salesmaterial:{bn}"));
        Assert.Equal("salesmaterial.create", audit.Action);
        Assert.Contains($"{sku}:1x100", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_combination_keeps_parts_in_order_with_quantities_and_shares()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        var c = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 2, $"{c}:2x40.5|{a}:1x19.5|{b}:3x40"));
        var row = await Api.OnlyRowAsync(List, "sales_material_bn", bn);
        Assert.Equal([(c, 2, 40.5m), (a, 1, 19.5m), (b, 3, 40m)], Parts(row));
    }

    [Fact]
    public async Task Combination_shares_must_sum_to_100_and_the_answer_says_the_sum()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        var bn = NewCode("SM");
        var msg = await Api.AssertRefusedAsync("salesmaterial.add", Sm(bn, 2, $"{a}:1x40|{b}:2x50"), "e000006", "bind_info:", List);
        Assert.Contains("got 90", msg, StringComparison.Ordinal);
        msg = await Api.AssertRefusedAsync("salesmaterial.add", Sm(bn, 2, $"{a}:1x60.01|{b}:2x40"), "e000006", "bind_info:", List);
        Assert.Contains("got 100.01", msg, StringComparison.Ordinal);
        Assert.Equal(0, await Api.CountAsync(List, P(("sales_material_bn", bn))));
    }

    [Fact]
    public async Task An_unknown_basic_material_is_e000006_naming_it_and_nothing_is_written()
    {
        var a = await AddBasicAsync();
        var ghost = NewCode("GHOST");
        var msg = await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 2, $"{a}:1x50|{ghost}:1x50"), "e000006", "bind_info:", List);
        Assert.Contains(ghost, msg, StringComparison.Ordinal);
        Assert.DoesNotContain($"'{a}'", msg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lucky_bag_without_shares_splits_them_evenly_summing_to_100()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        var c = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 4, $"{a}|{b}:2|{c}"));
        var parts = Parts(await Api.OnlyRowAsync(List, "sales_material_bn", bn));
        Assert.Equal([(a, 1, 33.33m), (b, 2, 33.33m), (c, 1, 33.34m)], parts);
    }

    [Fact]
    public async Task A_pick_one_stores_zero_shares_and_needs_two_options()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 5, $"{a}|{b}:2"));
        Assert.Equal([(a, 1, 0m), (b, 2, 0m)], Parts(await Api.OnlyRowAsync(List, "sales_material_bn", bn)));
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 5, a), "e000006", "bind_info: a pick-one", List);
    }

    [Fact]
    public async Task A_gift_binds_one_material_with_any_quantity()
    {
        var a = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 3, $"{a}:2"));
        Assert.Equal([(a, 2, 100m)], Parts(await Api.OnlyRowAsync(List, "sales_material_bn", bn)));
    }

    [Fact]
    public async Task Rule_violations_are_e000006_on_bind_info_and_write_nothing()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 1, $"{a}:2"), "e000006", "bind_info: a normal sales material binds its basic material with quantity 1", List);
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 1, $"{a}|{b}"), "e000006", "bind_info: a normal sales material binds exactly one", List);
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 2, $"{a}:1x50|{a}:2x50"), "e000006", "bind_info: basic material", List);
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 2, $"{a}:0x50|{b}:1x50"), "e000006", "bind_info:", List);
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 2, $"{a}:1|{b}:1x100"), "e000006", "bind_info:", List);
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 2, $"{a}:1x33.333|{b}:1x66.667"), "e000006", "bind_info:", List);
    }

    [Theory]
    [InlineData("sales_material_bn", null, "sales_material_bn: is required")]
    [InlineData("sales_material_name", null, "sales_material_name: is required")]
    [InlineData("sales_material_type", null, "sales_material_type: is required")]
    [InlineData("bind_info", null, "bind_info: is required")]
    [InlineData("sales_material_type", "6", "sales_material_type:")]
    [InlineData("retail_price", "-5", "retail_price:")]
    [InlineData("shop_bn", "NO-SUCH-SHOP", "shop_bn: shop_bn 'NO-SUCH-SHOP' does not exist")]
    public async Task Bad_input_is_e000006_naming_the_field_and_writes_nothing(string field, string? value, string expected)
    {
        var sku = await AddBasicAsync();
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(NewCode("SM"), 1, sku).With(field, value), "e000006", expected, List);
    }

    [Fact]
    public async Task A_shop_limited_sales_material_shows_and_filters_by_its_shop()
    {
        var shop = NewCode("SHOP");
        await Api.CallAsync("shop.add", P(("shop_bn", shop), ("shop_name", shop), ("shop_type", "jd")));
        var sku = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 1, sku).With("shop_bn", shop));
        var row = await Api.OnlyRowAsync(List, "shop_bn", shop);
        Assert.Equal(bn, row.GetProperty("sales_material_bn").GetString());
        Assert.Equal(shop, row.GetProperty("shop_bn").GetString());
    }

    [Fact]
    public async Task Duplicate_sales_material_bn_is_e000010()
    {
        var sku = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 1, sku));
        await Api.AssertRefusedAsync("salesmaterial.add", Sm(bn, 1, sku), "e000010", $"sales_material_bn '{bn}' already exists", List);
    }

    [Fact]
    public async Task Update_replaces_the_bindings_and_keeps_unsent_fields()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        var c = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 2, $"{a}:1x50|{b}:1x50").With("retail_price", "88"));

        var updated = await Api.CallAsync("salesmaterial.update", P(("sales_material_bn", bn), ("bind_info", $"{c}:2x30|{a}:3x70")));
        Assert.Equal([(c, 2, 30m), (a, 3, 70m)], Parts(updated));
        var row = await Api.OnlyRowAsync(List, "sales_material_bn", bn);
        Assert.Equal([(c, 2, 30m), (a, 3, 70m)], Parts(row));
        Assert.Equal(88m, row.GetProperty("retail_price").GetDecimal());
        Assert.Equal(2, row.GetProperty("sales_material_type").GetInt32());

        // a name change keeps the bindings as they are
        await Api.CallAsync("salesmaterial.update", P(("sales_material_bn", bn), ("sales_material_name", "新品")));
        row = await Api.OnlyRowAsync(List, "sales_material_bn", bn);
        Assert.Equal("新品", row.GetProperty("sales_material_name").GetString());
        Assert.Equal([(c, 2, 30m), (a, 3, 70m)], Parts(row));
    }

    [Fact]
    public async Task Update_that_changes_the_type_needs_bind_info_and_a_refused_update_changes_nothing()
    {
        var a = await AddBasicAsync();
        var b = await AddBasicAsync();
        var bn = NewCode("SM");
        await Api.CallAsync("salesmaterial.add", Sm(bn, 1, a));
        var (code, sub) = await Api.CallErrorAsync("salesmaterial.update", P(("sales_material_bn", bn), ("sales_material_type", "5")));
        Assert.Equal("e000006", code);
        Assert.StartsWith("bind_info:", sub, StringComparison.Ordinal);

        (code, sub) = await Api.CallErrorAsync("salesmaterial.update", P(("sales_material_bn", bn), ("sales_material_name", "x"), ("sales_material_type", "2"), ("bind_info", $"{a}:1x50|{b}:1x40")));
        Assert.Equal("e000006", code);
        Assert.Contains("got 90", sub, StringComparison.Ordinal);
        var row = await Api.OnlyRowAsync(List, "sales_material_bn", bn);
        Assert.Equal("商品 " + bn, row.GetProperty("sales_material_name").GetString());
        Assert.Equal([(a, 1, 100m)], Parts(row));

        await Api.CallAsync("salesmaterial.update", P(("sales_material_bn", bn), ("sales_material_type", "5"), ("bind_info", $"{a}|{b}")));
        Assert.Equal([(a, 1, 0m), (b, 1, 0m)], Parts(await Api.OnlyRowAsync(List, "sales_material_bn", bn)));
    }

    [Fact]
    public async Task Update_of_an_unknown_sales_material_is_e000010()
    {
        var (code, _) = await Api.CallErrorAsync("salesmaterial.update", P(("sales_material_bn", NewCode("NOSM")), ("sales_material_name", "x")));
        Assert.Equal("e000010", code);
    }
}

public sealed class SqliteSalesMaterialApiTests(SqliteServerFixture f) : SalesMaterialApiTests<SqliteServerFixture>(f);

public sealed class PostgresSalesMaterialApiTests(PostgresServerFixture f) : SalesMaterialApiTests<PostgresServerFixture>(f);
