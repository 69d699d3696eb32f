using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;
using Oms.Warehouses;

namespace Oms.Inventory;

/// <summary>
/// <c>transfer.add</c>: a direct stock document (PROTOCOL.md §5). <c>items</c> is
/// <c>bn:code,name:x,price:10,nums:5;bn:...</c> and is parsed strictly. The same <c>bn</c> twice
/// in one document is refused (e000006) rather than merged: the two lines may carry different
/// prices and names, and a merchant's script that sends a code twice most likely has a bug.
/// </summary>
internal sealed class TransferAdd(OmsDbContext db, StockDocumentService documents) : IOpenApiMethod
{
    public string Name => "transfer.add";
    public bool ReadOnly => false;

    private const int MaxNums = 1_000_000;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var name = request.RequiredText("name", 255);
        var branchBn = request.RequiredText("branch_bn", 255);
        var tTypeText = request.Required("t_type");
        var itemsText = request.Required("items");
        var ioBn = request.OptionalText("io_bn", 64);
        var memo = request.OptionalText("memo", 1000);
        var op = request.OptionalText("operator", 255) ?? request.Actor;

        if (tTypeText.Length != 1 || !Enum.IsDefined((StockDocumentType)char.ToUpperInvariant(tTypeText[0])))
            throw OpenApiException.Params("t_type", $"'{tTypeText}' is not one of E, A, G, F, K, J");
        var type = (StockDocumentType)char.ToUpperInvariant(tTypeText[0]);

        var branch = await db.Set<Branch>().AsNoTracking().Where(b => b.BranchBn == branchBn)
            .Select(b => new { b.Id, b.BranchBn }).FirstOrDefaultAsync(ct)
            ?? throw OpenApiException.Params("branch_bn", $"no branch '{branchBn}'");

        var items = ParseItems(itemsText);
        var codes = items.Select(i => i.Bn).ToList();
        var materials = await db.Set<BasicMaterial>().AsNoTracking().Where(m => codes.Contains(m.MaterialBn))
            .Select(m => new { m.Id, m.MaterialBn, m.Name }).ToDictionaryAsync(m => m.MaterialBn, StringComparer.Ordinal, ct);
        var unknown = codes.FirstOrDefault(c => !materials.ContainsKey(c));
        if (unknown is not null) throw OpenApiException.Params("items", $"no basic material '{unknown}'");

        var result = await documents.CreateAsync(new StockDocumentInput(
            name, branch.Id, type,
            items.Select(i => new StockDocumentLineInput(materials[i.Bn].Id, i.Name ?? materials[i.Bn].Name, i.Nums, i.Price)).ToList(),
            ioBn, memo, op), ct);

        return new
        {
            io_bn = result.Document.IoBn,
            branch_bn = branch.BranchBn,
            t_type = ((char)type).ToString(),
            items = items.Select((i, k) => new { bn = i.Bn, nums = i.Nums, balance = result.Balances[k].StoreAfter }).ToList(),
        };
    }

    private sealed record Item(string Bn, string? Name, decimal Price, int Nums);

    /// <summary>Parses <c>bn:code,name:x,price:10,nums:5;...</c>; every fault is e000006 naming <c>items</c>.</summary>
    private static List<Item> ParseItems(string text)
    {
        var items = new List<Item>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = text.Split(';', StringSplitOptions.TrimEntries);
        for (var e = 0; e < entries.Length; e++)
        {
            // A trailing ';' is tolerated; an empty entry in the middle is not.
            if (entries[e].Length == 0 && e == entries.Length - 1 && e > 0) continue;
            var where = $"line {e + 1}";
            if (entries[e].Length == 0) throw OpenApiException.Params("items", $"{where} is empty");
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in entries[e].Split(',', StringSplitOptions.TrimEntries))
            {
                var colon = part.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) throw OpenApiException.Params("items", $"{where}: '{part}' is not key:value");
                var key = part[..colon].Trim();
                var value = part[(colon + 1)..].Trim();
                if (key is not ("bn" or "name" or "price" or "nums"))
                    throw OpenApiException.Params("items", $"{where}: unknown key '{key}' (use bn, name, price, nums)");
                if (!fields.TryAdd(key, value)) throw OpenApiException.Params("items", $"{where}: '{key}' is given twice");
            }
            if (!fields.TryGetValue("bn", out var bn) || bn.Length == 0) throw OpenApiException.Params("items", $"{where}: bn is missing");
            if (!fields.TryGetValue("nums", out var numsText) || numsText.Length == 0) throw OpenApiException.Params("items", $"{where} ({bn}): nums is missing");
            if (!int.TryParse(numsText, NumberStyles.None, CultureInfo.InvariantCulture, out var nums) || nums <= 0 || nums > MaxNums)
                throw OpenApiException.Params("items", $"{where} ({bn}): nums '{numsText}' is not a whole number from 1 to {MaxNums}");
            var price = 0m;
            if (fields.TryGetValue("price", out var priceText) && priceText.Length > 0 && (!Money.TryParse(priceText, out price) || price < 0))
                throw OpenApiException.Params("items", $"{where} ({bn}): price '{priceText}' is not an amount of at most 4 decimals, not negative");
            var itemName = fields.GetValueOrDefault("name") is { Length: > 0 } n ? n : null;
            if (itemName is { Length: > 255 }) throw OpenApiException.Params("items", $"{where} ({bn}): name is longer than 255 characters");
            if (!seen.Add(bn)) throw OpenApiException.Params("items", $"bn '{bn}' appears more than once; put its quantity on one line");
            items.Add(new Item(bn, itemName, price, nums));
        }
        return items;
    }
}

