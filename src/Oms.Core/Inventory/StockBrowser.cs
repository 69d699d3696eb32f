using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Warehouses;

namespace Oms.Inventory;

/// <summary>Filters of the per-branch stock list. <see cref="Material"/> is contained in the code, name or barcode.</summary>
public sealed record StockListFilter(long? BranchId = null, string? Material = null, bool OnlyWithStock = false);

/// <summary>One branch's counters of one basic material, with the names a list shows.</summary>
public sealed record StockListRow(
    long BranchId, string BranchBn, string BranchName, long BasicMaterialId, string MaterialBn, string MaterialName, string? Barcode,
    int Store, int StoreFreeze, int ArriveStore, int DefectiveStore, DateTime UpdatedAt)
{
    /// <summary><c>store − store_freeze</c> of this branch (negative when a freeze exceeds what is there).</summary>
    public int Available => Store - StoreFreeze;
}

/// <summary>The position after a row of the stock list: its key (branch, material), as the list is ordered.</summary>
public sealed record StockCursor(long BranchId, long BasicMaterialId)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{BranchId}-{BasicMaterialId}");

    public static StockCursor? Parse(string? text)
    {
        var parts = text?.Split('-');
        return parts is { Length: 2 }
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var b)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            ? new StockCursor(b, m) : null;
    }
}

/// <summary>A page of the stock list in key order; <see cref="Next"/> is where the following page starts (null on the last).</summary>
public sealed record StockListPage(IReadOnlyList<StockListRow> Items, StockCursor? Next);

/// <summary>A basic material with its totals over all branches and shops.</summary>
public sealed record MaterialTotalsRow(long BasicMaterialId, string MaterialBn, string MaterialName, string? Barcode, StockTotals Totals);

/// <summary>可售库存 of one material for one shop, and how many online branches supply the shop.</summary>
public sealed record ShopSellableRow(long ShopId, string ShopBn, string ShopName, int SupplyingBranches, int Sellable);

/// <summary>Filters of the stock ledger. Times are UTC, <see cref="To"/> exclusive; <see cref="MaterialBn"/> and <see cref="OriginalBn"/> match exactly.</summary>
public sealed record LedgerFilter(long? BranchId = null, string? MaterialBn = null, StockMoveType? Type = null,
    DateTime? From = null, DateTime? To = null, string? OriginalBn = null);

/// <summary>One ledger line with the names a list shows; <see cref="StockDocumentId"/> is set when its source is a direct stock document.</summary>
public sealed record LedgerRow(
    long Id, DateTime CreatedAt, long BranchId, string BranchBn, string BranchName, long BasicMaterialId, string MaterialBn, string MaterialName,
    StockMoveType Type, int Quantity, int BalanceAfter, decimal UnitPrice, string? OriginalBn, string? Operator, string? Memo, long? StockDocumentId = null)
{
    public string IoStockBn => StockLedgerLine.FormatBn(Id);
}

/// <summary>Filters of the stock document list. Times are UTC, <see cref="To"/> exclusive; <see cref="IoBn"/> is contained in the number.</summary>
public sealed record StockDocumentFilter(long? BranchId = null, StockDocumentType? Type = null, string? IoBn = null, DateTime? From = null, DateTime? To = null);

public sealed record StockDocumentRow(
    long Id, string IoBn, string Name, long BranchId, string BranchBn, string BranchName, StockDocumentType Type,
    int LineCount, int TotalQuantity, string? Operator, DateTime CreatedAt);

public sealed record StockDocumentDetailLine(long BasicMaterialId, string MaterialBn, string Name, int Quantity, decimal Price);

public sealed record StockDocumentDetail(StockDocument Document, string BranchBn, string BranchName, IReadOnlyList<StockDocumentDetailLine> Lines);

/// <summary>A choice of a select: a branch or a shop, by id, code and name.</summary>
public sealed record CodeOption(long Id, string Code, string Name);

