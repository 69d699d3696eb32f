using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Channels.Shops;

[RequirePermission(Permissions.MasterDataView)]
public sealed class ShopsIndexModel(ShopService shops) : AdminPageModel
{
    public string? Q { get; private set; }
    public string? Platform { get; private set; }
    public KeysetPage<Shop> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? q, string? platform, long? before, CancellationToken ct)
    {
        Q = q;
        Platform = platform;
        Rows = await shops.ListAsync(new ShopFilter(q, platform), before, ct: ct);
    }

    /// <summary>The platform's usual name with its code, or the code alone when unknown.</summary>
    public static string PlatformName(string code) => Platforms.Find(code) is { } p ? $"{p.Name} · {p.Code}" : code;
}
