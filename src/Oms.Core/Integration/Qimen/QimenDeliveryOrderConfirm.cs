using System.Xml.Linq;
using static Oms.Integration.Qimen.QimenXml;

namespace Oms.Integration.Qimen;

/// <summary>Delivery order statuses a Qimen warehouse reports (<c>deliveryOrder/status</c>).</summary>
public static class QimenDeliveryStatus
{
    public const string New = "NEW";
    public const string Accept = "ACCEPT";
    public const string Print = "PRINT";
    public const string Pick = "PICK";
    public const string Check = "CHECK";
    public const string Package = "PACKAGE";
    /// <summary>已发货: the confirm that ships.</summary>
    public const string Delivered = "DELIVERED";
    public const string PartDelivered = "PARTDELIVERED";
    public const string Exception = "EXCEPTION";
    public const string Closed = "CLOSED";
    public const string Canceled = "CANCELED";
    public const string Rejected = "REJECT";
}

/// <summary>The header of a <c>deliveryorder.confirm</c>.</summary>
public sealed record QimenConfirmedDeliveryOrder
{
    public required string DeliveryOrderCode { get; init; }
    /// <summary>The warehouse's own id of the order.</summary>
    public string? DeliveryOrderId { get; init; }
    public string? WarehouseCode { get; init; }
    public string? OrderType { get; init; }
    /// <summary>See <see cref="QimenDeliveryStatus"/>; <c>DELIVERED</c> ships.</summary>
    public required string Status { get; init; }
    /// <summary>The warehouse's id of this confirmation (a repeated confirm carries the same one).</summary>
    public string? OutBizCode { get; init; }
    /// <summary>0 = final confirmation, 1 = partial.</summary>
    public int? ConfirmType { get; init; }
    public DateTime? OperateTime { get; init; }
}

public sealed record QimenPackageItem(string ItemCode, int Quantity);

/// <summary>One parcel: carrier, waybill (运单号, <c>expressCode</c>), weight in kg and what it holds.</summary>
public sealed record QimenPackage
{
    public required string LogisticsCode { get; init; }
    public string? LogisticsName { get; init; }
    public required string ExpressCode { get; init; }
    public string? PackageCode { get; init; }
    public decimal? Weight { get; init; }
    public decimal? Volume { get; init; }
    public IReadOnlyList<QimenPackageItem> Items { get; init; } = [];
}

/// <summary>A confirmed line: what was planned and what actually left (<c>actualQty</c>).</summary>
public sealed record QimenConfirmLine
{
    public string? OrderLineNo { get; init; }
    public required string ItemCode { get; init; }
    public string? ItemId { get; init; }
    public int? PlanQty { get; init; }
    public required int ActualQty { get; init; }
    public string? InventoryType { get; init; }
}

/// <summary>
/// <c>taobao.qimen.deliveryorder.confirm</c> (发货单确认), sent by the warehouse to the OMS's <c>POST /qimen</c>:
/// <c>&lt;request&gt;&lt;deliveryOrder/&gt;&lt;packages&gt;&lt;package/&gt;…&lt;/packages&gt;&lt;orderLines&gt;&lt;orderLine/&gt;…&lt;/orderLines&gt;&lt;/request&gt;</c>.
/// </summary>
public sealed record QimenDeliveryOrderConfirmRequest
{
    public required QimenConfirmedDeliveryOrder DeliveryOrder { get; init; }
    public IReadOnlyList<QimenPackage> Packages { get; init; } = [];
    public IReadOnlyList<QimenConfirmLine> OrderLines { get; init; } = [];

    public string ToXml() => ToText(new XElement("request", ToElements()));

