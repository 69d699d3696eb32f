namespace Oms.Inventory;

/// <summary>出入库明细 (iostock) — one change of a branch's on-hand stock.</summary>
public class StockLedgerLine
{
    public long Id { get; set; }
    public long BranchId { get; set; }
    public long BasicMaterialId { get; set; }
    /// <summary>Signed: positive in, negative out.</summary>
    public int Quantity { get; set; }
    public StockMoveType Type { get; set; }
    /// <summary>The source document's number (delivery, purchase, direct stock document, ...).</summary>
    public string? OriginalBn { get; set; }
    /// <summary><c>store</c> right after this line.</summary>
    public int BalanceAfter { get; set; }
    public decimal UnitPrice { get; set; }
    public string? Operator { get; set; }
    public string? Memo { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The ledger number shown to users and on the OpenAPI (<c>iostock_bn</c>).</summary>
    public string IoStockBn => FormatBn(Id);

    public static string FormatBn(long id) => "IO" + id.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Ledger line types, numbered as ONEX OMS <c>iostock type_id</c>.</summary>
public enum StockMoveType
{
    /// <summary>采购入库</summary>
    PurchaseIn = 1,
    /// <summary>销售出库</summary>
    SalesOut = 3,
    /// <summary>调拨入库</summary>
    TransferIn = 4,
    /// <summary>调拨出库</summary>
    TransferOut = 40,
    /// <summary>直接入库 (E)</summary>
    DirectIn = 70,
    /// <summary>直接出库 (A)</summary>
    DirectOut = 7,
    /// <summary>赠品入库 (G)</summary>
    GiftIn = 50,
    /// <summary>赠品出库 (F)</summary>
    GiftOut = 100,
    /// <summary>样品入库 (K)</summary>
    SampleIn = 200,
    /// <summary>样品出库 (J)</summary>
    SampleOut = 300,
    /// <summary>盘盈</summary>
    StocktakeGain = 60,
    /// <summary>盘亏</summary>
    StocktakeLoss = 6,
    /// <summary>退货入库</summary>
    ReturnIn = 30,
    /// <summary>次品入库</summary>
    DefectiveIn = 500,
    /// <summary>采购退货出库</summary>
    PurchaseReturnOut = 10,
}
