using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Catalog;

/// <summary>A supplier as the OpenAPI answers it.</summary>
internal sealed record SupplierRow(
    string SupplierBn, string Name, string? Contact, string? Phone, string? Address, string Createtime, string Modified)
{
    public static SupplierRow From(Supplier s) => new(
        s.SupplierBn, s.Name, s.Contact, s.Phone, s.Address, ChinaTime.ToText(s.CreatedAt), ChinaTime.ToText(s.UpdatedAt));
}

internal static class SupplierParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static SupplierInput Read(OpenApiRequest r, SupplierInput? current) =>
        new(r.Required("supplier_bn"), MasterDataInput.Pick(r, "name", current?.Name))
        {
            Contact = MasterDataInput.PickOptional(r, "contact", current?.Contact),
            Phone = MasterDataInput.PickOptional(r, "phone", current?.Phone),
            Address = MasterDataInput.PickOptional(r, "address", current?.Address),
        };
}

internal sealed class SupplierAdd(SupplierService suppliers) : IOpenApiMethod
{
    public string Name => "supplier.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct) =>
        SupplierRow.From(await suppliers.CreateAsync(SupplierParams.Read(request, null), request.Actor, ct).ConfigureAwait(false));
}

internal sealed class SupplierUpdate(SupplierService suppliers) : IOpenApiMethod
{
    public string Name => "supplier.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var current = await suppliers.GetAsync(request.Required("supplier_bn"), ct).ConfigureAwait(false);
        var input = SupplierParams.Read(request, SupplierInput.From(current));
        return SupplierRow.From(await suppliers.UpdateAsync(input, request.Actor, ct).ConfigureAwait(false));
    }
}

internal sealed class SupplierGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "supplier.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var codes = MasterDataInput.FilterCodes(request, "supplier_bn");
        var (from, to) = MasterDataInput.ModifiedWindow(request);

        var q = db.Set<Supplier>().AsNoTracking();
        if (codes.Count > 0) q = q.Where(s => codes.Contains(s.SupplierBn));
        if (from is not null) q = q.Where(s => s.UpdatedAt >= from);
        if (to is not null) q = q.Where(s => s.UpdatedAt <= to);

        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var rows = await q.OrderBy(s => s.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        return new OpenApiList<SupplierRow>(rows.Select(SupplierRow.From).ToList(), count);
    }
}