/// <summary><c>stock.getBnStock</c>: totals per material; <c>store_freeze</c> is the TOTAL freeze (shop + branch), as in ONEX.</summary>
internal sealed class StockGetBnStock(OmsDbContext db, StockQueries queries) : IOpenApiMethod
{
    public string Name => "stock.getBnStock";
    public bool ReadOnly => true;
    private const int MaxCodes = 100;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var bns = request.List("product_bns");
        var barcodes = request.List("barcodes");
        if (bns.Count == 0 && barcodes.Count == 0) throw OpenApiException.Params("product_bns", "product_bns or barcodes is required");
        if (bns.Count > MaxCodes) throw OpenApiException.Params("product_bns", $"at most {MaxCodes} codes per call");
        if (barcodes.Count > MaxCodes) throw OpenApiException.Params("barcodes", $"at most {MaxCodes} codes per call");

        var materials = await db.Set<BasicMaterial>().AsNoTracking()
            .Where(m => bns.Contains(m.MaterialBn) || (m.Barcode != null && barcodes.Contains(m.Barcode)))
            .OrderBy(m => m.Id).Select(m => new { m.Id, m.MaterialBn, m.Barcode }).ToListAsync(ct);
        var totals = await queries.TotalsAsync(materials.Select(m => m.Id).ToList(), ct);
        var rows = materials.Select(m =>
        {
            var t = totals[m.Id];
            return new
            {
                bn = m.MaterialBn,
                barcode = m.Barcode ?? "",
                store = t.Store,
                store_freeze = t.TotalFreeze,
                shop_freeze = t.ShopFreeze,
                branch_freeze = t.BranchFreeze,
                arrive_store = t.ArriveStore,
                available = t.Available,
            };
        }).ToList();
        return new OpenApiList<object>(rows, rows.Count);
    }
}

/// <summary><c>stock.getDetailList</c>: one row per branch and material; <c>store_freeze</c> is that branch's freeze.</summary>
internal sealed class StockGetDetailList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "stock.getDetailList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var productBn = request.Optional("product_bn");
        var branchBn = request.Optional("branch_bn");
        var from = request.OptionalTime("modified_start");
        var to = request.OptionalTime("modified_end");

        var q = from s in db.Set<BranchStock>().AsNoTracking()
                join b in db.Set<Branch>() on s.BranchId equals b.Id
                join m in db.Set<BasicMaterial>() on s.BasicMaterialId equals m.Id
                select new { s, b.BranchBn, m.MaterialBn, m.Barcode };
        if (productBn is not null) q = q.Where(x => x.MaterialBn == productBn);
        if (branchBn is not null) q = q.Where(x => x.BranchBn == branchBn);
        if (from is { } f) q = q.Where(x => x.s.UpdatedAt >= f);
        if (to is { } t) q = q.Where(x => x.s.UpdatedAt <= t);

        var count = await q.LongCountAsync(ct);
        var page = await q.OrderBy(x => x.s.BranchId).ThenBy(x => x.s.BasicMaterialId)
            .Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var rows = page.Select(x => new
        {
            branch_bn = x.BranchBn,
            bn = x.MaterialBn,
            barcode = x.Barcode ?? "",
            store = x.s.Store,
            store_freeze = x.s.StoreFreeze,
            arrive_store = x.s.ArriveStore,
            defective_store = x.s.DefectiveStore,
            available = x.s.Store - x.s.StoreFreeze,
            modified = ChinaTime.ToText(x.s.UpdatedAt),
        }).ToList();
        return new OpenApiList<object>(rows, count);
    }
}

