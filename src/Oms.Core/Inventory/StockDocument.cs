namespace Oms.Inventory;

/// <summary>
/// A direct stock document (直接出入库单, OpenAPI <c>transfer.add</c>): stock in or out of one
/// branch at once, without a purchase or a delivery behind it.
/// </summary>
public class StockDocument
{
    public long Id { get; set; }
    public required string IoBn { get; set; }
    public required string Name { get; set; }
    public long BranchId { get; set; }
    public StockDocumentType Type { get; set; }
    public string? Memo { get; set; }
    public string? Operator { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<StockDocumentLine> Lines { get; set; } = [];
}

public class StockDocumentLine
{
    public long Id { get; set; }
    public long StockDocumentId { get; set; }
    public long BasicMaterialId { get; set; }
    public required string Name { get; set; }
    public int Quantity { get; set; }
    public decimal Price { get; set; }
}

/// <summary>The <c>t_type</c> letters of <c>transfer.add</c>.</summary>
public enum StockDocumentType
{
    /// <summary>E — 直接入库</summary>
    DirectIn = 'E',
    /// <summary>A — 直接出库</summary>
    DirectOut = 'A',
    /// <summary>G — 赠品入库</summary>
    GiftIn = 'G',
    /// <summary>F — 赠品出库</summary>
    GiftOut = 'F',
    /// <summary>K — 样品入库</summary>
    SampleIn = 'K',
    /// <summary>J — 样品出库</summary>
    SampleOut = 'J',
}
