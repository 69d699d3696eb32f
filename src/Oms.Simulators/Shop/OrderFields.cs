using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Oms.Common;

namespace Oms.Simulators.Shop;

/// <summary>
/// Renders an <see cref="OrderModel"/> as the form fields of <c>ome.order.add</c> (PROTOCOL.md §2):
/// every top-level value a string, nested structures as JSON text with snake_case names. Inside
/// the JSON, numbers are strings (<c>"59.00"</c>, <c>"2"</c>) as ONEX's matrix sends them; money has
/// two decimals, weight three.
/// </summary>
public static class OrderFields
{
    public const string AddMethod = "ome.order.add";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public static string Money(decimal v) => v.ToString("0.00", CultureInfo.InvariantCulture);
    public static string Kg(decimal v) => v.ToString("0.000", CultureInfo.InvariantCulture);
    public static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
    public static string Time(DateTime utc) => ChinaTime.ToText(utc);
    public static string Bool(bool v) => v ? "true" : "false";

    public static Dictionary<string, string> Render(OrderModel o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new Dictionary<string, string>(40, StringComparer.Ordinal)
        {
            ["order_bn"] = o.OrderBn,
            ["status"] = o.Status,
            ["pay_status"] = Int(o.PayStatus),
            ["ship_status"] = Int(o.ShipStatus),
            ["createtime"] = Time(o.CreatedUtc),
            ["modified"] = Time(o.ModifiedUtc),
            ["paytime"] = o.PaidUtc is { } paid ? Time(paid) : "",
            ["cost_item"] = Money(o.CostItem),
            ["total_amount"] = Money(o.TotalAmount),
            ["payed"] = Money(o.Payed),
            ["discount"] = Money(o.Discount),
            ["pmt_goods"] = Money(o.PmtGoods),
            ["pmt_order"] = Money(o.PmtOrder),
            ["cost_freight"] = Money(o.CostFreight),
            ["weight"] = Kg(o.Weight),
            ["currency"] = "CNY",
            ["is_tax"] = Bool(o.Invoice is not null),
            ["tax_title"] = o.Invoice?.Title ?? "",
            ["tax_no"] = o.Invoice?.TaxNo ?? "",
            ["custom_mark"] = o.CustomMark,
            ["mark_text"] = o.MarkText,
            ["mark_type"] = o.MarkType,
            ["buyer_id"] = o.Member.Uname,
            ["consignee"] = Json(w => WriteConsignee(w, o.Consignee)),
            ["member_info"] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("uname", o.Member.Uname);
                w.WriteString("name", o.Member.Name);
                w.WriteString("mobile", o.Member.Mobile);
                w.WriteString("tel", "");
                w.WriteString("email", o.Member.Email);
                w.WriteEndObject();
            }),
            ["shipping"] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("shipping_name", o.ShippingName);
                w.WriteString("cost_shipping", Money(o.CostFreight));
                w.WriteString("is_cod", Bool(o.IsCod));
                w.WriteString("is_protect", "false");
                w.WriteString("cost_protect", "0.00");
                w.WriteEndObject();
            }),
            ["payinfo"] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("pay_name", o.PayName);
                w.WriteString("cost_payment", "0.00");
                w.WriteEndObject();
            }),
            ["payments"] = Json(w =>
            {
                w.WriteStartArray();
                if (o.IsPaid) WritePayment(w, o.TradeNo, o.Payed, o.PayName, o.PaidUtc ?? o.ModifiedUtc, o.Member.Uname, o.PayAccount, "");
                w.WriteEndArray();
            }),
            ["pmt_detail"] = Json(w =>
            {
                w.WriteStartArray();
                if (o.PmtOrder > 0)
                {
                    w.WriteStartObject();
                    w.WriteString("pmt_amount", Money(o.PmtOrder));
                    w.WriteString("pmt_describe", o.PmtOrderDescribe);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }),
            ["order_objects"] = Json(w => WriteObjects(w, o.Lines)),
        };
    }

    internal static void WriteConsignee(Utf8JsonWriter w, Consignee c)
    {
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WriteString("area_state", c.Province);
        w.WriteString("area_city", c.City);
        w.WriteString("area_district", c.District);
        w.WriteString("area_street", c.Street);
        w.WriteString("addr", c.Addr);
        w.WriteString("zip", c.Zip);
        w.WriteString("telephone", c.Telephone);
        w.WriteString("mobile", c.Mobile);
        w.WriteString("email", c.Email);
        w.WriteString("r_time", c.ReceiveTime);
        w.WriteEndObject();
    }

    internal static void WritePayment(Utf8JsonWriter w, string tradeNo, decimal money, string payMethod, DateTime payUtc, string account, string payAccount, string memo)
    {
        w.WriteStartObject();
        w.WriteString("trade_no", tradeNo);
        w.WriteString("money", Money(money));
        w.WriteString("paymethod", payMethod);
        w.WriteString("pay_time", Time(payUtc));
        w.WriteString("account", account);
        w.WriteString("pay_account", payAccount);
        w.WriteString("memo", memo);
        w.WriteEndObject();
    }

    private static void WriteObjects(Utf8JsonWriter w, IReadOnlyList<OrderLine> lines)
    {
        w.WriteStartArray();
        foreach (var l in lines)
        {
            w.WriteStartObject();
            w.WriteString("oid", l.Oid);
            w.WriteString("bn", l.Item.Bn);
            w.WriteString("name", l.Item.Name);
            w.WriteString("obj_type", l.ObjType);
            w.WriteString("price", Money(l.Price));
            w.WriteString("amount", Money(l.Amount));
            w.WriteString("quantity", Int(l.Quantity));
            w.WriteString("pmt_price", Money(l.PmtPrice));
            w.WriteString("sale_price", Money(l.Amount));
            w.WriteString("weight", Kg(l.Item.Weight * l.Quantity));
            w.WriteString("shop_goods_id", ShopId(l.Item.Bn, 'G'));
            w.WriteStartArray("order_items");
            var itemType = l.ObjType switch { "gift" => "gift", "pkg" => "pkg", _ => "product" };
            if (l.Item.Parts.Count == 0)
                WriteItem(w, l.Item.Bn, l.Item.Name, l.Price, l.Amount, l.Quantity, l.PmtPrice, itemType, ShopId(l.Item.Bn, 'P'), l.DivideOrderFee, l.OrderShare);
            else
            {
                // a combination: the shop lists its parts; the line's money goes to the first part
                // (informational only: the OMS expands the object's bn through its own bindings)
                for (var i = 0; i < l.Item.Parts.Count; i++)
                {
                    var p = l.Item.Parts[i];
                    var first = i == 0;
                    WriteItem(w, p.Bn, p.Name, first ? l.Price : 0m, first ? l.Amount : 0m, checked(p.Quantity * l.Quantity),
                        first ? l.PmtPrice : 0m, itemType, ShopId(p.Bn, 'P'), first ? l.DivideOrderFee : 0m, first ? l.OrderShare : 0m);
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteItem(Utf8JsonWriter w, string bn, string name, decimal price, decimal amount, int quantity, decimal pmtPrice,
        string itemType, string shopProductId, decimal divideOrderFee, decimal partMjz)
    {
        w.WriteStartObject();
        w.WriteString("bn", bn);
        w.WriteString("name", name);
        w.WriteString("price", Money(price));
        w.WriteString("sale_price", Money(amount));
        w.WriteString("amount", Money(amount));
        w.WriteString("quantity", Int(quantity));
        w.WriteString("pmt_price", Money(pmtPrice));
        w.WriteString("item_type", itemType);
        w.WriteString("shop_product_id", shopProductId);
        w.WriteString("product_attr", "");
        w.WriteString("divide_order_fee", Money(divideOrderFee));
        w.WriteString("part_mjz_discount", Money(partMjz));
        w.WriteEndObject();
    }

    /// <summary>A stable numeric platform id for a code (the platform's item / sku id).</summary>
    private static string ShopId(string bn, char kind)
    {
        var h = 2166136261u;
        foreach (var ch in bn) h = unchecked((h ^ ch) * 16777619u);
        return (kind == 'G' ? "6" : "7") + (h % 1_000_000_000u).ToString("000000000", CultureInfo.InvariantCulture);
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    internal static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions)) write(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
