namespace Oms.Orders;

/// <summary>订单状态 <c>status</c> (ONEX <c>sdb_ome_orders.status</c>).</summary>
public enum OrderStatus
{
    /// <summary>活动 — open, in work.</summary>
    Active = 0,
    /// <summary>作废 — cancelled.</summary>
    Dead = 1,
    /// <summary>完成 — everything shipped (or the shop said so on the first push).</summary>
    Finish = 2,
}

/// <summary>付款状态 <c>pay_status</c>, numbered as on the wire (PROTOCOL.md §2).</summary>
public enum PayStatus
{
    Unpaid = 0,
    Paid = 1,
    /// <summary>处理中 — treated as paid.</summary>
    Processing = 2,
    PartlyPaid = 3,
    PartlyRefunded = 4,
    FullyRefunded = 5,
    /// <summary>退款申请中 — held from review until settled.</summary>
    RefundApplied = 6,
    /// <summary>退款中 — held from review until settled.</summary>
    Refunding = 7,
    /// <summary>支付中 — treated as unpaid.</summary>
    Paying = 8,
}

/// <summary>发货状态 <c>ship_status</c>.</summary>
public enum ShipStatus
{
    NotShipped = 0,
    Shipped = 1,
    PartlyShipped = 2,
    PartlyReturned = 3,
    Returned = 4,
}

/// <summary>确认状态 <c>process_status</c>.</summary>
public enum ProcessStatus
{
    /// <summary>未确认 — not yet reviewed.</summary>
    Unconfirmed = 0,
    /// <summary>已确认 — reviewed, deliveries not yet created.</summary>
    Confirmed = 1,
    /// <summary>部分拆分 — part of the lines are in deliveries.</summary>
    Splitting = 2,
    /// <summary>已拆分完 — every line is in deliveries.</summary>
    Splited = 3,
    /// <summary>取消.</summary>
    Cancel = 4,
    /// <summary>余单撤销 — the remaining lines were cancelled.</summary>
    RemainCancel = 5,
}

/// <summary>
/// 订单 — one platform order of one shop, unique by (shop, <see cref="OrderBn"/>). Consignee, member,
/// memos and invoice request are columns (one per order); objects, items, payments and the operation
/// log are child rows. See Orders/README.md for which service changes what.
/// </summary>
public class Order
{
    public long Id { get; set; }
    public long ShopId { get; set; }
    /// <summary>The platform's trade id (平台订单号).</summary>
    public required string OrderBn { get; set; }

    public OrderStatus Status { get; set; }
    public PayStatus PayStatus { get; set; }
    public ShipStatus ShipStatus { get; set; }
    public ProcessStatus ProcessStatus { get; set; }
    /// <summary><c>confirm</c> Y/N — reviewed.</summary>
    public bool Confirmed { get; set; }
    /// <summary>暂停.</summary>
    public bool Pause { get; set; }
    /// <summary>异常, with <see cref="AbnormalReason"/> saying why.</summary>
    public bool Abnormal { get; set; }
    public string? AbnormalReason { get; set; }
    /// <summary>失败订单 — some object's code matched no sales material; nothing frozen.</summary>
    public bool IsFail { get; set; }
    /// <summary>货到付款.</summary>
    public bool IsCod { get; set; }
    /// <summary>审单小组 (confirm group) it is dispatched to.</summary>
    public long? GroupId { get; set; }
    /// <summary>The reviewer it is dispatched to.</summary>
    public long? OpId { get; set; }
    public DateTime? DispatchTime { get; set; }
    /// <summary>Auto-review flags (DOMAIN.md §5) that stopped it, a bitmask.</summary>
    public long AutoStatus { get; set; }

    // amounts
    public decimal CostItem { get; set; }
    public decimal CostFreight { get; set; }
    public decimal CostProtect { get; set; }
    public decimal CostPayment { get; set; }
    public decimal Discount { get; set; }
    public decimal PmtGoods { get; set; }
    public decimal PmtOrder { get; set; }
    public decimal TotalAmount { get; set; }
    public decimal Payed { get; set; }
    public decimal Weight { get; set; }
    public string? Currency { get; set; }
    /// <summary>pmt_detail as sent (JSON list of promotions).</summary>
    public string? PromotionDetail { get; set; }

