namespace Oms.Inventory;

/// <summary>The names users know the ledger types by (ONEX OMS <c>iostock type_name</c>).</summary>
public static class StockMoveTypeNames
{
    public static string ChineseName(StockMoveType type) => type switch
    {
        StockMoveType.PurchaseIn => "采购入库",
        StockMoveType.SalesOut => "销售出库",
        StockMoveType.TransferIn => "调拨入库",
        StockMoveType.TransferOut => "调拨出库",
        StockMoveType.DirectIn => "直接入库",
        StockMoveType.DirectOut => "直接出库",
        StockMoveType.GiftIn => "赠品入库",
        StockMoveType.GiftOut => "赠品出库",
        StockMoveType.SampleIn => "样品入库",
        StockMoveType.SampleOut => "样品出库",
        StockMoveType.StocktakeGain => "盘盈",
        StockMoveType.StocktakeLoss => "盘亏",
        StockMoveType.ReturnIn => "退货入库",
        StockMoveType.DefectiveIn => "次品入库",
        StockMoveType.PurchaseReturnOut => "采购退货出库",
        _ => type.ToString(),
    };
}
