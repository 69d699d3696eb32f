using Oms.Admin;
using Oms.Common;
using Oms.Server.Web;
using Oms.Warehouses;

namespace Oms.Server.Pages.Warehouses.Logistics;

[RequirePermission(Permissions.MasterDataView)]
public sealed class LogisticsIndexModel(LogisticsService logistics, BranchService branches) : AdminPageModel
{
    /// <summary>Provinces shown in a row before the rest is summed up as "+N".</summary>
    public const int AreasShown = 6;

    public string? Branch { get; private set; }
    public string? Code { get; private set; }
    public IReadOnlyList<BranchOption> AllBranches { get; private set; } = [];
    public KeysetPage<LogisticsListItem> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? branch, string? code, long? before, CancellationToken ct)
    {
        Branch = branch;
        Code = code;
        AllBranches = await branches.OptionsAsync(ct);
        Rows = await logistics.ListAsync(new LogisticsFilter(branch, code), before, ct: ct);
    }
}
