using Oms.Common;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>What the CRM gift conditions read of an order (the shop's lines only, never the gifts the OMS added).</summary>
public sealed record GiftOrderFacts(string ShopBn, decimal TotalAmount, int ItemCount, DateTime OrderTime, IReadOnlyList<GiftOrderLine> Lines)
{
    /// <summary>
    /// Facts of an order: item count = Σ quantity of the shop's lines that are not gifts (obj_type gift or
    /// platform gifts); SKU lines = those lines with their live items.
    /// </summary>
    public static GiftOrderFacts Of(Order order, string shopBn)
    {
        ArgumentNullException.ThrowIfNull(order);
        var goods = order.Objects
            .Where(o => !o.Deleted && o.Source == OrderLineSources.Shop && !string.Equals(o.ObjType, "gift", StringComparison.OrdinalIgnoreCase))
            .OrderBy(o => o.Position).ToList();
        var lines = goods.Select(o => new GiftOrderLine(o.Bn, o.Quantity,
            order.Items.Where(i => i.ObjectId == o.Id && !i.Deleted).Select(i => (i.Bn, i.Quantity)).ToList())).ToList();
        return new GiftOrderFacts(shopBn, order.TotalAmount, goods.Sum(o => o.Quantity), order.CreateTime, lines);
    }

    /// <summary>
    /// Units of the listed codes: per line, its quantity when its sales material code is listed, else the
    /// quantities of its items whose basic material code is listed (a code shared by both counts once).
    /// </summary>
    public int UnitsOf(IReadOnlyCollection<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var n = 0;
        foreach (var l in Lines)
            n = checked(n + (codes.Contains(l.Bn) ? l.Quantity : l.Items.Where(i => codes.Contains(i.Bn)).Sum(i => i.Quantity)));
        return n;
    }
}

/// <summary>A shop line as the conditions see it: sales material code × quantity, and its basic materials.</summary>
public sealed record GiftOrderLine(string Bn, int Quantity, IReadOnlyList<(string Bn, int Quantity)> Items);

/// <summary>Whether a rule fires on an order, and why not.</summary>
public sealed record GiftRuleVerdict(CrmGiftRule Rule, bool Fires, string Reason);

/// <summary>
/// The CRM gift rule logic (赠品规则), one place for the chain and the preview. Rules are walked by priority
/// (higher first, then oldest first). A rule fires when it is enabled and every condition holds; a rule that
/// does not stack gives alone (it fires only when nothing fired before it, and nothing fires after it); a rule
/// that stacks fires when everything fired so far stacks too. The last gate is <c>tryGive</c> — the limit and
/// the gifts' matching: the chain claims the rule's count there, the preview only looks.
/// </summary>
public static class CrmGiftLogic
{
    public static IEnumerable<CrmGiftRule> InOrder(IEnumerable<CrmGiftRule> rules) => rules.OrderByDescending(r => r.Priority).ThenBy(r => r.Id);

    /// <summary>Why a rule's conditions do not hold on the order (Chinese), or null when they all hold.</summary>
    public static string? Mismatch(CrmGiftRule r, GiftOrderFacts f)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(f);
        if (!r.Enabled) return "规则已停用";
        if (r.ShopBns.Count > 0 && !r.ShopBns.Contains(f.ShopBn)) return $"店铺 {f.ShopBn} 不在规则店铺内";
        if (r.StartAt is { } s && f.OrderTime < s) return $"下单时间 {ChinaTime.ToText(f.OrderTime)} 早于活动开始 {ChinaTime.ToText(s)}";
        if (r.EndAt is { } e && f.OrderTime >= e) return $"下单时间 {ChinaTime.ToText(f.OrderTime)} 不早于活动结束 {ChinaTime.ToText(e)}";
        if (r.MinAmount is { } mina && f.TotalAmount < mina) return $"订单金额 {Money.ToText(f.TotalAmount)} 低于 {Money.ToText(mina)}";
        if (r.MaxAmount is { } maxa && f.TotalAmount > maxa) return $"订单金额 {Money.ToText(f.TotalAmount)} 高于 {Money.ToText(maxa)}";
        if (r.MinItems is { } mini && f.ItemCount < mini) return $"商品件数 {f.ItemCount} 少于 {mini}";
        if (r.MaxItems is { } maxi && f.ItemCount > maxi) return $"商品件数 {f.ItemCount} 多于 {maxi}";
        if (r.SkuCodes.Count > 0)
        {
            var units = f.UnitsOf(r.SkuCodes);
            if (units < r.SkuMinQuantity) return $"指定商品（{string.Join("、", r.SkuCodes)}）{units} 件，少于 {r.SkuMinQuantity} 件";
        }
        return null;
    }

    /// <summary>Walks the rules; <paramref name="tryGive"/> (called only for a rule that would fire) answers null to give, or why not.</summary>
    public static async Task<IReadOnlyList<GiftRuleVerdict>> EvaluateAsync(GiftOrderFacts facts, IEnumerable<CrmGiftRule> rules,
        Func<CrmGiftRule, Task<string?>> tryGive)
    {
        ArgumentNullException.ThrowIfNull(tryGive);
        var verdicts = new List<GiftRuleVerdict>();
        var fired = new List<CrmGiftRule>();
        foreach (var r in InOrder(rules))
        {
            var why = Mismatch(r, facts);
            if (why is null && fired.Count > 0)
            {
                if (fired.FirstOrDefault(f => !f.Stackable) is { } alone) why = $"规则 {alone.RuleBn} 不可叠加，已单独赠送";
                else if (!r.Stackable) why = $"本规则不可叠加，已有规则 {fired[0].RuleBn} 赠送";
            }
            why ??= await tryGive(r).ConfigureAwait(false);
            if (why is null) fired.Add(r);
            verdicts.Add(new GiftRuleVerdict(r, why is null, why ?? "满足条件，赠送 " + string.Join("，", r.Gifts.Select(g => $"{g.SalesMaterialBn}×{g.Quantity}"))));
        }
        return verdicts;
    }
}
