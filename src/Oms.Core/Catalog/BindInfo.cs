using System.Globalization;
using Oms.Channels;
using Oms.Common;

namespace Oms.Catalog;

/// <summary>
/// One basic material inside a sales material: its code, quantity and price share in percent.
/// <see cref="PriceShare"/> null means "not given" (filled in by <see cref="BindInfo.Normalize"/>).
/// </summary>
public sealed record BindingPart(string Bn, int Quantity, decimal? PriceShare);

/// <summary>
/// The <c>bind_info</c> format of <c>salesmaterial.add</c> (PROTOCOL.md §5) and the rules of each
/// sales material type. Pure: whether the basic materials exist is checked by <see cref="SalesMaterialService"/>.
/// <list type="bullet">
/// <item>1 normal: <c>bn</c> (or <c>bn:1</c>), quantity 1; 3 gift: <c>bn</c> or <c>bn:qty</c>. Share 100.</item>
/// <item>2 combination: <c>bn1:qty1x40|bn2:qty2x60</c>; every part has a share; shares sum to exactly 100.</item>
/// <item>4 lucky bag: as a combination, but shares may be left out on every part: then they are split evenly.</item>
/// <item>5 pick-one: <c>bn1|bn2|bn3</c> (or with <c>:qty</c>), at least two options, no shares (stored as 0).</item>
/// </list>
/// </summary>
public static class BindInfo
{
    public const string Field = "bind_info";
    public const int MaxParts = 50;
    public const int MaxQuantity = 100_000;

    /// <summary>Parses and checks <paramref name="text"/> for <paramref name="type"/>; shares come back filled in.</summary>
    public static IReadOnlyList<BindingPart> Parse(string? text, SalesMaterialType type) => Normalize(ParseParts(text), type);

