using Oms.Admin;
using Oms.Common;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>打印批次: the batches, newest first, searchable by batch number (or a delivery's code in it).</summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsBatchesModel(FloorQuery query) : AdminPageModel
{
    public string? BatchNo { get; private set; }
    public KeysetPage<BatchRow> Rows { get; private set; } = new([], null);

    public async Task OnGetAsync(string? batch_no, long? before, CancellationToken ct)
    {
        BatchNo = batch_no;
        Rows = await query.BatchesAsync(batch_no, before, ct);
    }
}
