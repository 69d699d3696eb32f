using System.Text.Json;
using Oms.Tests.Infrastructure;
using static Oms.Tests.MasterData.MasterDataApi;

namespace Oms.Tests.MasterData;

/// <summary><c>basicmaterial.add</c>, <c>basicmaterial.update</c>, <c>basicmaterial.getList</c> through HTTP.</summary>
public abstract class BasicMaterialApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const string List = "basicmaterial.getList";
    private OpenApiTestClient Api => server.OpenApi;

    private static Dictionary<string, string> Valid(string bn) => P(("material_bn", bn), ("material_name", "保温杯 " + bn));

    [Fact]
    public async Task Add_answers_the_material_and_getList_returns_every_field()
    {
        var bn = NewCode("SKU");
        var barcode = NewCode("690");
        var added = await Api.CallAsync("basicmaterial.add", Valid(bn).With("material_type", "4").With("visibled", "2")
            .With("material_code", barcode).With("unit", "个").With("retail_price", "99.9").With("cost", "12.3456").With("weight", "0.35"));

        var row = await Api.OnlyRowAsync(List, "material_bn", bn);
        Assert.Equal(added.GetRawText(), row.GetRawText());
        Assert.Equal("保温杯 " + bn, row.GetProperty("material_name").GetString());
        Assert.Equal(barcode, row.GetProperty("material_code").GetString());
        Assert.Equal(4, row.GetProperty("material_type").GetInt32());
        Assert.Equal(2, row.GetProperty("visibled").GetInt32());
        Assert.Equal("个", row.GetProperty("unit").GetString());
        Assert.Equal(JsonValueKind.Number, row.GetProperty("retail_price").ValueKind);
        Assert.Equal("99.9", row.GetProperty("retail_price").GetRawText());
        Assert.Equal(12.3456m, row.GetProperty("cost").GetDecimal());
        Assert.Equal(0.35m, row.GetProperty("weight").GetDecimal());
        Assert.Equal(bn, (await Api.OnlyRowAsync(List, "barcode", barcode)).GetProperty("material_bn").GetString());
        Assert.Equal("basicmaterial.create", Assert.Single(await server.AuditAsync($"basicmaterial:{bn}")).Action);
    }

    [Fact]
    public async Task Defaults_are_finished_sellable_and_zero_amounts()
    {
        var bn = NewCode("SKU");
        await Api.CallAsync("basicmaterial.add", Valid(bn));
        var row = await Api.OnlyRowAsync(List, "material_bn", bn);
        Assert.Equal(1, row.GetProperty("material_type").GetInt32());
        Assert.Equal(1, row.GetProperty("visibled").GetInt32());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("material_code").ValueKind);
        Assert.Equal(0m, row.GetProperty("retail_price").GetDecimal());
        Assert.Equal(0m, row.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Duplicate_material_bn_is_e000010()
    {
        var bn = NewCode("SKU");
        await Api.CallAsync("basicmaterial.add", Valid(bn));
        var msg = await Api.AssertRefusedAsync("basicmaterial.add", Valid(bn), "e000010", "material_bn", List);
        Assert.Contains($"'{bn}' already exists", msg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_barcode_is_e000010_naming_its_holder_but_materials_without_barcode_are_many()
    {
        var holder = NewCode("SKU");
        var barcode = NewCode("690");
        await Api.CallAsync("basicmaterial.add", Valid(holder).With("material_code", barcode));
        var msg = await Api.AssertRefusedAsync("basicmaterial.add", Valid(NewCode("SKU")).With("material_code", barcode), "e000010", "material_code", List);
        Assert.Contains(holder, msg, StringComparison.Ordinal);

        await Api.CallAsync("basicmaterial.add", Valid(NewCode("SKU")));
        await Api.CallAsync("basicmaterial.add", Valid(NewCode("SKU")));
    }

    [Theory]
    [InlineData("material_bn", null, "material_bn: is required")]
    [InlineData("material_name", null, "material_name: is required")]
    [InlineData("material_bn", "SKU/1", "material_bn:")]
    [InlineData("material_type", "3", "material_type:")]
    [InlineData("material_type", "finished", "material_type:")]
    [InlineData("visibled", "0", "visibled:")]
    [InlineData("visibled", "3", "visibled:")]
    [InlineData("material_code", "690 123", "material_code:")]
    [InlineData("retail_price", "-1", "retail_price:")]
    [InlineData("retail_price", "1.23456", "retail_price:")]
    [InlineData("cost", "-0.01", "cost:")]
    [InlineData("cost", "cheap", "cost:")]
    [InlineData("weight", "-0.5", "weight:")]
    [InlineData("weight", "0.00001", "weight:")]
    public async Task Bad_input_is_e000006_naming_the_field_and_writes_nothing(string field, string? value, string expected)
    {
        await Api.AssertRefusedAsync("basicmaterial.add", Valid(NewCode("SKU")).With(field, value), "e000006", expected, List);
    }

    [Fact]
    public async Task Update_changes_sent_fields_and_keeps_the_others()
    {
        var bn = NewCode("SKU");
        var barcode = NewCode("690");
        await Api.CallAsync("basicmaterial.add", Valid(bn).With("material_code", barcode).With("cost", "5").With("retail_price", "10"));
        await Api.CallAsync("basicmaterial.update", P(("material_bn", bn), ("retail_price", "12.5"), ("visibled", "2")));
        var row = await Api.OnlyRowAsync(List, "material_bn", bn);
        Assert.Equal(12.5m, row.GetProperty("retail_price").GetDecimal());
        Assert.Equal(2, row.GetProperty("visibled").GetInt32());
        Assert.Equal(5m, row.GetProperty("cost").GetDecimal());
        Assert.Equal(barcode, row.GetProperty("material_code").GetString());
        Assert.Equal("保温杯 " + bn, row.GetProperty("material_name").GetString());
    }

    [Fact]
    public async Task Update_may_not_take_another_materials_barcode()
    {
        var a = NewCode("SKU");
        var b = NewCode("SKU");
        var barcode = NewCode("690");
        await Api.CallAsync("basicmaterial.add", Valid(a).With("material_code", barcode));
        await Api.CallAsync("basicmaterial.add", Valid(b));
        var (code, sub) = await Api.CallErrorAsync("basicmaterial.update", P(("material_bn", b), ("material_code", barcode)));
        Assert.Equal("e000010", code);
        Assert.Contains(a, sub, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await Api.OnlyRowAsync(List, "material_bn", b)).GetProperty("material_code").ValueKind);
    }

    [Fact]
    public async Task Update_of_an_unknown_material_is_e000010()
    {
        var (code, _) = await Api.CallErrorAsync("basicmaterial.update", P(("material_bn", NewCode("NOSKU")), ("cost", "1")));
        Assert.Equal("e000010", code);
    }
}

public sealed class SqliteBasicMaterialApiTests(SqliteServerFixture f) : BasicMaterialApiTests<SqliteServerFixture>(f);

public sealed class PostgresBasicMaterialApiTests(PostgresServerFixture f) : BasicMaterialApiTests<PostgresServerFixture>(f);
