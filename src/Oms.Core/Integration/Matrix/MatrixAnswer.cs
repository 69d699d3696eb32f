using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Oms.Common;

namespace Oms.Integration.Matrix;

/// <summary>
/// The answer to one <c>/api</c> call, already rendered (<see cref="Json"/>) because a remembered
/// answer is repeated byte for byte. <see cref="Code"/> is <c>""</c> on success.
/// <see cref="Repeated"/> marks an answer taken from memory for a repeated <c>task</c>.
/// </summary>
public sealed record MatrixReply(bool Ok, string Code, string Message, string Json, bool Repeated = false)
{
    /// <summary>snake_case properties, UTF-8 text (Chinese is not <c>\u</c>-escaped).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    /// <summary><c>{"rsp":"succ","res":"","data":{...}}</c>; a null payload renders as <c>{}</c>.</summary>
    public static MatrixReply Succ(object? data) => new(true, "", "", JsonSerializer.Serialize(
        new Dictionary<string, object?> { ["rsp"] = "succ", ["res"] = "", ["data"] = data ?? new Dictionary<string, object?>() }, JsonOptions));

    /// <summary><c>{"rsp":"fail","res":"CODE","msg":"...","data":null}</c>.</summary>
    public static MatrixReply Fail(string code, string message) => new(false, code, message, JsonSerializer.Serialize(
        new Dictionary<string, object?> { ["rsp"] = "fail", ["res"] = code, ["msg"] = message, ["data"] = null }, JsonOptions));

    /// <summary>A stored answer (our own rendering), marked as repeated.</summary>
    public static MatrixReply FromStored(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var ok = root.GetProperty("rsp").GetString() == "succ";
        return new MatrixReply(ok, root.GetProperty("res").GetString() ?? "",
            root.TryGetProperty("msg", out var m) ? m.GetString() ?? "" : "", json, Repeated: true);
    }
}

/// <summary>The replay window of the <c>date</c> system parameter (PROTOCOL.md §2): ±10 minutes of server time.</summary>
public static class MatrixDateWindow
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>
    /// True when <paramref name="date"/> is exactly <c>yyyy-MM-dd HH:mm:ss</c> in China time and at most
    /// <see cref="Window"/> away from <paramref name="nowUtc"/> (both edges included). Missing or
    /// unparseable is outside.
    /// </summary>
    public static bool Contains(string? date, DateTime nowUtc)
    {
        if (string.IsNullOrWhiteSpace(date)) return false;
        if (!DateTime.TryParseExact(date.Trim(), ChinaTime.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return false;
        var utc = DateTime.SpecifyKind(local - ChinaTime.Offset, DateTimeKind.Utc);
        return (utc - DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc)).Duration() <= Window;
    }
}
