using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Channels;

/// <summary>A shop as the OpenAPI answers it. The token is never answered.</summary>
internal sealed record ShopRow(
    string ShopBn, string ShopName, string ShopType, string? NodeId, string? ApiUrl,
    bool StockWriteback, bool ShipWriteback, string Createtime, string Modified)
{
    public static ShopRow From(Shop s) => new(
        s.ShopBn, s.Name, s.ShopType, s.NodeId, s.ApiUrl, s.StockWriteback, s.ShipWriteback,
        ChinaTime.ToText(s.CreatedAt), ChinaTime.ToText(s.UpdatedAt));
}

internal static class ShopParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static ShopInput Read(OpenApiRequest r, ShopInput? current) =>
        new(r.Required("shop_bn"),
            MasterDataInput.Pick(r, "shop_name", current?.Name),
            MasterDataInput.Pick(r, "shop_type", current?.ShopType))
        {
            NodeId = MasterDataInput.PickOptional(r, "node_id", current?.NodeId),
            Token = MasterDataInput.PickOptional(r, "token", current?.Token),
            ApiUrl = MasterDataInput.PickOptional(r, "api_url", current?.ApiUrl),
            StockWriteback = r.OptionalBool("stock_writeback") ?? current?.StockWriteback ?? true,
            ShipWriteback = r.OptionalBool("ship_writeback") ?? current?.ShipWriteback ?? true,
        };
}

internal sealed class ShopAdd(ShopService shops) : IOpenApiMethod
{
    public string Name => "shop.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct) =>
        ShopRow.From(await shops.CreateAsync(ShopParams.Read(request, null), request.Actor, ct).ConfigureAwait(false));
}

internal sealed class ShopUpdate(ShopService shops) : IOpenApiMethod
{
    public string Name => "shop.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var current = await shops.GetAsync(request.Required("shop_bn"), ct).ConfigureAwait(false);
        var input = ShopParams.Read(request, ShopInput.From(current));
        return ShopRow.From(await shops.UpdateAsync(input, request.Actor, ct).ConfigureAwait(false));
    }
}

internal sealed class ShopGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "shop.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var codes = MasterDataInput.FilterCodes(request, "shop_bn");
        var shopType = request.Optional("shop_type");
        var (from, to) = MasterDataInput.ModifiedWindow(request);

        var q = db.Set<Shop>().AsNoTracking();
        if (codes.Count > 0) q = q.Where(s => codes.Contains(s.ShopBn));
        if (shopType is not null) q = q.Where(s => s.ShopType == shopType.ToLowerInvariant());
        if (from is not null) q = q.Where(s => s.UpdatedAt >= from);
        if (to is not null) q = q.Where(s => s.UpdatedAt <= to);

        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var rows = await q.OrderBy(s => s.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        return new OpenApiList<ShopRow>(rows.Select(ShopRow.From).ToList(), count);
    }
}
