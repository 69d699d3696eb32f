using System.Xml.Linq;
using Oms.Integration.Qimen;

namespace Oms.Tests.Qimen;

public class QimenXmlTests
{
    private static readonly DateTime Noon = new(2025, 6, 18, 4, 0, 0, DateTimeKind.Utc);

    public static QimenDeliveryOrderCreateRequest SampleCreate(string code = "D2506180001") => new()
    {
        DeliveryOrder = new QimenDeliveryOrder
        {
            DeliveryOrderCode = code, WarehouseCode = "WH-SH", SourcePlatformCode = "TB", CreateTime = Noon, PlaceOrderTime = Noon.AddHours(-1),
            PayTime = Noon.AddMinutes(-30), ShopNick = "旗舰店", TotalAmount = 128.5m, LogisticsCode = "SF", BuyerMessage = "请尽快发货 & 谢谢",
            SellerMessage = "<易碎>",
            Receiver = new QimenReceiver { Name = "张三", Mobile = "13800138000", Province = "上海", City = "上海市", Area = "浦东新区", DetailAddress = "世纪大道 100 号", ZipCode = "200120" },
        },
        OrderLines =
        [
            new QimenOrderLine { OrderLineNo = "1", SourceOrderCode = "T1001", ItemCode = "MUG-350", ItemName = "马克杯", PlanQty = 2, ActualPrice = 39m },
            new QimenOrderLine { OrderLineNo = "2", SourceOrderCode = "T1001", ItemCode = "GIFT-1", ItemName = "贴纸", PlanQty = 1, ActualPrice = 0m, InventoryType = "CC" },
        ],
    };

    [Fact]
    public void Delivery_order_create_writes_the_qimen_shape_and_reads_back_equal()
    {
        var request = SampleCreate();
        var xml = request.ToXml();
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><request><deliveryOrder><deliveryOrderCode>D2506180001</deliveryOrderCode><orderType>JYCK</orderType>", xml, StringComparison.Ordinal);
        var doc = XElement.Parse(xml);
        Assert.Equal("2025-06-18 12:00:00", doc.Element("deliveryOrder")!.Element("createTime")!.Value);
        Assert.Equal("128.50", doc.Element("deliveryOrder")!.Element("totalAmount")!.Value);
        Assert.Equal("浦东新区", doc.Element("deliveryOrder")!.Element("receiverInfo")!.Element("area")!.Value);
        Assert.Equal(["MUG-350", "GIFT-1"], doc.Element("orderLines")!.Elements("orderLine").Select(l => l.Element("itemCode")!.Value));
        Assert.Contains("&lt;易碎&gt;", xml, StringComparison.Ordinal);

        var back = QimenDeliveryOrderCreateRequest.Parse(xml);
        Assert.Equal(request.DeliveryOrder, back.DeliveryOrder);
        Assert.Equal(request.OrderLines, back.OrderLines);
    }

