namespace Oms.Channels;

/// <summary>店铺 (前端店铺) — a sales channel on a platform, bound to the matrix by node id and token.</summary>
public class Shop
{
    public long Id { get; set; }
    public required string ShopBn { get; set; }
    public required string Name { get; set; }
    /// <summary>Platform code (<c>shop_type</c>): taobao, tmall, 360buy, pinduoduo, douyin, ecstore, ...</summary>
    public required string ShopType { get; set; }
    public string? NodeId { get; set; }
    public string? Token { get; set; }
    public string? ApiUrl { get; set; }
    /// <summary>库存回写 switch.</summary>
    public bool StockWriteback { get; set; } = true;
    /// <summary>发货回写 switch.</summary>
    public bool ShipWriteback { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
