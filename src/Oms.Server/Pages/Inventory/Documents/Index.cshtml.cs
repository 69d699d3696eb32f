using Oms.Admin;
using Oms.Common;
using Oms.Inventory;
using Oms.Server.Web;

namespace Oms.Server.Pages.Inventory.Documents;

/// <summary>出入库单: direct stock documents newest first, filtered by branch, type, number and China-time range.</summary>
[RequirePermission(Permissions.StockView)]
public sealed class DocumentsIndexModel(StockBrowser browser) : AdminPageModel
{
    public long? BranchId { get; private set; }
    public string? Type { get; private set; }
    public string? IoBn { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public IReadOnlyList<CodeOption> Branches { get; private set; } = [];
    public KeysetPage<StockDocumentRow> Rows { get; private set; } = new([], null);

    public static IReadOnlyList<StockDocumentType> Types { get; } = Enum.GetValues<StockDocumentType>();

    public async Task OnGetAsync(long? branch, string? type, string? io_bn, string? from, string? to, long? before, CancellationToken ct)
    {
        (BranchId, IoBn, From, To) = (branch, io_bn, from, to);
        StockDocumentType? t = type is { Length: 1 } && Enum.IsDefined((StockDocumentType)type[0]) ? (StockDocumentType)type[0] : null;
        Type = t is null ? null : type;
        Branches = await browser.BranchesAsync(ct);
        Rows = await browser.DocumentsAsync(new StockDocumentFilter(branch, t, io_bn, InventoryText.FromUtc(from), InventoryText.ToUtc(to)), before, ct: ct);
    }
}
