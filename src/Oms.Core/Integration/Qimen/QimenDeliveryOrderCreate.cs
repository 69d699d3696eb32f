using System.Xml.Linq;
using static Oms.Integration.Qimen.QimenXml;

namespace Oms.Integration.Qimen;

/// <summary>收件人 of a delivery order (<c>receiverInfo</c>).</summary>
public sealed record QimenReceiver
{
    public string? Name { get; init; }
    public string? Mobile { get; init; }
    public string? Tel { get; init; }
    public string? Province { get; init; }
    public string? City { get; init; }
    public string? Area { get; init; }
    public string? Town { get; init; }
    public string? DetailAddress { get; init; }
    public string? ZipCode { get; init; }

    internal XElement ToElement() => new("receiverInfo",
        E("name", Name), E("zipCode", ZipCode), E("tel", Tel), E("mobile", Mobile), E("province", Province),
        E("city", City), E("area", Area), E("town", Town), E("detailAddress", DetailAddress));

    internal static QimenReceiver Read(XElement e) => new()
    {
        Name = Text(e, "name"), Mobile = Text(e, "mobile"), Tel = Text(e, "tel"), Province = Text(e, "province"),
        City = Text(e, "city"), Area = Text(e, "area"), Town = Text(e, "town"), DetailAddress = Text(e, "detailAddress"),
        ZipCode = Text(e, "zipCode"),
    };
}

/// <summary>The header of a <c>deliveryorder.create</c> (发货单). Times are UTC here and China time on the wire.</summary>
public sealed record QimenDeliveryOrder
{
    public required string DeliveryOrderCode { get; init; }
    /// <summary><c>JYCK</c> (一般交易出库) for sales orders.</summary>
    public string OrderType { get; init; } = "JYCK";
    public required string WarehouseCode { get; init; }
    /// <summary>The shop's platform, e.g. <c>TB</c>, <c>JD</c>, <c>OTHER</c>.</summary>
    public string? SourcePlatformCode { get; init; }
    public DateTime? CreateTime { get; init; }
    public DateTime? PlaceOrderTime { get; init; }
    public DateTime? PayTime { get; init; }
    public string? ShopNick { get; init; }
    public decimal? TotalAmount { get; init; }
    public string? LogisticsCode { get; init; }
    public string? BuyerMessage { get; init; }
    public string? SellerMessage { get; init; }
    public QimenReceiver Receiver { get; init; } = new();
}

/// <summary>One line of a delivery order. <see cref="InventoryType"/>: <c>ZP</c> 正品, <c>CC</c> 残次.</summary>
public sealed record QimenOrderLine
{
    public string? OrderLineNo { get; init; }
    public string? SourceOrderCode { get; init; }
    public required string ItemCode { get; init; }
    public string? ItemName { get; init; }
    public required int PlanQty { get; init; }
    public decimal? ActualPrice { get; init; }
    public string InventoryType { get; init; } = "ZP";
}

/// <summary><c>taobao.qimen.deliveryorder.create</c>: <c>&lt;request&gt;&lt;deliveryOrder/&gt;&lt;orderLines/&gt;&lt;/request&gt;</c>.</summary>
public sealed record QimenDeliveryOrderCreateRequest
{
    public required QimenDeliveryOrder DeliveryOrder { get; init; }
    public required IReadOnlyList<QimenOrderLine> OrderLines { get; init; }

    public string ToXml()
    {
        var d = DeliveryOrder;
        return ToText(new XElement("request",
            new XElement("deliveryOrder",
                E("deliveryOrderCode", d.DeliveryOrderCode), E("orderType", d.OrderType), E("warehouseCode", d.WarehouseCode),
                E("sourcePlatformCode", d.SourcePlatformCode), E("createTime", d.CreateTime), E("placeOrderTime", d.PlaceOrderTime),
                E("payTime", d.PayTime), E("shopNick", d.ShopNick), Money("totalAmount", d.TotalAmount),
                E("logisticsCode", d.LogisticsCode), E("buyerMessage", d.BuyerMessage), E("sellerMessage", d.SellerMessage),
                d.Receiver.ToElement()),
            new XElement("orderLines", OrderLines.Select(l => new XElement("orderLine",
                E("orderLineNo", l.OrderLineNo), E("sourceOrderCode", l.SourceOrderCode), E("itemCode", l.ItemCode),
                E("itemName", l.ItemName), E("planQty", l.PlanQty), Money("actualPrice", l.ActualPrice),
                E("inventoryType", l.InventoryType))))));
    }

    /// <summary>Reads a body; <see cref="QimenXmlException"/> names what is missing or wrong.</summary>
    public static QimenDeliveryOrderCreateRequest Parse(string? xml) => Read(ParseRoot(xml, "request"));

