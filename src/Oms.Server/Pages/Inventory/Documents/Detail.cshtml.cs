using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Inventory;
using Oms.Server.Web;

namespace Oms.Server.Pages.Inventory.Documents;

/// <summary>One direct stock document: header and lines; its ledger lines are one click away.</summary>
[RequirePermission(Permissions.StockView)]
public sealed class DocumentDetailModel(StockBrowser browser) : AdminPageModel
{
    public StockDocumentDetail Detail { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await browser.DocumentAsync(id, ct) is not { } detail) return NotFound();
        Detail = detail;
        return Page();
    }
}
