using Oms.Common;
using Oms.Rules;

namespace Oms.Tests.Rules;

/// <summary>Every rule filter type (规则筛选器): parameter checks, readable text, matching (with the edges), and the stored form.</summary>
public sealed class RuleFilterTests
{
    private static readonly DateTime Created = new(2025, 6, 1, 4, 0, 0, DateTimeKind.Utc); // 12:00 China time

    internal static OrderFacts Facts(Func<OrderFacts, OrderFacts>? change = null)
    {
        var f = new OrderFacts
        {
            OrderId = 1, OrderBn = "T1", ShopId = 7, ShopType = "taobao", TotalAmount = 100m, ShipProvince = "浙江省", ShipCity = "杭州市",
            CreateTime = Created,
            Items = [new OrderFactsItem(11, "A", 2, 0.5m), new OrderFactsItem(12, "B", 1, 1.25m), new OrderFactsItem(11, "A", 1, 0.5m)],
            ObjectCodes = ["SA", "SB"],
        };
        return change is null ? f : change(f);
    }

    private static string Refused(Func<object> create) => Assert.Throws<DomainException>(() => create()).Message;

    private static RuleFilter Form(string type, string? values = null, string? min = null, string? max = null, string? from = null, string? to = null, bool yes = false) =>
        RuleFilter.FromForm(new RuleConditionForm(type, values, min, max, from, to, yes));

    /// <summary>Stored and read back, the filter is the same and matches the same.</summary>
    private static RuleFilter RoundTrip(RuleFilter f)
    {
        var back = RuleFilter.Parse(f.ToStored());
        Assert.Equal(f.Describe(RuleTextContext.Empty), back.Describe(RuleTextContext.Empty));
        Assert.Equal(f.ToStored(), back.ToStored());
        Assert.Equal(f.ToForm(), back.ToForm());
        Assert.Equal(f.ToStored(), RuleFilter.FromForm(f.ToForm()).ToStored());
        return back;
    }

    [Fact]
    public void Address_matches_whole_provinces_in_any_spelling_and_cities_without_their_suffix()
    {
        var f = RoundTrip(Form("address", "浙江, 广东/深圳"));
        Assert.Equal("收货地区为 浙江省、广东省深圳", f.Describe(RuleTextContext.Empty));
        Assert.True(f.Matches(Facts()));
        Assert.True(f.Matches(Facts(o => o with { ShipProvince = "浙江", ShipCity = null })));
        Assert.True(f.Matches(Facts(o => o with { ShipProvince = "广东省", ShipCity = "深圳市" })));
        Assert.True(f.Matches(Facts(o => o with { ShipProvince = "广东", ShipCity = "深圳" })));
        Assert.False(f.Matches(Facts(o => o with { ShipProvince = "广东省", ShipCity = "广州市" })));
        Assert.False(f.Matches(Facts(o => o with { ShipProvince = "江苏省" })));
        Assert.False(f.Matches(Facts(o => o with { ShipProvince = null })));
        Assert.False(f.Matches(Facts(o => o with { ShipProvince = "火星" })));
        // a city is tied to its province
        Assert.False(Form("address", "广东/深圳").Matches(Facts(o => o with { ShipProvince = "浙江省", ShipCity = "深圳市" })));

        Assert.Contains("火星", Refused(() => Form("address", "火星")), StringComparison.Ordinal);
        Assert.Contains("省/市", Refused(() => Form("address", "广东/")), StringComparison.Ordinal);
        Assert.Contains("不是中国的省级行政区", Refused(() => Form("address", "加州/洛杉矶")), StringComparison.Ordinal);
        Assert.Contains("至少需要一个省", Refused(() => Form("address", " ")), StringComparison.Ordinal);
    }

    [Fact]
    public void Platform_matches_the_shop_type_and_refuses_unknown_platforms()
    {
        var f = RoundTrip(Form("platform", "taobao，tmall"));
        Assert.Equal("来源平台为 淘宝、天猫", f.Describe(RuleTextContext.Empty));
        Assert.True(f.Matches(Facts()));
        Assert.True(f.Matches(Facts(o => o with { ShopType = "tmall" })));
        Assert.False(f.Matches(Facts(o => o with { ShopType = "360buy" })));
        Assert.Contains("nosuch", Refused(() => Form("platform", "taobao nosuch")), StringComparison.Ordinal);
        Assert.Contains("至少需要一个平台", Refused(() => Form("platform", "")), StringComparison.Ordinal);
    }

