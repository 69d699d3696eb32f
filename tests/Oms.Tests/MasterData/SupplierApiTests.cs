using Oms.Tests.Infrastructure;
using static Oms.Tests.MasterData.MasterDataApi;

namespace Oms.Tests.MasterData;

/// <summary><c>supplier.add</c>, <c>supplier.update</c>, <c>supplier.getList</c> through HTTP.</summary>
public abstract class SupplierApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const string List = "supplier.getList";
    private OpenApiTestClient Api => server.OpenApi;

    [Fact]
    public async Task Add_answers_the_supplier_and_getList_returns_every_field()
    {
        var bn = NewCode("SUP");
        var added = await Api.CallAsync("supplier.add", P(("supplier_bn", bn), ("name", "义乌小商品厂"), ("contact", "王经理"),
            ("phone", "+86 571-8888 0000"), ("address", "浙江省义乌市")));
        var row = await Api.OnlyRowAsync(List, "supplier_bn", bn);
        Assert.Equal(added.GetRawText(), row.GetRawText());
        Assert.Equal("义乌小商品厂", row.GetProperty("name").GetString());
        Assert.Equal("王经理", row.GetProperty("contact").GetString());
        Assert.Equal("+86 571-8888 0000", row.GetProperty("phone").GetString());
        Assert.Equal("浙江省义乌市", row.GetProperty("address").GetString());
        Assert.Equal("supplier.create", Assert.Single(await server.AuditAsync($"supplier:{bn}")).Action);
    }

    [Theory]
    [InlineData("supplier_bn", null, "supplier_bn: is required")]
    [InlineData("name", null, "name: is required")]
    [InlineData("supplier_bn", "S 1", "supplier_bn:")]
    [InlineData("phone", "call me", "phone:")]
    public async Task Bad_input_is_e000006_naming_the_field_and_writes_nothing(string field, string? value, string expected)
    {
        var p = P(("supplier_bn", NewCode("SUP")), ("name", "厂家")).With(field, value);
        await Api.AssertRefusedAsync("supplier.add", p, "e000006", expected, List);
    }

    [Fact]
    public async Task Duplicate_supplier_bn_is_e000010()
    {
        var bn = NewCode("SUP");
        await Api.CallAsync("supplier.add", P(("supplier_bn", bn), ("name", "a")));
        await Api.AssertRefusedAsync("supplier.add", P(("supplier_bn", bn), ("name", "b")), "e000010", $"supplier_bn '{bn}' already exists", List);
    }

    [Fact]
    public async Task Update_changes_sent_fields_and_keeps_the_others()
    {
        var bn = NewCode("SUP");
        await Api.CallAsync("supplier.add", P(("supplier_bn", bn), ("name", "a"), ("contact", "张三")));
        await Api.CallAsync("supplier.update", P(("supplier_bn", bn), ("phone", "13800000000")));
        var row = await Api.OnlyRowAsync(List, "supplier_bn", bn);
        Assert.Equal("13800000000", row.GetProperty("phone").GetString());
        Assert.Equal("张三", row.GetProperty("contact").GetString());
        var (code, _) = await Api.CallErrorAsync("supplier.update", P(("supplier_bn", NewCode("NOSUP")), ("name", "x")));
        Assert.Equal("e000010", code);
    }
}

public sealed class SqliteSupplierApiTests(SqliteServerFixture f) : SupplierApiTests<SqliteServerFixture>(f);

public sealed class PostgresSupplierApiTests(PostgresServerFixture f) : SupplierApiTests<PostgresServerFixture>(f);
