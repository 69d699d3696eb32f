namespace Oms.Fulfillment;

/// <summary>
/// 销售单 — what one shipped delivery sold for one order: written by consign (own floor or a third-party warehouse's
/// DELIVERY), one per (delivery, order). The finance side reads these (OpenAPI <c>sales.getList</c>).
/// </summary>
public class Sale
{
    public long Id { get; set; }
    /// <summary><c>S</c> + yyMMddHHmmss (China time) + id.</summary>
    public required string SaleBn { get; set; }
    public long OrderId { get; set; }
    public required string OrderBn { get; set; }
    public long ShopId { get; set; }
    public long BranchId { get; set; }
    public long DeliveryId { get; set; }
    public required string DeliveryBn { get; set; }
    public string? LogiCode { get; set; }
    public string? LogiNo { get; set; }
    /// <summary>Σ of the lines' amounts (each order item's amount share × shipped / ordered quantity).</summary>
    public decimal SaleAmount { get; set; }
    public int ItemNum { get; set; }
    public DateTime SaleTime { get; set; }
    public required string Operator { get; set; }
    public List<SaleItem> Items { get; set; } = [];
}

/// <summary>One order item line of a sale: the basic material, how many, at what unit price share.</summary>
public class SaleItem
{
    public long Id { get; set; }
    public long SaleId { get; set; }
    public long OrderItemId { get; set; }
    public long BasicMaterialId { get; set; }
    public required string Bn { get; set; }
    public string? Name { get; set; }
    public int Nums { get; set; }
    public decimal Price { get; set; }
    public decimal Amount { get; set; }
}
