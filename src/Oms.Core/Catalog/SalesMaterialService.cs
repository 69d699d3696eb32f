using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Caching;
using Oms.Channels;
using Oms.Common;
using Oms.Data;

namespace Oms.Catalog;

/// <summary>What a sales material is created or updated from (admin form or <c>salesmaterial.add</c>/<c>.update</c>).</summary>
public sealed record SalesMaterialInput(string SalesMaterialBn, string Name, SalesMaterialType Type, IReadOnlyList<BindingPart> Bindings)
{
    public decimal RetailPrice { get; init; }
    /// <summary>When set, only this shop sells it.</summary>
    public string? ShopBn { get; init; }

    /// <summary>The sales material as it is now, to edit. Shares are left out where the type does not take them.</summary>
    public static SalesMaterialInput From(SalesMaterial m, IReadOnlyList<BindingPart> bindings, string? shopBn)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(bindings);
        var takesShares = m.Type is SalesMaterialType.Combination or SalesMaterialType.LuckyBag;
        return new(m.SalesMaterialBn, m.Name, m.Type, bindings.Select(b => takesShares ? b : b with { PriceShare = null }).ToList())
        {
            RetailPrice = m.RetailPrice, ShopBn = shopBn,
        };
    }
}

/// <summary>Filters of the sales material list: code or name containing <see cref="Text"/> (any case); type; the shop it is limited to.</summary>
public sealed record SalesMaterialFilter(string? Text = null, SalesMaterialType? Type = null, string? ShopBn = null);

/// <summary>A sales material of the list with its shop code and its bindings in position order.</summary>
public sealed record SalesMaterialListItem(SalesMaterial Material, string? ShopBn, IReadOnlyList<BindingPart> Bindings);

/// <summary>
/// A sales material as the cached lookup answers it, with the shop it is limited to and its bindings
/// in position order: an immutable copy, safe to share between requests and processes.
/// </summary>
public sealed record SalesMaterialInfo(long Id, string SalesMaterialBn, string Name, SalesMaterialType Type, decimal RetailPrice,
    string? ShopBn, IReadOnlyList<BindingPart> Bindings);

/// <summary>Creates, changes and finds sales materials (销售物料) and their bindings to basic materials.</summary>
public sealed class SalesMaterialService(OmsDbContext db, TimeProvider clock, AuditLog audit, IOmsCache cache, CacheInvalidator invalidator)
{
    public const int MaxNameLength = 200;
    private static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(10);

    public static string CacheKey(string salesMaterialBn) => "sm:bn:" + salesMaterialBn;

    /// <summary>The sales material with this code (order lines name it), with shop and bindings, cached; null when there is none.</summary>
    public Task<SalesMaterialInfo?> LookupAsync(string salesMaterialBn, CancellationToken ct = default) =>
        cache.GetOrLoadAsync(CacheKey(salesMaterialBn), CacheTtl, async c =>
        {
            var m = await db.Set<SalesMaterial>().AsNoTracking().Where(x => x.SalesMaterialBn == salesMaterialBn)
                .Select(x => new { x.Id, x.SalesMaterialBn, x.Name, x.Type, x.RetailPrice, x.ShopId }).FirstOrDefaultAsync(c).ConfigureAwait(false);
            if (m is null) return null;
            var bindings = await BindingsAsync(m.Id, c).ConfigureAwait(false);
            var shopBn = await ShopBnAsync(m.ShopId, c).ConfigureAwait(false);
            return new SalesMaterialInfo(m.Id, m.SalesMaterialBn, m.Name, m.Type, m.RetailPrice, shopBn, bindings);
        }, ct);

    public Task<SalesMaterial?> FindAsync(string salesMaterialBn, CancellationToken ct = default) =>
        db.Set<SalesMaterial>().Include(m => m.Bindings).FirstOrDefaultAsync(m => m.SalesMaterialBn == salesMaterialBn, ct);

    /// <summary>The sales material with this code (with its bindings); a <see cref="DomainException"/> when there is none.</summary>
    public async Task<SalesMaterial> GetAsync(string salesMaterialBn, CancellationToken ct = default) =>
        await FindAsync(salesMaterialBn, ct).ConfigureAwait(false)
        ?? throw new DomainException($"sales_material_bn '{salesMaterialBn}' does not exist");

