namespace Oms.Catalog;

/// <summary>基础物料 — what a warehouse picks, counts and ships.</summary>
public class BasicMaterial
{
    public long Id { get; set; }
    public required string MaterialBn { get; set; }
    public required string Name { get; set; }
    /// <summary>Barcode (条码) scanned at verification; unique when present.</summary>
    public string? Barcode { get; set; }
    public BasicMaterialType Type { get; set; } = BasicMaterialType.Finished;
    /// <summary>Sellable (1) or stopped (2), as the OpenAPI's <c>visibled</c>.</summary>
    public bool Sellable { get; set; } = true;
    public string? Unit { get; set; }
    public decimal RetailPrice { get; set; }
    public decimal Cost { get; set; }
    /// <summary>Weight in kilograms.</summary>
    public decimal Weight { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Numbers as in ONEX OMS <c>material_type</c>.</summary>
public enum BasicMaterialType
{
    Finished = 1,
    SemiFinished = 2,
    Gift = 4,
    Packaging = 5,
}