    public static QimenDeliveryOrderCreateRequest Read(XElement request)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string p = "request/deliveryOrder";
        var d = RequiredChild(request, "deliveryOrder", "request");
        var header = new QimenDeliveryOrder
        {
            DeliveryOrderCode = Required(d, "deliveryOrderCode", p),
            OrderType = Text(d, "orderType") ?? "JYCK",
            WarehouseCode = Required(d, "warehouseCode", p),
            SourcePlatformCode = Text(d, "sourcePlatformCode"),
            CreateTime = Time(d, "createTime", p),
            PlaceOrderTime = Time(d, "placeOrderTime", p),
            PayTime = Time(d, "payTime", p),
            ShopNick = Text(d, "shopNick"),
            TotalAmount = QimenXml.Decimal(d, "totalAmount", p),
            LogisticsCode = Text(d, "logisticsCode"),
            BuyerMessage = Text(d, "buyerMessage"),
            SellerMessage = Text(d, "sellerMessage"),
            Receiver = Child(d, "receiverInfo") is { } r ? QimenReceiver.Read(r) : new QimenReceiver(),
        };
        var linesElement = RequiredChild(request, "orderLines", "request");
        var lines = new List<QimenOrderLine>();
        foreach (var (l, i) in Children(linesElement, "orderLine").Select((l, i) => (l, i)))
        {
            var lp = Indexed("request/orderLines", "orderLine", i);
            var qty = RequiredQuantity(l, "planQty", lp);
            if (qty == 0) throw new QimenXmlException($"{lp}/planQty must be at least 1", lp + "/planQty");
            lines.Add(new QimenOrderLine
            {
                OrderLineNo = Text(l, "orderLineNo"),
                SourceOrderCode = Text(l, "sourceOrderCode"),
                ItemCode = Required(l, "itemCode", lp),
                ItemName = Text(l, "itemName"),
                PlanQty = qty,
                ActualPrice = QimenXml.Decimal(l, "actualPrice", lp),
                InventoryType = Text(l, "inventoryType") ?? "ZP",
            });
        }
        if (lines.Count == 0) throw new QimenXmlException("request/orderLines has no orderLine", "request/orderLines");
        return new QimenDeliveryOrderCreateRequest { DeliveryOrder = header, OrderLines = lines };
    }
}

/// <summary><c>taobao.qimen.order.cancel</c> (单据取消).</summary>
public sealed record QimenOrderCancelRequest
{
    public required string OrderCode { get; init; }
    public required string WarehouseCode { get; init; }
    /// <summary>The document type, <c>JYCK</c> for a delivery order.</summary>
    public string OrderType { get; init; } = "JYCK";
    /// <summary>The warehouse's own id of the document, when known.</summary>
    public string? OrderId { get; init; }
    public string? CancelReason { get; init; }

    public string ToXml() => ToText(new XElement("request",
        E("warehouseCode", WarehouseCode), E("orderCode", OrderCode), E("orderId", OrderId), E("orderType", OrderType),
        E("cancelReason", CancelReason)));

    public static QimenOrderCancelRequest Parse(string? xml)
    {
        var r = ParseRoot(xml, "request");
        return new QimenOrderCancelRequest
        {
            OrderCode = Required(r, "orderCode", "request"),
            WarehouseCode = Required(r, "warehouseCode", "request"),
            OrderType = Text(r, "orderType") ?? "JYCK",
            OrderId = Text(r, "orderId"),
            CancelReason = Text(r, "cancelReason"),
        };
    }
}

/// <summary>
/// <c>taobao.qimen.deliveryorder.query</c> (发货单查询). The answer is a <see cref="QimenResponse"/> whose
/// <see cref="QimenResponse.Extra"/> holds <c>deliveryOrder</c>, <c>packages</c> and <c>orderLines</c> shaped like a
/// confirm: read it with <see cref="QimenDeliveryOrderConfirmRequest.FromResponse"/>.
/// </summary>
public sealed record QimenDeliveryOrderQueryRequest
{
    public required string OrderCode { get; init; }
    public string? WarehouseCode { get; init; }
    public string? OrderId { get; init; }

    public string ToXml() => ToText(new XElement("request",
        E("warehouseCode", WarehouseCode), E("orderCode", OrderCode), E("orderId", OrderId)));

    public static QimenDeliveryOrderQueryRequest Parse(string? xml)
    {
        var r = ParseRoot(xml, "request");
        return new QimenDeliveryOrderQueryRequest
        {
            OrderCode = Required(r, "orderCode", "request"),
            WarehouseCode = Text(r, "warehouseCode"),
            OrderId = Text(r, "orderId"),
        };
    }
}
