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
                w.WriteString("uname"u8, o.Member.Uname);
                w.WriteString("name"u8, o.Member.Name);
                w.WriteString("mobile"u8, o.Member.Mobile);
                w.WriteString("tel"u8, "");
                w.WriteString("email"u8, o.Member.Email);
                w.WriteEndObject();
            }),
            ["shipping"] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("shipping_name"u8, o.ShippingName);
                WriteMoney(w, "cost_shipping"u8, o.CostFreight);
                w.WriteString("is_cod"u8, Bool(o.IsCod));
                w.WriteString("is_protect"u8, "false");
                w.WriteString("cost_protect"u8, "0.00");
                w.WriteEndObject();
            }),
            ["payinfo"] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("pay_name"u8, o.PayName);
                w.WriteString("cost_payment"u8, "0.00");
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
                    WriteMoney(w, "pmt_amount"u8, o.PmtOrder);
                    w.WriteString("pmt_describe"u8, o.PmtOrderDescribe);
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
        w.WriteString("name"u8, c.Name);
        w.WriteString("area_state"u8, c.Province);
        w.WriteString("area_city"u8, c.City);
        w.WriteString("area_district"u8, c.District);
        w.WriteString("area_street"u8, c.Street);
        w.WriteString("addr"u8, c.Addr);
        w.WriteString("zip"u8, c.Zip);
        w.WriteString("telephone"u8, c.Telephone);
        w.WriteString("mobile"u8, c.Mobile);
        w.WriteString("email"u8, c.Email);
        w.WriteString("r_time"u8, c.ReceiveTime);
        w.WriteEndObject();
    }

    internal static void WritePayment(Utf8JsonWriter w, string tradeNo, decimal money, string payMethod, DateTime payUtc, string account, string payAccount, string memo)
    {
        w.WriteStartObject();
        w.WriteString("trade_no"u8, tradeNo);
        WriteMoney(w, "money"u8, money);
        w.WriteString("paymethod"u8, payMethod);
        w.WriteString("pay_time"u8, Time(payUtc));
        w.WriteString("account"u8, account);
        w.WriteString("pay_account"u8, payAccount);
        w.WriteString("memo"u8, memo);
        w.WriteEndObject();
    }

    private static void WriteObjects(Utf8JsonWriter w, IReadOnlyList<OrderLine> lines)
    {
        w.WriteStartArray();
        foreach (var l in lines)
        {
            w.WriteStartObject();
            w.WriteString("oid"u8, l.Oid);
            w.WriteString("bn"u8, l.Item.Bn);
            w.WriteString("name"u8, l.Item.Name);
            w.WriteString("obj_type"u8, l.ObjType);
            WriteMoney(w, "price"u8, l.Price);
            WriteMoney(w, "amount"u8, l.Amount);
            WriteInt(w, "quantity"u8, l.Quantity);
            WriteMoney(w, "pmt_price"u8, l.PmtPrice);
            WriteMoney(w, "sale_price"u8, l.Amount);
            WriteKg(w, "weight"u8, l.Item.Weight * l.Quantity);
            w.WriteString("shop_goods_id"u8, ShopId(l.Item.Bn, 'G'));
            w.WriteStartArray("order_items"u8);
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
        w.WriteString("bn"u8, bn);
        w.WriteString("name"u8, name);
        WriteMoney(w, "price"u8, price);
        WriteMoney(w, "sale_price"u8, amount);
        WriteMoney(w, "amount"u8, amount);
        WriteInt(w, "quantity"u8, quantity);
        WriteMoney(w, "pmt_price"u8, pmtPrice);
        w.WriteString("item_type"u8, itemType);
        w.WriteString("shop_product_id"u8, shopProductId);
        w.WriteString("product_attr"u8, "");
        WriteMoney(w, "divide_order_fee"u8, divideOrderFee);
        WriteMoney(w, "part_mjz_discount"u8, partMjz);
        w.WriteEndObject();
    }

    /// <summary>A stable numeric platform id for a code (the platform's item / sku id).</summary>
    private static string ShopId(string bn, char kind)
    {
        var h = 2166136261u;
        foreach (var ch in bn) h = unchecked((h ^ ch) * 16777619u);
        return (kind == 'G' ? "6" : "7") + (h % 1_000_000_000u).ToString("000000000", CultureInfo.InvariantCulture);
    }

    private static void WriteMoney(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal v)
    {
        Span<byte> text = stackalloc byte[40];
        v.TryFormat(text, out var n, "0.00", CultureInfo.InvariantCulture);
        w.WriteString(name, text[..n]);
    }

    private static void WriteKg(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal v)
    {
        Span<byte> text = stackalloc byte[40];
        v.TryFormat(text, out var n, "0.000", CultureInfo.InvariantCulture);
        w.WriteString(name, text[..n]);
    }

    private static void WriteInt(Utf8JsonWriter w, ReadOnlySpan<byte> name, int v)
    {
        Span<byte> text = stackalloc byte[12];
        v.TryFormat(text, out var n, default, CultureInfo.InvariantCulture);
        w.WriteString(name, text[..n]);
    }

    // one buffer and writer per thread: rendering runs on many workers at once
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    internal static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(2048);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        w.Reset(buffer);
        write(w);
        w.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
