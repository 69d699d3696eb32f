using Oms.Tests.Infrastructure;
using static Oms.Tests.MasterData.MasterDataApi;

namespace Oms.Tests.MasterData;

/// <summary><c>branch.add</c>, <c>branch.update</c>, <c>branch.getList</c> through HTTP.</summary>
public abstract class BranchApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const string List = "branch.getList";
    private OpenApiTestClient Api => server.OpenApi;

    private async Task<string> AddShopAsync()
    {
        var bn = NewCode("SHOP");
        await Api.CallAsync("shop.add", P(("shop_bn", bn), ("shop_name", bn), ("shop_type", "taobao")));
        return bn;
    }

    [Fact]
    public async Task Add_answers_the_branch_and_getList_returns_every_field()
    {
        var s1 = await AddShopAsync();
        var s2 = await AddShopAsync();
        var bn = NewCode("WH");
        var added = await Api.CallAsync("branch.add", P(("branch_bn", bn), ("name", "杭州仓"), ("attr", "offline"), ("type", "stockup"),
            ("area", "浙江"), ("address", "余杭区 1 号"), ("weight", "30"), ("shops", $"{s1}, {s2}")));

        var row = await Api.OnlyRowAsync(List, "branch_bn", bn);
        Assert.Equal(added.GetRawText(), row.GetRawText());
        Assert.Equal("杭州仓", row.GetProperty("name").GetString());
        Assert.Equal("selfwms", row.GetProperty("wms").GetString());
        Assert.Equal("offline", row.GetProperty("attr").GetString());
        Assert.Equal("stockup", row.GetProperty("type").GetString());
        Assert.Equal("浙江省", row.GetProperty("area").GetString());
        Assert.Equal("余杭区 1 号", row.GetProperty("address").GetString());
        Assert.Equal(30, row.GetProperty("weight").GetInt32());
        Assert.Equal(new[] { s1, s2 }.Order(StringComparer.Ordinal), row.GetProperty("shops").Strings());
        Assert.Equal("branch.create", Assert.Single(await server.AuditAsync($"branch:{bn}")).Action);
    }

    [Fact]
    public async Task Defaults_are_selfwms_online_delivery_weight_0_and_no_shops()
    {
        var bn = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", bn), ("name", "默认仓")));
        var row = await Api.OnlyRowAsync(List, "branch_bn", bn);
        Assert.Equal("selfwms", row.GetProperty("wms").GetString());
        Assert.Equal("online", row.GetProperty("attr").GetString());
        Assert.Equal("delivery", row.GetProperty("type").GetString());
        Assert.Equal(0, row.GetProperty("weight").GetInt32());
        Assert.Empty(row.GetProperty("shops").Strings());
    }

    [Fact]
    public async Task Type_json_is_the_answer_format_and_branch_type_names_the_branch_type()
    {
        var plain = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", plain), ("name", "a"), ("type", "json")));
        Assert.Equal("delivery", (await Api.OnlyRowAsync(List, "branch_bn", plain)).GetProperty("type").GetString());

        var stockup = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", stockup), ("name", "b"), ("type", "json"), ("branch_type", "stockup")));
        Assert.Equal("stockup", (await Api.OnlyRowAsync(List, "branch_bn", stockup)).GetProperty("type").GetString());
        await Api.AssertRefusedAsync("branch.add", P(("branch_bn", NewCode("WH")), ("name", "c"), ("branch_type", "transit")),
            "e000006", "branch_type:", List);
    }

    [Fact]
    public async Task An_unknown_shop_is_e000006_naming_it_and_no_branch_is_created()
    {
        var known = await AddShopAsync();
        var unknown = NewCode("GHOST");
        var bn = NewCode("WH");
        var msg = await Api.AssertRefusedAsync("branch.add", P(("branch_bn", bn), ("name", "x"), ("shops", $"{known},{unknown}")),
            "e000006", "shops:", List);
        Assert.Contains(unknown, msg, StringComparison.Ordinal);
        Assert.DoesNotContain(known, msg, StringComparison.Ordinal);
        Assert.Equal(0, await Api.CountAsync(List, P(("branch_bn", bn))));
    }

    [Fact]
    public async Task An_unknown_wms_channel_is_refused_with_the_way_to_add_one()
    {
        var msg = await Api.AssertRefusedAsync("branch.add", P(("branch_bn", NewCode("WH")), ("name", "x"), ("wms", "qimen-wh")),
            "e000006", "wms:", List);
        Assert.Contains("wmschannel.add", msg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("branch_bn", null, "branch_bn: is required")]
    [InlineData("name", null, "name: is required")]
    [InlineData("branch_bn", "WH 1", "branch_bn:")]
    [InlineData("attr", "sometimes", "attr:")]
    [InlineData("type", "transit", "type:")]
    [InlineData("area", "加州", "area: '加州' is not a province")]
    [InlineData("weight", "-1", "weight:")]
    [InlineData("weight", "heavy", "weight:")]
    public async Task Bad_input_is_e000006_naming_the_field_and_writes_nothing(string field, string? value, string expected)
    {
        var p = P(("branch_bn", NewCode("WH")), ("name", "仓库")).With(field, value);
        await Api.AssertRefusedAsync("branch.add", p, "e000006", expected, List);
    }

    [Fact]
    public async Task Duplicate_branch_bn_is_e000010()
    {
        var bn = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", bn), ("name", "a")));
        var msg = await Api.AssertRefusedAsync("branch.add", P(("branch_bn", bn), ("name", "b")), "e000010", "branch_bn", List);
        Assert.Contains($"'{bn}' already exists", msg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_replaces_the_shop_set_and_changes_sent_fields_only()
    {
        var s1 = await AddShopAsync();
        var s2 = await AddShopAsync();
        var s3 = await AddShopAsync();
        var bn = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", bn), ("name", "旧名"), ("area", "上海"), ("weight", "5"), ("shops", $"{s1},{s2}")));

        var updated = await Api.CallAsync("branch.update", P(("branch_bn", bn), ("shops", $"{s2},{s3}"), ("attr", "offline")));
        Assert.Equal(new[] { s2, s3 }.Order(StringComparer.Ordinal), updated.GetProperty("shops").Strings());

        var row = await Api.OnlyRowAsync(List, "branch_bn", bn);
        Assert.Equal(new[] { s2, s3 }.Order(StringComparer.Ordinal), row.GetProperty("shops").Strings());
        Assert.Equal("offline", row.GetProperty("attr").GetString());
        Assert.Equal("旧名", row.GetProperty("name").GetString());
        Assert.Equal("上海市", row.GetProperty("area").GetString());
        Assert.Equal(5, row.GetProperty("weight").GetInt32());

        // without shops the set is kept
        await Api.CallAsync("branch.update", P(("branch_bn", bn), ("name", "新名")));
        row = await Api.OnlyRowAsync(List, "branch_bn", bn);
        Assert.Equal("新名", row.GetProperty("name").GetString());
        Assert.Equal(new[] { s2, s3 }.Order(StringComparer.Ordinal), row.GetProperty("shops").Strings());
    }

    [Fact]
    public async Task Update_with_an_unknown_shop_changes_nothing()
    {
        var s1 = await AddShopAsync();
        var bn = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", bn), ("name", "a"), ("shops", s1)));
        var (code, sub) = await Api.CallErrorAsync("branch.update", P(("branch_bn", bn), ("name", "b"), ("shops", "NOPE-" + bn)));
        Assert.Equal("e000006", code);
        Assert.Contains("NOPE-" + bn, sub, StringComparison.Ordinal);
        var row = await Api.OnlyRowAsync(List, "branch_bn", bn);
        Assert.Equal("a", row.GetProperty("name").GetString());
        Assert.Equal([s1], row.GetProperty("shops").Strings());
    }

    [Fact]
    public async Task Update_of_an_unknown_branch_is_e000010()
    {
        var (code, _) = await Api.CallErrorAsync("branch.update", P(("branch_bn", NewCode("NOWH")), ("name", "x")));
        Assert.Equal("e000010", code);
    }
}

public sealed class SqliteBranchApiTests(SqliteServerFixture f) : BranchApiTests<SqliteServerFixture>(f);

public sealed class PostgresBranchApiTests(PostgresServerFixture f) : BranchApiTests<PostgresServerFixture>(f);
