namespace Oms.Preprocess;

/// <summary>
/// A plugin's switch and place in the chain (预处理配置). No row = the plugin's defaults
/// (<see cref="IOrderPreprocessor.DefaultPosition"/>, enabled).
/// </summary>
public class PreprocessPluginSetting
{
    /// <summary>The plugin's <see cref="IOrderPreprocessor.Code"/>.</summary>
    public required string Code { get; set; }
    public int Position { get; set; }
    public bool Enabled { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>预处理记录 — one run of the chain on one order: who, when, and what each plugin did (<see cref="Steps"/>).</summary>
public class PreprocessRun
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public required string Operator { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>True when some plugin changed the order.</summary>
    public bool Changed { get; set; }
    /// <summary>Why the chain did not run on the order (not active, failed, reviewed…); null when it ran.</summary>
    public string? Skipped { get; set; }
    /// <summary>The plugins' results, in chain order: JSON <c>[{code, name, changed, text}]</c>.</summary>
    public required string Steps { get; set; }
}

/// <summary>Status of an <see cref="InvoiceRequest"/>.</summary>
public static class InvoiceRequestStatus
{
    /// <summary>待开票 — to be issued by the invoice module.</summary>
    public const string Pending = "pending";
    /// <summary>已取消 — the shop withdrew the request (is_tax no longer set) before it was issued.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>
/// 开票申请 — the invoice an order asks for, completed by the invoice plugin (发票补全): the title, tax
/// number and content the invoice module will issue. One per order. The order keeps what the shop sent.
/// </summary>
public class InvoiceRequest
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public required string Title { get; set; }
    /// <summary>Where the title came from: shop (as sent), member (会员姓名), consignee (收货人), default.</summary>
    public required string TitleSource { get; set; }
    public string? TaxNo { get; set; }
    public required string Content { get; set; }
    public decimal Amount { get; set; }
    public required string Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// CRM 赠品规则 — gives gift lines to orders that meet every condition set (unset = no limit): amount band
/// (total_amount <see cref="MinAmount"/>..<see cref="MaxAmount"/>, both inclusive), item count band, SKUs
/// (the order holds at least <see cref="SkuMinQuantity"/> units of the listed sales or basic material codes),
/// shops, validity period (by the order's platform time), with <see cref="Priority"/> (higher first),
/// stacking and an optional total limit of orders (<see cref="MaxTimes"/>, counted in <see cref="GivenCount"/>).
/// </summary>
public class CrmGiftRule
{
    public long Id { get; set; }
    /// <summary>规则编号 — unique.</summary>
    public required string RuleBn { get; set; }
    public required string Name { get; set; }
    public bool Enabled { get; set; } = true;
    public int Priority { get; set; }
    /// <summary>可叠加: may give together with other stackable rules; a non-stackable rule gives alone.</summary>
    public bool Stackable { get; set; }
    /// <summary>Valid from (UTC, inclusive), by the order's platform time.</summary>
    public DateTime? StartAt { get; set; }
    /// <summary>Valid until (UTC, exclusive).</summary>
    public DateTime? EndAt { get; set; }
    public decimal? MinAmount { get; set; }
    public decimal? MaxAmount { get; set; }
    public int? MinItems { get; set; }
    public int? MaxItems { get; set; }
    /// <summary>Sales or basic material codes the order must contain (any of them, quantities summed); empty = any order.</summary>
    public List<string> SkuCodes { get; set; } = [];
    public int SkuMinQuantity { get; set; } = 1;
    /// <summary>Shop codes the rule applies to; empty = every shop.</summary>
    public List<string> ShopBns { get; set; } = [];
    /// <summary>At most this many orders get this rule's gifts; null = unlimited.</summary>
    public int? MaxTimes { get; set; }
    /// <summary>Orders that got this rule's gifts (claimed with a conditional update; given back when a re-run removes them; a cancelled order keeps its count).</summary>
    public int GivenCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<CrmGiftRuleGift> Gifts { get; set; } = [];
}

/// <summary>A gift of a rule: a sales material (销售物料) × quantity, added at price 0.</summary>
public class CrmGiftRuleGift
{
    public long Id { get; set; }
    public long RuleId { get; set; }
    public required string SalesMaterialBn { get; set; }
    public int Quantity { get; set; }
}