/// <summary>
/// The lists the inventory admin pages show: stock per branch, totals per material, sellable per
/// shop, the ledger and the direct stock documents. Read-only; paged by keys, never by OFFSET.
/// </summary>
public sealed class StockBrowser(OmsDbContext db, StockQueries queries)
{
    /// <summary>Stock rows ordered by (branch, material), the primary key of <c>branch_stock</c>, after <paramref name="after"/>.</summary>
    public async Task<StockListPage> StockAsync(StockListFilter filter, StockCursor? after, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        pageSize = Math.Clamp(pageSize, 1, KeysetPaging.MaxPageSize);
        var q = from s in db.Set<BranchStock>().AsNoTracking()
                join b in db.Set<Branch>() on s.BranchId equals b.Id
                join m in db.Set<BasicMaterial>() on s.BasicMaterialId equals m.Id
                select new { s, b.BranchBn, BranchName = b.Name, m.MaterialBn, MaterialName = m.Name, m.Barcode };
        if (filter.BranchId is { } branch) q = q.Where(x => x.s.BranchId == branch);
        if (Contains(filter.Material) is { } text)
            q = q.Where(x => x.MaterialBn.ToLower().Contains(text) || x.MaterialName.ToLower().Contains(text) || (x.Barcode != null && x.Barcode.ToLower().Contains(text)));
        if (filter.OnlyWithStock) q = q.Where(x => x.s.Store > 0);
        if (after is not null)
        {
            var (ab, am) = (after.BranchId, after.BasicMaterialId);
            q = q.Where(x => x.s.BranchId > ab || (x.s.BranchId == ab && x.s.BasicMaterialId > am));
        }
        var rows = await q.OrderBy(x => x.s.BranchId).ThenBy(x => x.s.BasicMaterialId).Take(pageSize + 1)
            .Select(x => new StockListRow(x.s.BranchId, x.BranchBn, x.BranchName, x.s.BasicMaterialId, x.MaterialBn, x.MaterialName, x.Barcode,
                x.s.Store, x.s.StoreFreeze, x.s.ArriveStore, x.s.DefectiveStore, x.s.UpdatedAt))
            .ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count <= pageSize) return new StockListPage(rows, null);
        rows.RemoveAt(pageSize);
        return new StockListPage(rows, new StockCursor(rows[^1].BranchId, rows[^1].BasicMaterialId));
    }

    /// <summary>Basic materials, newest first (keyset on the id), with their totals over all branches and shops.</summary>
    public async Task<KeysetPage<MaterialTotalsRow>> TotalsAsync(string? material, bool onlyWithStock, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        var q = db.Set<BasicMaterial>().AsNoTracking();
        if (Contains(material) is { } text)
            q = q.Where(m => m.MaterialBn.ToLower().Contains(text) || m.Name.ToLower().Contains(text) || (m.Barcode != null && m.Barcode.ToLower().Contains(text)));
        if (onlyWithStock) q = q.Where(m => db.Set<BranchStock>().Any(s => s.BasicMaterialId == m.Id && s.Store > 0));
        var page = await q.Select(m => new { m.Id, m.MaterialBn, m.Name, m.Barcode }).ToKeysetPageAsync(m => m.Id, before, pageSize, ct).ConfigureAwait(false);
        var totals = await queries.TotalsAsync(page.Items.Select(m => m.Id).ToList(), ct).ConfigureAwait(false);
        return new KeysetPage<MaterialTotalsRow>(
            page.Items.Select(m => new MaterialTotalsRow(m.Id, m.MaterialBn, m.Name, m.Barcode, totals[m.Id])).ToList(), page.NextBefore);
    }

    /// <summary>可售库存 of one basic material for every shop (<see cref="StockQueries.SellableAsync"/>), shops by code.</summary>
    public async Task<IReadOnlyList<ShopSellableRow>> SellableByShopAsync(long basicMaterialId, CancellationToken ct = default)
    {
        var shops = await db.Set<Shop>().AsNoTracking().OrderBy(s => s.ShopBn).Select(s => new { s.Id, s.ShopBn, s.Name }).ToListAsync(ct).ConfigureAwait(false);
        var result = new List<ShopSellableRow>(shops.Count);
        foreach (var shop in shops)
        {
            var branches = await queries.SupplyingBranchesAsync(shop.Id, ct).ConfigureAwait(false);
            var sellable = await queries.SellableAsync(shop.Id, [basicMaterialId], ct).ConfigureAwait(false);
            result.Add(new ShopSellableRow(shop.Id, shop.ShopBn, shop.Name, branches.Length, sellable[basicMaterialId]));
        }
        return result;
    }

    /// <summary>Ledger lines newest first (keyset on the id); lines from a direct stock document carry its id.</summary>
    public async Task<KeysetPage<LedgerRow>> LedgerAsync(LedgerFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = from l in db.Set<StockLedgerLine>().AsNoTracking()
                join b in db.Set<Branch>() on l.BranchId equals b.Id
                join m in db.Set<BasicMaterial>() on l.BasicMaterialId equals m.Id
                select new { l, b.BranchBn, BranchName = b.Name, m.MaterialBn, MaterialName = m.Name };
        if (filter.BranchId is { } branch) q = q.Where(x => x.l.BranchId == branch);
        if (Exact(filter.MaterialBn) is { } code) q = q.Where(x => x.MaterialBn == code);
        if (filter.Type is { } type) q = q.Where(x => x.l.Type == type);
        if (filter.From is { } from) q = q.Where(x => x.l.CreatedAt >= from);
        if (filter.To is { } to) q = q.Where(x => x.l.CreatedAt < to);
        if (Exact(filter.OriginalBn) is { } bn) q = q.Where(x => x.l.OriginalBn == bn);
        var found = await q.ToKeysetPageAsync(x => x.l.Id, before, pageSize, ct).ConfigureAwait(false);
        var page = found.Items.Select(x => new LedgerRow(x.l.Id, x.l.CreatedAt, x.l.BranchId, x.BranchBn, x.BranchName, x.l.BasicMaterialId, x.MaterialBn, x.MaterialName,
            x.l.Type, x.l.Quantity, x.l.BalanceAfter, x.l.UnitPrice, x.l.OriginalBn, x.l.Operator, x.l.Memo)).ToList();
        var numbers = page.Where(r => r.OriginalBn is not null && IsDocumentType(r.Type)).Select(r => r.OriginalBn!).Distinct().ToList();
        var documents = numbers.Count == 0 ? new Dictionary<string, long>()
            : await db.Set<StockDocument>().AsNoTracking().Where(d => numbers.Contains(d.IoBn))
                .ToDictionaryAsync(d => d.IoBn, d => d.Id, StringComparer.Ordinal, ct).ConfigureAwait(false);
        return new KeysetPage<LedgerRow>(
            page.Select(r => r.OriginalBn is { } o && IsDocumentType(r.Type) && documents.TryGetValue(o, out var id) ? r with { StockDocumentId = id } : r).ToList(),
            found.NextBefore);
    }

    /// <summary>Direct stock documents newest first (keyset on the id), with their line count and total quantity.</summary>
    public async Task<KeysetPage<StockDocumentRow>> DocumentsAsync(StockDocumentFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = from d in db.Set<StockDocument>().AsNoTracking()
                join b in db.Set<Branch>() on d.BranchId equals b.Id
                select new { d, b.BranchBn, BranchName = b.Name };
        if (filter.BranchId is { } branch) q = q.Where(x => x.d.BranchId == branch);
        if (filter.Type is { } type) q = q.Where(x => x.d.Type == type);
        if (Exact(filter.IoBn) is { } bn) q = q.Where(x => x.d.IoBn.Contains(bn));
        if (filter.From is { } from) q = q.Where(x => x.d.CreatedAt >= from);
        if (filter.To is { } to) q = q.Where(x => x.d.CreatedAt < to);
        var page = await q.Select(x => new
            {
                x.d.Id, x.d.IoBn, x.d.Name, x.d.BranchId, x.BranchBn, x.BranchName, x.d.Type,
                LineCount = x.d.Lines.Count, TotalQuantity = x.d.Lines.Sum(l => l.Quantity), x.d.Operator, x.d.CreatedAt,
            })
            .ToKeysetPageAsync(r => r.Id, before, pageSize, ct).ConfigureAwait(false);
        return new KeysetPage<StockDocumentRow>(page.Items.Select(r => new StockDocumentRow(r.Id, r.IoBn, r.Name, r.BranchId, r.BranchBn, r.BranchName, r.Type,
            r.LineCount, r.TotalQuantity, r.Operator, r.CreatedAt)).ToList(), page.NextBefore);
    }

    /// <summary>A document with its branch and lines (material codes included); null when there is none.</summary>
    public async Task<StockDocumentDetail?> DocumentAsync(long id, CancellationToken ct = default)
    {
        var document = await db.Set<StockDocument>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct).ConfigureAwait(false);
        if (document is null) return null;
        var branch = await db.Set<Branch>().AsNoTracking().Where(b => b.Id == document.BranchId).Select(b => new { b.BranchBn, b.Name }).SingleAsync(ct).ConfigureAwait(false);
        var lines = await (from l in db.Set<StockDocumentLine>().AsNoTracking()
                           join m in db.Set<BasicMaterial>() on l.BasicMaterialId equals m.Id
                           where l.StockDocumentId == id
                           orderby l.Id
                           select new StockDocumentDetailLine(l.BasicMaterialId, m.MaterialBn, l.Name, l.Quantity, l.Price))
            .ToListAsync(ct).ConfigureAwait(false);
        return new StockDocumentDetail(document, branch.BranchBn, branch.Name, lines);
    }

    /// <summary>Every branch, by code, for selects.</summary>
    public async Task<IReadOnlyList<CodeOption>> BranchesAsync(CancellationToken ct = default) =>
        await db.Set<Branch>().AsNoTracking().OrderBy(b => b.BranchBn).Select(b => new CodeOption(b.Id, b.BranchBn, b.Name)).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>One basic material by id, for a page header; null when there is none.</summary>
    public async Task<CodeOption?> MaterialAsync(long id, CancellationToken ct = default) =>
        await db.Set<BasicMaterial>().AsNoTracking().Where(m => m.Id == id).Select(m => new CodeOption(m.Id, m.MaterialBn, m.Name)).FirstOrDefaultAsync(ct).ConfigureAwait(false);

    /// <summary>The names of the basic materials with these codes (unknown codes left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> MaterialNamesAsync(IEnumerable<string?> codes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var wanted = codes.Select(c => c?.Trim()).Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return new Dictionary<string, string>();
        return await db.Set<BasicMaterial>().AsNoTracking().Where(m => wanted.Contains(m.MaterialBn))
            .ToDictionaryAsync(m => m.MaterialBn, m => m.Name, StringComparer.Ordinal, ct).ConfigureAwait(false);
    }

    /// <summary>Basic materials whose code starts with, or whose name or barcode contains, <paramref name="text"/>: suggestions while typing a code.</summary>
    public async Task<IReadOnlyList<CodeOption>> SuggestMaterialsAsync(string? text, int max = 12, CancellationToken ct = default)
    {
        if (Contains(text) is not { } t) return [];
        return await db.Set<BasicMaterial>().AsNoTracking()
            .Where(m => m.MaterialBn.ToLower().StartsWith(t) || m.Name.ToLower().Contains(t) || (m.Barcode != null && m.Barcode.ToLower().StartsWith(t)))
            .OrderBy(m => m.MaterialBn).Take(Math.Clamp(max, 1, 50))
            .Select(m => new CodeOption(m.Id, m.MaterialBn, m.Name)).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The ledger types a direct stock document writes (so only those lines link to a document).</summary>
    public static bool IsDocumentType(StockMoveType type) => Enum.GetValues<StockDocumentType>().Any(d => StockDocumentService.LedgerType(d) == type);

    /// <summary>The Chinese name of a document type: the name of the ledger type it writes (one table, in <see cref="StockMoveTypeNames"/>).</summary>
    public static string ChineseName(StockDocumentType type) => StockMoveTypeNames.ChineseName(StockDocumentService.LedgerType(type));

    private static string? Contains(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();

    private static string? Exact(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