    /// <summary>The syntax only: <c>bn[:qty[xshare]]</c> parts separated by '|'; shares not given stay null.</summary>
    public static IReadOnlyList<BindingPart> ParseParts(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ValidationException(Field, "is required");
        var parts = new List<BindingPart>();
        foreach (var raw in text.Split('|'))
        {
            var p = raw.Trim();
            if (p.Length == 0) throw new ValidationException(Field, $"'{text.Trim()}' has an empty part between '|'");
            var colon = p.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                parts.Add(new BindingPart(p, 1, null));
                continue;
            }
            var bn = p[..colon].Trim();
            var rest = p[(colon + 1)..].Trim();
            var x = rest.IndexOfAny(['x', 'X']);
            var qtyText = (x < 0 ? rest : rest[..x]).Trim();
            if (!int.TryParse(qtyText, NumberStyles.None, CultureInfo.InvariantCulture, out var qty))
                throw new ValidationException(Field, $"'{p}': quantity '{qtyText}' is not a whole number");
            decimal? share = null;
            if (x >= 0)
            {
                var shareText = rest[(x + 1)..].Trim();
                if (!decimal.TryParse(shareText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s))
                    throw new ValidationException(Field, $"'{p}': price share '{shareText}' is not a percentage");
                share = s;
            }
            parts.Add(new BindingPart(bn, qty, share));
        }
        return parts;
    }

    /// <summary>Checks parts given as a list (admin form) or parsed, and fills in the shares.</summary>
    public static IReadOnlyList<BindingPart> Normalize(IReadOnlyList<BindingPart> parts, SalesMaterialType type)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (!Enum.IsDefined(type)) throw new ValidationException("sales_material_type", "must be 1 (normal), 2 (combination), 3 (gift), 4 (lucky bag) or 5 (pick-one)");
        if (parts.Count == 0) throw new ValidationException(Field, "is required");
        if (parts.Count > MaxParts) throw new ValidationException(Field, $"has {parts.Count} parts; at most {MaxParts}");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clean = new List<BindingPart>(parts.Count);
        foreach (var part in parts)
        {
            if (string.IsNullOrWhiteSpace(part.Bn)) throw new ValidationException(Field, "a part has no basic material code");
            var bn = MasterDataInput.Code(Field, part.Bn);
            if (!seen.Add(bn)) throw new ValidationException(Field, $"basic material '{bn}' appears more than once");
            if (part.Quantity is < 1 or > MaxQuantity)
                throw new ValidationException(Field, $"'{bn}': quantity must be between 1 and {MaxQuantity} (got {part.Quantity})");
            if (part.PriceShare is { } s && (s < 0 || s > 100 || decimal.Round(s, 2) != s))
                throw new ValidationException(Field, $"'{bn}': price share must be a percentage between 0 and 100 with at most 2 decimals (got {s.ToString(CultureInfo.InvariantCulture)})");
            clean.Add(part with { Bn = bn });
        }

        switch (type)
        {
            case SalesMaterialType.Normal or SalesMaterialType.Gift:
                if (clean.Count != 1)
                    throw new ValidationException(Field, $"a {TypeName(type)} sales material binds exactly one basic material (got {clean.Count})");
                if (type == SalesMaterialType.Normal && clean[0].Quantity != 1)
                    throw new ValidationException(Field, $"a normal sales material binds its basic material with quantity 1 (got {clean[0].Quantity}); use a combination for several pieces");
                RefuseShares(clean, type);
                return [clean[0] with { PriceShare = 100 }];

            case SalesMaterialType.Combination:
                var missing = clean.FirstOrDefault(p => p.PriceShare is null);
                if (missing is not null)
                    throw new ValidationException(Field, $"'{missing.Bn}': a combination needs a price share on every part (bn:qtyxshare)");
                CheckSum(clean);
                return clean;

            case SalesMaterialType.LuckyBag:
                var given = clean.Count(p => p.PriceShare is not null);
                if (given == 0) return SplitEvenly(clean);
                if (given != clean.Count)
                    throw new ValidationException(Field, "give a price share on every part of the lucky bag, or on none (then they are split evenly)");
                CheckSum(clean);
                return clean;

            default: // pick-one
                if (clean.Count < 2)
                    throw new ValidationException(Field, $"a pick-one sales material needs at least two basic materials to choose from (got {clean.Count})");
                RefuseShares(clean, type);
                return clean.Select(p => p with { PriceShare = 0 }).ToList();
        }
    }

    /// <summary>The canonical text of parts (<c>bn:qtyxshare|...</c>), as the audit log records it.</summary>
    public static string Format(IEnumerable<BindingPart> parts) =>
        string.Join("|", parts.Select(p => p.PriceShare is { } s
            ? $"{p.Bn}:{p.Quantity.ToString(CultureInfo.InvariantCulture)}x{Money.ToText(s)}"
            : $"{p.Bn}:{p.Quantity.ToString(CultureInfo.InvariantCulture)}"));

    private static void CheckSum(List<BindingPart> parts)
    {
        var sum = parts.Sum(p => p.PriceShare!.Value);
        if (sum != 100) throw new ValidationException(Field, $"price shares must sum to 100, got {Money.ToText(sum)}");
    }

    /// <summary>Even shares rounded down to cents; the last part takes the remainder so the sum is exactly 100.</summary>
    private static List<BindingPart> SplitEvenly(List<BindingPart> parts)
    {
        var each = Math.Floor(10000m / parts.Count) / 100m;
        var result = parts.Select(p => p with { PriceShare = each }).ToList();
        result[^1] = result[^1] with { PriceShare = 100m - each * (parts.Count - 1) };
        return result;
    }

    private static void RefuseShares(List<BindingPart> parts, SalesMaterialType type)
    {
        var withShare = parts.FirstOrDefault(p => p.PriceShare is not null);
        if (withShare is not null)
            throw new ValidationException(Field, $"'{withShare.Bn}': price shares are not used by a {TypeName(type)} sales material; leave out 'x{Money.ToText(withShare.PriceShare!.Value)}'");
    }

    private static string TypeName(SalesMaterialType type) => type switch
    {
        SalesMaterialType.Normal => "normal",
        SalesMaterialType.Combination => "combination",
        SalesMaterialType.Gift => "gift",
        SalesMaterialType.LuckyBag => "lucky bag",
        _ => "pick-one",
    };
}
