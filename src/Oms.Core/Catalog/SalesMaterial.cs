namespace Oms.Catalog;

/// <summary>销售物料 — what a shop sells; expands into basic materials through its bindings.</summary>
public class SalesMaterial
{
    public long Id { get; set; }
    public required string SalesMaterialBn { get; set; }
    public required string Name { get; set; }
    public SalesMaterialType Type { get; set; } = SalesMaterialType.Normal;
    public decimal RetailPrice { get; set; }
    /// <summary>When set, only this shop sells it.</summary>
    public long? ShopId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<SalesMaterialBinding> Bindings { get; set; } = [];
}

/// <summary>One basic material inside a sales material, with its quantity and price share.</summary>
public class SalesMaterialBinding
{
    public long Id { get; set; }
    public long SalesMaterialId { get; set; }
    public long BasicMaterialId { get; set; }
    public int Quantity { get; set; } = 1;
    /// <summary>Percent of the sales price carried by this part (combinations: the parts sum to 100).</summary>
    public decimal PriceShare { get; set; } = 100;
    public int Position { get; set; }
}

/// <summary>Numbers as in ONEX OMS <c>sales_material_type</c>.</summary>
public enum SalesMaterialType
{
    /// <summary>普通 — one basic material ×1.</summary>
    Normal = 1,
    /// <summary>组合/促销 — several basic materials with quantities and price shares summing to 100.</summary>
    Combination = 2,
    /// <summary>赠品 — one basic material, price 0 on the order.</summary>
    Gift = 3,
    /// <summary>福袋 — a bag of several basic materials (all shipped), like a combination.</summary>
    LuckyBag = 4,
    /// <summary>多选一 — one of several basic materials is shipped.</summary>
    PickOne = 5,
}
