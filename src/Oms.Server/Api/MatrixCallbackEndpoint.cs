using System.Text.Json;
using Oms.Outbox;

namespace Oms.Server.Api;

/// <summary>
/// <c>POST /api/callback</c> (PROTOCOL.md §3): the asynchronous answer to an outbound request the
/// peer took with <c>rsp=running</c>. Form fields in, matrix JSON out (HTTP 200 for every answer);
/// the rules live in <see cref="MatrixCallbackService"/>.
/// </summary>
public static partial class MatrixCallbackEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/callback", HandleAsync).DisableAntiforgery();
        app.MapPost("/index.php/api/callback", HandleAsync).DisableAntiforgery();
    }

    private static async Task<IResult> HandleAsync(HttpContext http, MatrixCallbackService callbacks, ILoggerFactory loggers)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (http.Request.HasFormContentType)
        {
            var f = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            foreach (var (k, v) in f) form[k] = v.ToString();
        }
        object body;
        try
        {
            var result = await callbacks.HandleAsync(form, http.RequestAborted).ConfigureAwait(false);
            body = result.Ok
                ? new Dictionary<string, object?> { ["rsp"] = "succ", ["res"] = "", ["data"] = null }
                : Fail(result.Code!, result.Message!);
        }
#pragma warning disable CA1031 // the protocol answers every failure in its own shape, never an HTML page
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailure(loggers.CreateLogger("Oms.Matrix"), form.GetValueOrDefault("task"), e);
            body = Fail("5000", "internal error");
        }
        return Results.Text(JsonSerializer.Serialize(body, OpenApiEndpoint.Json), "application/json; charset=utf-8");
    }

    private static Dictionary<string, object?> Fail(string code, string msg) =>
        new() { ["rsp"] = "fail", ["res"] = code, ["msg"] = msg, ["data"] = null };

    [LoggerMessage(Level = LogLevel.Error, Message = "Matrix callback for task {Task} failed")]
    private static partial void LogFailure(ILogger logger, string? task, Exception e);
}
