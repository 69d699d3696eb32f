using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Data;
using Oms.Inventory;
using Oms.Server.Web;

namespace Oms.Server.Pages.Inventory.Documents;

/// <summary>
/// Create a direct stock document (直接出入库单) and post it at once. The draft is resolved by
/// <see cref="StockDocumentForm"/> (codes → materials, numbers); the document is written by
/// <see cref="StockDocumentService.CreateAsync"/> in one transaction this handler opens: a refusal
/// rolls everything back, so stock and ledger stay as they were.
/// </summary>
[RequirePermission(Permissions.StockEdit)]
public sealed class DocumentEditModel(OmsDbContext db, StockBrowser browser, StockDocumentForm form, StockDocumentService documents,
    IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class LineInput
    {
        public string? Code { get; set; }
        public string? Quantity { get; set; }
        public string? Price { get; set; }
    }

    public sealed class InputModel
    {
        public long? BranchId { get; set; }
        public string? Type { get; set; }
        public string? Name { get; set; }
        public string? Memo { get; set; }
        public List<LineInput> Lines { get; set; } = [];
    }

    /// <summary>Rows shown when the form opens.</summary>
    public const int StartRows = 3;

    [BindProperty] public InputModel Input { get; set; } = new();
    public IReadOnlyList<CodeOption> Branches { get; private set; } = [];
    /// <summary>The material name of each line's code, shown beside it (known codes only).</summary>
    public IReadOnlyDictionary<string, string> Names { get; private set; } = new Dictionary<string, string>();

    public static IReadOnlyList<StockDocumentType> Types { get; } = Enum.GetValues<StockDocumentType>();

    public async Task OnGetAsync(long? branch, string? type, CancellationToken ct)
    {
        Branches = await browser.BranchesAsync(ct);
        Input.BranchId = branch ?? (Branches.Count == 1 ? Branches[0].Id : null);
        Input.Type = type is { Length: 1 } && Enum.IsDefined((StockDocumentType)type[0]) ? type : "E";
        Input.Lines = Enumerable.Range(0, StartRows).Select(_ => new LineInput()).ToList();
    }

    /// <summary>Suggestions while a code is typed: JSON <c>[{code, name}]</c>.</summary>
    public async Task<IActionResult> OnGetMaterialsAsync(string? q, CancellationToken ct) =>
        new JsonResult((await browser.SuggestMaterialsAsync(q, ct: ct)).Select(m => new { code = m.Code, name = m.Name }));

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Branches = await browser.BranchesAsync(ct);
        var draft = await form.ResolveAsync(new StockDocumentDraft(Input.BranchId, Input.Type, Input.Name, Input.Memo,
            Input.Lines.Select(x => new StockDocumentDraftLine(x.Code, x.Quantity, x.Price)).ToList()), Actor, ct);
        await LoadNamesAsync(ct);
        if (!draft.Ok)
        {
            foreach (var e in draft.Errors)
                ModelState.AddModelError(e.Line is { } i ? $"Input.Lines[{i}].{e.Field}" : $"Input.{e.Field}", l["StockDocs.Problem." + e.Problem, e.Value ?? ""]);
            if (Input.Lines.Count == 0) Input.Lines.Add(new LineInput());
            return Page();
        }

        StockDocumentResult? result = null;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var posted = await TryAsync(async () =>
            {
                result = await documents.CreateAsync(draft.Input!, ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            });
            if (!posted)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return Page();
            }
        }
        Flash(l["StockDocs.Created", result!.Document.IoBn]);
        return Redirect($"/inventory/documents/{result.Document.Id}");
    }

    private async Task LoadNamesAsync(CancellationToken ct) =>
        Names = await browser.MaterialNamesAsync(Input.Lines.Select(x => x.Code), ct);
}
