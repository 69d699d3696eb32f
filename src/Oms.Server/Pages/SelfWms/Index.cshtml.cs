using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>
/// 自有仓储作业: own-warehouse deliveries by floor state (待打印 / 待校验 / 待发货 / 已发货) with counts, filtered by branch
/// and print mode (单品 / 多品); selected deliveries become a print batch.
/// </summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsIndexModel(FloorQuery query, PrintService print, SettingsService settings) : AdminPageModel
{
    public FloorState State { get; private set; }
    public PrintMode Mode { get; private set; }
    public long? Branch { get; private set; }
    public IReadOnlyList<(long Id, string Name)> Branches { get; private set; } = [];
    /// <summary>Null when the degrade switch <c>ui.tab_counts</c> is off (no count query runs).</summary>
    public IReadOnlyDictionary<FloorState, long>? Counts { get; private set; }
    public KeysetPage<FloorRow> Rows { get; private set; } = new([], null);

    public static string StateName(FloorState s) => s switch
    {
        FloorState.ToPrint => "to_print",
        FloorState.ToVerify => "to_verify",
        FloorState.ToShip => "to_ship",
        _ => "shipped",
    };

    public async Task OnGetAsync(string? state, string? mode, long? branch, long? before, CancellationToken ct)
    {
        State = Enum.GetValues<FloorState>().FirstOrDefault(s => StateName(s) == state);
        Mode = mode switch { "single" => PrintMode.Single, "multi" => PrintMode.Multi, _ => PrintMode.Normal };
        Branch = branch;
        Branches = await query.BranchesAsync(ct);
        Counts = await settings.GetBoolAsync("ui.tab_counts", ct) ? await query.CountsAsync(branch, Mode, ct) : null;
        Rows = await query.ListAsync(State, branch, Mode, before, ct: ct);
    }

    public async Task<IActionResult> OnPostBatchAsync(long[] ids, string? mode, CancellationToken ct)
    {
        var m = mode switch { "single" => PrintMode.Single, "multi" => PrintMode.Multi, _ => PrintMode.Normal };
        PrintBatch? batch = null;
        if (await TryAsync(async () => batch = await print.CreateBatchAsync(ids ?? [], m, User.UserId() ?? 0, Actor ?? "admin", ct), ""))
            return Redirect($"/selfwms/batches/{batch!.Id}");
        TempData["flash.bad"] = string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        return Redirect("/selfwms" + Request.QueryString);
    }

    public string TabUrl(FloorState? state = null, string? mode = null)
    {
        var qs = new List<string> { "state=" + StateName(state ?? State) };
        var md = mode ?? (Mode == PrintMode.Normal ? null : Mode.ToString().ToLowerInvariant());
        if (md is not null && md != "normal") qs.Add("mode=" + md);
        if (Branch is { } b) qs.Add("branch=" + b.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "/selfwms?" + string.Join("&", qs);
    }
}
