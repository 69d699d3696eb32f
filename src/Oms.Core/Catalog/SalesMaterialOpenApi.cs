using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Catalog;

/// <summary>A sales material as the OpenAPI answers it; <c>bind_info</c> lists its parts in order.</summary>
internal sealed record SalesMaterialRow(
    string SalesMaterialBn, string SalesMaterialName, int SalesMaterialType, decimal RetailPrice, string? ShopBn,
    IReadOnlyList<BindingRow> BindInfo, string Createtime, string Modified)
{
    public static SalesMaterialRow From(SalesMaterial m, string? shopBn, IEnumerable<BindingPart> parts) => new(
        m.SalesMaterialBn, m.Name, (int)m.Type, MasterDataInput.Plain(m.RetailPrice), shopBn,
        parts.Select(p => new BindingRow(p.Bn, p.Quantity, MasterDataInput.Plain(p.PriceShare ?? 0))).ToList(),
        ChinaTime.ToText(m.CreatedAt), ChinaTime.ToText(m.UpdatedAt));
}

internal sealed record BindingRow(string Bn, int Quantity, decimal PriceShare);

internal static class SalesMaterialParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static SalesMaterialInput Read(OpenApiRequest r, SalesMaterialInput? current)
    {
        var bn = r.Required("sales_material_bn");
        var name = MasterDataInput.Pick(r, "sales_material_name", current?.Name);
        var typeNo = r.OptionalInt("sales_material_type", 1, 5);
        if (typeNo is null && current is null) throw OpenApiException.Params("sales_material_type", "is required");
        var type = typeNo is { } t ? (SalesMaterialType)t : current!.Type;
        var price = r.OptionalMoney("retail_price") ?? current?.RetailPrice ?? 0;
        IReadOnlyList<BindingPart> parts;
        if (r.Optional("bind_info") is { } text) parts = BindInfo.ParseParts(text);
        else if (current is null) throw OpenApiException.Params("bind_info", "is required");
        else if (type != current.Type) throw OpenApiException.Params("bind_info", "is required when sales_material_type changes");
        else parts = current.Bindings;
        return new SalesMaterialInput(bn, name, type, parts)
        {
            RetailPrice = price,
            ShopBn = MasterDataInput.PickOptional(r, "shop_bn", current?.ShopBn),
        };
    }
}

internal sealed class SalesMaterialAdd(SalesMaterialService materials) : IOpenApiMethod
{
    public string Name => "salesmaterial.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var input = SalesMaterialParams.Read(request, null);
        var m = await materials.CreateAsync(input, request.Actor, ct).ConfigureAwait(false);
        return SalesMaterialRow.From(m, await materials.ShopBnAsync(m.ShopId, ct).ConfigureAwait(false),
            await materials.BindingsAsync(m.Id, ct).ConfigureAwait(false));
    }
}

internal sealed class SalesMaterialUpdate(SalesMaterialService materials) : IOpenApiMethod
{
    public string Name => "salesmaterial.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var current = await materials.GetAsync(request.Required("sales_material_bn"), ct).ConfigureAwait(false);
        var currentInput = SalesMaterialInput.From(current,
            await materials.BindingsAsync(current.Id, ct).ConfigureAwait(false),
            await materials.ShopBnAsync(current.ShopId, ct).ConfigureAwait(false));
        var m = await materials.UpdateAsync(SalesMaterialParams.Read(request, currentInput), request.Actor, ct).ConfigureAwait(false);
        return SalesMaterialRow.From(m, await materials.ShopBnAsync(m.ShopId, ct).ConfigureAwait(false),
            await materials.BindingsAsync(m.Id, ct).ConfigureAwait(false));
    }
}

internal sealed class SalesMaterialGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "salesmaterial.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var codes = MasterDataInput.FilterCodes(request, "sales_material_bn");
        var shopBn = request.Optional("shop_bn");
        var (from, to) = MasterDataInput.ModifiedWindow(request);

        var q = from m in db.Set<SalesMaterial>().AsNoTracking()
                join s in db.Set<Shop>() on m.ShopId equals s.Id into shops
                from s in shops.DefaultIfEmpty()
                select new { Material = m, ShopBn = s == null ? null : s.ShopBn };
        if (codes.Count > 0) q = q.Where(x => codes.Contains(x.Material.SalesMaterialBn));
        if (shopBn is not null) q = q.Where(x => x.ShopBn == shopBn);
        if (from is not null) q = q.Where(x => x.Material.UpdatedAt >= from);
        if (to is not null) q = q.Where(x => x.Material.UpdatedAt <= to);

        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var page = await q.OrderBy(x => x.Material.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        var ids = page.Select(x => x.Material.Id).ToList();
        var bindings = await (from b in db.Set<SalesMaterialBinding>()
                              join bm in db.Set<BasicMaterial>() on b.BasicMaterialId equals bm.Id
                              where ids.Contains(b.SalesMaterialId)
                              orderby b.Position
                              select new { b.SalesMaterialId, Part = new BindingPart(bm.MaterialBn, b.Quantity, b.PriceShare) })
            .ToListAsync(ct).ConfigureAwait(false);
        var partsOf = bindings.ToLookup(b => b.SalesMaterialId, b => b.Part);
        var rows = page.Select(x => SalesMaterialRow.From(x.Material, x.ShopBn, partsOf[x.Material.Id])).ToList();
        return new OpenApiList<SalesMaterialRow>(rows, count);
    }
}
