using Oms.Integration.Matrix;
using Oms.Outbox;

namespace Oms.Server.Api;

/// <summary>
/// <c>POST /api</c> (alias <c>/index.php/api</c>, PROTOCOL.md §2): form fields in, matrix JSON out,
/// HTTP 200 for every answer. Only parsing and rendering here; the rules live in <see cref="MatrixGateway"/>.
/// Every call is written to the API log: with the call when its batch committed the entry (<see cref="MatrixCallLog.Written"/>),
/// else posted to the API log's own writer (<see cref="ApiLogWriter.Post"/>).
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
        var log = new MatrixCallLog(form, started);
        MatrixReply answer;
        try
        {
            answer = await gateway.HandleAsync(form, log, http.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the protocol answers every failure in its own shape, never an HTML page
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailure(loggers.CreateLogger("Oms.Matrix"), form.GetValueOrDefault("method"), form.GetValueOrDefault("node_id"), e);
            answer = MatrixReply.Fail(MatrixCodes.InternalError, "internal error: the request was not applied");
        }
        if (!log.Written) apiLog.Post(log.Entry(answer));
        return Results.Text(answer.Json, "application/json; charset=utf-8");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Matrix {Method} from node {NodeId} failed")]
    private static partial void LogFailure(ILogger logger, string? method, string? nodeId, Exception e);
}
