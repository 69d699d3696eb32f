using Oms.Data;
using Oms.Inventory;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>
/// CRM 赠品 — adds the gifts of the CRM gift rules (<see cref="CrmGiftService.PlanAsync"/>) as order objects of
/// type gift at price 0 (<see cref="OrderLineSources.CrmGift"/>, with the rule), expanded into gift items, and
/// freezes shop stock for them. Recomputed each run against the order as it is now: lines no longer called for
/// (the order changed, a rule ended) are removed and their freeze released, new ones added; lines still called
/// for stay as they are. A limited rule's count follows: +1 when an order newly gets its gifts, −1 when they leave.
/// </summary>
public sealed class CrmGiftPreprocessor(OmsDbContext db, CrmGiftService gifts, InventoryService inventory) : IOrderPreprocessor
{
    /// <summary>CRM gift objects are placed after the shop's lines.</summary>
    public const int FirstPosition = 1000;

    public string Code => "crm_gift";
    public string Name => "CRM 赠品";
    public int DefaultPosition => 30;

    private IReadOnlyList<CrmGiftRule> _rules = [];

    /// <summary>The gift rules, read once for the run.</summary>
    public async Task PrepareAsync(IReadOnlyList<Order> orders, CancellationToken ct) =>
        _rules = await gifts.RulesAsync(ct).ConfigureAwait(false);

    public async Task<PreprocessStep> ProcessAsync(PreprocessContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var order = context.Order;
        var plan = await gifts.PlanAsync(order, context.ShopBn, claim: true, _rules, ct).ConfigureAwait(false);
        if (plan.ToRemove.Count == 0 && plan.ToAdd.Count == 0)
            return new PreprocessStep(Code, Name, false, plan.Kept.Count == 0 ? "无符合条件的赠品规则" : $"CRM 赠品 {plan.Kept.Count} 行，无变化");
        context.Changing();

        var before = new Dictionary<long, int>();
        foreach (var o in plan.ToRemove)
        {
            o.Deleted = true;
            foreach (var i in order.Items.Where(i => i.ObjectId == o.Id && !i.Deleted))
            {
                i.Deleted = true;
                before[i.BasicMaterialId] = before.GetValueOrDefault(i.BasicMaterialId) + (i.Quantity - i.SplitNum);
            }
        }
        var stillHeld = plan.Kept.Select(o => o.GiftRuleId).Concat(plan.ToAdd.Select(a => (long?)a.RuleId)).ToHashSet();
        foreach (var ruleId in plan.ToRemove.Select(o => o.GiftRuleId).Distinct())
            if (ruleId is { } r && !stillHeld.Contains(r))
                await gifts.ReleaseAsync(r, ct).ConfigureAwait(false);

        var position = Math.Max(FirstPosition, order.Objects.Where(o => o.Source == OrderLineSources.CrmGift).Select(o => o.Position + 1).DefaultIfEmpty(FirstPosition).Max());
        var added = new List<(OrderObject Object, PlannedGift Gift)>();
        foreach (var g in plan.ToAdd)
        {
            var o = new OrderObject
            {
                Bn = g.Bn, Name = g.Name, ObjType = "gift", SalesMaterialId = g.Match.SalesMaterialId, Quantity = g.Quantity,
                Price = 0m, Amount = 0m, Position = position++, Source = OrderLineSources.CrmGift, GiftRuleId = g.RuleId,
            };
            order.Objects.Add(o);
            added.Add((o, g));
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var after = new Dictionary<long, int>();
        foreach (var (o, g) in added)
            foreach (var e in g.Match.Items)
            {
                order.Items.Add(new OrderItem
                {
                    OrderId = order.Id, ObjectId = o.Id, BasicMaterialId = e.BasicMaterialId, Bn = e.Bn, Name = e.Name,
                    ItemType = "gift", Quantity = e.Quantity, Price = 0m, Amount = 0m,
                });
                after[e.BasicMaterialId] = after.GetValueOrDefault(e.BasicMaterialId) + e.Quantity;
            }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);

        // net move per material, in ascending material id (the inventory module's lock order)
        foreach (var material in before.Keys.Union(after.Keys).Order())
        {
            var diff = after.GetValueOrDefault(material) - before.GetValueOrDefault(material);
            if (diff > 0) await inventory.FreezeShopAsync([new ShopFreezeLine(order.ShopId, material, diff)], ct).ConfigureAwait(false);
            else if (diff < 0) await inventory.ReleaseShopFreezeAsync([new ShopFreezeLine(order.ShopId, material, -diff)], ct).ConfigureAwait(false);
        }

        var parts = new List<string>();
        if (added.Count > 0) parts.Add("添加赠品 " + string.Join("，", added.Select(a => $"{a.Gift.Bn}×{a.Gift.Quantity}（规则 {a.Gift.RuleBn}）")));
        if (plan.ToRemove.Count > 0) parts.Add("移除不再符合的赠品 " + string.Join("，", plan.ToRemove.Select(o => $"{o.Bn}×{o.Quantity}")));
        var text = string.Join("；", parts) + "，店铺冻结已调整";
        context.Log("预处理（CRM 赠品）：" + text);
        return new PreprocessStep(Code, Name, true, text);
    }
}
