using System.Globalization;
using System.Text.Json;
using Oms.Common;
using Oms.Integration;
using Oms.Integration.Matrix;

namespace Oms.Orders;

/// <summary>收货人 as a shop sends it (<c>consignee</c>).</summary>
public sealed record ConsigneePush(string? Name, string? Province, string? City, string? District, string? Street, string? Addr,
    string? Zip, string? Telephone, string? Mobile, string? Email, string? Time);

/// <summary>会员 (<c>member_info</c>).</summary>
public sealed record MemberPush(string? Uname, string? Name, string? Mobile, string? Tel, string? Email);

/// <summary>One element of <c>payments</c> (also the fields of <c>ome.payment.add</c>).</summary>
public sealed record PaymentPush(string? TradeNo, decimal Money, string? PayMethod, DateTime? PayTime, string? Account, string? PayAccount, string? Memo);

/// <summary>One element of <c>order_objects</c>.</summary>
public sealed record ObjectPush(string? Oid, string Bn, string? Name, string ObjType, int Quantity, decimal Price, decimal Amount,
    decimal PmtPrice, decimal SalePrice, decimal Weight, string? ShopGoodsId, string? ShopItems);

/// <summary>
/// One <c>ome.order.add</c> push, parsed and checked (PROTOCOL.md §2): everything the shop sent that
/// the order keeps. Serializable, so an asynchronous intake can queue it as it is.
/// </summary>
public sealed record OrderPush
{
    public required string OrderBn { get; init; }
    public OrderStatus Status { get; init; }
    public PayStatus PayStatus { get; init; }
    public ShipStatus ShipStatus { get; init; }
    public DateTime CreateTime { get; init; }
    public DateTime Modified { get; init; }
    public DateTime? PayTime { get; init; }
    public decimal CostItem { get; init; }
    public decimal CostFreight { get; init; }
    public decimal CostProtect { get; init; }
    public decimal CostPayment { get; init; }
    public decimal Discount { get; init; }
    public decimal PmtGoods { get; init; }
    public decimal PmtOrder { get; init; }
    public decimal TotalAmount { get; init; }
    public decimal Payed { get; init; }
    public decimal Weight { get; init; }
    public string? Currency { get; init; }
    public bool IsTax { get; init; }
    public string? TaxTitle { get; init; }
    public string? TaxNo { get; init; }
    public string? CustomMark { get; init; }
    public string? MarkText { get; init; }
    public string? MarkType { get; init; }
    public string? BuyerId { get; init; }
    public string? ShippingName { get; init; }
    public bool IsCod { get; init; }
    public bool IsProtect { get; init; }
    public string? PayName { get; init; }
    public string? PromotionDetail { get; init; }
    public ConsigneePush Consignee { get; init; } = new(null, null, null, null, null, null, null, null, null, null, null);
    public MemberPush Member { get; init; } = new(null, null, null, null, null);
    public IReadOnlyList<PaymentPush> Payments { get; init; } = [];
    public required IReadOnlyList<ObjectPush> Objects { get; init; }

