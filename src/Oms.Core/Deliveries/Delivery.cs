namespace Oms.Deliveries;

/// <summary>发货单状态 <c>status</c> (DOMAIN.md §4).</summary>
public enum DeliveryStatus
{
    /// <summary>ready — open, holds branch freeze.</summary>
    Ready = 0,
    /// <summary>cancel — revoked or sent back; its freeze went back to the orders' shop.</summary>
    Cancel = 1,
    /// <summary>pause — held with its freeze (the order is paused).</summary>
    Pause = 2,
    /// <summary>shipped — left the warehouse: freeze and store went down.</summary>
    Shipped = 3,
}

/// <summary>Own-WMS progress <c>process_status</c>: 0 new → 1 printed → 3 verified → 7 shipped.</summary>
public static class DeliveryProcess
{
    public const int New = 0;
    public const int Printed = 1;
    public const int Verified = 3;
    public const int Shipped = 7;
}

/// <summary><c>print_status</c> bits: pick list 备货单, delivery note 发货单, express waybill 快递单.</summary>
[Flags]
public enum PrintStatus
{
    None = 0,
    PickList = 1,
    DeliveryNote = 2,
    Waybill = 4,
    All = 7,
}

/// <summary>
/// 发货单 — what one branch sends in one parcel: for one or several orders of one shop, member and address (合单),
/// or part of an order (拆单). Created by review (manual or automatic); holds branch freeze while open.
/// </summary>
public class Delivery
{
    public long Id { get; set; }
    public required string DeliveryBn { get; set; }
    public long ShopId { get; set; }
    public long BranchId { get; set; }
    /// <summary>The branch's logistics company row; null when the reviewer left it open.</summary>
    public long? LogisticsId { get; set; }
    public string? LogiCode { get; set; }
    public string? LogiName { get; set; }
    /// <summary>Waybill number (运单号), filled by printing or by the warehouse.</summary>
    public string? LogiNo { get; set; }

    public DeliveryStatus Status { get; set; }
    public int ProcessStatus { get; set; }
    public PrintStatus PrintStatus { get; set; }
    /// <summary>Third-party branches: where the push to the warehouse stands (null for the own WMS).</summary>
    public string? WmsStatus { get; set; }

    public bool IsCod { get; set; }
    /// <summary>Σ item number × basic material weight, kilograms.</summary>
    public decimal Weight { get; set; }
    public int ItemNum { get; set; }
    public int SkuNum { get; set; }
    /// <summary>Σ of the orders' total amounts (a merged delivery carries several orders).</summary>
    public decimal TotalAmount { get; set; }

    public string? MemberUname { get; set; }
    public string? ShipName { get; set; }
    public string? ShipProvince { get; set; }
    public string? ShipCity { get; set; }
    public string? ShipDistrict { get; set; }
    public string? ShipAddr { get; set; }
    public string? ShipZip { get; set; }
    public string? ShipTel { get; set; }
    public string? ShipMobile { get; set; }

    /// <summary>Who created it: an operator's login name or <c>system</c> (auto review).</summary>
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ShippedAt { get; set; }
    public string? Memo { get; set; }

    public List<DeliveryItem> Items { get; set; } = [];
    public List<DeliveryOrderItem> OrderItems { get; set; } = [];

    public bool IsOpen => Status is DeliveryStatus.Ready or DeliveryStatus.Pause;
}

/// <summary>A basic material line of a delivery: what is picked and verified.</summary>
public class DeliveryItem
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public long BasicMaterialId { get; set; }
    public required string Bn { get; set; }
    public string? Name { get; set; }
    public int Number { get; set; }
    /// <summary>校验: scanned so far; the line is verified when it equals <see cref="Number"/>.</summary>
    public int VerifyNum { get; set; }
}

/// <summary>Which order item lines a delivery carries, and how many of each (split_num on the order item).</summary>
public class DeliveryOrderItem
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public long OrderId { get; set; }
    public long OrderItemId { get; set; }
    public long BasicMaterialId { get; set; }
    public int Number { get; set; }
}

/// <summary>
/// The documents of the setting <c>print.required</c> (<c>stock</c> 备货单, <c>delivery</c> 发货单, <c>express</c> 快递单,
/// comma separated; empty = none) as <see cref="PrintStatus"/> bits.
/// </summary>
public static class PrintDocuments
{
    public static readonly IReadOnlyList<(string Code, PrintStatus Bit, string Name)> All =
    [
        ("stock", PrintStatus.PickList, "备货单"),
        ("delivery", PrintStatus.DeliveryNote, "发货单"),
        ("express", PrintStatus.Waybill, "快递单"),
    ];

    /// <summary>The bit of one document code, or null when the code is unknown.</summary>
    public static PrintStatus? Bit(string code) =>
        All.Where(d => string.Equals(d.Code, code.Trim(), StringComparison.OrdinalIgnoreCase)).Select(d => (PrintStatus?)d.Bit).FirstOrDefault();

    /// <summary>The mask of a <c>print.required</c> value; unknown codes are ignored (the settings page refuses them).</summary>
    public static PrintStatus Parse(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Bit).Aggregate(PrintStatus.None, (m, b) => m | (b ?? PrintStatus.None));

    /// <summary>The Chinese names of the documents in <paramref name="mask"/>, joined by 、.</summary>
    public static string Names(PrintStatus mask) => string.Join("、", All.Where(d => (mask & d.Bit) != 0).Select(d => d.Name));
}
