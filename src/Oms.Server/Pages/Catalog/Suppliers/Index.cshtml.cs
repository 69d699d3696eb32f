using Oms.Admin;
using Oms.Catalog;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Catalog.Suppliers;

[RequirePermission(Permissions.MasterDataView)]
public sealed class SuppliersIndexModel(SupplierService suppliers) : AdminPageModel
{
    public string? Q { get; private set; }
    public KeysetPage<Supplier> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? q, long? before, CancellationToken ct)
    {
        Q = q;
        Rows = await suppliers.ListAsync(q, before, ct: ct);
    }
}