    /// <summary>Reads the fields of <c>ome.order.add</c>; a bad field is a <see cref="ValidationException"/> naming it (4006).</summary>
    public static OrderPush Read(MatrixRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var modified = r.OptionalTime("modified") ?? r.OptionalTime("lastmodify")
                       ?? throw new ValidationException("modified", "modified (or lastmodify) is required");
        var consignee = r.OptionalJson("consignee", JsonValueKind.Object);
        var member = r.OptionalJson("member_info", JsonValueKind.Object);
        var shipping = r.OptionalJson("shipping", JsonValueKind.Object);
        var payinfo = r.OptionalJson("payinfo", JsonValueKind.Object);
        var payments = r.OptionalJson("payments", JsonValueKind.Array);
        var pmtDetail = r.OptionalJson("pmt_detail", JsonValueKind.Array);
        var objects = r.RequiredJson("order_objects", JsonValueKind.Array);

        var sh = new JsonFields(shipping, "shipping");
        var pi = new JsonFields(payinfo, "payinfo");
        return new OrderPush
        {
            OrderBn = r.RequiredText("order_bn", OrderLimits.BnLength),
            Status = ParseStatus(r.Optional("status")),
            PayStatus = (PayStatus)(r.OptionalInt("pay_status", 0, 8) ?? 0),
            ShipStatus = (ShipStatus)(r.OptionalInt("ship_status", 0, 4) ?? 0),
            CreateTime = r.OptionalTime("createtime") ?? modified,
            Modified = modified,
            PayTime = r.OptionalTime("paytime"),
            CostItem = r.OptionalMoney("cost_item") ?? 0,
            CostFreight = r.OptionalMoney("cost_freight") ?? sh.Money("cost_shipping") ?? 0,
            CostProtect = sh.Money("cost_protect") ?? 0,
            CostPayment = pi.Money("cost_payment") ?? 0,
            Discount = r.OptionalMoney("discount", -1_000_000_000m) ?? 0,
            PmtGoods = r.OptionalMoney("pmt_goods") ?? 0,
            PmtOrder = r.OptionalMoney("pmt_order") ?? 0,
            TotalAmount = r.OptionalMoney("total_amount") ?? 0,
            Payed = r.OptionalMoney("payed") ?? 0,
            Weight = r.OptionalMoney("weight") ?? 0,
            Currency = r.OptionalText("currency", 10),
            IsTax = r.OptionalBool("is_tax") ?? false,
            TaxTitle = r.OptionalText("tax_title", 200),
            TaxNo = r.OptionalText("tax_no", 64),
            CustomMark = r.OptionalText("custom_mark", 2000),
            MarkText = r.OptionalText("mark_text", 2000),
            MarkType = r.OptionalText("mark_type", 20),
            BuyerId = r.OptionalText("buyer_id", 100),
            ShippingName = sh.Text("shipping_name", 100),
            IsCod = sh.Bool("is_cod") ?? false,
            IsProtect = sh.Bool("is_protect") ?? false,
            PayName = pi.Text("pay_name", 100),
            PromotionDetail = pmtDetail?.GetRawText(),
            Consignee = ReadConsignee(new JsonFields(consignee, "consignee")),
            Member = ReadMember(new JsonFields(member, "member_info")),
            Payments = ReadPayments(payments),
            Objects = ReadObjects(objects),
        };
    }

    public static OrderStatus ParseStatus(string? text) => text?.ToLowerInvariant() switch
    {
        null or "active" => OrderStatus.Active,
        "dead" => OrderStatus.Dead,
        "finish" => OrderStatus.Finish,
        _ => throw new ValidationException("status", $"status: '{text}' is not active, finish or dead"),
    };

    private static ConsigneePush ReadConsignee(JsonFields c) => new(
        c.Text("name", 100), c.Text("area_state", 50), c.Text("area_city", 50), c.Text("area_district", 50), c.Text("area_street", 100),
        c.Text("addr", 500), c.Text("zip", 20), c.Text("telephone", 50), c.Text("mobile", 50), c.Text("email", 100), c.Text("r_time", 100));

    private static MemberPush ReadMember(JsonFields m) => new(
        m.Text("uname", 100), m.Text("name", 100), m.Text("mobile", 50), m.Text("tel", 50), m.Text("email", 100));

    private static List<PaymentPush> ReadPayments(JsonElement? list)
    {
        var result = new List<PaymentPush>();
        if (list is not { } payments) return result;
        var i = 0;
        foreach (var e in payments.EnumerateArray())
        {
            var f = new JsonFields(e, $"payments[{i++}]");
            result.Add(new PaymentPush(f.Text("trade_no", OrderLimits.BnLength), f.Money("money") ?? 0, f.Text("paymethod", 100),
                f.Time("pay_time"), f.Text("account", 100), f.Text("pay_account", 100), f.Text("memo", 500)));
        }
        return result;
    }