/// <summary>
/// <c>stock.getAll</c>: one row per basic material (all of them, paged by id) with the totals of
/// <c>stock.getBnStock</c> (so <c>store_freeze</c> is the total freeze) and its <c>branches</c>
/// as rows of <c>stock.getDetailList</c>.
/// </summary>
internal sealed class StockGetAll(OmsDbContext db, StockQueries queries) : IOpenApiMethod
{
    public string Name => "stock.getAll";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var productBn = request.Optional("product_bn");
        var q = db.Set<BasicMaterial>().AsNoTracking();
        if (productBn is not null) q = q.Where(m => m.MaterialBn == productBn);
        var count = await q.LongCountAsync(ct);
        var materials = await q.OrderBy(m => m.Id).Skip((pageNo - 1) * pageSize).Take(pageSize)
            .Select(m => new { m.Id, m.MaterialBn, m.Barcode, m.Name }).ToListAsync(ct);
        var ids = materials.Select(m => m.Id).ToList();
        var totals = await queries.TotalsAsync(ids, ct);
        var branchRows = await (from s in db.Set<BranchStock>().AsNoTracking()
                                join b in db.Set<Branch>() on s.BranchId equals b.Id
                                where ids.Contains(s.BasicMaterialId)
                                orderby s.BranchId
                                select new { s.BasicMaterialId, b.BranchBn, s.Store, s.StoreFreeze, s.ArriveStore, s.DefectiveStore })
            .ToListAsync(ct);
        var byMaterial = branchRows.ToLookup(r => r.BasicMaterialId);
        var rows = materials.Select(m =>
        {
            var t = totals[m.Id];
            return new
            {
                bn = m.MaterialBn,
                barcode = m.Barcode ?? "",
                name = m.Name,
                store = t.Store,
                store_freeze = t.TotalFreeze,
                shop_freeze = t.ShopFreeze,
                branch_freeze = t.BranchFreeze,
                arrive_store = t.ArriveStore,
                available = t.Available,
                branches = byMaterial[m.Id].Select(r => new
                {
                    branch_bn = r.BranchBn,
                    bn = m.MaterialBn,
                    store = r.Store,
                    store_freeze = r.StoreFreeze,
                    arrive_store = r.ArriveStore,
                    defective_store = r.DefectiveStore,
                }).ToList(),
            };
        }).ToList();
        return new OpenApiList<object>(rows, count);
    }
}

/// <summary><c>iostock.getList</c>: ledger lines (出入库明细) in a time window, oldest first.</summary>
internal sealed class IoStockGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "iostock.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var start = request.RequiredTime("start_time");
        var end = request.RequiredTime("end_time");
        if (end < start) throw OpenApiException.Params("end_time", "is before start_time");
        var (pageNo, pageSize) = request.Paging();
        var branchBn = request.Optional("branch_bn");
        var productBn = request.Optional("product_bn");
        // `type` is also the system parameter for the answer format (json/xml): those two values
        // mean the format, any other value is the ledger type filter. `type_id` says it unambiguously.
        var typeParam = request.Optional("type_id") is not null ? "type_id"
            : request.Optional("type") is { } t && !t.Equals("json", StringComparison.OrdinalIgnoreCase) && !t.Equals("xml", StringComparison.OrdinalIgnoreCase) ? "type"
            : null;
        var typeId = typeParam is null ? null : request.OptionalInt(typeParam, 0);
        if (typeId is { } tid && !Enum.IsDefined((StockMoveType)tid))
            throw OpenApiException.Params(typeParam!, $"'{tid}' is not a ledger type_id");

        var q = from l in db.Set<StockLedgerLine>().AsNoTracking()
                join b in db.Set<Branch>() on l.BranchId equals b.Id
                join m in db.Set<BasicMaterial>() on l.BasicMaterialId equals m.Id
                where l.CreatedAt >= start && l.CreatedAt <= end
                select new { l, b.BranchBn, m.MaterialBn };
        if (branchBn is not null) q = q.Where(x => x.BranchBn == branchBn);
        if (productBn is not null) q = q.Where(x => x.MaterialBn == productBn);
        if (typeId is { } type) q = q.Where(x => x.l.Type == (StockMoveType)type);

        var count = await q.LongCountAsync(ct);
        var page = await q.OrderBy(x => x.l.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var rows = page.Select(x => new
        {
            iostock_bn = StockLedgerLine.FormatBn(x.l.Id),
            branch_bn = x.BranchBn,
            bn = x.MaterialBn,
            nums = Math.Abs(x.l.Quantity),
            io = x.l.Quantity >= 0 ? "in" : "out",
            type_id = (int)x.l.Type,
            type_name = StockMoveTypeNames.ChineseName(x.l.Type),
            original_bn = x.l.OriginalBn ?? "",
            balance = x.l.BalanceAfter,
            price = Money.ToText(x.l.UnitPrice),
            memo = x.l.Memo ?? "",
            create_time = ChinaTime.ToText(x.l.CreatedAt),
            @operator = x.l.Operator ?? "",
        }).ToList();
        return new OpenApiList<object>(rows, count);
    }
}
