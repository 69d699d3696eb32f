using System.Text.Json;
using Oms.Tests.Infrastructure;
using static Oms.Tests.MasterData.MasterDataApi;

namespace Oms.Tests.MasterData;

/// <summary><c>logistics.add</c>, <c>logistics.update</c>, <c>logistics.getList</c> through HTTP.</summary>
public abstract class LogisticsApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const string List = "logistics.getList";
    private OpenApiTestClient Api => server.OpenApi;

    private async Task<string> AddBranchAsync()
    {
        var bn = NewCode("WH");
        await Api.CallAsync("branch.add", P(("branch_bn", bn), ("name", bn)));
        return bn;
    }

    private static Dictionary<string, string> Valid(string branchBn, string code = "SF") =>
        P(("branch_bn", branchBn), ("code", code), ("name", "顺丰速运"));

    [Fact]
    public async Task Add_answers_the_company_and_getList_returns_every_field()
    {
        var wh = await AddBranchAsync();
        var added = await Api.CallAsync("logistics.add", Valid(wh, "zto").With("name", "中通")
            .With("areas", "浙江, 上海市,江苏省,浙江省").With("weight", "8").With("max_weight", "30.5"));

        var row = await Api.OnlyRowAsync(List, "branch_bn", wh);
        Assert.Equal(added.GetRawText(), row.GetRawText());
        Assert.Equal(wh, row.GetProperty("branch_bn").GetString());
        Assert.Equal("ZTO", row.GetProperty("code").GetString());
        Assert.Equal("中通", row.GetProperty("name").GetString());
        Assert.Equal(["浙江省", "上海市", "江苏省"], row.GetProperty("areas").Strings());
        Assert.Equal(8, row.GetProperty("weight").GetInt32());
        Assert.Equal(30.5m, row.GetProperty("max_weight").GetDecimal());
        Assert.Equal("logistics.create", Assert.Single(await server.AuditAsync($"logistics:{wh}/ZTO")).Action);
    }

    [Fact]
    public async Task Without_areas_it_reaches_everywhere_and_has_no_weight_limit()
    {
        var wh = await AddBranchAsync();
        await Api.CallAsync("logistics.add", Valid(wh));
        var row = await Api.OnlyRowAsync(List, "branch_bn", wh);
        Assert.Empty(row.GetProperty("areas").Strings());
        Assert.Equal(0, row.GetProperty("weight").GetInt32());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("max_weight").ValueKind);
    }

    [Fact]
    public async Task A_code_is_unique_per_branch_whatever_its_case_but_other_branches_may_use_it()
    {
        var wh = await AddBranchAsync();
        var other = await AddBranchAsync();
        await Api.CallAsync("logistics.add", Valid(wh, "SF"));
        var msg = await Api.AssertRefusedAsync("logistics.add", Valid(wh, "sf"), "e000010", "logistics company 'SF' already exists", List);
        Assert.Contains(wh, msg, StringComparison.Ordinal);
        await Api.CallAsync("logistics.add", Valid(other, "sf"));
        Assert.Equal(2, await Api.CountAsync(List, P(("branch_bn", $"{wh},{other}"), ("code", "sf"))));
    }

    [Fact]
    public async Task An_unknown_branch_is_e000006_naming_it()
    {
        var ghost = NewCode("GHOST");
        var msg = await Api.AssertRefusedAsync("logistics.add", Valid(ghost), "e000006", "branch_bn:", List);
        Assert.Contains(ghost, msg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("code", null, "code: is required")]
    [InlineData("name", null, "name: is required")]
    [InlineData("branch_bn", null, "branch_bn: is required")]
    [InlineData("code", "S F", "code:")]
    [InlineData("areas", "浙江,火星", "areas: '火星' is not a province")]
    [InlineData("weight", "-3", "weight:")]
    [InlineData("weight", "1.5", "weight:")]
    [InlineData("max_weight", "0", "max_weight:")]
    [InlineData("max_weight", "-2", "max_weight:")]
    [InlineData("max_weight", "heavy", "max_weight:")]
    public async Task Bad_input_is_e000006_naming_the_field_and_writes_nothing(string field, string? value, string expected)
    {
        var wh = await AddBranchAsync();
        await Api.AssertRefusedAsync("logistics.add", Valid(wh).With(field, value), "e000006", expected, List);
    }

    [Fact]
    public async Task Update_changes_sent_fields_and_keeps_the_others()
    {
        var wh = await AddBranchAsync();
        await Api.CallAsync("logistics.add", Valid(wh, "YTO").With("areas", "北京").With("weight", "3").With("max_weight", "20"));
        await Api.CallAsync("logistics.update", P(("branch_bn", wh), ("code", "yto"), ("areas", "天津,河北"), ("weight", "9")));
        var row = await Api.OnlyRowAsync(List, "branch_bn", wh);
        Assert.Equal(["天津市", "河北省"], row.GetProperty("areas").Strings());
        Assert.Equal(9, row.GetProperty("weight").GetInt32());
        Assert.Equal(20m, row.GetProperty("max_weight").GetDecimal());
        Assert.Equal("顺丰速运", row.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Update_of_an_unknown_company_is_e000010()
    {
        var wh = await AddBranchAsync();
        var (code, sub) = await Api.CallErrorAsync("logistics.update", P(("branch_bn", wh), ("code", "EMS"), ("name", "x")));
        Assert.Equal("e000010", code);
        Assert.Contains("EMS", sub, StringComparison.Ordinal);
    }
}

public sealed class SqliteLogisticsApiTests(SqliteServerFixture f) : LogisticsApiTests<SqliteServerFixture>(f);

public sealed class PostgresLogisticsApiTests(PostgresServerFixture f) : LogisticsApiTests<PostgresServerFixture>(f);
