using System.Globalization;

namespace Oms.Common;

/// <summary>Money is <c>decimal</c> with at most four places; amounts are parsed invariantly.</summary>
public static class Money
{
    public const int Scale = 4;

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (!decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var v)) return false;
        if (decimal.Round(v, Scale) != v || Math.Abs(v) > 1_000_000_000_000m) return false;
        value = v;
        return true;
    }

    /// <summary>Formats as PHP's strval would: no exponent, no trailing zeros beyond the value.</summary>
    public static string ToText(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