    /// <summary>The bindings with their basic material codes, in their position order.</summary>
    public async Task<IReadOnlyList<BindingPart>> BindingsAsync(long salesMaterialId, CancellationToken ct = default) =>
        await (from b in db.Set<SalesMaterialBinding>()
               join m in db.Set<BasicMaterial>() on b.BasicMaterialId equals m.Id
               where b.SalesMaterialId == salesMaterialId
               orderby b.Position
               select new BindingPart(m.MaterialBn, b.Quantity, b.PriceShare)).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>The code of the shop a sales material is limited to, or null.</summary>
    public async Task<string?> ShopBnAsync(long? shopId, CancellationToken ct = default) =>
        shopId is null ? null
            : await db.Set<Shop>().Where(s => s.Id == shopId).Select(s => s.ShopBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);

    public async Task<SalesMaterial> CreateAsync(SalesMaterialInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        if (await db.Set<SalesMaterial>().AnyAsync(m => m.SalesMaterialBn == v.SalesMaterialBn, ct).ConfigureAwait(false))
            throw new DomainException($"sales_material_bn '{v.SalesMaterialBn}' already exists");
        var shopId = await ResolveShopAsync(v.ShopBn, ct).ConfigureAwait(false);
        var materialIds = await ResolveMaterialsAsync(v.Bindings, ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var m = new SalesMaterial
        {
            SalesMaterialBn = v.SalesMaterialBn, Name = v.Name, Type = v.Type, RetailPrice = v.RetailPrice, ShopId = shopId,
            CreatedAt = now, UpdatedAt = now,
            Bindings = v.Bindings.Select((p, i) => new SalesMaterialBinding
            {
                BasicMaterialId = materialIds[p.Bn], Quantity = p.Quantity, PriceShare = p.PriceShare!.Value, Position = i,
            }).ToList(),
        };
        db.Add(m);
        audit.Record("salesmaterial.create", $"salesmaterial:{m.SalesMaterialBn}",
            $"name={m.Name}; type={(int)m.Type}; bind_info={BindInfo.Format(v.Bindings)}; shop_bn={v.ShopBn}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await invalidator.AfterCommitAsync(db, [CacheKey(m.SalesMaterialBn)], ct).ConfigureAwait(false);
        return m;
    }

    /// <summary>Replaces every field and the bindings of the sales material named by <see cref="SalesMaterialInput.SalesMaterialBn"/>.</summary>
    public async Task<SalesMaterial> UpdateAsync(SalesMaterialInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var m = await GetAsync(v.SalesMaterialBn, ct).ConfigureAwait(false);
        var shopId = await ResolveShopAsync(v.ShopBn, ct).ConfigureAwait(false);
        var materialIds = await ResolveMaterialsAsync(v.Bindings, ct).ConfigureAwait(false);
        var oldBindings = await BindingsAsync(m.Id, ct).ConfigureAwait(false);

        var changes = new FieldChanges();
        changes.Track("sales_material_name", m.Name, v.Name);
        changes.Track("sales_material_type", (int)m.Type, (int)v.Type);
        changes.Track("retail_price", m.RetailPrice, v.RetailPrice);
        changes.Track("shop_bn", await ShopBnAsync(m.ShopId, ct).ConfigureAwait(false), v.ShopBn);
        changes.Track("bind_info", BindInfo.Format(oldBindings), BindInfo.Format(v.Bindings));

        m.Name = v.Name;
        m.Type = v.Type;
        m.RetailPrice = v.RetailPrice;
        m.ShopId = shopId;
        // Kept rows are updated in place: deleting and re-inserting the same basic material
        // would collide with the (sales material, basic material) unique index within one save.
        var wanted = v.Bindings.Select((p, i) => (Part: p, Position: i, MaterialId: materialIds[p.Bn])).ToList();
        m.Bindings.RemoveAll(b => wanted.All(w => w.MaterialId != b.BasicMaterialId));
        foreach (var w in wanted)
        {
            var row = m.Bindings.FirstOrDefault(b => b.BasicMaterialId == w.MaterialId);
            if (row is null) m.Bindings.Add(row = new SalesMaterialBinding { SalesMaterialId = m.Id, BasicMaterialId = w.MaterialId });
            row.Quantity = w.Part.Quantity;
            row.PriceShare = w.Part.PriceShare!.Value;
            row.Position = w.Position;
        }
        if (changes.Any) m.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("salesmaterial.update", $"salesmaterial:{m.SalesMaterialBn}", changes.ToString(), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await invalidator.AfterCommitAsync(db, [CacheKey(m.SalesMaterialBn)], ct).ConfigureAwait(false);
        return m;
    }

    public Task<SalesMaterial?> FindByIdAsync(long id, CancellationToken ct = default) =>
        db.Set<SalesMaterial>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.Set<SalesMaterial>().CountAsync(ct);

    /// <summary>Sales materials newest first with their shop and bindings, keyset paged on the primary key (no OFFSET).</summary>
    public async Task<KeysetPage<SalesMaterialListItem>> ListAsync(SalesMaterialFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<SalesMaterial>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var t = filter.Text.Trim().ToLowerInvariant();
            q = q.Where(m => m.SalesMaterialBn.ToLower().Contains(t) || m.Name.ToLower().Contains(t));
        }
        if (filter.Type is { } type) q = q.Where(m => m.Type == type);
        if (!string.IsNullOrWhiteSpace(filter.ShopBn))
        {
            var shopBn = filter.ShopBn.Trim();
            var shopId = await db.Set<Shop>().Where(s => s.ShopBn == shopBn).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (shopId is null) return new KeysetPage<SalesMaterialListItem>([], null);
            q = q.Where(m => m.ShopId == shopId);
        }
        var page = await q.ToKeysetPageAsync(m => m.Id, before, pageSize, ct).ConfigureAwait(false);

        var ids = page.Items.Select(m => m.Id).ToList();
        var parts = await (from b in db.Set<SalesMaterialBinding>()
                           join m in db.Set<BasicMaterial>() on b.BasicMaterialId equals m.Id
                           where ids.Contains(b.SalesMaterialId)
                           orderby b.SalesMaterialId, b.Position
                           select new { b.SalesMaterialId, Part = new BindingPart(m.MaterialBn, b.Quantity, b.PriceShare) })
            .ToListAsync(ct).ConfigureAwait(false);
        var shopIds = page.Items.Where(m => m.ShopId != null).Select(m => m.ShopId!.Value).Distinct().ToList();
        var shops = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.ShopBn, ct).ConfigureAwait(false);
        var rows = page.Items.Select(m => new SalesMaterialListItem(m, m.ShopId is { } sid ? shops.GetValueOrDefault(sid) : null,
            parts.Where(p => p.SalesMaterialId == m.Id).Select(p => p.Part).ToList())).ToList();
        return new KeysetPage<SalesMaterialListItem>(rows, page.NextBefore);
    }

    private async Task<long?> ResolveShopAsync(string? shopBn, CancellationToken ct)
    {
        if (shopBn is null) return null;
        return await db.Set<Shop>().Where(s => s.ShopBn == shopBn).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false)
               ?? throw new ValidationException("shop_bn", $"shop_bn '{shopBn}' does not exist");
    }