    // shipping and payment method
    public string? ShippingName { get; set; }
    public bool IsProtect { get; set; }
    public string? PayName { get; set; }

    // consignee 收货人
    public string? ShipName { get; set; }
    public string? ShipProvince { get; set; }
    public string? ShipCity { get; set; }
    public string? ShipDistrict { get; set; }
    public string? ShipStreet { get; set; }
    public string? ShipAddr { get; set; }
    public string? ShipZip { get; set; }
    public string? ShipTel { get; set; }
    public string? ShipMobile { get; set; }
    public string? ShipEmail { get; set; }
    /// <summary>r_time — the buyer's preferred delivery time, as sent.</summary>
    public string? ShipTime { get; set; }

    // member 会员 (the shop's buyer)
    public string? BuyerId { get; set; }
    public string? MemberUname { get; set; }
    public string? MemberName { get; set; }
    public string? MemberMobile { get; set; }
    public string? MemberTel { get; set; }
    public string? MemberEmail { get; set; }

    // memos
    /// <summary>买家留言.</summary>
    public string? CustomMark { get; set; }
    /// <summary>卖家备注.</summary>
    public string? MarkText { get; set; }
    /// <summary>旗帜 (the seller's flag).</summary>
    public string? MarkType { get; set; }

    // invoice request 发票
    public bool IsTax { get; set; }
    public string? TaxTitle { get; set; }
    public string? TaxNo { get; set; }

    // times (UTC)
    /// <summary>The platform's order time (createtime).</summary>
    public DateTime CreateTime { get; set; }
    /// <summary>The platform's last change (modified / lastmodify of the last accepted push).</summary>
    public DateTime PlatformModified { get; set; }
    public DateTime? PayTime { get; set; }
    /// <summary>When the OMS first received it.</summary>
    public DateTime ArrivedAt { get; set; }
    /// <summary>When the OMS learned it was paid (the staging buffer counts from the later of this and arrival).</summary>
    public DateTime? PaidAt { get; set; }
    /// <summary>The OMS's own last change (orders.getList <c>modified</c>).</summary>
    public DateTime UpdatedAt { get; set; }

    public List<OrderObject> Objects { get; set; } = [];
    public List<OrderItem> Items { get; set; } = [];
    public List<OrderPayment> Payments { get; set; } = [];
}

/// <summary>订单对象 — one line as the shop sold it: a sales material (<see cref="Bn"/>) × quantity.</summary>
public class OrderObject
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    /// <summary>The platform's sub-order id (子订单号), when sent.</summary>
    public string? Oid { get; set; }
    /// <summary>销售物料编码 as sent by the shop.</summary>
    public required string Bn { get; set; }
    public string? Name { get; set; }
    /// <summary>goods, gift or pkg, as sent.</summary>
    public required string ObjType { get; set; }
    /// <summary>The matched sales material; null while unmatched (the order is then a failed order).</summary>
    public long? SalesMaterialId { get; set; }
    public int Quantity { get; set; }
    public decimal Price { get; set; }
    public decimal Amount { get; set; }
    public decimal PmtPrice { get; set; }
    public decimal SalePrice { get; set; }
    public decimal Weight { get; set; }
    public string? ShopGoodsId { get; set; }
    /// <summary>The shop's own order_items of this object (informational), as sent.</summary>
    public string? ShopItems { get; set; }
    public int Position { get; set; }
    /// <summary>Removed by a later push (kept for the record).</summary>
    public bool Deleted { get; set; }
    /// <summary>
    /// Where the line comes from (<see cref="OrderLineSources"/>): the shop's push (<c>shop</c>, or
    /// <c>platform_gift</c> once the preprocess chain recognized it as the platform's promotion gift), or
    /// added by the OMS itself (<c>crm_gift</c>). Lines the OMS added are left alone by the intake's line diff.
    /// </summary>
    public string Source { get; set; } = OrderLineSources.Shop;
    /// <summary>The CRM gift rule (赠品规则) that added this line, for <c>crm_gift</c> lines.</summary>
    public long? GiftRuleId { get; set; }
}

