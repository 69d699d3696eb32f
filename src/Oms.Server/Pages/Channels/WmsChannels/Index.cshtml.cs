using Oms.Admin;
using Oms.Server.Web;
using Oms.Wms;

namespace Oms.Server.Pages.Channels.WmsChannels;

/// <summary>第三方仓储渠道: every WMS channel with its adapter, node and the branches it works.</summary>
[RequirePermission(Permissions.MasterDataView)]
public sealed class WmsChannelsIndexModel(WmsChannelService channels) : AdminPageModel
{
    public IReadOnlyList<WmsChannel> Rows { get; private set; } = [];
    public ILookup<string, string> Branches { get; private set; } = Array.Empty<string>().ToLookup(x => x);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Rows = await channels.AllAsync(ct);
        Branches = await channels.BranchesAsync(ct);
    }
}