    [Fact]
    public void Shop_matches_the_shop_and_renders_its_name()
    {
        var f = RoundTrip(Form("shop", "7, 9"));
        Assert.Equal("来源店铺为 旗舰店、店铺#9", f.Describe(new RuleTextContext(new Dictionary<long, string> { [7] = "旗舰店" })));
        Assert.True(f.Matches(Facts()));
        Assert.False(f.Matches(Facts(o => o with { ShopId = 8 })));
        Assert.Contains("abc", Refused(() => Form("shop", "abc")), StringComparison.Ordinal);
        Assert.Contains("至少需要一个店铺", Refused(() => Form("shop", "")), StringComparison.Ordinal);
        Assert.Contains("正整数", Refused(() => ShopFilter.Create([0])), StringComparison.Ordinal);
    }

    [Fact]
    public void Cod_matches_cod_or_prepaid_orders()
    {
        var cod = RoundTrip(Form("cod", yes: true));
        var prepaid = RoundTrip(Form("cod", yes: false));
        Assert.Equal("货到付款订单", cod.Describe(RuleTextContext.Empty));
        Assert.Equal("款到发货订单（非货到付款）", prepaid.Describe(RuleTextContext.Empty));
        Assert.True(cod.Matches(Facts(o => o with { IsCod = true })));
        Assert.False(cod.Matches(Facts()));
        Assert.True(prepaid.Matches(Facts()));
        Assert.False(prepaid.Matches(Facts(o => o with { IsCod = true })));
    }

    [Fact]
    public void Money_is_an_inclusive_range_with_either_end_open()
    {
        var f = RoundTrip(Form("money", min: "100", max: "500.5"));
        Assert.Equal("订单金额在 100 至 500.5 元 之间（含）", f.Describe(RuleTextContext.Empty));
        Assert.True(f.Matches(Facts()));
        Assert.True(f.Matches(Facts(o => o with { TotalAmount = 500.5m })));
        Assert.False(f.Matches(Facts(o => o with { TotalAmount = 99.99m })));
        Assert.False(f.Matches(Facts(o => o with { TotalAmount = 500.51m })));
        var atLeast = RoundTrip(Form("money", min: "100"));
        Assert.Equal("订单金额≥ 100 元", atLeast.Describe(RuleTextContext.Empty));
        Assert.True(atLeast.Matches(Facts(o => o with { TotalAmount = 1_000_000m })));
        Assert.True(RoundTrip(Form("money", max: "100")).Matches(Facts(o => o with { TotalAmount = 0m })));

        Assert.Contains("至少需要", Refused(() => Form("money")), StringComparison.Ordinal);
        Assert.Contains("大于最大金额", Refused(() => Form("money", min: "5", max: "4")), StringComparison.Ordinal);
        Assert.Contains("负数", Refused(() => Form("money", min: "-1")), StringComparison.Ordinal);
        Assert.Contains("“abc”不是有效的数字", Refused(() => Form("money", min: "abc")), StringComparison.Ordinal);
    }

    [Fact]
    public void Sku_needs_a_listed_code_and_a_create_time_inside_the_window()
    {
        var f = RoundTrip(Form("sku", "B, X9", from: "2025-06-01 00:00:00", to: "2025-06-01 12:00:00"));
        Assert.Equal("在 2025-06-01 00:00:00 至 2025-06-01 12:00:00 下单且含商品 B、X9", f.Describe(RuleTextContext.Empty));
        Assert.True(f.Matches(Facts()));                                               // item code B, created at the window's end
        Assert.False(f.Matches(Facts(o => o with { CreateTime = Created.AddSeconds(1) })));
        Assert.True(f.Matches(Facts(o => o with { CreateTime = Created.AddHours(-12) }))); // the window's start
        Assert.False(f.Matches(Facts(o => o with { CreateTime = Created.AddHours(-12).AddSeconds(-1) })));
        Assert.False(f.Matches(Facts(o => o with { Items = [new OrderFactsItem(11, "A", 1, 0m)] })));
        // a sales material code of an object counts too
        var bySales = Form("sku", "SB", from: "2025-06-01", to: "2025-06-02");
        Assert.True(bySales.Matches(Facts(o => o with { Items = [] })));

        Assert.Contains("至少需要一个商品编码", Refused(() => Form("sku", "", from: "2025-06-01", to: "2025-06-02")), StringComparison.Ordinal);
        Assert.Contains("开始时间和结束时间", Refused(() => Form("sku", "A", from: "2025-06-01")), StringComparison.Ordinal);
        Assert.Contains("开始时间必须早于结束时间", Refused(() => Form("sku", "A", from: "2025-06-02", to: "2025-06-01")), StringComparison.Ordinal);
        Assert.Contains("“June 1”不是有效的时间", Refused(() => Form("sku", "A", from: "June 1", to: "2025-06-01")), StringComparison.Ordinal);
    }

