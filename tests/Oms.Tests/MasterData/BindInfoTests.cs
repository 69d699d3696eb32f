using Oms.Catalog;
using Oms.Channels;
using Oms.Common;

namespace Oms.Tests.MasterData;

/// <summary>The <c>bind_info</c> format and the rules of each sales material type, without a database.</summary>
public sealed class BindInfoTests
{
    private static List<(string, int, decimal)> Parse(string text, SalesMaterialType type) =>
        BindInfo.Parse(text, type).Select(p => (p.Bn, p.Quantity, p.PriceShare!.Value)).ToList();

    private static string Refused(string text, SalesMaterialType type)
    {
        var e = Assert.Throws<ValidationException>(() => BindInfo.Parse(text, type));
        Assert.Equal("bind_info", e.Field);
        return e.Message;
    }

    [Fact]
    public void Normal_takes_a_bare_code_or_code_with_quantity_1()
    {
        Assert.Equal([("A-1", 1, 100m)], Parse("A-1", SalesMaterialType.Normal));
        Assert.Equal([("A-1", 1, 100m)], Parse(" A-1:1 ", SalesMaterialType.Normal));
        Assert.Contains("quantity 1 (got 2)", Refused("A-1:2", SalesMaterialType.Normal), StringComparison.Ordinal);
        Assert.Contains("exactly one", Refused("A|B", SalesMaterialType.Normal), StringComparison.Ordinal);
        Assert.Contains("not used", Refused("A:1x100", SalesMaterialType.Normal), StringComparison.Ordinal);
    }

    [Fact]
    public void Gift_takes_one_code_with_any_quantity()
    {
        Assert.Equal([("G", 3, 100m)], Parse("G:3", SalesMaterialType.Gift));
        Refused("G|H", SalesMaterialType.Gift);
    }

    [Fact]
    public void Combination_reads_quantity_and_share_in_order()
    {
        Assert.Equal([("B2", 2, 40m), ("A1", 1, 60m)], Parse("B2:2x40|A1:1x60", SalesMaterialType.Combination));
        Assert.Equal([("B2", 2, 33.33m), ("A1", 1, 66.67m)], Parse("B2:2X33.33 | A1:1x66.67", SalesMaterialType.Combination));
        Assert.Equal([("X9", 3, 100m)], Parse("X9:3x100", SalesMaterialType.Combination));
    }

    [Theory]
    [InlineData("A:1x40|B:1x50", "price shares must sum to 100, got 90")]
    [InlineData("A:1x40|B:1x60.5", "price shares must sum to 100, got 100.5")]
    [InlineData("A:1x40|B:1", "'B': a combination needs a price share on every part")]
    [InlineData("A:1x40|A:2x60", "basic material 'A' appears more than once")]
    [InlineData("A:0x40|B:1x60", "'A': quantity must be between 1 and")]
    [InlineData("A:-1x40|B:1x60", "'A:-1x40': quantity '-1' is not a whole number")]
    [InlineData("A:1x40.001|B:1x59.999", "'A': price share must be a percentage between 0 and 100 with at most 2 decimals")]
    [InlineData("A:1x140|B:1x-40", "'B:1x-40': price share '-40' is not a percentage")]
    [InlineData("A:1x40||B:1x60", "has an empty part")]
    [InlineData("A B:1x100", "'A B' may contain only letters")]
    [InlineData(":1x100", "a part has no basic material code")]
    [InlineData("A:x100", "'A:x100': quantity '' is not a whole number")]
    public void Combination_rules_refuse_with_a_clear_message(string text, string expected)
    {
        Assert.Contains(expected, Refused(text, SalesMaterialType.Combination), StringComparison.Ordinal);
    }

    [Fact]
    public void Lucky_bag_splits_missing_shares_evenly_with_the_remainder_on_the_last_part()
    {
        Assert.Equal([("A", 1, 33.33m), ("B", 2, 33.33m), ("C", 1, 33.34m)], Parse("A|B:2|C", SalesMaterialType.LuckyBag));
        Assert.Equal([("A", 1, 50m), ("B", 1, 50m)], Parse("A|B", SalesMaterialType.LuckyBag));
        var seven = Parse("A|B|C|D|E|F|G", SalesMaterialType.LuckyBag);
        Assert.Equal(100m, seven.Sum(p => p.Item3));
        Assert.All(seven.Take(6), p => Assert.Equal(14.28m, p.Item3));
        Assert.Equal(14.32m, seven[6].Item3);
    }

    [Fact]
    public void Lucky_bag_with_shares_must_give_all_of_them_summing_to_100()
    {
        Assert.Equal([("A", 1, 70m), ("B", 1, 30m)], Parse("A:1x70|B:1x30", SalesMaterialType.LuckyBag));
        Assert.Contains("on every part of the lucky bag, or on none", Refused("A:1x70|B", SalesMaterialType.LuckyBag), StringComparison.Ordinal);
        Assert.Contains("got 80", Refused("A:1x50|B:1x30", SalesMaterialType.LuckyBag), StringComparison.Ordinal);
    }

    [Fact]
    public void Pick_one_needs_two_options_and_takes_no_shares()
    {
        Assert.Equal([("A", 1, 0m), ("B", 2, 0m), ("C", 1, 0m)], Parse("A|B:2|C", SalesMaterialType.PickOne));
        Assert.Contains("at least two", Refused("A", SalesMaterialType.PickOne), StringComparison.Ordinal);
        Assert.Contains("not used", Refused("A:1x50|B:1x50", SalesMaterialType.PickOne), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_text_is_required_and_an_unknown_type_names_the_type_field()
    {
        Assert.Contains("is required", Refused("  ", SalesMaterialType.Normal), StringComparison.Ordinal);
        var e = Assert.Throws<ValidationException>(() => BindInfo.Parse("A", (SalesMaterialType)9));
        Assert.Equal("sales_material_type", e.Field);
    }

    [Fact]
    public void Format_writes_the_canonical_text()
    {
        Assert.Equal("A:2x40|B:1x60", BindInfo.Format(BindInfo.Parse("A:2x40.00|B:1x60", SalesMaterialType.Combination)));
    }

    [Fact]
    public void ShopEx_family_platforms_write_shipments_back_with_trade_shipping_add_and_the_others_with_offline_send()
    {
        foreach (var code in new[] { "ecstore", "b2b", "shopex485", "dzg", "publicb2c" })
            Assert.Equal(Platforms.TradeShippingAdd, Platforms.ShipmentWritebackMethod(code));
        foreach (var code in new[] { "taobao", "tmall", "360buy", "jd", "pinduoduo", "douyin", "kuaishou", "youzan", "vop", "bbc", "weixin", "xiaohongshu", "other" })
            Assert.Equal(Platforms.LogisticsOfflineSend, Platforms.ShipmentWritebackMethod(code));
        Assert.Equal("tmall", Platforms.Find("TMall")!.Code);
        Assert.Null(Platforms.Find("amazon"));
    }
}
