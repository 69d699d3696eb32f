using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Fulfillment;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>
/// One print batch: its deliveries with their codes and progress; print (and reprint) each document in A4 or label
/// layout — waybill numbers entered beside each delivery go in with the waybill print —; group verify; group consign.
/// </summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsBatchModel(FloorQuery query, PrintService print, VerifyService verify, FloorConsign consign) : AdminPageModel
{
    public PrintBatch Batch { get; private set; } = null!;
    public IReadOnlyList<BatchMember> Members { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var b = await query.BatchAsync(id, ct);
        if (b is null) return NotFound();
        (Batch, Members) = b.Value;
        return Page();
    }

    public async Task<IActionResult> OnPostPrintAsync(long id, string doc, string? layout, Dictionary<long, string>? logi, CancellationToken ct)
    {
        var d = PrintDocs.Parse(doc);
        if (d is null) return BadRequest();
        var nos = logi?.Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value.Trim());
        PrintOutcome? outcome = null;
        if (!await TryAsync(async () => outcome = await print.PrintBatchAsync(id, d.Value, Actor ?? "admin", d == PrintDoc.Express ? nos : null, ct), ""))
            return Back(id, Errors(), ok: false);
        // the print view opens in the tab the form targets; the batch page shows what was skipped when reloaded
        if (outcome!.Skipped.Count > 0) TempData["flash.bad"] = string.Join(" ", outcome.Skipped);
        return Redirect($"/selfwms/print/{id}/{d.Value.Name()}?layout={(layout == "label" ? "label" : "a4")}");
    }

    public async Task<IActionResult> OnPostVerifyAsync(long id, CancellationToken ct)
    {
        IReadOnlyList<FloorOutcome> r = [];
        if (!await TryAsync(async () => r = await verify.VerifyBatchAsync(id, Actor ?? "admin", ct), "")) return Back(id, Errors(), ok: false);
        var refused = r.Where(o => !o.Ok).Select(o => o.Error).ToList();
        return Back(id, $"{r.Count(o => o.Ok)} ✓ " + string.Join(" ", refused), ok: refused.Count == 0);
    }

    public async Task<IActionResult> OnPostConsignAsync(long id, CancellationToken ct)
    {
        IReadOnlyList<ConsignOutcome> r = [];
        if (!await TryAsync(async () => r = await consign.ConsignBatchAsync(id, Actor ?? "admin", ct), "")) return Back(id, Errors(), ok: false);
        var refused = r.Where(o => !o.Shipped).Select(o => o.Error).ToList();
        return Back(id, $"{r.Count(o => o.Shipped)} ✓ " + string.Join(" ", refused), ok: refused.Count == 0);
    }

    private string Errors() => string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));

    private RedirectResult Back(long id, string message, bool ok)
    {
        TempData[ok ? "flash" : "flash.bad"] = message;
        return Redirect($"/selfwms/batches/{id}");
    }
}
