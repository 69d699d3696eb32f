namespace Oms.Inventory;

/// <summary>
/// Stock of one basic material in one branch (ONEX <c>branch_product</c>). Counters change only
/// through <see cref="InventoryService"/>'s conditional updates, never by assignment.
/// </summary>
public class BranchStock
{
    public long BranchId { get; set; }
    public long BasicMaterialId { get; set; }
    /// <summary>实际库存 — on hand.</summary>
    public int Store { get; set; }
    /// <summary>仓库冻结 — held by open deliveries and pending outbound documents.</summary>
    public int StoreFreeze { get; set; }
    /// <summary>在途 — approved purchases and transfers not yet received.</summary>
    public int ArriveStore { get; set; }
    /// <summary>次品 — defective units, not sellable.</summary>
    public int DefectiveStore { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>店铺冻结 — units held by a shop's orders that are not yet turned into deliveries.</summary>
public class ShopFreeze
{
    public long ShopId { get; set; }
    public long BasicMaterialId { get; set; }
    public int Quantity { get; set; }
    public DateTime UpdatedAt { get; set; }
}
