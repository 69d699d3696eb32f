using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>A gift of a rule as entered.</summary>
public sealed record GiftInput(string SalesMaterialBn, int Quantity);

/// <summary>A CRM gift rule as entered on the page (times UTC; null = no limit).</summary>
public sealed record CrmGiftRuleInput(string RuleBn, string Name)
{
    public bool Enabled { get; init; } = true;
    public int Priority { get; init; }
    public bool Stackable { get; init; }
    public DateTime? StartAt { get; init; }
    public DateTime? EndAt { get; init; }
    public decimal? MinAmount { get; init; }
    public decimal? MaxAmount { get; init; }
    public int? MinItems { get; init; }
    public int? MaxItems { get; init; }
    public IReadOnlyList<string> SkuCodes { get; init; } = [];
    public int SkuMinQuantity { get; init; } = 1;
    public IReadOnlyList<string> ShopBns { get; init; } = [];
    public int? MaxTimes { get; init; }
    public IReadOnlyList<GiftInput> Gifts { get; init; } = [];
}

/// <summary>A gift line the rules call for: which rule, which sales material × quantity, and its matched items.</summary>
public sealed record PlannedGift(long RuleId, string RuleBn, string Bn, string Name, int Quantity, ObjectMatch Match);

/// <summary>What the rules say for an order: every rule's verdict, the gift lines wanted, and the diff with the lines it holds.</summary>
public sealed record GiftPlan(
    GiftOrderFacts Facts,
    IReadOnlyList<GiftRuleVerdict> Verdicts,
    IReadOnlyList<PlannedGift> Wanted,
    IReadOnlyList<OrderObject> Kept,
    IReadOnlyList<OrderObject> ToRemove,
    IReadOnlyList<PlannedGift> ToAdd);

/// <summary>The preview of the rules on an order (nothing changed).</summary>
public sealed record GiftPreview(long OrderId, string OrderBn, string ShopBn, string? NotProcessed, GiftPlan Plan);

