using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>
/// The print view of one document of a batch: the merchant's HTML layout (<see cref="PrintLayouts"/>; <c>layout=a4|label</c>)
/// or, with <c>format=json</c>, the data for a print control. Reading never marks anything printed (the batch page's
/// print buttons and <c>pda_delivery.print</c> do).
/// </summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsPrintModel(PrintSheets sheets, PrintLayouts layouts, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public const string TextPrefix = "Print.T.";

    public async Task<IActionResult> OnGetAsync(long id, string doc, string? layout, string? format, CancellationToken ct)
    {
        var d = PrintDocs.Parse(doc);
        if (d is null) return NotFound();
        PrintSheet sheet;
        try
        {
            sheet = await sheets.SheetAsync(id, d.Value, ct);
        }
        catch (DomainException)
        {
            return NotFound();
        }
        if (format == "json") return new JsonResult(sheet.ToJson());
        var texts = l.GetAllStrings(includeParentCultures: true).Where(s => s.Name.StartsWith(TextPrefix, StringComparison.Ordinal))
            .GroupBy(s => s.Name).ToDictionary(g => g.Key[TextPrefix.Length..], g => g.First().Value);
        return Content(layouts.Render(sheet, layout, texts), "text/html; charset=utf-8");
    }
}
