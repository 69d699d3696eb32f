using Oms.Admin;
using Oms.Common;
using Oms.Inventory;
using Oms.Server.Web;

namespace Oms.Server.Pages.Inventory.Ledger;

/// <summary>出入库明细: ledger lines newest first, filtered by branch, material code, type, China-time range and document number.</summary>
[RequirePermission(Permissions.StockView)]
public sealed class LedgerIndexModel(StockBrowser browser) : AdminPageModel
{
    public long? BranchId { get; private set; }
    public string? Material { get; private set; }
    public int? Type { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? Doc { get; private set; }
    public IReadOnlyList<CodeOption> Branches { get; private set; } = [];
    public KeysetPage<LedgerRow> Rows { get; private set; } = new([], null);

    /// <summary>Every ledger type, in the order of the enum (ONEX numbering).</summary>
    public static IReadOnlyList<StockMoveType> Types { get; } = Enum.GetValues<StockMoveType>();

    public async Task OnGetAsync(long? branch, string? material, int? type, string? from, string? to, string? doc, long? before, CancellationToken ct)
    {
        (BranchId, Material, From, To, Doc) = (branch, material, from, to, doc);
        Type = type is { } t && Enum.IsDefined((StockMoveType)t) ? t : null;
        Branches = await browser.BranchesAsync(ct);
        var filter = new LedgerFilter(branch, material, (StockMoveType?)Type, InventoryText.FromUtc(from), InventoryText.ToUtc(to), doc);
        Rows = await browser.LedgerAsync(filter, before, ct: ct);
    }
}
