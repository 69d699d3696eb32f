using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Oms.Common;
using Oms.Inventory;
using Oms.Server.Web;

namespace Oms.Server.Pages.Inventory;

/// <summary>Display and filter-input helpers shared by the inventory pages (no rules: those live in Oms.Inventory).</summary>
public static class InventoryText
{
    /// <summary>
    /// A ledger type as users know it: the Chinese name of <see cref="StockMoveTypeNames"/> (the one
    /// table, as the OpenAPI answers it); in English the enum name in words ("Direct in").
    /// </summary>
    public static string TypeName(StockMoveType type) =>
        Display.IsEnglish ? Words(type.ToString()) : StockMoveTypeNames.ChineseName(type);

    /// <summary>A direct document type: the name of the ledger type it writes.</summary>
    public static string TypeName(StockDocumentType type) => TypeName(StockDocumentService.LedgerType(type));

    public static string Letter(StockDocumentType type) => ((char)type).ToString();

    public static string Number(int n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Signed(int n) => n > 0 ? "+" + Number(n) : Number(n);

    public static string Price(decimal p) => p.ToString("0.00##", CultureInfo.InvariantCulture);

    /// <summary>"From" of a China-time filter field (<c>yyyy-MM-dd</c>, <c>yyyy-MM-dd HH:mm[:ss]</c>, or a datetime-local value) as UTC.</summary>
    public static DateTime? FromUtc(string? text) => Display.ParseChinaTime(Normalize(text));

    /// <summary>"To" of a China-time filter field as an exclusive UTC bound: the whole day, minute or second given is included.</summary>
    public static DateTime? ToUtc(string? text)
    {
        var t = Normalize(text);
        if (Display.ParseChinaTime(t) is not { } utc) return null;
        return t!.Length switch
        {
            10 => utc.AddDays(1),
            16 => utc.AddMinutes(1),
            _ => utc.AddSeconds(1),
        };
    }

    /// <summary>A filter time as a <c>datetime-local</c> input shows it (China time); empty when unreadable.</summary>
    public static string LocalInput(string? text) =>
        Display.ParseChinaTime(Normalize(text)) is { } utc ? ChinaTime.ToText(utc).Replace(' ', 'T') : "";

    /// <summary>The pager of a list keyed by something other than one id: <paramref name="param"/> carries the position.</summary>
    public static Pager Pager(HttpRequest request, int count, string param, string? next)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kept = request.Query.Where(q => q.Key != param).ToList();
        string Url(string? value)
        {
            var qb = new QueryBuilder(kept);
            if (value is not null) qb.Add(param, value);
            return request.Path + qb.ToQueryString().ToString();
        }
        return new Pager(count, next is null ? null : Url(next), request.Query.ContainsKey(param) ? Url(null) : null);
    }

    /// <summary>The current URL with some query parameters replaced (null removes one).</summary>
    public static string With(HttpRequest request, params (string Key, string? Value)[] changes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var keys = changes.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var qb = new QueryBuilder(request.Query.Where(q => !keys.Contains(q.Key)));
        foreach (var (key, value) in changes)
            if (!string.IsNullOrEmpty(value)) qb.Add(key, value);
        return request.Path + qb.ToQueryString().ToString();
    }

    private static string? Normalize(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().Replace('T', ' ');

    private static string Words(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && sb.Length > 0) sb.Append(' ').Append(char.ToLowerInvariant(c));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
