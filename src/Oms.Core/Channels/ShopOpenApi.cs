using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Channels;

internal sealed class ShopGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "shop.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var q = db.Set<Shop>().AsNoTracking();
        var count = await q.LongCountAsync(ct);
        var rows = await q.OrderBy(s => s.Id).Skip((pageNo - 1) * pageSize).Take(pageSize)
            .Select(s => new { shop_bn = s.ShopBn, shop_name = s.Name, shop_type = s.ShopType }).ToListAsync(ct);
        return new OpenApiList<object>(rows, count);
    }
}
