using System.Globalization;
using Oms.Integration.OpenApi;

namespace Oms.Common;

/// <summary>
/// Input rules shared by the master-data services (shops, branches, logistics companies,
/// materials, suppliers) and by later modules with codes of their own.
/// </summary>
internal static class MasterDataInput
{
    public const int MaxCodeLength = 64;
    public const int MaxNameLength = 100;

    /// <summary>A business code (<c>shop_bn</c>, <c>material_bn</c>, ...): letters, digits, '-', '_', '.'; at most 64.</summary>
    public static string Code(string field, string? value)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) throw new ValidationException(field, "is required");
        CheckCodeText(field, v);
        return v;
    }

    public static string? OptionalCode(string field, string? value)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) return null;
        CheckCodeText(field, v);
        return v;
    }

    private static void CheckCodeText(string field, string v)
    {
        if (v.Length > MaxCodeLength) throw new ValidationException(field, $"'{Shorten(v)}' is longer than {MaxCodeLength} characters");
        foreach (var c in v)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new ValidationException(field, $"'{v}' may contain only letters, digits, '-', '_' and '.'");
    }

    public static string Text(string field, string? value, int maxLength = MaxNameLength) =>
        OptionalText(field, value, maxLength) ?? throw new ValidationException(field, "is required");

    public static string? OptionalText(string field, string? value, int maxLength)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) return null;
        if (v.Length > maxLength) throw new ValidationException(field, $"is longer than {maxLength} characters");
        return v;
    }

    /// <summary>An amount or a weight: not negative, at most four decimals (what the database keeps).</summary>
    public static decimal NonNegative(string field, decimal value)
    {
        if (value < 0) throw new ValidationException(field, $"must not be negative (got {Money.ToText(value)})");
        if (decimal.Round(value, Money.Scale) != value) throw new ValidationException(field, $"has more than {Money.Scale} decimals");
        if (value > 1_000_000_000m) throw new ValidationException(field, $"is too large (got {Money.ToText(value)})");
        return value;
    }

    /// <summary>Removes trailing zeros a <c>numeric(18,4)</c> column adds, so answers read 12.5 rather than 12.5000.</summary>
    public static decimal Plain(decimal value) => value / 1.0000000000000000000000000000m;

    public static decimal? Plain(decimal? value) => value is null ? null : Plain(value.Value);

    private static string Shorten(string v) => v.Length > 20 ? v[..20] + "…" : v;

    // ---- OpenAPI edge helpers: an add requires the bold parameters; an update keeps what is not sent.

    /// <summary>On add (<paramref name="current"/> null) the parameter is required; on update an absent one keeps the current value.</summary>
    public static string Pick(OpenApiRequest request, string name, string? current) =>
        current is null ? request.Required(name) : request.Optional(name) ?? current;

    /// <summary>An optional parameter: sent → its value, absent → the current value (null on add).</summary>
    public static string? PickOptional(OpenApiRequest request, string name, string? current) =>
        request.Optional(name) ?? current;

    /// <summary>A decimal parameter (weights, amounts), at most four decimals.</summary>
    public static decimal? OptionalDecimal(OpenApiRequest request, string name)
    {
        var v = request.Optional(name);
        if (v is null) return null;
        if (!decimal.TryParse(v, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            || Math.Abs(d) > 1_000_000_000m)
            throw OpenApiException.Params(name, $"'{v}' is not a number");
        return d;
    }

    /// <summary>Comma separated codes of a list filter, at most 100 (one page).</summary>
    public static IReadOnlyList<string> FilterCodes(OpenApiRequest request, string name)
    {
        var list = request.List(name);
        if (list.Count > 100) throw OpenApiException.Params(name, "at most 100 codes per call");
        return list;
    }

    /// <summary>The <c>modified_start</c>/<c>modified_end</c> window of a list (either end optional).</summary>
    public static (DateTime? From, DateTime? To) ModifiedWindow(OpenApiRequest request)
    {
        var from = request.OptionalTime("modified_start");
        var to = request.OptionalTime("modified_end");
        if (from is not null && to is not null && from > to) throw OpenApiException.Params("modified_end", "is before modified_start");
        return (from, to);
    }
}

/// <summary>What an update changed, for the audit log: <c>field: old → new; ...</c>.</summary>
internal sealed class FieldChanges
{
    private readonly List<string> _changes = [];

    public bool Any => _changes.Count > 0;

    public void Track<T>(string field, T before, T after)
    {
        if (!EqualityComparer<T>.Default.Equals(before, after))
            _changes.Add($"{field}: {Show(before)} → {Show(after)}");
    }

    /// <summary>For secrets: records that the value changed, never the value.</summary>
    public void TrackSecret(string field, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal)) _changes.Add($"{field} changed");
    }

    private static string Show<T>(T value) => value switch
    {
        null => "(none)",
        decimal d => Money.ToText(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public override string ToString() => _changes.Count == 0 ? "no changes" : string.Join("; ", _changes);
}
