using System.Globalization;

namespace Oms.Common;

/// <summary>
/// The protocols speak China time (UTC+8, no daylight saving) in <c>yyyy-MM-dd HH:mm:ss</c>
/// or unix seconds; the database stores UTC.
/// </summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);
    public const string Format = "yyyy-MM-dd HH:mm:ss";

    public static string ToText(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).Add(Offset).ToString(Format, CultureInfo.InvariantCulture);

    public static string? ToText(DateTime? utc) => utc is null ? null : ToText(utc.Value);

    /// <summary>Parses unix seconds or <c>yyyy-MM-dd HH:mm:ss</c> (China time) into UTC.</summary>
    public static bool TryParse(string? text, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds is < 0 or > 253402300799) return false;
            utc = DateTime.UnixEpoch.AddSeconds(seconds);
            return true;
        }
        if (DateTime.TryParseExact(text, [Format, "yyyy-MM-dd HH:mm", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
        {
            utc = DateTime.SpecifyKind(local - Offset, DateTimeKind.Utc);
            return true;
        }
        return false;
    }
}
