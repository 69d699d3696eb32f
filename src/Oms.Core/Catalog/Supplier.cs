namespace Oms.Catalog;

/// <summary>供应商 — who purchase orders are placed with.</summary>
public class Supplier
{
    public long Id { get; set; }
    public required string SupplierBn { get; set; }
    public required string Name { get; set; }
    public string? Contact { get; set; }
    public string? Phone { get; set; }
    public string? Address { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
