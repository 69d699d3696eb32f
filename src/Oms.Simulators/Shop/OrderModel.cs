namespace Oms.Simulators.Shop;

/// <summary>The receiver (收货人) of a generated order: <c>consignee</c>.</summary>
public sealed record Consignee(
    string Name, string Province, string City, string District, string Street, string Addr,
    string Zip, string Telephone, string Mobile, string Email, string ReceiveTime);

/// <summary>The shop's buyer: <c>member_info</c> (and <c>buyer_id</c> = <see cref="Uname"/>).</summary>
public sealed record Member(string Uname, string Name, string Mobile, string Email);

/// <summary>An invoice request (<c>is_tax=true</c>, <c>tax_title</c>, <c>tax_no</c>).</summary>
public sealed record InvoiceRequest(string Title, string TaxNo);

/// <summary>
/// One order object (a sales material line). <c>amount = price × quantity − pmt_price</c>;
/// <see cref="OrderShare"/> is this line's share of the order-level promotion (<c>pmt_order</c>),
/// sent as <c>part_mjz_discount</c>, and <c>divide_order_fee = amount − share</c>.
/// </summary>
public sealed record OrderLine(string Oid, SalesItem Item, string ObjType, decimal Price, int Quantity, decimal PmtPrice)
{
    public decimal OrderShare { get; init; }
    public decimal Amount => (Price * Quantity) - PmtPrice;
    public decimal DivideOrderFee => Amount - OrderShare;
    public bool IsGift => ObjType == "gift";
}

/// <summary>
/// A generated order as the shop sees it; <see cref="OrderFields"/> renders it as the form fields of
/// <c>ome.order.add</c>. Amount rules: <c>cost_item = Σ amount</c>, <c>pmt_goods = Σ pmt_price</c>
/// (already inside <c>cost_item</c>), <c>total_amount = cost_item + cost_freight − pmt_order − discount</c>,
/// <c>payed = total_amount</c> when paid, else 0.
/// </summary>
public sealed record OrderModel
{
    public required string OrderBn { get; init; }
    public string Status { get; init; } = "active";
    /// <summary>0 unpaid, 1 paid (the generator sends only these two).</summary>
    public int PayStatus { get; init; }
    public int ShipStatus { get; init; }
    public required DateTime CreatedUtc { get; init; }
    public required DateTime ModifiedUtc { get; init; }
    public DateTime? PaidUtc { get; init; }
    public required Consignee Consignee { get; init; }
    public required Member Member { get; init; }
    public bool IsCod { get; init; }
    public string ShippingName { get; init; } = "快递";
    public decimal CostFreight { get; init; }
    public decimal PmtOrder { get; init; }
    public string PmtOrderDescribe { get; init; } = "";
    public decimal Discount { get; init; }
    public required IReadOnlyList<OrderLine> Lines { get; init; }
    public string CustomMark { get; init; } = "";
    public string MarkText { get; init; } = "";
    public string MarkType { get; init; } = "";
    public InvoiceRequest? Invoice { get; init; }
    public string PayName { get; init; } = "支付宝";
    public string TradeNo { get; init; } = "";
    public string PayAccount { get; init; } = "";

    public bool IsPaid => PayStatus == 1;
    public decimal CostItem { get { var s = 0m; foreach (var l in Lines) s += l.Amount; return s; } }
    public decimal PmtGoods { get { var s = 0m; foreach (var l in Lines) s += l.PmtPrice; return s; } }
    public decimal TotalAmount => CostItem + CostFreight - PmtOrder - Discount;
    public decimal Payed => IsPaid ? TotalAmount : 0m;
    public decimal Weight { get { var s = 0m; foreach (var l in Lines) s += l.Item.Weight * l.Quantity; return s; } }
}