    /// <summary><c>deliveryOrder</c>, <c>packages</c>, <c>orderLines</c>: the body of a confirm or of a query's answer.</summary>
    public IReadOnlyList<XElement> ToElements()
    {
        var d = DeliveryOrder;
        return
        [
            new XElement("deliveryOrder",
                E("deliveryOrderCode", d.DeliveryOrderCode), E("deliveryOrderId", d.DeliveryOrderId), E("warehouseCode", d.WarehouseCode),
                E("orderType", d.OrderType), E("status", d.Status), E("outBizCode", d.OutBizCode), E("confirmType", d.ConfirmType),
                E("operateTime", d.OperateTime)),
            new XElement("packages", Packages.Select(p => new XElement("package",
                E("logisticsCode", p.LogisticsCode), E("logisticsName", p.LogisticsName), E("expressCode", p.ExpressCode),
                E("packageCode", p.PackageCode), Number("weight", p.Weight), Number("volume", p.Volume),
                new XElement("items", p.Items.Select(i => new XElement("item", E("itemCode", i.ItemCode), E("quantity", i.Quantity))))))),
            new XElement("orderLines", OrderLines.Select(l => new XElement("orderLine",
                E("orderLineNo", l.OrderLineNo), E("itemCode", l.ItemCode), E("itemId", l.ItemId), E("planQty", l.PlanQty),
                E("actualQty", l.ActualQty), E("inventoryType", l.InventoryType)))),
        ];
    }

    /// <summary>Reads a body; <see cref="QimenXmlException"/> names what is missing or wrong.</summary>
    public static QimenDeliveryOrderConfirmRequest Parse(string? xml) => Read(ParseRoot(xml, "request"), "request");

    /// <summary>The delivery order carried by a <c>deliveryorder.query</c> answer.</summary>
    public static QimenDeliveryOrderConfirmRequest FromResponse(QimenResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(new XElement("response", response.Extra), "response");
    }

    public static QimenDeliveryOrderConfirmRequest Read(XElement parent, string path = "request")
    {
        ArgumentNullException.ThrowIfNull(parent);
        var dp = path + "/deliveryOrder";
        var d = RequiredChild(parent, "deliveryOrder", path);
        var header = new QimenConfirmedDeliveryOrder
        {
            DeliveryOrderCode = Required(d, "deliveryOrderCode", dp),
            DeliveryOrderId = Text(d, "deliveryOrderId"),
            WarehouseCode = Text(d, "warehouseCode"),
            OrderType = Text(d, "orderType"),
            Status = Required(d, "status", dp),
            OutBizCode = Text(d, "outBizCode"),
            ConfirmType = Int(d, "confirmType", dp),
            OperateTime = Time(d, "operateTime", dp),
        };
        var packages = new List<QimenPackage>();
        if (Child(parent, "packages") is { } ps)
        {
            foreach (var (p, i) in Children(ps, "package").Select((p, i) => (p, i)))
            {
                var pp = Indexed(path + "/packages", "package", i);
                var items = new List<QimenPackageItem>();
                if (Child(p, "items") is { } its)
                    foreach (var (it, j) in Children(its, "item").Select((it, j) => (it, j)))
                    {
                        var ip = Indexed(pp + "/items", "item", j);
                        items.Add(new QimenPackageItem(Required(it, "itemCode", ip), RequiredQuantity(it, "quantity", ip)));
                    }
                packages.Add(new QimenPackage
                {
                    LogisticsCode = Required(p, "logisticsCode", pp),
                    LogisticsName = Text(p, "logisticsName"),
                    ExpressCode = Required(p, "expressCode", pp),
                    PackageCode = Text(p, "packageCode"),
                    Weight = QimenXml.Decimal(p, "weight", pp),
                    Volume = QimenXml.Decimal(p, "volume", pp),
                    Items = items,
                });
            }
        }
        var lines = new List<QimenConfirmLine>();
        if (Child(parent, "orderLines") is { } ls)
        {
            foreach (var (l, i) in Children(ls, "orderLine").Select((l, i) => (l, i)))
            {
                var lp = Indexed(path + "/orderLines", "orderLine", i);
                lines.Add(new QimenConfirmLine
                {
                    OrderLineNo = Text(l, "orderLineNo"),
                    ItemCode = Required(l, "itemCode", lp),
                    ItemId = Text(l, "itemId"),
                    PlanQty = Int(l, "planQty", lp),
                    ActualQty = RequiredQuantity(l, "actualQty", lp),
                    InventoryType = Text(l, "inventoryType"),
                });
            }
        }
        return new QimenDeliveryOrderConfirmRequest { DeliveryOrder = header, Packages = packages, OrderLines = lines };
    }
}
