using System.Globalization;

namespace Oms.Common;

/// <summary>Generated document numbers: a letter, the China-time moment and the row id — unique by construction.</summary>
public static class DocumentNumbers
{
    /// <summary><paramref name="prefix"/> + yyMMddHHmmss (China time) + the id (at least 6 digits).</summary>
    public static string Generate(string prefix, DateTime utc, long id) =>
        prefix + DateTime.SpecifyKind(utc, DateTimeKind.Utc).Add(ChinaTime.Offset).ToString("yyMMddHHmmss", CultureInfo.InvariantCulture)
            + id.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>A unique placeholder for the moment between the insert and the number derived from the id.</summary>
    public static string Placeholder() => "~" + Guid.NewGuid().ToString("N");
}
