using Oms.Admin;
using Oms.Common;
using Oms.Server.Web;
using Oms.Warehouses;

namespace Oms.Server.Pages.Warehouses.Branches;

[RequirePermission(Permissions.MasterDataView)]
public sealed class BranchesIndexModel(BranchService branches) : AdminPageModel
{
    public string? Q { get; private set; }
    public string? Attr { get; private set; }
    public string? Type { get; private set; }
    public KeysetPage<BranchListItem> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? q, string? attr, string? type, long? before, CancellationToken ct)
    {
        Q = q;
        Attr = attr;
        Type = type;
        var filter = new BranchFilter(q,
            attr switch { "online" => true, "offline" => false, _ => null },
            type switch { "delivery" => BranchType.Delivery, "stockup" => BranchType.StockUp, _ => null });
        Rows = await branches.ListAsync(filter, before, ct: ct);
    }
}
