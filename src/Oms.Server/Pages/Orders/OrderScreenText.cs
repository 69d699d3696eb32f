using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Localization;
using Oms.Common;
using Oms.Orders;

namespace Oms.Server.Pages.Orders;

/// <summary>Display helpers of the order detail, failed-order and staging pages (no rules: those live in Oms.Orders).</summary>
public static class OrderScreenText
{
    public static string Money(decimal d) => d.ToString("0.00##", CultureInfo.InvariantCulture);

    public static string Money(decimal? d) => d is { } v ? Money(v) : "";

    /// <summary>China time <c>HH:mm</c>, with the date in front when it is not today (China time) at <paramref name="nowUtc"/>.</summary>
    public static string ShortTime(DateTime utc, DateTime nowUtc)
    {
        var at = DateTime.SpecifyKind(utc, DateTimeKind.Utc).Add(ChinaTime.Offset);
        var today = nowUtc.Add(ChinaTime.Offset).Date;
        return at.ToString(at.Date == today ? "HH:mm" : "MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>The text of a staging hold, e.g. "缓冲至 14:05".</summary>
    public static string Hold(IStringLocalizer l, StagingVerdict v, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(l);
        ArgumentNullException.ThrowIfNull(v);
        return v.Hold == StagingHold.Buffer && v.Until is { } until
            ? l["Staging.Hold.Buffer", ShortTime(until, nowUtc)]
            : l["Staging.Hold." + v.Hold];
    }

    public static string HoldTag(StagingHold h) => h switch
    {
        StagingHold.Buffer => "info",
        StagingHold.Unpaid => "warn",
        StagingHold.None => "ok",
        _ => "bad",
    };

    public static string StatusTag(OrderStatus s) => s switch
    {
        OrderStatus.Active => "info",
        OrderStatus.Finish => "ok",
        _ => "bad",
    };

    public static string PayTag(PayStatus s) => s switch
    {
        PayStatus.Paid or PayStatus.Processing => "ok",
        PayStatus.RefundApplied or PayStatus.Refunding or PayStatus.PartlyRefunded or PayStatus.FullyRefunded => "bad",
        _ => "warn",
    };

    /// <summary>A stored JSON payload indented for reading; the text as stored when it is not JSON.</summary>
    public static string PrettyJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return "";
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };
}
