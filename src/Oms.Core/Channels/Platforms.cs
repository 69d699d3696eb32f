namespace Oms.Channels;

/// <summary>
/// The platforms a shop can be on (<c>shop_type</c>, sent as <c>node_type</c> in outbound matrix
/// requests) and what each supports. The one place to add a platform.
/// </summary>
public static class Platforms
{
    /// <summary>Shipment write-back of ShopEx-family shops (PROTOCOL.md §3).</summary>
    public const string TradeShippingAdd = "store.trade.shipping.add";

    /// <summary>Shipment write-back of every marketplace (PROTOCOL.md §3).</summary>
    public const string LogisticsOfflineSend = "store.logistics.offline.send";

    /// <param name="Code">The <c>shop_type</c> value.</param>
    /// <param name="Name">The name merchants know (Chinese where that is the usual one).</param>
    /// <param name="ShipmentWriteback">The matrix method that tells the shop an order was shipped.</param>
    public sealed record Platform(string Code, string Name, string ShipmentWriteback)
    {
        /// <summary>ShopEx's own shop systems, which take the shipment as a ShopEx trade message.</summary>
        public bool IsShopExFamily => ShipmentWriteback == TradeShippingAdd;
    }

    public static readonly IReadOnlyList<Platform> All =
    [
        new("taobao", "淘宝", LogisticsOfflineSend),
        new("tmall", "天猫", LogisticsOfflineSend),
        // 360buy is JD's code in the ONEX matrix; jd is what newer integrations send.
        new("360buy", "京东 (360buy)", LogisticsOfflineSend),
        new("jd", "京东", LogisticsOfflineSend),
        new("pinduoduo", "拼多多", LogisticsOfflineSend),
        new("douyin", "抖音", LogisticsOfflineSend),
        new("kuaishou", "快手", LogisticsOfflineSend),
        new("ecstore", "ShopEx ECstore", TradeShippingAdd),
        new("b2b", "ShopEx B2B (分销王)", TradeShippingAdd),
        new("shopex485", "ShopEx 485", TradeShippingAdd),
        new("dzg", "店掌柜", TradeShippingAdd),
        new("publicb2c", "通用 B2C", TradeShippingAdd),
        new("youzan", "有赞", LogisticsOfflineSend),
        new("vop", "唯品会", LogisticsOfflineSend),
        new("bbc", "BBC 多用户商城", LogisticsOfflineSend),
        new("weixin", "微信小店", LogisticsOfflineSend),
        new("xiaohongshu", "小红书", LogisticsOfflineSend),
        new("other", "其他", LogisticsOfflineSend),
    ];

    /// <summary>The platform of a <c>shop_type</c> (case-insensitive), or null when unknown.</summary>
    public static Platform? Find(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var c = code.Trim();
        return All.FirstOrDefault(p => string.Equals(p.Code, c, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The shipment write-back method for a shop's platform.</summary>
    public static string ShipmentWritebackMethod(string shopType) =>
        Find(shopType)?.ShipmentWriteback ?? throw new ArgumentException($"unknown shop_type '{shopType}'", nameof(shopType));
}
