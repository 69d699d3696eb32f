using System.Globalization;
using Oms.Admin;
using Oms.Common;

namespace Oms.Server.Web;

/// <summary>Formatting shared by every page: China time, the chosen language.</summary>
public static class Display
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    /// <summary>A UTC time as China time (UTC+8), <c>yyyy-MM-dd HH:mm:ss</c>; empty for null.</summary>
    public static string Time(DateTime? utc) => ChinaTime.ToText(utc) ?? "";

    public static string Label(PermissionInfo p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return IsEnglish ? p.EnglishLabel : p.ChineseLabel;
    }

    /// <summary>Parses a China-time date or date-time from a filter field into UTC; null when empty or unreadable.</summary>
    public static DateTime? ParseChinaTime(string? text) => ChinaTime.TryParse(text, out var utc) ? utc : null;
}