    [Fact]
    public void Sku_kinds_count_distinct_basic_materials_and_item_count_sums_quantities()
    {
        var kinds = RoundTrip(Form("skunum", min: "2", max: "2"));
        Assert.Equal("商品种类数= 2 种", kinds.Describe(RuleTextContext.Empty));
        Assert.True(kinds.Matches(Facts()));                          // A (twice) and B: 2 kinds
        Assert.False(kinds.Matches(Facts(o => o with { Items = [new OrderFactsItem(11, "A", 5, 0m)] })));
        var items = RoundTrip(Form("itemnum", min: "4"));
        Assert.Equal("商品总数量≥ 4 件", items.Describe(RuleTextContext.Empty));
        Assert.True(items.Matches(Facts()));                          // 2 + 1 + 1
        Assert.False(RoundTrip(Form("itemnum", max: "3")).Matches(Facts()));
        Assert.True(Form("itemnum", max: "4").Matches(Facts()));
        Assert.False(Form("itemnum", min: "5").Matches(Facts()));

        Assert.Contains("商品种类数条件至少需要", Refused(() => Form("skunum")), StringComparison.Ordinal);
        Assert.Contains("最小值 3 大于最大值 2", Refused(() => Form("itemnum", min: "3", max: "2")), StringComparison.Ordinal);
        Assert.Contains("“1.5”不是有效的整数", Refused(() => Form("skunum", min: "1.5")), StringComparison.Ordinal);
    }

    [Fact]
    public void Weight_uses_the_orders_own_weight_when_sent_else_the_materials()
    {
        var f = RoundTrip(Form("weight", min: "2.25", max: "10"));
        Assert.Equal("订单重量在 2.25 至 10 kg 之间（含）", f.Describe(RuleTextContext.Empty));
        Assert.Equal(2.75m, Facts().Weight);                            // 2×0.5 + 1×1.25 + 1×0.5
        Assert.True(f.Matches(Facts()));
        Assert.True(f.Matches(Facts(o => o with { Items = [new OrderFactsItem(11, "A", 1, 2.25m)] })));
        Assert.False(f.Matches(Facts(o => o with { Items = [new OrderFactsItem(11, "A", 1, 2.24m)] })));
        Assert.False(f.Matches(Facts(o => o with { OrderWeight = 10.01m })));
        Assert.True(f.Matches(Facts(o => o with { OrderWeight = 10m, Items = [] })));
        Assert.Contains("大于最大重量", Refused(() => Form("weight", min: "3", max: "1")), StringComparison.Ordinal);
    }

    [Fact]
    public void Memo_matches_a_keyword_in_the_buyer_message_or_the_seller_memo()
    {
        var f = RoundTrip(Form("memo", "加急 顺丰"));
        Assert.Equal("买家留言或卖家备注含 “加急”、“顺丰”", f.Describe(RuleTextContext.Empty));
        Assert.True(f.Matches(Facts(o => o with { CustomMark = "请加急发货" })));
        Assert.True(f.Matches(Facts(o => o with { MarkText = "发顺丰" })));
        Assert.False(f.Matches(Facts(o => o with { CustomMark = "普通", MarkText = "无" })));
        Assert.False(f.Matches(Facts()));
        Assert.True(Form("memo", "vip").Matches(Facts(o => o with { MarkText = "VIP 客户" })));
        Assert.Contains("至少需要一个关键字", Refused(() => Form("memo", "  ")), StringComparison.Ordinal);
        Assert.Contains("太长", Refused(() => Form("memo", new string('长', 51))), StringComparison.Ordinal);
    }

    [Fact]
    public void Conditions_are_anded_and_unknown_or_broken_stored_conditions_are_refused()
    {
        var both = new RuleConditions([Form("platform", "taobao"), Form("money", min: "50")]);
        Assert.True(both.Matches(Facts()));
        Assert.False(both.Matches(Facts(o => o with { TotalAmount = 10m })));
        Assert.False(both.Matches(Facts(o => o with { ShopType = "tmall" })));
        Assert.True(RuleConditions.Everything.Matches(Facts()));
        Assert.Equal("来源平台为 淘宝，且订单金额≥ 50 元", both.Describe(RuleTextContext.Empty));

        Assert.Contains("未知的筛选条件类型", Refused(() => RuleFilter.Parse(new StoredCondition("nosuch", "{}"))), StringComparison.Ordinal);
        Assert.Contains("不是有效的 JSON", Refused(() => RuleFilter.Parse(new StoredCondition("money", "{min:"))), StringComparison.Ordinal);
        Assert.Contains("参数格式不对", Refused(() => RuleFilter.Parse(new StoredCondition("money", "{\"min\":\"x\"}"))), StringComparison.Ordinal);
        Assert.Contains("大于最大金额", Refused(() => RuleFilter.Parse(new StoredCondition("money", "{\"min\":5,\"max\":1}"))), StringComparison.Ordinal);
        Assert.Contains("请选择筛选条件类型", Refused(() => Form("")), StringComparison.Ordinal);
    }
}
