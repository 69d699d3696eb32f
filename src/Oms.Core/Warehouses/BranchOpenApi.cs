using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Warehouses;

/// <summary>A branch as the OpenAPI answers it; <c>shops</c> lists the codes of the shops it supplies.</summary>
internal sealed record BranchRow(
    string BranchBn, string Name, string Wms, string Attr, string Type, string? Area, string? Address, int Weight,
    IReadOnlyList<string> Shops, string Createtime, string Modified)
{
    public static BranchRow From(Branch b, IReadOnlyList<string> shopBns) => new(
        b.BranchBn, b.Name, b.Wms, BranchService.AttrText(b.Online), BranchService.TypeText(b.Type), b.Area, b.Address, b.Weight,
        shopBns, ChinaTime.ToText(b.CreatedAt), ChinaTime.ToText(b.UpdatedAt));
}

internal static class BranchParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static BranchInput Read(OpenApiRequest r, BranchInput? current) =>
        new(r.Required("branch_bn"), MasterDataInput.Pick(r, "name", current?.Name))
        {
            Wms = r.Optional("wms") ?? current?.Wms ?? Branch.SelfWms,
            Online = r.Optional("attr") is { } attr ? BranchService.ParseAttr(attr) : current?.Online ?? true,
            Type = ReadType(r) ?? current?.Type ?? BranchType.Delivery,
            Area = MasterDataInput.PickOptional(r, "area", current?.Area),
            Address = MasterDataInput.PickOptional(r, "address", current?.Address),
            Weight = r.OptionalInt("weight", 0) ?? current?.Weight ?? 0,
            // An empty parameter counts as absent (PROTOCOL.md): an update without shops keeps the set.
            Shops = r.Optional("shops") is null ? current?.Shops ?? [] : r.List("shops"),
        };

    /// <summary>
    /// PROTOCOL.md §5 names the branch type <c>type</c>, which is also the system parameter choosing
    /// the answer format (<c>json</c>/<c>xml</c>). A <c>type</c> of json or xml is therefore the format;
    /// <c>branch_type</c> names the branch type without ambiguity and wins when both are sent.
    /// </summary>
    private static BranchType? ReadType(OpenApiRequest r)
    {
        if (r.Optional("branch_type") is { } explicitType) return BranchService.ParseType(explicitType, "branch_type");
        var type = r.Optional("type");
        if (type is null || type.Equals("json", StringComparison.OrdinalIgnoreCase) || type.Equals("xml", StringComparison.OrdinalIgnoreCase))
            return null;
        return BranchService.ParseType(type);
    }
}

internal sealed class BranchAdd(BranchService branches) : IOpenApiMethod
{
    public string Name => "branch.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var branch = await branches.CreateAsync(BranchParams.Read(request, null), request.Actor, ct).ConfigureAwait(false);
        return BranchRow.From(branch, await branches.ShopBnsAsync(branch.Id, ct).ConfigureAwait(false));
    }
}

internal sealed class BranchUpdate(BranchService branches) : IOpenApiMethod
{
    public string Name => "branch.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var current = await branches.GetAsync(request.Required("branch_bn"), ct).ConfigureAwait(false);
        var currentShops = await branches.ShopBnsAsync(current.Id, ct).ConfigureAwait(false);
        var branch = await branches.UpdateAsync(BranchParams.Read(request, BranchInput.From(current, currentShops)), request.Actor, ct).ConfigureAwait(false);
        return BranchRow.From(branch, await branches.ShopBnsAsync(branch.Id, ct).ConfigureAwait(false));
    }
}

internal sealed class BranchGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "branch.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var codes = MasterDataInput.FilterCodes(request, "branch_bn");
        var (from, to) = MasterDataInput.ModifiedWindow(request);

        var q = db.Set<Branch>().AsNoTracking();
        if (codes.Count > 0) q = q.Where(b => codes.Contains(b.BranchBn));
        if (from is not null) q = q.Where(b => b.UpdatedAt >= from);
        if (to is not null) q = q.Where(b => b.UpdatedAt <= to);

        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var branches = await q.OrderBy(b => b.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        var ids = branches.Select(b => b.Id).ToList();
        var links = await (from bs in db.Set<BranchShop>()
                           join s in db.Set<Shop>() on bs.ShopId equals s.Id
                           where ids.Contains(bs.BranchId)
                           select new { bs.BranchId, s.ShopBn }).ToListAsync(ct).ConfigureAwait(false);
        var shopsOf = links.ToLookup(l => l.BranchId, l => l.ShopBn);
        var rows = branches.Select(b => BranchRow.From(b, shopsOf[b.Id].Order(StringComparer.Ordinal).ToList())).ToList();
        return new OpenApiList<BranchRow>(rows, count);
    }
}