    /// <summary>Basic material ids by code; every part must name an existing basic material.</summary>
    private async Task<Dictionary<string, long>> ResolveMaterialsAsync(IReadOnlyList<BindingPart> parts, CancellationToken ct)
    {
        var bns = parts.Select(p => p.Bn).ToList();
        var found = await db.Set<BasicMaterial>().AsNoTracking().Where(m => bns.Contains(m.MaterialBn))
            .ToDictionaryAsync(m => m.MaterialBn, m => m.Id, StringComparer.Ordinal, ct).ConfigureAwait(false);
        var unknown = bns.Where(bn => !found.ContainsKey(bn)).ToList();
        if (unknown.Count > 0)
            throw new ValidationException(BindInfo.Field, $"basic material {string.Join(", ", unknown.Select(u => $"'{u}'"))} does not exist");
        return found;
    }

    private static SalesMaterialInput Validate(SalesMaterialInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bn = MasterDataInput.Code("sales_material_bn", input.SalesMaterialBn);
        var name = MasterDataInput.Text("sales_material_name", input.Name, MaxNameLength);
        if (!Enum.IsDefined(input.Type))
            throw new ValidationException("sales_material_type", $"must be 1 (normal), 2 (combination), 3 (gift), 4 (lucky bag) or 5 (pick-one), got {(int)input.Type}");
        var price = MasterDataInput.NonNegative("retail_price", input.RetailPrice);
        var shopBn = MasterDataInput.OptionalCode("shop_bn", input.ShopBn);
        var bindings = BindInfo.Normalize(input.Bindings ?? [], input.Type);
        return input with { SalesMaterialBn = bn, Name = name, RetailPrice = price, ShopBn = shopBn, Bindings = bindings };
    }
}
