using System.Xml.Linq;
using static Oms.Integration.Qimen.QimenXml;

namespace Oms.Integration.Qimen;

/// <summary>
/// <c>taobao.qimen.singleitem.synchronize</c> (商品同步): <c>actionType</c> <c>add</c> or <c>update</c>, the owner
/// (<c>ownerCode</c>, the channel's customerId), optionally a <c>warehouseCode</c>, and one <c>item</c>.
/// </summary>
public sealed record QimenSingleItemSynchronizeRequest
{
    public const string Add = "add";
    public const string Update = "update";

    public required string ActionType { get; init; }
    public string? WarehouseCode { get; init; }
    public string? OwnerCode { get; init; }
    public required string ItemCode { get; init; }
    public required string ItemName { get; init; }
    public string? BarCode { get; init; }
    /// <summary><c>ZC</c> 正常商品, <c>ZH</c> 组合, <c>ZP</c> 赠品, …</summary>
    public string ItemType { get; init; } = "ZC";
    public string? StockUnit { get; init; }
    /// <summary>kg.</summary>
    public decimal? GrossWeight { get; init; }
    public decimal? RetailPrice { get; init; }
    public decimal? CostPrice { get; init; }
    /// <summary><c>Y</c> / <c>N</c>.</summary>
    public bool IsValid { get; init; } = true;

    public string ToXml() => ToText(new XElement("request",
        E("actionType", ActionType), E("warehouseCode", WarehouseCode), E("ownerCode", OwnerCode),
        new XElement("item",
            E("itemCode", ItemCode), E("itemName", ItemName), E("barCode", BarCode), E("itemType", ItemType), E("stockUnit", StockUnit),
            Number("grossWeight", GrossWeight), Money("retailPrice", RetailPrice), Money("costPrice", CostPrice), E("isValid", IsValid ? "Y" : "N"))));

    public static QimenSingleItemSynchronizeRequest Parse(string? xml)
    {
        var r = ParseRoot(xml, "request");
        var item = RequiredChild(r, "item", "request");
        return new QimenSingleItemSynchronizeRequest
        {
            ActionType = Required(r, "actionType", "request"),
            WarehouseCode = Text(r, "warehouseCode"),
            OwnerCode = Text(r, "ownerCode"),
            ItemCode = Required(item, "itemCode", "request/item"),
            ItemName = Required(item, "itemName", "request/item"),
            BarCode = Text(item, "barCode"),
            ItemType = Text(item, "itemType") ?? "ZC",
            StockUnit = Text(item, "stockUnit"),
            GrossWeight = QimenXml.Decimal(item, "grossWeight", "request/item"),
            RetailPrice = QimenXml.Decimal(item, "retailPrice", "request/item"),
            CostPrice = QimenXml.Decimal(item, "costPrice", "request/item"),
            IsValid = Text(item, "isValid") != "N",
        };
    }
}
