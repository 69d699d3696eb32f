using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Oms.Server.Pages;

/// <summary>
/// The friendly page for failures and error statuses of the admin UI (never a stack trace).
/// Re-executed by the exception handler and the status code pages with the original method, so it
/// answers every method and skips antiforgery (a refused token is one of the errors it shows).
/// </summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed partial class ErrorModel(ILogger<ErrorModel> logger) : PageModel
{
    public int Status { get; private set; }
    public string TitleKey { get; private set; } = "Error.500.Title";
    public string TextKey { get; private set; } = "Error.500.Text";
    public string? RequestId { get; private set; }

    public void OnGet(int? code) => Prepare(code);
    public void OnPost(int? code) => Prepare(code);

    private void Prepare(int? code)
    {
        var failure = HttpContext.Features.Get<IExceptionHandlerPathFeature>();
        Status = failure is not null ? 500 : code is >= 400 and <= 599 ? code.Value : 500;
        var known = Status is 400 or 403 or 404 or 405 ? Status : 500;
        TitleKey = $"Error.{known}.Title";
        TextKey = $"Error.{known}.Text";
        if (known == 500)
        {
            RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
            if (failure is not null) LogFailure(logger, failure.Path, RequestId, failure.Error);
        }
        Response.StatusCode = Status;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Admin page {Path} failed (request {RequestId})")]
    private static partial void LogFailure(ILogger logger, string path, string requestId, Exception error);
}
