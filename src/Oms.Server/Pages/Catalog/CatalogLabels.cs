using System.Globalization;
using Microsoft.Extensions.Localization;
using Oms.Catalog;
using Oms.Common;

namespace Oms.Server.Pages.Catalog;

/// <summary>How catalog values read on the pages: type names, and a sales material's bindings in one line.</summary>
public static class CatalogLabels
{
    public static readonly IReadOnlyList<BasicMaterialType> BasicTypes = Enum.GetValues<BasicMaterialType>();
    public static readonly IReadOnlyList<SalesMaterialType> SalesTypes = Enum.GetValues<SalesMaterialType>();

    public static string Name(this IStringLocalizer l, BasicMaterialType type)
    {
        ArgumentNullException.ThrowIfNull(l);
        return type switch
        {
            BasicMaterialType.Finished => l["Materials.TypeFinished"],
            BasicMaterialType.SemiFinished => l["Materials.TypeSemiFinished"],
            BasicMaterialType.Gift => l["Materials.TypeGift"],
            _ => l["Materials.TypePackaging"],
        };
    }

    public static string Name(this IStringLocalizer l, SalesMaterialType type)
    {
        ArgumentNullException.ThrowIfNull(l);
        return type switch
        {
            SalesMaterialType.Normal => l["SalesMaterials.TypeNormal"],
            SalesMaterialType.Combination => l["SalesMaterials.TypeCombination"],
            SalesMaterialType.Gift => l["SalesMaterials.TypeGift"],
            SalesMaterialType.LuckyBag => l["SalesMaterials.TypeLuckyBag"],
            _ => l["SalesMaterials.TypePickOne"],
        };
    }

    /// <summary>Whether parts of this type carry a price share the user gives (combination, lucky bag).</summary>
    public static bool TakesShares(SalesMaterialType type) => type is SalesMaterialType.Combination or SalesMaterialType.LuckyBag;

    /// <summary>
    /// The bindings in one line: <c>MUG-350×1 (85%) + MUG-LID×1 (15%)</c> for combinations and lucky bags,
    /// <c>MUG-350×1</c> for normal and gift, <c>A×1 / B×1</c> for pick-one (one of them is shipped).
    /// </summary>
    public static string Summary(SalesMaterialType type, IEnumerable<BindingPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var shares = TakesShares(type);
        var texts = parts.Select(p => $"{p.Bn}×{p.Quantity.ToString(CultureInfo.InvariantCulture)}"
                                      + (shares && p.PriceShare is { } s ? $" ({Money.ToText(s)}%)" : ""));
        return string.Join(type == SalesMaterialType.PickOne ? " / " : " + ", texts);
    }
}
