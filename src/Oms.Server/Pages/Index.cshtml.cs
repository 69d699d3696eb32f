using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Integration.OpenApi;
using Oms.Server.Web;
using Oms.Warehouses;

namespace Oms.Server.Pages;

/// <summary>The dashboard: real counts of what exists so far; each module adds its own when it lands.</summary>
public sealed class IndexModel(UserService users, OpenApiClientService clients, SettingsService settings, TimeProvider clock,
    ShopService shops, BranchService branches, BasicMaterialService basicMaterials, SalesMaterialService salesMaterials) : AdminPageModel
{
    public int Users { get; private set; }
    public int OpenApiClients { get; private set; }
    public int SettingsChanged { get; private set; }
    public int SettingsTotal { get; private set; }
    public DateTime NowUtc { get; private set; }
    public int Shops { get; private set; }
    public int Branches { get; private set; }
    public int BasicMaterials { get; private set; }
    public int SalesMaterials { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Users = await users.CountAsync(ct);
        OpenApiClients = await clients.CountAsync(ct);
        var all = await settings.ListAsync(ct);
        SettingsTotal = all.Count;
        SettingsChanged = all.Count(s => !s.IsDefault);
        NowUtc = clock.GetUtcNow().UtcDateTime;
        Shops = await shops.CountAsync(ct);
        Branches = await branches.CountAsync(ct);
        BasicMaterials = await basicMaterials.CountAsync(ct);
        SalesMaterials = await salesMaterials.CountAsync(ct);
    }
}
