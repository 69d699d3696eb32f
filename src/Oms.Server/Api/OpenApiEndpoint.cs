using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Xml.Linq;
using Oms.Integration.OpenApi;
using Oms.Outbox;

namespace Oms.Server.Api;

/// <summary>
/// <c>POST /openapi</c> (alias <c>/index.php/openapi/rpc/service</c>): form fields in, JSON (or XML
/// with <c>type=xml</c>) out. Only parsing and rendering here; the rules live in <see cref="OpenApiGateway"/>.
/// </summary>
public static partial class OpenApiEndpoint
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/openapi", HandleAsync).DisableAntiforgery();
        app.MapPost("/index.php/openapi/rpc/service", HandleAsync).DisableAntiforgery();
    }

    private static async Task<IResult> HandleAsync(HttpContext http, OpenApiGateway gateway, ApiLogWriter apiLog, ILoggerFactory loggers)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (http.Request.HasFormContentType)
        {
            var f = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            foreach (var (k, v) in f) form[k] = v.ToString();
        }
        foreach (var (k, v) in http.Request.Query) form.TryAdd(k, v.ToString());
        var xml = form.TryGetValue("type", out var t) && t.Equals("xml", StringComparison.OrdinalIgnoreCase);

        Dictionary<string, object?> body;
        try
        {
            body = new Dictionary<string, object?> { ["response"] = await gateway.HandleAsync(form, http.RequestAborted).ConfigureAwait(false) };
        }
        catch (OpenApiException e)
        {
            body = ErrorBody(e.Code, e.Msg, e.SubMsg);
        }
#pragma warning disable CA1031 // the protocol answers every failure in its own error shape, never an HTML page
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailure(loggers.CreateLogger("Oms.OpenApi"), form.GetValueOrDefault("method"), e);
            body = ErrorBody("e000005", "internal error", "the server failed to answer; the request was not applied");
        }
        var text = xml ? ToXml(body) : JsonSerializer.Serialize(body, Json);
        LogCall(apiLog, form, body, text, started);
        return Results.Text(text, xml ? "application/xml; charset=utf-8" : "application/json; charset=utf-8");
    }

    /// <summary>Fields that name the business document of a call, in the order the API log prefers them.</summary>
    private static readonly string[] BusinessKeys =
        ["order_bn", "delivery_bn", "io_bn", "po_bn", "reship_bn", "refund_bn", "shop_bn", "branch_bn",
         "material_bn", "sales_material_bn", "product_bn", "channel_bn", "code", "logi_no"];

    /// <summary>同步日志: the entry goes to the batched API log writer (its own unit of work, never the call's).</summary>
    private static void LogCall(ApiLogWriter apiLog, Dictionary<string, string> form, Dictionary<string, object?> body, string text, long started)
    {
        var error = body.TryGetValue("error_response", out var e) && e is Dictionary<string, object?> err ? err : null;
        var entry = new ApiLogEntry
        {
            Direction = ApiLogDirection.In,
            Method = form.GetValueOrDefault("method") is { Length: > 0 } m ? m : "(none)",
            Peer = form.GetValueOrDefault("flag") is { Length: > 0 } f ? "openapi:" + f : "openapi",
            Parameters = ApiLogMasking.MaskForm(form),
            Response = text,
            Status = error is null ? ApiLogStatus.Succ : ApiLogStatus.Fail,
            ErrorCode = error?["code"] as string,
            Message = error is null ? null : $"{error["msg"]} {error["sub_msg"]}".Trim(),
            DurationMs = (int)Math.Min(int.MaxValue, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds),
            Attempt = 1,
            BusinessKey = BusinessKeys.Select(k => form.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Split(',')[0].Trim(),
        };
        apiLog.Post(entry);
    }

    private static Dictionary<string, object?> ErrorBody(string code, string msg, string? subMsg) =>
        new() { ["error_response"] = new Dictionary<string, object?> { ["code"] = code, ["msg"] = msg, ["sub_msg"] = subMsg ?? "" } };

    /// <summary>XML rendering of the JSON answer: objects become elements, list entries are <c>&lt;item&gt;</c>.</summary>
    private static string ToXml(object body)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(body, Json));
        var root = doc.RootElement.EnumerateObject().First();
        var el = ToElement(root.Name, root.Value);
        return new XDeclaration("1.0", "utf-8", null) + Environment.NewLine + el;
    }

    private static XElement ToElement(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => new XElement(name, v.EnumerateObject().Select(p => ToElement(p.Name, p.Value))),
        JsonValueKind.Array => new XElement(name, v.EnumerateArray().Select(e => ToElement("item", e))),
        JsonValueKind.Null => new XElement(name),
        JsonValueKind.String => new XElement(name, v.GetString()),
        _ => new XElement(name, v.GetRawText()),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenAPI {Method} failed")]
    private static partial void LogFailure(ILogger logger, string? method, Exception e);
}