/// <summary>
/// CRM 赠品规则: the rules (create, change, list), the plan of an order's gifts (shared by the chain's
/// <see cref="CrmGiftPreprocessor"/> and the preview), and the preview of the rules on a past order.
/// </summary>
public sealed class CrmGiftService(OmsDbContext db, MaterialMatcher matcher, SalesMaterialService salesMaterials,
    BasicMaterialService basicMaterials, AuditLog audit, TimeProvider clock)
{
    public const int MaxGiftQuantity = 9999;
    public const int MaxPriority = 10000;

    public async Task<IReadOnlyList<CrmGiftRule>> ListAsync(CancellationToken ct = default) =>
        await db.Set<CrmGiftRule>().AsNoTracking().Include(r => r.Gifts).OrderByDescending(r => r.Priority).ThenBy(r => r.Id)
            .ToListAsync(ct).ConfigureAwait(false);

    public Task<CrmGiftRule?> FindAsync(long id, CancellationToken ct = default) =>
        db.Set<CrmGiftRule>().AsNoTracking().Include(r => r.Gifts).FirstOrDefaultAsync(r => r.Id == id, ct);

    public async Task<CrmGiftRule> CreateAsync(CrmGiftRuleInput input, string? userName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var v = await ValidateAsync(input, null, ct).ConfigureAwait(false);
        if (await db.Set<CrmGiftRule>().AnyAsync(r => r.RuleBn == v.RuleBn, ct).ConfigureAwait(false))
            throw new ValidationException("rule_bn", $"规则编号 {v.RuleBn} 已存在");
        var now = clock.GetUtcNow().UtcDateTime;
        var rule = new CrmGiftRule { RuleBn = v.RuleBn, Name = v.Name, CreatedAt = now };
        Apply(rule, v, now);
        db.Add(rule);
        audit.Record("crmgift.create", "crm_gift_rule:" + rule.RuleBn, Describe(rule), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return rule;
    }

    /// <summary>Changes a rule (its code stays); the limit cannot go below the orders already holding its gifts.</summary>
    public async Task<CrmGiftRule> UpdateAsync(long id, CrmGiftRuleInput input, string? userName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rule = await db.Set<CrmGiftRule>().Include(r => r.Gifts).FirstOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false)
                   ?? throw new DomainException($"赠品规则 {id} 不存在");
        var v = await ValidateAsync(input with { RuleBn = rule.RuleBn }, rule, ct).ConfigureAwait(false);
        var before = Describe(rule);
        rule.Name = v.Name;
        Apply(rule, v, clock.GetUtcNow().UtcDateTime);
        audit.Record("crmgift.update", "crm_gift_rule:" + rule.RuleBn, before + " → " + Describe(rule), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return rule;
    }

    /// <summary>
    /// The preview (预览) on an order given by id or order_bn: which rules would fire and which lines would be added
    /// or removed, as the chain would do it now — without changing anything (no limit is claimed).
    /// </summary>
    public async Task<GiftPreview> PreviewAsync(string orderRef, CancellationToken ct = default)
    {
        var text = (orderRef ?? "").Trim();
        if (text.Length == 0) throw new ValidationException("order", "请输入订单号或订单 ID");
        var ids = await db.Set<Order>().AsNoTracking().Where(o => o.OrderBn == text).Select(o => o.Id).OrderBy(x => x).Take(2).ToListAsync(ct).ConfigureAwait(false);
        if (ids.Count == 0 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await db.Set<Order>().AnyAsync(o => o.Id == id, ct).ConfigureAwait(false))
            ids.Add(id);
        if (ids.Count == 0) throw new ValidationException("order", $"订单 {text} 不存在");
        if (ids.Count > 1) throw new ValidationException("order", $"多个店铺都有订单号 {text}，请输入订单 ID");
        var order = await db.Set<Order>().AsNoTracking().Include(o => o.Objects).Include(o => o.Items).AsSplitQuery()
            .FirstAsync(o => o.Id == ids[0], ct).ConfigureAwait(false);
        var shopBn = await db.Set<Shop>().Where(s => s.Id == order.ShopId).Select(s => s.ShopBn).FirstAsync(ct).ConfigureAwait(false);
        var notProcessed = order.Status != OrderStatus.Active ? "订单不是活动状态，预处理不会处理它"
            : order.IsFail ? "失败订单，预处理不会处理它"
            : order.Confirmed || order.ProcessStatus != ProcessStatus.Unconfirmed ? "订单已审核，预处理不会再改它"
            : null;
        var plan = await PlanAsync(order, shopBn, claim: false, await RulesAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        return new GiftPreview(order.Id, order.OrderBn, shopBn, notProcessed, plan);
    }

    /// <summary>
    /// The gifts the rules call for on <paramref name="order"/> and the diff with its CRM lines. With
    /// <paramref name="claim"/>, a limited rule that newly gives claims one unit of its limit (a conditional
    /// update, safe with concurrent runs); without, the limit is only read. <paramref name="rules"/>: <see cref="RulesAsync"/>.
    /// </summary>
    internal async Task<GiftPlan> PlanAsync(Order order, string shopBn, bool claim, IReadOnlyList<CrmGiftRule> rules, CancellationToken ct)
    {
        var facts = GiftOrderFacts.Of(order, shopBn);
        var current = order.Objects.Where(o => !o.Deleted && o.Source == OrderLineSources.CrmGift).OrderBy(o => o.Position).ToList();
        var holding = current.Where(o => o.GiftRuleId is not null).Select(o => o.GiftRuleId!.Value).ToHashSet();
        var wanted = new List<PlannedGift>();
        var verdicts = await CrmGiftLogic.EvaluateAsync(facts, rules, async r =>
        {
            var gifts = new List<PlannedGift>();
            foreach (var g in r.Gifts.OrderBy(g => g.Id))
            {
                var sales = await salesMaterials.LookupAsync(g.SalesMaterialBn, ct).ConfigureAwait(false);
                var match = await matcher.MatchAsync(order.ShopId, shopBn,
                    new ObjectPush(null, g.SalesMaterialBn, sales?.Name, "gift", g.Quantity, 0m, 0m, 0m, 0m, 0m, null, null), ct).ConfigureAwait(false);
                if (!match.Matched) return "赠品无法匹配：" + match.Unmatched;
                gifts.Add(new PlannedGift(r.Id, r.RuleBn, g.SalesMaterialBn, sales?.Name ?? g.SalesMaterialBn, g.Quantity, match));
            }
            if (gifts.Count == 0) return "规则没有赠品";
            if (r.MaxTimes is { } max && !holding.Contains(r.Id))
            {
                var ok = claim
                    ? await db.Set<CrmGiftRule>().Where(x => x.Id == r.Id && (x.MaxTimes == null || x.GivenCount < x.MaxTimes))
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.GivenCount, x => x.GivenCount + 1), ct).ConfigureAwait(false) == 1
                    : r.GivenCount < max;
                if (!ok) return $"已达赠送上限（{max} 单）";
            }
            wanted.AddRange(gifts);
            return null;
        }).ConfigureAwait(false);

        var kept = new List<OrderObject>();
        var toAdd = new List<PlannedGift>();
        var free = current.Where(o => order.Items.Any(i => i.ObjectId == o.Id && !i.Deleted)).ToList();
        foreach (var w in wanted)
        {
            var same = free.FirstOrDefault(o => o.GiftRuleId == w.RuleId && o.Bn == w.Bn && o.Quantity == w.Quantity);
            if (same is null) toAdd.Add(w);
            else { free.Remove(same); kept.Add(same); }
        }
        var toRemove = current.Where(o => !kept.Contains(o)).ToList();
        return new GiftPlan(facts, verdicts, wanted, kept, toRemove, toAdd);
    }

    /// <summary>Every gift rule with its gifts (untracked), for <see cref="PlanAsync"/>.</summary>
    internal async Task<IReadOnlyList<CrmGiftRule>> RulesAsync(CancellationToken ct) =>
        await db.Set<CrmGiftRule>().AsNoTracking().Include(r => r.Gifts).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>Gives back one unit of a limited rule's count (its gifts left an order).</summary>
    internal Task ReleaseAsync(long ruleId, CancellationToken ct) =>
        db.Set<CrmGiftRule>().Where(x => x.Id == ruleId && x.GivenCount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.GivenCount, x => x.GivenCount - 1), ct);

    private static void Apply(CrmGiftRule rule, CrmGiftRuleInput v, DateTime now)
    {
        rule.Enabled = v.Enabled;
        rule.Priority = v.Priority;
        rule.Stackable = v.Stackable;
        rule.StartAt = v.StartAt;
        rule.EndAt = v.EndAt;
        rule.MinAmount = v.MinAmount;
        rule.MaxAmount = v.MaxAmount;
        rule.MinItems = v.MinItems;
        rule.MaxItems = v.MaxItems;
        rule.SkuCodes = v.SkuCodes.ToList();
        rule.SkuMinQuantity = v.SkuMinQuantity;
        rule.ShopBns = v.ShopBns.ToList();
        rule.MaxTimes = v.MaxTimes;
        rule.UpdatedAt = now;
        rule.Gifts.Clear();
        foreach (var g in v.Gifts) rule.Gifts.Add(new CrmGiftRuleGift { SalesMaterialBn = g.SalesMaterialBn, Quantity = g.Quantity });
    }

    private async Task<CrmGiftRuleInput> ValidateAsync(CrmGiftRuleInput input, CrmGiftRule? existing, CancellationToken ct)
    {
        var bn = (input.RuleBn ?? "").Trim();
        if (bn.Length == 0) throw new ValidationException("rule_bn", "请输入规则编号");
        if (bn.Length > 64) throw new ValidationException("rule_bn", "规则编号最多 64 个字符");
        var name = (input.Name ?? "").Trim();
        if (name.Length == 0) throw new ValidationException("name", "请输入规则名称");
        if (name.Length > 200) throw new ValidationException("name", "规则名称最多 200 个字符");
        if (input.Priority is < 0 or > MaxPriority) throw new ValidationException("priority", $"优先级须在 0 到 {MaxPriority} 之间");
        if (input.StartAt is { } s && input.EndAt is { } e && e <= s) throw new ValidationException("end_at", "结束时间须晚于开始时间");
        if (input.MinAmount is < 0m || input.MaxAmount is < 0m) throw new ValidationException("min_amount", "金额不能为负数");
        if (input.MinAmount is { } mina && input.MaxAmount is { } maxa && mina > maxa) throw new ValidationException("max_amount", "最高金额不能低于最低金额");
        if (input.MinItems is < 0 || input.MaxItems is < 0) throw new ValidationException("min_items", "件数不能为负数");
        if (input.MinItems is { } mini && input.MaxItems is { } maxi && mini > maxi) throw new ValidationException("max_items", "最多件数不能少于最少件数");
        var skus = input.SkuCodes.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        foreach (var c in skus)
            if (await salesMaterials.LookupAsync(c, ct).ConfigureAwait(false) is null && await basicMaterials.LookupAsync(c, ct).ConfigureAwait(false) is null)
                throw new ValidationException("sku_codes", $"指定商品 {c} 既不是销售物料也不是基础物料");
        if (input.SkuMinQuantity is < 1 or > 1_000_000) throw new ValidationException("sku_min_quantity", "指定商品最少件数须在 1 到 1000000 之间");
        var shops = input.ShopBns.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (shops.Count > 0)
        {
            var known = await db.Set<Shop>().Where(x => shops.Contains(x.ShopBn)).Select(x => x.ShopBn).ToListAsync(ct).ConfigureAwait(false);
            if (shops.FirstOrDefault(x => !known.Contains(x)) is { } unknown) throw new ValidationException("shop_bns", $"店铺 {unknown} 不存在");
        }
        if (input.MaxTimes is < 1) throw new ValidationException("max_times", "赠送上限须至少为 1（不限请留空）");
        if (existing is not null && input.MaxTimes is { } limit && limit < existing.GivenCount)
            throw new ValidationException("max_times", $"已有 {existing.GivenCount} 单获赠，上限不能低于此数");
        if (input.Gifts.Count == 0) throw new ValidationException("gifts", "请至少添加一个赠品");
        var gifts = new List<GiftInput>();
        foreach (var g in input.Gifts)
        {
            var code = (g.SalesMaterialBn ?? "").Trim();
            if (code.Length == 0) throw new ValidationException("gifts", "赠品编码不能为空");
            if (g.Quantity is < 1 or > MaxGiftQuantity) throw new ValidationException("gifts", $"赠品 {code} 的数量须在 1 到 {MaxGiftQuantity} 之间");
            if (gifts.Any(x => x.SalesMaterialBn == code)) throw new ValidationException("gifts", $"赠品 {code} 重复");
            if (await salesMaterials.LookupAsync(code, ct).ConfigureAwait(false) is null)
                throw new ValidationException("gifts", $"赠品 {code} 不是已有的销售物料");
            gifts.Add(new GiftInput(code, g.Quantity));
        }
        return input with { RuleBn = bn, Name = name, SkuCodes = skus, ShopBns = shops, Gifts = gifts };
    }

    private static string Describe(CrmGiftRule r) =>
        $"{r.Name}；{(r.Enabled ? "启用" : "停用")}；优先级 {r.Priority}；{(r.Stackable ? "可叠加" : "不可叠加")}；" +
        $"金额 {Money.ToText(r.MinAmount ?? 0m)}..{(r.MaxAmount is { } m ? Money.ToText(m) : "不限")}；件数 {r.MinItems ?? 0}..{(r.MaxItems?.ToString(CultureInfo.InvariantCulture) ?? "不限")}；" +
        $"指定商品 {(r.SkuCodes.Count == 0 ? "不限" : string.Join("、", r.SkuCodes) + " ≥" + r.SkuMinQuantity)}；店铺 {(r.ShopBns.Count == 0 ? "全部" : string.Join("、", r.ShopBns))}；" +
        $"上限 {(r.MaxTimes?.ToString(CultureInfo.InvariantCulture) ?? "不限")}；赠品 {string.Join("，", r.Gifts.Select(g => $"{g.SalesMaterialBn}×{g.Quantity}"))}";
}
