using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Data;
using Oms.Integration.OpenApi;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Deliveries;

/// <summary>The values of delivery state on the wire (PROTOCOL.md §5).</summary>
public static class DeliveryWireNames
{
    public static string Status(DeliveryStatus s) => s switch
    {
        DeliveryStatus.Ready => "ready",
        DeliveryStatus.Cancel => "cancel",
        DeliveryStatus.Pause => "pause",
        DeliveryStatus.Shipped => "shipped",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };

    public static DeliveryStatus? ParseStatus(string text) =>
        Enum.GetValues<DeliveryStatus>().Select(s => (DeliveryStatus?)s).FirstOrDefault(s => Status(s!.Value) == text);
}

/// <summary>
/// <c>delivery.getList</c> (PROTOCOL.md §5): deliveries whose last change lies in [<c>start_time</c>, <c>end_time</c>]
/// (the same window, paging and cursor rules as <c>orders.getList</c>: <see cref="ListWindow"/>), oldest first by
/// (time, id), filtered by <c>branch_bn</c>, <c>status</c>, <c>delivery_bn</c> and <c>order_bn</c> (comma separated),
/// with their orders and items.
/// </summary>
internal sealed class DeliveryGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "delivery.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var w = ListWindow.Read(request, "a delivery_id");
        var q = db.Set<Delivery>().AsNoTracking().Where(d => d.UpdatedAt >= w.Start && d.UpdatedAt <= w.End);
        if (request.Optional("branch_bn") is { } branchBn)
        {
            var branchId = await db.Set<Branch>().AsNoTracking().Where(b => b.BranchBn == branchBn).Select(b => (long?)b.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false)
                           ?? throw OpenApiException.Params("branch_bn", $"no branch '{branchBn}'");
            q = q.Where(d => d.BranchId == branchId);
        }
        if (request.Optional("status") is { } statusText)
        {
            var status = DeliveryWireNames.ParseStatus(statusText)
                         ?? throw OpenApiException.Params("status", $"'{statusText}' is not ready, pause, cancel or shipped");
            q = q.Where(d => d.Status == status);
        }
        var deliveryBns = request.List("delivery_bn");
        if (deliveryBns.Count > 100) throw OpenApiException.Params("delivery_bn", "at most 100 codes per call");
        if (deliveryBns.Count > 0) q = q.Where(d => deliveryBns.Contains(d.DeliveryBn));
        var orderBns = request.List("order_bn");
        if (orderBns.Count > 100) throw OpenApiException.Params("order_bn", "at most 100 codes per call");
        if (orderBns.Count > 0)
            q = q.Where(d => db.Set<DeliveryOrderItem>().Any(x => x.DeliveryId == d.Id
                && db.Set<Order>().Any(o => o.Id == x.OrderId && orderBns.Contains(o.OrderBn))));
        var count = await q.LongCountAsync(ct).ConfigureAwait(false);

        if (w.CursorId is { } after)
        {
            var at = w.CursorTime ?? await db.Set<Delivery>().AsNoTracking().Where(d => d.Id == after).Select(d => (DateTime?)d.UpdatedAt)
                         .FirstOrDefaultAsync(ct).ConfigureAwait(false)
                     ?? throw OpenApiException.Params("cursor_id", $"no delivery {after}");
            q = q.Where(d => d.UpdatedAt > at || (d.UpdatedAt == at && d.Id > after));
        }
        var page = await q.OrderBy(d => d.UpdatedAt).ThenBy(d => d.Id).Skip(w.Skip).Take(w.PageSize + 1).ToListAsync(ct).ConfigureAwait(false);
        var hasMore = page.Count > w.PageSize;
        if (hasMore) page.RemoveAt(w.PageSize);
        var rows = await RowsAsync(page, ct).ConfigureAwait(false);
        var last = page.Count > 0 ? page[^1] : null;
        return new ListWindowAnswer(rows, count, last?.Id ?? w.CursorId, w.AnswerCursorTime(last?.UpdatedAt), hasMore);
    }

    /// <summary>The page's rows with their orders and items: one query per table for the whole page.</summary>
    private async Task<List<object>> RowsAsync(List<Delivery> page, CancellationToken ct)
    {
        if (page.Count == 0) return [];
        var ids = page.Select(d => d.Id).ToList();
        var branchIds = page.Select(d => d.BranchId).Distinct().ToList();
        var branches = await db.Set<Branch>().AsNoTracking().Where(b => branchIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.BranchBn, ct).ConfigureAwait(false);
        var items = (await db.Set<DeliveryItem>().AsNoTracking().Where(i => ids.Contains(i.DeliveryId)).OrderBy(i => i.Id)
            .Join(db.Set<BasicMaterial>(), i => i.BasicMaterialId, m => m.Id, (i, m) => new { i.DeliveryId, i.Bn, m.Barcode, i.Number, i.VerifyNum })
            .ToListAsync(ct).ConfigureAwait(false)).ToLookup(i => i.DeliveryId);
        var orders = (await db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId))
            .Join(db.Set<Order>(), x => x.OrderId, o => o.Id, (x, o) => new { x.DeliveryId, o.OrderBn })
            .Distinct().ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.DeliveryId, x => x.OrderBn);
        return page.Select(d => (object)new
        {
            delivery_id = d.Id,
            delivery_bn = d.DeliveryBn,
            order_bns = orders[d.Id].Order(StringComparer.Ordinal).ToList(),
            branch_bn = branches.GetValueOrDefault(d.BranchId, ""),
            logi_code = d.LogiCode ?? "",
            logi_name = d.LogiName ?? "",
            logi_no = d.LogiNo ?? "",
            status = DeliveryWireNames.Status(d.Status),
            process_status = d.ProcessStatus,
            print_status = (int)d.PrintStatus,
            wms_status = d.WmsStatus ?? "",
            is_cod = OrderWireNames.Flag(d.IsCod),
            weight = Common.Money.ToText(d.Weight),
            consignee = new
            {
                name = d.ShipName ?? "", area_state = d.ShipProvince ?? "", area_city = d.ShipCity ?? "", area_district = d.ShipDistrict ?? "",
                addr = d.ShipAddr ?? "", zip = d.ShipZip ?? "", telephone = d.ShipTel ?? "", mobile = d.ShipMobile ?? "",
            },
            create_time = Common.ChinaTime.ToText(d.CreatedAt),
            modified = Common.ChinaTime.ToText(d.UpdatedAt),
            items = items[d.Id].Select(i => new { bn = i.Bn, barcode = i.Barcode ?? "", number = i.Number, verify_num = i.VerifyNum }).ToList(),
        }).ToList();
    }
}
