using Oms.Admin;
using Oms.Catalog;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Catalog.BasicMaterials;

[RequirePermission(Permissions.MasterDataView)]
public sealed class BasicMaterialsIndexModel(BasicMaterialService materials) : AdminPageModel
{
    public string? Q { get; private set; }
    public BasicMaterialType? Type { get; private set; }
    public string? Sellable { get; private set; }
    public KeysetPage<BasicMaterial> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? q, BasicMaterialType? type, string? sellable, long? before, CancellationToken ct)
    {
        Q = q;
        Type = type is { } t && Enum.IsDefined(t) ? t : null;
        Sellable = sellable;
        var filter = new BasicMaterialFilter(q, Type, sellable switch { "yes" => true, "no" => false, _ => null });
        Rows = await materials.ListAsync(filter, before, ct: ct);
    }
}
