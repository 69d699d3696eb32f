using System.Text;
using Oms.Common;

namespace Oms.Integration.Qimen;

/// <summary>Qimen method names (PROTOCOL.md §4).</summary>
public static class QimenMethods
{
    // the OMS is the client
    public const string DeliveryOrderCreate = "taobao.qimen.deliveryorder.create";
    public const string OrderCancel = "taobao.qimen.order.cancel";
    public const string DeliveryOrderQuery = "taobao.qimen.deliveryorder.query";
    public const string EntryOrderCreate = "taobao.qimen.entryorder.create";
    public const string StockOutCreate = "taobao.qimen.stockout.create";
    public const string ReturnOrderCreate = "taobao.qimen.returnorder.create";
    public const string SingleItemSynchronize = "taobao.qimen.singleitem.synchronize";
    public const string InventoryQuery = "taobao.qimen.inventory.query";

    // the OMS is the server (POST /qimen)
    public const string DeliveryOrderConfirm = "taobao.qimen.deliveryorder.confirm";
    public const string EntryOrderConfirm = "taobao.qimen.entryorder.confirm";
    public const string StockOutConfirm = "taobao.qimen.stockout.confirm";
    public const string ReturnOrderConfirm = "taobao.qimen.returnorder.confirm";
    public const string StockChangeReport = "taobao.qimen.stockchange.report";
    public const string InventoryReport = "taobao.qimen.inventory.report";

    /// <summary>The methods a warehouse calls on the OMS's <c>POST /qimen</c>.</summary>
    public static readonly IReadOnlySet<string> Server = new HashSet<string>(StringComparer.Ordinal)
    {
        DeliveryOrderConfirm, EntryOrderConfirm, StockOutConfirm, ReturnOrderConfirm, StockChangeReport, InventoryReport,
    };
}

/// <summary>
/// The system parameters of a Qimen request, travelling in the query string: <c>method</c>, <c>app_key</c>,
/// <c>customerId</c>, <c>timestamp</c> (<c>yyyy-MM-dd HH:mm:ss</c> China time), <c>v=2.0</c>,
/// <c>sign_method=md5</c>, <c>format=xml</c>, <c>sign</c>.
/// </summary>
public static class QimenQuery
{
    public const string Version = "2.0";
    public const string SignMethod = "md5";
    public const string Format = "xml";

    /// <summary>The signed query parameters for <paramref name="method"/> with this XML body.</summary>
    public static Dictionary<string, string> Build(string method, string appKey, string customerId, DateTime utcNow, string body, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(appKey);
        ArgumentNullException.ThrowIfNull(secret);
        var query = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["method"] = method,
            ["app_key"] = appKey,
            ["customerId"] = customerId ?? "",
            ["timestamp"] = ChinaTime.ToText(utcNow),
            ["v"] = Version,
            ["sign_method"] = SignMethod,
            ["format"] = Format,
        };
        query["sign"] = QimenSignature.Sign(query, body, secret);
        return query;
    }

    /// <summary><c>k=v&amp;…</c>, each part percent-encoded (RFC 3986; a space is <c>%20</c>).</summary>
    public static string ToQueryString(IEnumerable<KeyValuePair<string, string>> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sb = new StringBuilder(256);
        foreach (var (k, v) in query)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Uri.EscapeDataString(k)).Append('=').Append(Uri.EscapeDataString(v ?? ""));
        }
        return sb.ToString();
    }

    /// <summary><paramref name="apiUrl"/> with the query appended (after <c>?</c>, or <c>&amp;</c> when it already has a query).</summary>
    public static Uri WithQuery(string apiUrl, IEnumerable<KeyValuePair<string, string>> query)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiUrl);
        return new Uri(apiUrl + (apiUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + ToQueryString(query));
    }
}
