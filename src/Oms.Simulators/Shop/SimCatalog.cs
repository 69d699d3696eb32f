using System.Globalization;

namespace Oms.Simulators.Shop;

/// <summary>One part of a combination (捆绑) sales material, sent as an <c>order_items</c> line.</summary>
public sealed record SalesItemPart(string Bn, string Name, int Quantity);

/// <summary>
/// A sales material (销售物料) a shop sells: its code is what the shop puts in an order object's
/// <c>bn</c>. <see cref="IsGift"/> items only appear as gift lines (price 0); items with
/// <see cref="Parts"/> are sent as <c>obj_type=pkg</c> with one <c>order_items</c> line per part.
/// </summary>
public sealed record SalesItem(string Bn, string Name, decimal Price, bool IsGift = false)
{
    public IReadOnlyList<SalesItemPart> Parts { get; init; } = [];
    /// <summary>Kilograms per unit (sent as <c>weight</c>).</summary>
    public decimal Weight { get; init; }
}

/// <summary>A shop as the matrix knows it: its <c>node_id</c> and the token that signs its pushes.</summary>
public sealed record SimShop(string NodeId, string Token, string ShopType = "taobao");

/// <summary>What the simulated shops sell and who they are.</summary>
public sealed class SimCatalog
{
    public IReadOnlyList<SalesItem> Items { get; }
    public IReadOnlyList<SimShop> Shops { get; }
    internal SalesItem[] Goods { get; }
    internal SalesItem[] Gifts { get; }

    public SimCatalog(IEnumerable<SalesItem> items, IEnumerable<SimShop> shops)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(shops);
        Items = [.. items];
        Shops = [.. shops];
        Goods = [.. Items.Where(i => !i.IsGift)];
        Gifts = [.. Items.Where(i => i.IsGift)];
        if (Goods.Length == 0) throw new ArgumentException("The catalog needs at least one sales material that is not a gift.", nameof(items));
        if (Shops.Count == 0) throw new ArgumentException("The catalog needs at least one shop.", nameof(shops));
        foreach (var i in Items)
            if (i.Price < 0 || (!i.IsGift && i.Price == 0)) throw new ArgumentException($"Sales material {i.Bn}: a price must be positive (gifts: 0 or more).", nameof(items));
    }

    /// <summary>The shops of <c>oms demo seed</c> (node ids 1900000001…5, tokens <c>demo-token-NODE</c>).</summary>
    public static IReadOnlyList<SimShop> DemoShops { get; } =
    [
        new("1900000001", "demo-token-1900000001", "tmall"),
        new("1900000002", "demo-token-1900000002", "360buy"),
        new("1900000003", "demo-token-1900000003", "pinduoduo"),
        new("1900000004", "demo-token-1900000004", "douyin"),
        new("1900000005", "demo-token-1900000005", "ecstore"),
    ];

    /// <summary>The sales materials of <c>oms demo seed</c>.</summary>
    public static IReadOnlyList<SalesItem> DemoItems { get; } =
    [
        new("S-TS-WHITE-S", "纯棉T恤 白色 S", 59m) { Weight = 0.2m },
        new("S-TS-WHITE-M", "纯棉T恤 白色 M", 59m) { Weight = 0.22m },
        new("S-TS-WHITE-L", "纯棉T恤 白色 L", 59m) { Weight = 0.24m },
        new("S-MUG-350", "陶瓷马克杯 350ml", 39m) { Weight = 0.35m },
        new("S-MUG-LID", "马克杯硅胶盖", 9.9m) { Weight = 0.03m },
        new("S-BOTTLE-500", "不锈钢保温杯 500ml", 129m) { Weight = 0.45m },
        new("S-CABLE-C1", "Type-C 数据线 1m", 29m) { Weight = 0.05m },
        new("S-CHARGER-20W", "20W 快充充电头", 69m) { Weight = 0.08m },
        new("S-CASE-IP15", "手机壳 iPhone 15", 49m) { Weight = 0.04m },
        new("S-MUG-SET", "马克杯带盖套装", 45m) { Weight = 0.38m, Parts = [new("MUG-350", "陶瓷马克杯 350ml", 1), new("MUG-LID", "马克杯硅胶盖", 1)] },
        new("S-CHARGE-KIT", "充电套装（充电头+2 条线）", 89m) { Weight = 0.18m, Parts = [new("CHARGER-20W", "20W 快充充电头", 1), new("CABLE-C1", "Type-C 数据线 1m", 2)] },
        new("S-GIFT-STICKER", "品牌贴纸（赠品）", 0m, IsGift: true) { Weight = 0.01m },
    ];

    public static SimCatalog Demo { get; } = new(DemoItems, DemoShops);

    /// <summary>Parses <c>NODE:TOKEN[:SHOP_TYPE][,…]</c>.</summary>
    public static IReadOnlyList<SimShop> ParseShops(string text)
    {
        var shops = new List<SimShop>();
        foreach (var part in Split(text))
        {
            var f = part.Split(':');
            if (f.Length is < 2 or > 3 || f.Any(string.IsNullOrWhiteSpace))
                throw new FormatException($"shop '{part}': expected NODE:TOKEN or NODE:TOKEN:SHOP_TYPE");
            shops.Add(new SimShop(f[0].Trim(), f[1].Trim(), f.Length == 3 ? f[2].Trim() : "taobao"));
        }
        if (shops.Count == 0) throw new FormatException("no shop given");
        return shops;
    }

    /// <summary>Parses <c>BN:PRICE[:gift][,…]</c> (the name is the code).</summary>
    public static IReadOnlyList<SalesItem> ParseItems(string text)
    {
        var items = new List<SalesItem>();
        foreach (var part in Split(text))
        {
            var f = part.Split(':');
            if (f.Length is < 2 or > 3 || string.IsNullOrWhiteSpace(f[0])
                || !decimal.TryParse(f[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price)
                || (f.Length == 3 && !string.Equals(f[2].Trim(), "gift", StringComparison.OrdinalIgnoreCase)))
                throw new FormatException($"material '{part}': expected BN:PRICE or BN:PRICE:gift");
            var gift = f.Length == 3;
            if (!gift && price <= 0) throw new FormatException($"material '{part}': the price must be positive (a gift is BN:0:gift)");
            items.Add(new SalesItem(f[0].Trim(), f[0].Trim(), price, gift));
        }
        if (items.Count == 0) throw new FormatException("no material given");
        return items;
    }

    private static IEnumerable<string> Split(string text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
