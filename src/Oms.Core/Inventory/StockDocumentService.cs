using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;

namespace Oms.Inventory;

/// <summary>One line of a direct stock document to create.</summary>
public sealed record StockDocumentLineInput(long BasicMaterialId, string Name, int Quantity, decimal Price);

/// <summary>A direct stock document to create (<c>transfer.add</c>).</summary>
public sealed record StockDocumentInput(
    string Name, long BranchId, StockDocumentType Type, IReadOnlyList<StockDocumentLineInput> Lines,
    string? IoBn = null, string? Memo = null, string? Operator = null);

/// <summary>The created document and <c>store</c> after each of its lines (in input order).</summary>
public sealed record StockDocumentResult(StockDocument Document, IReadOnlyList<StockBalance> Balances);

/// <summary>
/// Direct stock documents (直接出入库单): stock in or out of one branch, applied at once through
/// <see cref="InventoryService"/> in the caller's transaction. An out-document is refused as a
/// whole when any line's free stock (<c>store − store_freeze</c>) is short.
/// </summary>
public sealed class StockDocumentService(OmsDbContext db, InventoryService inventory, AuditLog audit, TimeProvider clock)
{
    public static bool IsInbound(StockDocumentType type) =>
        type is StockDocumentType.DirectIn or StockDocumentType.GiftIn or StockDocumentType.SampleIn;

    public static StockMoveType LedgerType(StockDocumentType type) => type switch
    {
        StockDocumentType.DirectIn => StockMoveType.DirectIn,
        StockDocumentType.DirectOut => StockMoveType.DirectOut,
        StockDocumentType.GiftIn => StockMoveType.GiftIn,
        StockDocumentType.GiftOut => StockMoveType.GiftOut,
        StockDocumentType.SampleIn => StockMoveType.SampleIn,
        StockDocumentType.SampleOut => StockMoveType.SampleOut,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a direct stock document type."),
    };

    public async Task<StockDocumentResult> CreateAsync(StockDocumentInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Creating a stock document needs an open transaction: the caller owns the unit of work.");
        if (input.Lines.Count == 0) throw new ValidationException("items", "A stock document needs at least one line.");
        var duplicate = input.Lines.GroupBy(l => l.BasicMaterialId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ValidationException("items", $"basic material #{duplicate.Key} appears more than once; put its quantity on one line.");

        var now = clock.GetUtcNow().UtcDateTime;
        if (input.IoBn is { } given && await db.Set<StockDocument>().AnyAsync(d => d.IoBn == given, ct).ConfigureAwait(false))
            throw new DomainException($"A stock document with io_bn '{given}' already exists.");

        var document = new StockDocument
        {
            // A generated number is derived from the row id after the insert, so it cannot collide; until then a unique placeholder.
            IoBn = input.IoBn ?? DocumentNumbers.Placeholder(),
            Name = input.Name,
            BranchId = input.BranchId,
            Type = input.Type,
            Memo = input.Memo,
            Operator = input.Operator,
            CreatedAt = now,
            Lines = input.Lines.Select(l => new StockDocumentLine { BasicMaterialId = l.BasicMaterialId, Name = l.Name, Quantity = l.Quantity, Price = l.Price }).ToList(),
        };
        db.Add(document);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (input.IoBn is null)
        {
            document.IoBn = GeneratedIoBn(now, document.Id);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        var lines = input.Lines.Select(l => new StockMoveLine(input.BranchId, l.BasicMaterialId, l.Quantity, l.Price)).ToList();
        var ledger = new LedgerEntry(LedgerType(input.Type), document.IoBn, input.Operator, input.Memo);
        var balances = IsInbound(input.Type)
            ? await inventory.ReceiveAsync(lines, ledger, ct).ConfigureAwait(false)
            : await inventory.IssueAsync(lines, ledger, ct).ConfigureAwait(false);

        var detail = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{(char)input.Type} branch #{input.BranchId}:");
        foreach (var l in input.Lines) detail.Append(CultureInfo.InvariantCulture, $" #{l.BasicMaterialId}×{l.Quantity}");
        audit.Record("stock.document.create", $"stock_document:{document.IoBn}", detail.ToString(), input.Operator);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new StockDocumentResult(document, balances);
    }

    /// <summary><c>T</c> + yyMMddHHmmss (China time) + the document id: unique by construction.</summary>
    public static string GeneratedIoBn(DateTime utc, long id) => DocumentNumbers.Generate("T", utc, id);
}
