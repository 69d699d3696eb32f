namespace Oms.Review;

/// <summary>
/// The auto-review flags (自动审单标记, DOMAIN.md §5), stored in <c>orders.auto_status</c>. Bit values as in
/// ONEX OMS. A plugin of the auto-review chain sets its flag on an order; the auto-review rule of the order's
/// group says which flags block (the order then stays for manual review and shows why).
/// </summary>
[Flags]
public enum ReviewFlags : long
{
    None = 0,
    /// <summary>An order of the merge group is unpaid (未支付).</summary>
    Pay = 0x1,
    /// <summary>Buyer message, seller memo or a seller flag present (有留言/备注/旗标).</summary>
    Flag = 0x2,
    /// <summary>No logistics company could be chosen (无法选择物流).</summary>
    Logi = 0x4,
    /// <summary>An item does not match a material (商品不匹配).</summary>
    Product = 0x8,
    /// <summary>Same member has other open orders at a different address (同会员多地址).</summary>
    Member = 0x10,
    /// <summary>Rural-delivery carrier mark (乡村物流).</summary>
    LogiLite = 0x20,
    /// <summary>Single order (单个订单).</summary>
    Single = 0x40,
    /// <summary>Several orders can merge (可合并订单).</summary>
    Multi = 0x80,
    /// <summary>No branch matched the rules (无仓库).</summary>
    Branch = 0x100,
    /// <summary>Not enough stock in the chosen branch (库存不足).</summary>
    Store = 0x200,
    /// <summary>Paused or abnormal (暂停/异常).</summary>
    Abnormal = 0x400,
    /// <summary>Single order with a memo to examine (需审核备注).</summary>
    Examine = 0x800,
    /// <summary>The platform marked the order oversold (平台超卖).</summary>
    Oversold = 0x1000,
    /// <summary>Platform promotion gift present (平台赠品).</summary>
    PmtGift = 0x2000,
    /// <summary>Merge suspected across shops (跨店合并).</summary>
    Combine = 0x4000,
    /// <summary>CRM gift present (CRM 赠品).</summary>
    CrmGift = 0x8000,
    /// <summary>Invoice requested (需开发票).</summary>
    Tax = 0x10000,
    /// <summary>Routing problem (路由异常; in ONEX's source, not in the manual).</summary>
    Router = 0x20000,
    /// <summary>Logistics cannot reach the address (物流不可达).</summary>
    Arrived = 0x40000,
}

/// <summary>Names and readable reasons of <see cref="ReviewFlags"/>.</summary>
public static class ReviewFlagText
{
    /// <summary>Every single flag, in bit order.</summary>
    public static readonly IReadOnlyList<ReviewFlags> All =
        Enum.GetValues<ReviewFlags>().Where(f => f != ReviewFlags.None).ToArray();

    /// <summary>The Chinese reason an operator reads for one flag.</summary>
    public static string Reason(ReviewFlags flag) => flag switch
    {
        ReviewFlags.Pay => "未支付",
        ReviewFlags.Flag => "有买家留言、卖家备注或旗标",
        ReviewFlags.Logi => "无法选择物流公司",
        ReviewFlags.Product => "商品未匹配物料",
        ReviewFlags.Member => "同一会员有其他地址的未发货订单",
        ReviewFlags.LogiLite => "乡村物流",
        ReviewFlags.Single => "单个订单",
        ReviewFlags.Multi => "有可合并的订单",
        ReviewFlags.Branch => "没有符合规则的仓库",
        ReviewFlags.Store => "仓库库存不足",
        ReviewFlags.Abnormal => "订单暂停或异常",
        ReviewFlags.Examine => "单个订单有备注需审核",
        ReviewFlags.Oversold => "平台标记超卖",
        ReviewFlags.PmtGift => "有平台赠品",
        ReviewFlags.Combine => "疑似跨店合并",
        ReviewFlags.CrmGift => "有 CRM 赠品",
        ReviewFlags.Tax => "需要开发票",
        ReviewFlags.Router => "路由异常",
        ReviewFlags.Arrived => "物流无法送达",
        _ => flag.ToString(),
    };

    /// <summary>The reasons of every flag set in <paramref name="flags"/>, in bit order.</summary>
    public static IReadOnlyList<string> Reasons(ReviewFlags flags) =>
        All.Where(f => (flags & f) != 0).Select(Reason).ToArray();
}