    private static List<ObjectPush> ReadObjects(JsonElement objects)
    {
        var count = objects.GetArrayLength();
        if (count == 0) throw new ValidationException("order_objects", "order_objects must hold at least one line");
        if (count > OrderLimits.MaxObjects) throw new ValidationException("order_objects", $"order_objects holds more than {OrderLimits.MaxObjects} lines");
        var result = new List<ObjectPush>(count);
        var i = 0;
        foreach (var e in objects.EnumerateArray())
        {
            var f = new JsonFields(e, $"order_objects[{i++}]");
            var quantity = f.Int("quantity", 1, 1_000_000) ?? throw f.Missing("quantity");
            var price = f.Money("price") ?? 0;
            var pmt = f.Money("pmt_price") ?? 0;
            var amount = f.Money("amount") ?? (price * quantity) - pmt;
            var objType = (f.Text("obj_type", 20) ?? "goods").ToLowerInvariant();
            var items = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("order_items", out var it) && it.ValueKind is JsonValueKind.Array or JsonValueKind.String
                ? (it.ValueKind == JsonValueKind.String ? it.GetString() : it.GetRawText())
                : null;
            result.Add(new ObjectPush(f.Text("oid", OrderLimits.BnLength), f.Text("bn", OrderLimits.BnLength) ?? throw f.Missing("bn"),
                f.Text("name", 200), objType, quantity, price, amount, pmt, f.Money("sale_price") ?? amount, f.Money("weight") ?? 0,
                f.Text("shop_goods_id", 64), items));
        }
        return result;
    }
}

/// <summary>
/// Typed reading of a JSON object sent inside a form field, with the form readers' checks
/// (<see cref="FormParameters"/>); errors name the path (<c>order_objects[2].quantity</c>). Texts,
/// numbers and booleans are values; a field holding an object or a list is refused when it is read.
/// </summary>
internal sealed class JsonFields : FormParameters
{
    private readonly string _path;
    private readonly HashSet<string> _structured;

    public JsonFields(JsonElement? element, string path) : this(Scalars(element, out var structured), structured, path)
    {
    }

    private JsonFields(Dictionary<string, string> values, HashSet<string> structured, string path) : base(values)
    {
        _structured = structured;
        _path = path;
    }

    private static Dictionary<string, string> Scalars(JsonElement? element, out HashSet<string> structured)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        structured = new HashSet<string>(StringComparer.Ordinal);
        if (element is not { ValueKind: JsonValueKind.Object } e) return values;
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.String: values[p.Name] = p.Value.GetString() ?? ""; break;
                case JsonValueKind.Number: values[p.Name] = p.Value.GetRawText(); break;
                case JsonValueKind.True: values[p.Name] = "true"; break;
                case JsonValueKind.False: values[p.Name] = "false"; break;
                case JsonValueKind.Object or JsonValueKind.Array: structured.Add(p.Name); break;
                default: break;
            }
        }
        return values;
    }

    protected override Exception Invalid(string field, string why) =>
        new ValidationException($"{_path}.{field}", why.StartsWith('\'') ? $"{_path}.{field}: {why}" : $"{_path}.{field} {why}");

    public override string? Optional(string name) =>
        _structured.Contains(name) ? throw Invalid(name, "must be a text or a number") : base.Optional(name);

    public ValidationException Missing(string name) => (ValidationException)Invalid(name, "is required");

    public string? Text(string name, int max) => OptionalText(name, max);

    public decimal? Money(string name) => OptionalMoney(name);

    public bool? Bool(string name) => OptionalBool(name);

    public DateTime? Time(string name) => OptionalTime(name);

    /// <summary>A whole number; JSON senders may write it as a decimal (<c>2.0</c>).</summary>
    public int? Int(string name, int min, int max)
    {
        var v = Optional(name);
        if (v is null) return null;
        if (!decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) || d != decimal.Truncate(d))
            throw Invalid(name, $"'{v}' is not a whole number");
        if (d < min || d > max) throw Invalid(name, $"must be between {min} and {max}");
        return (int)d;
    }
}
