using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;
using Oms.Warehouses;

namespace Oms.Fulfillment;

/// <summary>
/// <c>sales.getList</c> (PROTOCOL.md §5): sales records (销售单) whose sale time lies in [<c>start_time</c>, <c>end_time</c>]
/// (window, paging and cursor as <c>orders.getList</c>: <see cref="ListWindow"/>), oldest first, filtered by <c>shop_bn</c>,
/// <c>branch_bn</c> and <c>order_bn</c> (comma separated), with their items.
/// </summary>
internal sealed class SalesGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "sales.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var w = ListWindow.Read(request, "a sale_id");
        var q = db.Set<Sale>().AsNoTracking().Where(s => s.SaleTime >= w.Start && s.SaleTime <= w.End);
        if (request.Optional("shop_bn") is { } shopBn)
        {
            var shopId = await db.Set<Shop>().AsNoTracking().Where(s => s.ShopBn == shopBn).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false)
                         ?? throw OpenApiException.Params("shop_bn", $"no shop '{shopBn}'");
            q = q.Where(s => s.ShopId == shopId);
        }
        if (request.Optional("branch_bn") is { } branchBn)
        {
            var branchId = await db.Set<Branch>().AsNoTracking().Where(b => b.BranchBn == branchBn).Select(b => (long?)b.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false)
                           ?? throw OpenApiException.Params("branch_bn", $"no branch '{branchBn}'");
            q = q.Where(s => s.BranchId == branchId);
        }
        var orderBns = request.List("order_bn");
        if (orderBns.Count > 100) throw OpenApiException.Params("order_bn", "at most 100 codes per call");
        if (orderBns.Count > 0) q = q.Where(s => orderBns.Contains(s.OrderBn));
        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        if (w.CursorId is { } after)
        {
            var at = w.CursorTime ?? await db.Set<Sale>().AsNoTracking().Where(s => s.Id == after).Select(s => (DateTime?)s.SaleTime)
                         .FirstOrDefaultAsync(ct).ConfigureAwait(false)
                     ?? throw OpenApiException.Params("cursor_id", $"no sale {after}");
            q = q.Where(s => s.SaleTime > at || (s.SaleTime == at && s.Id > after));
        }
        var page = await q.OrderBy(s => s.SaleTime).ThenBy(s => s.Id).Skip(w.Skip).Take(w.PageSize + 1).Include(s => s.Items)
            .ToListAsync(ct).ConfigureAwait(false);
        var hasMore = page.Count > w.PageSize;
        if (hasMore) page.RemoveAt(w.PageSize);
        var shopIds = page.Select(s => s.ShopId).Distinct().ToList();
        var branchIds = page.Select(s => s.BranchId).Distinct().ToList();
        var shops = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.ShopBn, ct).ConfigureAwait(false);
        var branches = await db.Set<Branch>().AsNoTracking().Where(b => branchIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.BranchBn, ct).ConfigureAwait(false);
        var rows = page.Select(s => (object)new
        {
            sale_id = s.Id,
            sale_bn = s.SaleBn,
            order_bn = s.OrderBn,
            shop_bn = shops.GetValueOrDefault(s.ShopId, ""),
            branch_bn = branches.GetValueOrDefault(s.BranchId, ""),
            delivery_bn = s.DeliveryBn,
            logi_code = s.LogiCode ?? "",
            logi_no = s.LogiNo ?? "",
            sale_amount = Money.ToText(s.SaleAmount),
            item_num = s.ItemNum,
            sale_time = ChinaTime.ToText(s.SaleTime),
            @operator = s.Operator,
            items = s.Items.OrderBy(i => i.Id).Select(i => new { bn = i.Bn, name = i.Name ?? "", nums = i.Nums, price = Money.ToText(i.Price), amount = Money.ToText(i.Amount) }).ToList(),
        }).ToList();
        var last = page.Count > 0 ? page[^1] : null;
        return new ListWindowAnswer(rows, count, last?.Id ?? w.CursorId, w.AnswerCursorTime(last?.SaleTime), hasMore);
    }
}