/// <summary>Values of <see cref="OrderObject.Source"/>.</summary>
public static class OrderLineSources
{
    /// <summary>Sent by the shop.</summary>
    public const string Shop = "shop";
    /// <summary>Sent by the shop and recognized as the platform's promotion gift (平台赠品).</summary>
    public const string PlatformGift = "platform_gift";
    /// <summary>Added by the OMS's CRM gift rules (CRM 赠品), not sent by the shop.</summary>
    public const string CrmGift = "crm_gift";

    /// <summary>True for lines the OMS added itself: a shop push neither matches nor removes them.</summary>
    public static bool IsAddedByOms(string source) => source == CrmGift;
}

/// <summary>订单明细 — a basic material to pick, expanded from an object through its sales material's bindings.</summary>
public class OrderItem
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public long ObjectId { get; set; }
    public long BasicMaterialId { get; set; }
    public required string Bn { get; set; }
    public string? Name { get; set; }
    /// <summary>product, gift or pkg (a part of a combination).</summary>
    public required string ItemType { get; set; }
    public int Quantity { get; set; }
    /// <summary>Unit price share.</summary>
    public decimal Price { get; set; }
    /// <summary>This item's share of the object's amount.</summary>
    public decimal Amount { get; set; }
    /// <summary>Quantity already in delivery notices (the rest holds shop freeze).</summary>
    public int SplitNum { get; set; }
    /// <summary>sendnum — shipped.</summary>
    public int SendNum { get; set; }
    public int ReturnNum { get; set; }
    public bool Deleted { get; set; }

    /// <summary>Still to be put into a delivery (0 for a removed line). In memory only; queries spell it out.</summary>
    public int Remaining => Deleted ? 0 : Quantity - SplitNum;
}

/// <summary>支付单 — a payment of the order.</summary>
public class OrderPayment
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    /// <summary>The payment's trade number (unique per order when sent).</summary>
    public string? TradeNo { get; set; }
    public decimal Money { get; set; }
    public string? PayMethod { get; set; }
    public DateTime? PayTime { get; set; }
    public string? Account { get; set; }
    public string? PayAccount { get; set; }
    public string? Memo { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>订单操作日志 — one line per change of an order: who, when, what.</summary>
public class OrderLog
{
    /// <summary>A line, its text and operator cut to what the columns hold.</summary>
    public static OrderLog Create(long orderId, string action, string text, string actor, DateTime now) => new()
    {
        OrderId = orderId, Action = action, Text = text.Length <= 4000 ? text : text[..4000],
        Operator = actor.Length <= 100 ? actor : actor[..100], CreatedAt = now,
    };

    public long Id { get; set; }
    public long OrderId { get; set; }
    /// <summary>A short code: create, update, cancel, pay, memo, payment, rematch, refund, ...</summary>
    public required string Action { get; set; }
    public required string Text { get; set; }
    public required string Operator { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Kinds of <see cref="AfterSaleRequest"/>.</summary>
public static class AfterSaleKinds
{
    /// <summary>退款申请 (ome.refund.add).</summary>
    public const string Refund = "refund";
    /// <summary>售后申请 — return / exchange (ome.aftersale.add, ome.aftersalev2.add).</summary>
    public const string AfterSale = "aftersale";
}

/// <summary>
/// 售后申请 — a refund or after-sale request a shop pushed, stored with everything it sent and shown
/// on its order (found by shop + order_bn, so it may arrive before the order). Processing belongs to
/// the after-sales module.
/// </summary>
public class AfterSaleRequest
{
    public long Id { get; set; }
    public long ShopId { get; set; }
    public required string Kind { get; set; }
    /// <summary>refund_bn / aftersale_bn.</summary>
    public required string RequestBn { get; set; }
    public required string OrderBn { get; set; }
    public string? Status { get; set; }
    public decimal? Money { get; set; }
    public string? Reason { get; set; }
    /// <summary>Every business field as sent (JSON object of strings).</summary>
    public required string Payload { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
