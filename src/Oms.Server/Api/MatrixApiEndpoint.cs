using Oms.Integration.Matrix;
using Oms.Outbox;

namespace Oms.Server.Api;

/// <summary>
/// <c>POST /api</c> (alias <c>/index.php/api</c>, PROTOCOL.md §2): form fields in, matrix JSON out,
/// HTTP 200 for every answer. Only parsing and rendering here; the rules live in <see cref="MatrixGateway"/>.
/// Every call is written to the API log (batched, <see cref="ApiLogWriter.Post"/>).
/// </summary>
public static partial class MatrixApiEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api", HandleAsync).DisableAntiforgery();
        app.MapPost("/index.php/api", HandleAsync).DisableAntiforgery();
    }

    private static async Task<IResult> HandleAsync(HttpContext http, MatrixGateway gateway, ApiLogWriter apiLog, ILoggerFactory loggers)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (http.Request.HasFormContentType)
        {
            var f = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            foreach (var (k, v) in f) form[k] = v.ToString();
        }
        MatrixReply answer;
        try
        {
            answer = await gateway.HandleAsync(form, http.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the protocol answers every failure in its own shape, never an HTML page
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailure(loggers.CreateLogger("Oms.Matrix"), form.GetValueOrDefault("method"), form.GetValueOrDefault("node_id"), e);
            answer = MatrixReply.Fail(MatrixCodes.InternalError, "internal error: the request was not applied");
        }
        LogCall(apiLog, form, answer, started);
        return Results.Text(answer.Json, "application/json; charset=utf-8");
    }

    /// <summary>Fields that name the business document of a call, in the order the API log prefers them.</summary>
    private static readonly string[] BusinessKeys =
        ["order_bn", "delivery_bn", "refund_bn", "aftersale_bn", "return_bn", "reship_bn", "stockin_bn", "stockout_bn",
         "payment_bn", "trade_no", "inventory_bn", "logi_no"];

    private static void LogCall(ApiLogWriter apiLog, Dictionary<string, string> form, MatrixReply answer, long started)
    {
        var entry = new ApiLogEntry
        {
            Direction = ApiLogDirection.In,
            Method = form.GetValueOrDefault("method") is { Length: > 0 } m ? m.Trim() : "(none)",
            Peer = form.GetValueOrDefault("node_id") is { Length: > 0 } n ? "node:" + n.Trim() : null,
            Parameters = ApiLogMasking.MaskForm(form),
            Response = answer.Json,
            Status = answer.Ok ? ApiLogStatus.Succ : ApiLogStatus.Fail,
            ErrorCode = answer.Ok ? null : answer.Code,
            Message = answer.Repeated ? ("repeated task: first answer " + answer.Message).Trim() : answer.Ok ? null : answer.Message,
            DurationMs = (int)Math.Min(int.MaxValue, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds),
            Attempt = 1,
            BusinessKey = BusinessKeys.Select(k => form.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim(),
        };
        apiLog.Post(entry);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Matrix {Method} from node {NodeId} failed")]
    private static partial void LogFailure(ILogger logger, string? method, string? nodeId, Exception e);
}
