using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Catalog.SalesMaterials;

[RequirePermission(Permissions.MasterDataView)]
public sealed class SalesMaterialsIndexModel(SalesMaterialService materials, ShopService shops) : AdminPageModel
{
    public string? Q { get; private set; }
    public SalesMaterialType? Type { get; private set; }
    public string? Shop { get; private set; }
    public IReadOnlyList<ShopOption> AllShops { get; private set; } = [];
    public KeysetPage<SalesMaterialListItem> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? q, SalesMaterialType? type, string? shop, long? before, CancellationToken ct)
    {
        Q = q;
        Type = type is { } t && Enum.IsDefined(t) ? t : null;
        Shop = shop;
        AllShops = await shops.OptionsAsync(ct);
        Rows = await materials.ListAsync(new SalesMaterialFilter(q, Type, shop), before, ct: ct);
    }
}
