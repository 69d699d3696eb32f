using Oms.Catalog;
using Oms.Inventory;

namespace Oms.Orders;

/// <summary>A basic material an order object expands into, with its quantity and share of the object's amount.</summary>
public sealed record ExpandedItem(long BasicMaterialId, string Bn, string? Name, string ItemType, int Quantity, decimal Price, decimal Amount);

/// <summary>The outcome of matching one object: the sales material and its items, or why it did not match.</summary>
public sealed record ObjectMatch(long? SalesMaterialId, IReadOnlyList<ExpandedItem> Items, string? Unmatched)
{
    public bool Matched => SalesMaterialId is not null;
}

/// <summary>
/// Matches an order object's code (销售物料编码) to a sales material and expands it into basic
/// materials (DOMAIN.md §1): normal and gift ×1 part; combination and lucky bag every part, the
/// object's amount shared by the parts' price shares (by quantity when the shares do not sum to 100),
/// cents rounded and the remainder on the last part; pick-one the first option whose sellable stock
/// for the shop covers the quantity, else the first option. Lookups are cached (catalog module).
/// </summary>
public sealed class MaterialMatcher(SalesMaterialService salesMaterials, BasicMaterialService basicMaterials, StockQueries stock)
{
    public async Task<ObjectMatch> MatchAsync(long shopId, string shopBn, ObjectPush obj, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var sales = await salesMaterials.LookupAsync(obj.Bn, ct).ConfigureAwait(false);
        if (sales is null) return new ObjectMatch(null, [], $"{obj.Bn}: no sales material with this code");
        if (sales.ShopBn is { } only && only != shopBn) return new ObjectMatch(null, [], $"{obj.Bn}: sold only by shop {only}");
        if (sales.Bindings.Count == 0) return new ObjectMatch(null, [], $"{obj.Bn}: the sales material has no basic materials");

        var parts = new List<(BasicMaterialInfo Basic, BindingPart Part)>(sales.Bindings.Count);
        foreach (var p in sales.Bindings)
        {
            var basic = await basicMaterials.LookupAsync(p.Bn, ct).ConfigureAwait(false);
            if (basic is null) return new ObjectMatch(null, [], $"{obj.Bn}: basic material {p.Bn} does not exist");
            parts.Add((basic, p));
        }
        if (sales.Type == SalesMaterialType.PickOne)
            parts = [await PickAsync(shopId, obj.Quantity, parts, ct).ConfigureAwait(false)];

        var itemType = obj.ObjType == "gift" || sales.Type == SalesMaterialType.Gift ? "gift"
            : sales.Type is SalesMaterialType.Combination or SalesMaterialType.LuckyBag ? "pkg" : "product";
        var weights = parts.All(p => p.Part.PriceShare is not null) && parts.Sum(p => p.Part.PriceShare!.Value) == 100m
            ? parts.Select(p => p.Part.PriceShare!.Value).ToList()
            : parts.Select(p => (decimal)p.Part.Quantity).ToList();
        var total = weights.Sum();
        var items = new List<ExpandedItem>(parts.Count);
        var left = obj.Amount;
        for (var i = 0; i < parts.Count; i++)
        {
            var (basic, part) = parts[i];
            var quantity = checked(part.Quantity * obj.Quantity);
            var amount = i == parts.Count - 1 ? left : decimal.Round(obj.Amount * weights[i] / total, 2, MidpointRounding.AwayFromZero);
            left -= amount;
            items.Add(new ExpandedItem(basic.Id, basic.MaterialBn, basic.Name, itemType, quantity, decimal.Round(amount / quantity, 4), amount));
        }
        return new ObjectMatch(sales.Id, items, null);
    }

    private async Task<(BasicMaterialInfo, BindingPart)> PickAsync(long shopId, int objectQuantity, List<(BasicMaterialInfo Basic, BindingPart Part)> options, CancellationToken ct)
    {
        var sellable = await stock.SellableAsync(shopId, options.Select(o => o.Basic.Id).ToList(), ct).ConfigureAwait(false);
        foreach (var o in options)
            if (sellable.GetValueOrDefault(o.Basic.Id) >= (long)o.Part.Quantity * objectQuantity) return o;
        return options[0];
    }
}