    [Fact]
    public void A_hand_written_indented_create_is_read()
    {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <request>
              <deliveryOrder>
                <deliveryOrderCode> D1 </deliveryOrderCode>
                <warehouseCode>W1</warehouseCode>
                <payTime>2025-06-18 11:30:00</payTime>
                <receiverInfo><name>李四</name><province>广东省</province></receiverInfo>
              </deliveryOrder>
              <orderLines>
                <orderLine><itemCode>A</itemCode><planQty>3</planQty></orderLine>
              </orderLines>
            </request>
            """;
        var r = QimenDeliveryOrderCreateRequest.Parse(xml);
        Assert.Equal("D1", r.DeliveryOrder.DeliveryOrderCode);
        Assert.Equal("JYCK", r.DeliveryOrder.OrderType);
        Assert.Equal(new DateTime(2025, 6, 18, 3, 30, 0, DateTimeKind.Utc), r.DeliveryOrder.PayTime);
        Assert.Equal("广东省", r.DeliveryOrder.Receiver.Province);
        var line = Assert.Single(r.OrderLines);
        Assert.Equal(("A", 3, "ZP"), (line.ItemCode, line.PlanQty, line.InventoryType));
    }

    [Theory]
    [InlineData("", "request", "empty")]
    [InlineData("<request><deliveryOrder>", "request", "not well-formed")]
    [InlineData("<response/>", "response", "root element is <response>")]
    [InlineData("<request><orderLines/></request>", "request/deliveryOrder", "request/deliveryOrder is required")]
    [InlineData("<request><deliveryOrder><warehouseCode>W</warehouseCode></deliveryOrder><orderLines/></request>", "request/deliveryOrder/deliveryOrderCode", "is required")]
    [InlineData("<request><deliveryOrder><deliveryOrderCode>D</deliveryOrderCode><warehouseCode>W</warehouseCode></deliveryOrder><orderLines/></request>", "request/orderLines", "no orderLine")]
    [InlineData("<request><deliveryOrder><deliveryOrderCode>D</deliveryOrderCode><warehouseCode>W</warehouseCode></deliveryOrder><orderLines><orderLine><itemCode>A</itemCode><planQty>1</planQty></orderLine><orderLine><itemCode>B</itemCode><planQty>two</planQty></orderLine></orderLines></request>", "request/orderLines/orderLine[2]/planQty", "'two' is not a whole number")]
    [InlineData("<request><deliveryOrder><deliveryOrderCode>D</deliveryOrderCode><warehouseCode>W</warehouseCode><payTime>yesterday</payTime></deliveryOrder><orderLines/></request>", "request/deliveryOrder/payTime", "not a time")]
    [InlineData("<request><deliveryOrder><deliveryOrderCode>D</deliveryOrderCode><warehouseCode>W</warehouseCode></deliveryOrder><orderLines><orderLine><itemCode>A</itemCode><planQty>-1</planQty></orderLine></orderLines></request>", "request/orderLines/orderLine[1]/planQty", "must not be negative")]
    public void A_bad_create_body_names_what_is_wrong(string xml, string path, string message)
    {
        var e = Assert.Throws<QimenXmlException>(() => QimenDeliveryOrderCreateRequest.Parse(xml));
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dtd_is_refused_so_no_entity_is_expanded()
    {
        var xml = """<?xml version="1.0"?><!DOCTYPE request [<!ENTITY x "boom">]><request><orderCode>&x;</orderCode><warehouseCode>W</warehouseCode></request>""";
        var e = Assert.Throws<QimenXmlException>(() => QimenOrderCancelRequest.Parse(xml));
        Assert.Contains("not well-formed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_cancel_and_query_round_trip()
    {
        var cancel = new QimenOrderCancelRequest { OrderCode = "D1", WarehouseCode = "W1", OrderId = "VW1", CancelReason = "买家取消" };
        var xml = cancel.ToXml();
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><request><warehouseCode>W1</warehouseCode><orderCode>D1</orderCode><orderId>VW1</orderId><orderType>JYCK</orderType><cancelReason>买家取消</cancelReason></request>", xml);
        Assert.Equal(cancel, QimenOrderCancelRequest.Parse(xml));
        Assert.Equal("request/orderCode", Assert.Throws<QimenXmlException>(() => QimenOrderCancelRequest.Parse("<request><warehouseCode>W</warehouseCode></request>")).Path);

        var query = new QimenDeliveryOrderQueryRequest { OrderCode = "D1", WarehouseCode = "W1" };
        Assert.Equal(query, QimenDeliveryOrderQueryRequest.Parse(query.ToXml()));
    }

    [Fact]
    public void A_warehouse_confirm_is_read_into_the_model()
    {
        var xml = """
            <request>
              <deliveryOrder>
                <deliveryOrderCode>D2506180001</deliveryOrderCode><deliveryOrderId>VW000001</deliveryOrderId>
                <warehouseCode>WH-SH</warehouseCode><orderType>JYCK</orderType><status>DELIVERED</status>
                <outBizCode>VW000001-1</outBizCode><confirmType>0</confirmType><operateTime>2025-06-18 12:05:00</operateTime>
              </deliveryOrder>
              <packages>
                <package><logisticsCode>SF</logisticsCode><logisticsName>顺丰</logisticsName><expressCode>SF1234567890</expressCode><weight>1.25</weight>
                  <items><item><itemCode>MUG-350</itemCode><quantity>2</quantity></item><item><itemCode>GIFT-1</itemCode><quantity>1</quantity></item></items>
                </package>
              </packages>
              <orderLines>
                <orderLine><orderLineNo>1</orderLineNo><itemCode>MUG-350</itemCode><planQty>2</planQty><actualQty>2</actualQty></orderLine>
                <orderLine><orderLineNo>2</orderLineNo><itemCode>GIFT-1</itemCode><actualQty>1</actualQty></orderLine>
              </orderLines>
            </request>
            """;
        var c = QimenDeliveryOrderConfirmRequest.Parse(xml);
        Assert.Equal(("D2506180001", "VW000001", "DELIVERED", 0), (c.DeliveryOrder.DeliveryOrderCode, c.DeliveryOrder.DeliveryOrderId, c.DeliveryOrder.Status, c.DeliveryOrder.ConfirmType));
        Assert.Equal(new DateTime(2025, 6, 18, 4, 5, 0, DateTimeKind.Utc), c.DeliveryOrder.OperateTime);
        var package = Assert.Single(c.Packages);
        Assert.Equal(("SF", "SF1234567890", 1.25m), (package.LogisticsCode, package.ExpressCode, package.Weight));
        Assert.Equal([new QimenPackageItem("MUG-350", 2), new QimenPackageItem("GIFT-1", 1)], package.Items);
        Assert.Equal([2, 1], c.OrderLines.Select(l => l.ActualQty));
        Assert.Null(c.OrderLines[1].PlanQty);

        var again = QimenDeliveryOrderConfirmRequest.Parse(c.ToXml());
        Assert.Equal(c.DeliveryOrder, again.DeliveryOrder);
        Assert.Equal(c.OrderLines, again.OrderLines);
        Assert.Equal(package.Items, Assert.Single(again.Packages).Items);

        var noWaybill = xml.Replace("<expressCode>SF1234567890</expressCode>", "", StringComparison.Ordinal);
        Assert.Equal("request/packages/package[1]/expressCode", Assert.Throws<QimenXmlException>(() => QimenDeliveryOrderConfirmRequest.Parse(noWaybill)).Path);
        var noStatus = xml.Replace("<status>DELIVERED</status>", "", StringComparison.Ordinal);
        Assert.Equal("request/deliveryOrder/status", Assert.Throws<QimenXmlException>(() => QimenDeliveryOrderConfirmRequest.Parse(noStatus)).Path);
    }

    [Fact]
    public void Responses_are_written_and_read_both_ways()
    {
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>success</flag><code>0</code><message>ok</message></response>", QimenResponse.Success("ok").ToXml());
        var created = QimenResponse.Success(fields: [new("deliveryOrderId", "VW1"), new("createTime", "2025-06-18 12:00:00")]);
        var back = QimenResponse.Parse(created.ToXml());
        Assert.True(back.IsSuccess);
        Assert.Equal("VW1", back.Fields["deliveryOrderId"]);

        var fail = QimenResponse.Parse("<response><flag>failure</flag><code>sign-check-failure</code><message>签名错误</message></response>");
        Assert.False(fail.IsSuccess);
        Assert.Equal(("sign-check-failure", "签名错误"), (fail.Code, fail.Message));
        Assert.Equal("response/flag", Assert.Throws<QimenXmlException>(() => QimenResponse.Parse("<response><flag>maybe</flag></response>")).Path);
        Assert.Equal("response/flag", Assert.Throws<QimenXmlException>(() => QimenResponse.Parse("<response><code>1</code></response>")).Path);

        // a query's answer carries the delivery order as a confirm does
        var confirm = new QimenDeliveryOrderConfirmRequest
        {
            DeliveryOrder = new QimenConfirmedDeliveryOrder { DeliveryOrderCode = "D1", Status = "PICK" },
            OrderLines = [new QimenConfirmLine { ItemCode = "A", ActualQty = 0, PlanQty = 2 }],
        };
        var answer = QimenResponse.Parse((QimenResponse.Success() with { Extra = confirm.ToElements() }).ToXml());
        var read = QimenDeliveryOrderConfirmRequest.FromResponse(answer);
        Assert.Equal(confirm.DeliveryOrder, read.DeliveryOrder);
        Assert.Equal(confirm.OrderLines, read.OrderLines);
    }
}
