using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Warehouses;

namespace Oms.Inventory;

/// <summary>A stock document as typed into a form: codes and numbers as text.</summary>
public sealed record StockDocumentDraft(long? BranchId, string? Type, string? Name, string? Memo, IReadOnlyList<StockDocumentDraftLine> Lines);

/// <summary>One line as typed: a material code, a quantity and a unit price (optional).</summary>
public sealed record StockDocumentDraftLine(string? Code, string? Quantity, string? Price)
{
    public bool IsBlank => string.IsNullOrWhiteSpace(Code) && string.IsNullOrWhiteSpace(Quantity) && string.IsNullOrWhiteSpace(Price);
}

/// <summary>What is wrong with a draft, for a message beside the field.</summary>
public enum DraftProblem
{
    BranchMissing,
    TypeMissing,
    NameMissing,
    NoLines,
    CodeMissing,
    UnknownCode,
    DuplicateCode,
    BadQuantity,
    BadPrice,
}

/// <summary>
/// A problem of a draft. <see cref="Field"/> is <c>BranchId</c>, <c>Type</c>, <c>Name</c>, <c>Lines</c>,
/// or a line's <c>Code</c>/<c>Quantity</c>/<c>Price</c> with <see cref="Line"/> its position in the draft;
/// <see cref="Value"/> is the offending text (the unknown code, ...).
/// </summary>
public sealed record DraftError(string Field, DraftProblem Problem, int? Line = null, string? Value = null);

/// <summary>The document to post (when <see cref="Errors"/> is empty).</summary>
public sealed record DraftResult(StockDocumentInput? Input, IReadOnlyList<DraftError> Errors)
{
    public bool Ok => Input is not null && Errors.Count == 0;
}

/// <summary>
/// Turns a typed stock document into a <see cref="StockDocumentInput"/>: resolves material codes
/// to ids (every unknown code reported by name), reads quantities (whole numbers 1…<see cref="MaxQuantity"/>)
/// and prices (amounts, not negative). Blank lines are skipped. Stock itself is checked by
/// <see cref="StockDocumentService.CreateAsync"/>.
/// </summary>
public sealed class StockDocumentForm(OmsDbContext db)
{
    /// <summary>The largest quantity of one line, as <c>transfer.add</c> allows.</summary>
    public const int MaxQuantity = 1_000_000;

    public async Task<DraftResult> ResolveAsync(StockDocumentDraft draft, string? @operator, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<DraftError>();

        long branchId = 0;
        if (draft.BranchId is not { } b || !await db.Set<Branch>().AnyAsync(x => x.Id == b, ct).ConfigureAwait(false))
            errors.Add(new DraftError("BranchId", DraftProblem.BranchMissing));
        else branchId = b;

        StockDocumentType? type = draft.Type is { Length: 1 } t && Enum.IsDefined((StockDocumentType)char.ToUpperInvariant(t[0]))
            ? (StockDocumentType)char.ToUpperInvariant(t[0]) : null;
        if (type is null) errors.Add(new DraftError("Type", DraftProblem.TypeMissing, Value: draft.Type));

        var name = draft.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors.Add(new DraftError("Name", DraftProblem.NameMissing));

        var codes = draft.Lines.Where(l => !l.IsBlank && !string.IsNullOrWhiteSpace(l.Code)).Select(l => l.Code!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var materials = codes.Count == 0 ? new Dictionary<string, (long Id, string Name)>()
            : await db.Set<BasicMaterial>().AsNoTracking().Where(m => codes.Contains(m.MaterialBn))
                .Select(m => new { m.Id, m.MaterialBn, m.Name })
                .ToDictionaryAsync(m => m.MaterialBn, m => (m.Id, m.Name), StringComparer.Ordinal, ct).ConfigureAwait(false);

        var lines = new List<StockDocumentLineInput>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < draft.Lines.Count; i++)
        {
            var line = draft.Lines[i];
            if (line.IsBlank) continue;
            var code = line.Code?.Trim();
            (long Id, string Name) material = (0, "");
            var ok = true;
            if (string.IsNullOrEmpty(code)) { errors.Add(new DraftError("Code", DraftProblem.CodeMissing, i)); ok = false; }
            else if (!materials.TryGetValue(code, out material)) { errors.Add(new DraftError("Code", DraftProblem.UnknownCode, i, code)); ok = false; }
            else if (!seen.Add(code)) { errors.Add(new DraftError("Code", DraftProblem.DuplicateCode, i, code)); ok = false; }

            if (!int.TryParse(line.Quantity?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity is < 1 or > MaxQuantity)
            {
                errors.Add(new DraftError("Quantity", DraftProblem.BadQuantity, i, line.Quantity));
                ok = false;
            }
            var price = 0m;
            if (!string.IsNullOrWhiteSpace(line.Price) && (!Money.TryParse(line.Price, out price) || price < 0))
            {
                errors.Add(new DraftError("Price", DraftProblem.BadPrice, i, line.Price));
                ok = false;
            }
            if (ok) lines.Add(new StockDocumentLineInput(material.Id, material.Name, quantity, price));
        }
        if (draft.Lines.All(l => l.IsBlank)) errors.Add(new DraftError("Lines", DraftProblem.NoLines));

        if (errors.Count > 0 || type is null) return new DraftResult(null, errors);
        var memo = string.IsNullOrWhiteSpace(draft.Memo) ? null : draft.Memo.Trim();
        return new DraftResult(new StockDocumentInput(name!, branchId, type.Value, lines, Memo: memo, Operator: @operator), errors);
    }
}
