using System.Xml.Linq;
using Oms.Common;

namespace Oms.Integration.Qimen;

/// <summary>Finds the secret of the WMS channel with this <c>app_key</c> (and <c>customerId</c>); null = unknown.</summary>
public delegate ValueTask<string?> QimenSecretLookup(string appKey, string customerId, CancellationToken ct);

/// <summary>The <c>code</c> of the failures <see cref="QimenServerRequest"/> answers.</summary>
public static class QimenErrorCodes
{
    /// <summary>A system parameter (method, app_key, timestamp, sign) is missing; the message names it.</summary>
    public const string MissingParameter = "missing-parameter";
    /// <summary>No channel has this app_key (and customerId).</summary>
    public const string InvalidAppKey = "invalid-app-key";
    public const string SignCheckFailure = "sign-check-failure";
    /// <summary>The timestamp is unreadable or outside the window (±10 min).</summary>
    public const string InvalidTimestamp = "invalid-timestamp";
    public const string InvalidMethod = "invalid-method";
    /// <summary>The body is not well-formed XML or its root is not <c>&lt;request&gt;</c>.</summary>
    public const string InvalidXml = "invalid-xml";
    /// <summary>A required element is missing or a value has the wrong kind; the message names the element.</summary>
    public const string InvalidParameter = "invalid-parameter";
    /// <summary>The handler refused it by a business rule.</summary>
    public const string BusinessRefused = "business-refused";
}

/// <summary>
/// An inbound Qimen call (the OMS's <c>POST /qimen</c>, or a warehouse simulator's), checked in this order — the first
/// failure is the answer: system parameters present (<c>missing-parameter</c>), app_key known through the lookup
/// (<c>invalid-app-key</c>), sign (<c>sign-check-failure</c>, constant-time), timestamp within the window
/// (<c>invalid-timestamp</c>, ±10 min by default, China time), method supported (<c>invalid-method</c>), body readable
/// (<c>invalid-xml</c>; for <c>deliveryorder.confirm</c> also the typed reading, <c>invalid-parameter</c>).
/// </summary>
public sealed record QimenServerRequest
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(10);

    public required IReadOnlyDictionary<string, string> Query { get; init; }
    public required string Body { get; init; }
    public string Method => Query.GetValueOrDefault("method") ?? "";
    public string AppKey => Query.GetValueOrDefault("app_key") ?? "";
    public string CustomerId => Query.GetValueOrDefault("customerId") ?? "";
    /// <summary>The parsed <c>&lt;request&gt;</c> (null when the call failed before or at the body).</summary>
    public XElement? Root { get; init; }
    /// <summary>Set for <c>taobao.qimen.deliveryorder.confirm</c>.</summary>
    public QimenDeliveryOrderConfirmRequest? DeliveryOrderConfirm { get; init; }
    /// <summary>The reply to send when the call is refused; null when it passed every check.</summary>
    public QimenResponse? Failure { get; init; }
    public bool IsValid => Failure is null;

    /// <summary>Checks a call. <paramref name="methods"/>: the supported methods (default <see cref="QimenMethods.Server"/>).</summary>
    public static async Task<QimenServerRequest> ReadAsync(
        IReadOnlyDictionary<string, string> query, string? body, QimenSecretLookup secrets, DateTime utcNow,
        IReadOnlySet<string>? methods = null, TimeSpan? window = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(secrets);
        body ??= "";
        QimenServerRequest Fail(string code, string message) =>
            new() { Query = query, Body = body, Failure = QimenResponse.Failure(code, message) };

        foreach (var name in new[] { "method", "app_key", "timestamp", "sign" })
            if (string.IsNullOrEmpty(query.GetValueOrDefault(name)))
                return Fail(QimenErrorCodes.MissingParameter, $"the query parameter {name} is required");
        var appKey = query["app_key"];
        var secret = await secrets(appKey, query.GetValueOrDefault("customerId") ?? "", ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(secret))
            return Fail(QimenErrorCodes.InvalidAppKey, $"app_key {appKey} is not bound to a warehouse channel");
        if (!QimenSignature.Verify(query, body, secret))
            return Fail(QimenErrorCodes.SignCheckFailure, "sign check failed");
        var w = window ?? DefaultWindow;
        if (!TryParseTimestamp(query["timestamp"], out var sent))
            return Fail(QimenErrorCodes.InvalidTimestamp, $"timestamp '{query["timestamp"]}' is not yyyy-MM-dd HH:mm:ss");
        if ((sent - utcNow).Duration() > w)
            return Fail(QimenErrorCodes.InvalidTimestamp, $"timestamp {query["timestamp"]} is more than {w.TotalMinutes:0} minutes away from server time");
        var method = query["method"];
        if (!(methods ?? QimenMethods.Server).Contains(method))
            return Fail(QimenErrorCodes.InvalidMethod, $"method {method} is not supported here");

        XElement root;
        try
        {
            root = QimenXml.ParseRoot(body, "request");
        }
        catch (QimenXmlException e)
        {
            return Fail(QimenErrorCodes.InvalidXml, e.Message);
        }
        try
        {
            var confirm = method == QimenMethods.DeliveryOrderConfirm ? QimenDeliveryOrderConfirmRequest.Read(root) : null;
            return new QimenServerRequest { Query = query, Body = body, Root = root, DeliveryOrderConfirm = confirm };
        }
        catch (QimenXmlException e)
        {
            return Fail(QimenErrorCodes.InvalidParameter, e.Message);
        }
    }

    /// <summary>Exactly <c>yyyy-MM-dd HH:mm:ss</c> China time (unix seconds are accepted too, as many senders use them).</summary>
    private static bool TryParseTimestamp(string text, out DateTime utc) => ChinaTime.TryParse(text, out utc);
}
