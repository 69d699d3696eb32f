using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Outbox;
using Oms.Server.Web;

namespace Oms.Server.Pages.Integration.ApiLog;

/// <summary>One API log entry: masked parameters, the answer, the outbound request's attempts, and the retry of a failed one.</summary>
[RequirePermission(Permissions.ApiLogView)]
public sealed class ApiLogDetailModel(ApiLogService apiLog, Microsoft.Extensions.Localization.IStringLocalizer<SharedResource> text) : AdminPageModel
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public ApiLogEntry Entry { get; private set; } = null!;
    public OutboxMessage? Message { get; private set; }
    public IReadOnlyList<ApiLogEntry> Related { get; private set; } = [];
    public bool CanRetry { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        if (!User.Has(Permissions.ApiLogRetry)) return Forbid();
        if (!await LoadAsync(id, ct)) return NotFound();
        if (await TryAsync(() => apiLog.RetryAsync(id, Actor, ct), ""))
        {
            Flash(text["ApiLog.Retried"]);
            return Redirect($"/integration/api-logs/{id}");
        }
        Response.StatusCode = 422;
        return Page();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var entry = await apiLog.FindAsync(id, ct);
        if (entry is null) return false;
        Entry = entry;
        if (entry.OutboxId is { } oid)
        {
            Message = await apiLog.FindMessageAsync(oid, ct);
            Related = await apiLog.ForMessageAsync(oid, ct);
        }
        CanRetry = await apiLog.CanRetryAsync(entry, ct);
        return true;
    }

    /// <summary>JSON indented for reading; other text as it is.</summary>
    public static string Format(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return "";
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Pretty);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
