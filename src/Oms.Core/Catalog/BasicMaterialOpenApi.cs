using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Catalog;

/// <summary>A basic material as the OpenAPI answers it.</summary>
internal sealed record BasicMaterialRow(
    string MaterialBn, string MaterialName, string? MaterialCode, int MaterialType, int Visibled, string? Unit,
    decimal RetailPrice, decimal Cost, decimal Weight, string Createtime, string Modified)
{
    public static BasicMaterialRow From(BasicMaterial m) => new(
        m.MaterialBn, m.Name, m.Barcode, (int)m.Type, BasicMaterialService.VisibledValue(m.Sellable), m.Unit,
        MasterDataInput.Plain(m.RetailPrice), MasterDataInput.Plain(m.Cost), MasterDataInput.Plain(m.Weight),
        ChinaTime.ToText(m.CreatedAt), ChinaTime.ToText(m.UpdatedAt));
}

internal static class BasicMaterialParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static BasicMaterialInput Read(OpenApiRequest r, BasicMaterialInput? current) =>
        new(r.Required("material_bn"), MasterDataInput.Pick(r, "material_name", current?.Name))
        {
            Type = r.OptionalInt("material_type") is { } t ? (BasicMaterialType)t : current?.Type ?? BasicMaterialType.Finished,
            Sellable = r.OptionalInt("visibled") is { } vis ? BasicMaterialService.ParseVisibled(vis) : current?.Sellable ?? true,
            Barcode = MasterDataInput.PickOptional(r, "material_code", current?.Barcode),
            Unit = MasterDataInput.PickOptional(r, "unit", current?.Unit),
            RetailPrice = r.OptionalMoney("retail_price") ?? current?.RetailPrice ?? 0,
            Cost = r.OptionalMoney("cost") ?? current?.Cost ?? 0,
            Weight = MasterDataInput.OptionalDecimal(r, "weight") ?? current?.Weight ?? 0,
        };
}

internal sealed class BasicMaterialAdd(BasicMaterialService materials) : IOpenApiMethod
{
    public string Name => "basicmaterial.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct) =>
        BasicMaterialRow.From(await materials.CreateAsync(BasicMaterialParams.Read(request, null), request.Actor, ct).ConfigureAwait(false));
}

internal sealed class BasicMaterialUpdate(BasicMaterialService materials) : IOpenApiMethod
{
    public string Name => "basicmaterial.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var current = await materials.GetAsync(request.Required("material_bn"), ct).ConfigureAwait(false);
        var input = BasicMaterialParams.Read(request, BasicMaterialInput.From(current));
        return BasicMaterialRow.From(await materials.UpdateAsync(input, request.Actor, ct).ConfigureAwait(false));
    }
}

internal sealed class BasicMaterialGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "basicmaterial.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var codes = MasterDataInput.FilterCodes(request, "material_bn");
        // barcode is the name stock.getBnStock uses; material_code the one of basicmaterial.add.
        var barcodes = MasterDataInput.FilterCodes(request, "barcode").Concat(MasterDataInput.FilterCodes(request, "material_code")).ToList();
        var (from, to) = MasterDataInput.ModifiedWindow(request);

        var q = db.Set<BasicMaterial>().AsNoTracking();
        if (codes.Count > 0) q = q.Where(m => codes.Contains(m.MaterialBn));
        if (barcodes.Count > 0) q = q.Where(m => m.Barcode != null && barcodes.Contains(m.Barcode));
        if (from is not null) q = q.Where(m => m.UpdatedAt >= from);
        if (to is not null) q = q.Where(m => m.UpdatedAt <= to);

        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var rows = await q.OrderBy(m => m.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        return new OpenApiList<BasicMaterialRow>(rows.Select(BasicMaterialRow.From).ToList(), count);
    }
}
