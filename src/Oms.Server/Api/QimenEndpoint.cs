using System.Text;
using Oms.Integration.Qimen;
using Oms.Outbox;
using Oms.Wms;

namespace Oms.Server.Api;

/// <summary>
/// <c>POST /qimen</c> (PROTOCOL.md §4): Qimen warehouses call the OMS here — system parameters in the query string, XML
/// body, XML <c>&lt;response&gt;</c> out (HTTP 200 for every answer). The rules live in <see cref="QimenWmsServer"/>.
/// Every call is written to the API log (direction in, batched: <see cref="ApiLogWriter.Post"/>).
/// </summary>
public static partial class QimenEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/qimen", HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext http, QimenWmsServer server, ApiLogWriter apiLog, ILoggerFactory loggers)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var ct = http.RequestAborted;
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in http.Request.Query) query[k] = v.ToString();
        string body;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        QimenServerResult result;
        try
        {
            result = await server.HandleAsync(query, body, ct).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the protocol answers every failure in its own shape, never an HTML page
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailure(loggers.CreateLogger("Oms.Qimen"), query.GetValueOrDefault("method"), query.GetValueOrDefault("app_key"), e);
            result = new QimenServerResult(QimenResponse.Failure("internal-error", "internal error: the request was not applied"), null, null);
        }
        var text = result.Reply.ToXml();
        var logged = new Dictionary<string, string>(query, StringComparer.Ordinal) { ["body"] = body };
        var entry = new ApiLogEntry
        {
            Direction = ApiLogDirection.In,
            Method = query.GetValueOrDefault("method") is { Length: > 0 } m ? m.Trim() : "(none)",
            Peer = result.Peer,
            Parameters = ApiLogMasking.MaskForm(logged),
            Response = text,
            Status = result.Reply.IsSuccess ? ApiLogStatus.Succ : ApiLogStatus.Fail,
            ErrorCode = result.Reply.IsSuccess ? null : result.Reply.Code is { Length: > 32 } c ? c[..32] : result.Reply.Code,
            Message = result.Reply.IsSuccess ? null : result.Reply.Message,
            DurationMs = (int)Math.Min(int.MaxValue, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds),
            Attempt = 1,
            BusinessKey = result.BusinessKey,
        };
        apiLog.Post(entry);
        return Results.Text(text, QimenXml.ContentType);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Qimen {Method} from app_key {AppKey} failed")]
    private static partial void LogFailure(ILogger logger, string? method, string? appKey, Exception e);
}
