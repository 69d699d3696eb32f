using Oms.Orders;
using Oms.Rules;

namespace Oms.Review;

/// <summary>
/// What the auto-review chain looks at for one merge group (the orders one delivery would carry): the orders with their
/// objects and items, and what the engine found out around them before the plugins run.
/// </summary>
public sealed class ReviewCase
{
    /// <summary>The merge group, ascending id; one order when nothing merges.</summary>
    public required IReadOnlyList<Order> Orders { get; init; }
    /// <summary>The branches the order may ship from (branch rules, else the shop's online delivery branches).</summary>
    public required IReadOnlyList<BranchCandidate> Candidates { get; init; }
    public required BranchChoice Branch { get; init; }
    /// <summary>The logistics choice on the chosen branch (or on the best candidate when none has the stock); null without candidates.</summary>
    public required LogisticsChoice? Logistics { get; init; }
    /// <summary>Open orders of the same shop and member at another address (MEMBER).</summary>
    public required int OtherAddressOrders { get; init; }
    /// <summary>Open orders of another shop for the same consignee and address (COMBINE).</summary>
    public required int OtherShopOrders { get; init; }
    /// <summary>The group's orders that carry a platform promotion gift / a CRM gift line.</summary>
    public required IReadOnlySet<long> PlatformGiftOrders { get; init; }
    public required IReadOnlySet<long> CrmGiftOrders { get; init; }
    /// <summary>Basic materials of the group's items that are not sellable (PRODUCT, with "check product").</summary>
    public required IReadOnlySet<long> UnsellableMaterials { get; init; }
    public required bool CheckProduct { get; init; }
    /// <summary>What the group still needs per basic material, and each material's weight (kg).</summary>
    public required IReadOnlyList<NeedLine> Need { get; init; }
    public required IReadOnlyDictionary<long, decimal> MaterialWeights { get; init; }
}

/// <summary>One plugin of the chain: a code (as ONEX names it) and the flags it sets on a case.</summary>
public sealed record AutoReviewPlugin(string Code, Func<ReviewCase, ReviewFlags> Check);

/// <summary>
/// The auto-review plugins in their order (DOMAIN.md §5, merge mode): branch, store, flag, pay, logi, member, ordermulti,
/// abnormal, tbgift, shopcombine, crm, tax, arrived, and product when "check product" is on. A new check is one more
/// entry. OVERSOLD has no plugin: no push field carries the platform's oversold mark yet.
/// </summary>
public static class AutoReviewChain
{
    public static readonly IReadOnlyList<AutoReviewPlugin> Plugins =
    [
        new("branch", c => c.Candidates.Count == 0 ? ReviewFlags.Branch : 0),
        new("store", c => c.Candidates.Count > 0 && c.Branch.BranchId is null ? ReviewFlags.Store : 0),
        new("flag", c => c.Orders.Any(o => Has(o.CustomMark) || Has(o.MarkText) || Has(o.MarkType)) ? ReviewFlags.Flag : 0),
        new("pay", c => c.Orders.Any(o => !o.IsCod && o.PayStatus is PayStatus.Unpaid or PayStatus.PartlyPaid or PayStatus.Paying) ? ReviewFlags.Pay : 0),
        new("logi", c => c.Logistics?.Flag == ReviewFlags.Logi ? ReviewFlags.Logi : 0),
        new("member", c => c.OtherAddressOrders > 0 ? ReviewFlags.Member : 0),
        new("ordermulti", c => c.Orders.Count > 1 ? ReviewFlags.Multi : ReviewFlags.Single),
        new("abnormal", c => c.Orders.Any(o => o.Pause || o.Abnormal) ? ReviewFlags.Abnormal : 0),
        new("tbgift", c => c.PlatformGiftOrders.Count > 0 ? ReviewFlags.PmtGift : 0),
        new("shopcombine", c => c.OtherShopOrders > 0 ? ReviewFlags.Combine : 0),
        new("crm", c => c.CrmGiftOrders.Count > 0 ? ReviewFlags.CrmGift : 0),
        new("tax", c => c.Orders.Any(o => o.IsTax) ? ReviewFlags.Tax : 0),
        new("arrived", c => c.Logistics?.Flag == ReviewFlags.Arrived ? ReviewFlags.Arrived : 0),
        new("product", c => c.CheckProduct && c.Orders.Any(o => o.Items.Any(i => !i.Deleted && c.UnsellableMaterials.Contains(i.BasicMaterialId)))
            ? ReviewFlags.Product : 0),
    ];

    /// <summary>Every flag the chain sets on <paramref name="c"/>.</summary>
    public static ReviewFlags Run(ReviewCase c)
    {
        var flags = ReviewFlags.None;
        foreach (var p in Plugins) flags |= p.Check(c);
        return flags;
    }

    private static bool Has(string? s) => !string.IsNullOrWhiteSpace(s);
}
