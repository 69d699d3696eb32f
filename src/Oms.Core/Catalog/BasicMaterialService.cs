using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Caching;
using Oms.Channels;
using Oms.Common;
using Oms.Data;

namespace Oms.Catalog;

/// <summary>What a basic material is created or updated from (admin form or <c>basicmaterial.add</c>/<c>.update</c>).</summary>
public sealed record BasicMaterialInput(string MaterialBn, string Name)
{
    /// <summary>Barcode (条码, the OpenAPI's <c>material_code</c>); unique when present.</summary>
    public string? Barcode { get; init; }
    public BasicMaterialType Type { get; init; } = BasicMaterialType.Finished;
    /// <summary>The OpenAPI's <c>visibled</c>: 1 sellable, 2 stopped.</summary>
    public bool Sellable { get; init; } = true;
    public string? Unit { get; init; }
    public decimal RetailPrice { get; init; }
    public decimal Cost { get; init; }
    /// <summary>Kilograms.</summary>
    public decimal Weight { get; init; }

    public static BasicMaterialInput From(BasicMaterial m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(m.MaterialBn, m.Name)
        {
            Barcode = m.Barcode, Type = m.Type, Sellable = m.Sellable, Unit = m.Unit,
            RetailPrice = m.RetailPrice, Cost = m.Cost, Weight = m.Weight,
        };
    }
}

/// <summary>Filters of the basic material list: code, name or barcode containing <see cref="Text"/> (any case); type; sellable.</summary>
public sealed record BasicMaterialFilter(string? Text = null, BasicMaterialType? Type = null, bool? Sellable = null);

/// <summary>A basic material as the cached lookups answer it: an immutable copy, safe to share between requests and processes.</summary>
public sealed record BasicMaterialInfo(long Id, string MaterialBn, string Name, string? Barcode, BasicMaterialType Type, bool Sellable,
    string? Unit, decimal RetailPrice, decimal Cost, decimal Weight);

/// <summary>Creates, changes and finds basic materials (基础物料).</summary>
public sealed class BasicMaterialService(OmsDbContext db, TimeProvider clock, AuditLog audit, IOmsCache cache, CacheInvalidator invalidator,
    IEnumerable<IBasicMaterialListener> listeners)
{
    public const int MaxNameLength = 200;
    public const int MaxUnitLength = 32;
    private static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(10);

    public static string CacheKeyByBn(string materialBn) => "bm:bn:" + materialBn;
    public static string CacheKeyByBarcode(string barcode) => "bm:barcode:" + barcode;

    /// <summary>The basic material with this code, cached; null when there is none.</summary>
    public Task<BasicMaterialInfo?> LookupAsync(string materialBn, CancellationToken ct = default) =>
        cache.GetOrLoadAsync(CacheKeyByBn(materialBn), CacheTtl, c => LoadInfoAsync(m => m.MaterialBn == materialBn, c), ct);

    /// <summary>The basic material with this barcode (条码, scanned at verification), cached; null when there is none.</summary>
    public Task<BasicMaterialInfo?> LookupByBarcodeAsync(string barcode, CancellationToken ct = default) =>
        cache.GetOrLoadAsync(CacheKeyByBarcode(barcode), CacheTtl, c => LoadInfoAsync(m => m.Barcode == barcode, c), ct);

    private Task<BasicMaterialInfo?> LoadInfoAsync(System.Linq.Expressions.Expression<Func<BasicMaterial, bool>> where, CancellationToken ct) =>
        db.Set<BasicMaterial>().AsNoTracking().Where(where)
            .Select(m => new BasicMaterialInfo(m.Id, m.MaterialBn, m.Name, m.Barcode, m.Type, m.Sellable, m.Unit, m.RetailPrice, m.Cost, m.Weight))
            .FirstOrDefaultAsync(ct);

    /// <summary>The OpenAPI's <c>visibled</c>: 1 sellable, 2 stopped.</summary>
    public static bool ParseVisibled(int value) => value switch
    {
        1 => true,
        2 => false,
        _ => throw new ValidationException("visibled", $"must be 1 (sellable) or 2 (stopped), got {value}"),
    };

    public static int VisibledValue(bool sellable) => sellable ? 1 : 2;

    public Task<BasicMaterial?> FindAsync(string materialBn, CancellationToken ct = default) =>
        db.Set<BasicMaterial>().FirstOrDefaultAsync(m => m.MaterialBn == materialBn, ct);

    public Task<BasicMaterial?> FindByBarcodeAsync(string barcode, CancellationToken ct = default) =>
        db.Set<BasicMaterial>().FirstOrDefaultAsync(m => m.Barcode == barcode, ct);

    /// <summary>The basic material with this code; a <see cref="DomainException"/> when there is none.</summary>
    public async Task<BasicMaterial> GetAsync(string materialBn, CancellationToken ct = default) =>
        await FindAsync(materialBn, ct).ConfigureAwait(false)
        ?? throw new DomainException($"material_bn '{materialBn}' does not exist");

    public async Task<BasicMaterial> CreateAsync(BasicMaterialInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        if (await db.Set<BasicMaterial>().AnyAsync(m => m.MaterialBn == v.MaterialBn, ct).ConfigureAwait(false))
            throw new DomainException($"material_bn '{v.MaterialBn}' already exists");
        await CheckBarcodeFreeAsync(v.Barcode, 0, ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var m = new BasicMaterial
        {
            MaterialBn = v.MaterialBn, Name = v.Name, Barcode = v.Barcode, Type = v.Type, Sellable = v.Sellable, Unit = v.Unit,
            RetailPrice = v.RetailPrice, Cost = v.Cost, Weight = v.Weight, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(m);
        audit.Record("basicmaterial.create", $"basicmaterial:{m.MaterialBn}",
            $"name={m.Name}; material_code={m.Barcode}; material_type={(int)m.Type}; retail_price={Money.ToText(m.RetailPrice)}; cost={Money.ToText(m.Cost)}", userName);
        foreach (var l in listeners) await l.OnSavingAsync(m, true, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        // "no such material" may be cached under either key
        await invalidator.AfterCommitAsync(db, [CacheKeyByBn(m.MaterialBn), m.Barcode is null ? null : CacheKeyByBarcode(m.Barcode)], ct).ConfigureAwait(false);
        return m;
    }

    /// <summary>Replaces every field of the material named by <see cref="BasicMaterialInput.MaterialBn"/>.</summary>
    public async Task<BasicMaterial> UpdateAsync(BasicMaterialInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var m = await GetAsync(v.MaterialBn, ct).ConfigureAwait(false);
        await CheckBarcodeFreeAsync(v.Barcode, m.Id, ct).ConfigureAwait(false);

        var oldBarcode = m.Barcode;
        var changes = new FieldChanges();
        changes.Track("material_name", m.Name, v.Name);
        changes.Track("material_code", m.Barcode, v.Barcode);
        changes.Track("material_type", (int)m.Type, (int)v.Type);
        changes.Track("visibled", VisibledValue(m.Sellable), VisibledValue(v.Sellable));
        changes.Track("unit", m.Unit, v.Unit);
        changes.Track("retail_price", m.RetailPrice, v.RetailPrice);
        changes.Track("cost", m.Cost, v.Cost);
        changes.Track("weight", m.Weight, v.Weight);

        m.Name = v.Name;
        m.Barcode = v.Barcode;
        m.Type = v.Type;
        m.Sellable = v.Sellable;
        m.Unit = v.Unit;
        m.RetailPrice = v.RetailPrice;
        m.Cost = v.Cost;
        m.Weight = v.Weight;
        if (changes.Any) m.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("basicmaterial.update", $"basicmaterial:{m.MaterialBn}", changes.ToString(), userName);
        if (changes.Any)
            foreach (var l in listeners) await l.OnSavingAsync(m, false, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await invalidator.AfterCommitAsync(db,
            [CacheKeyByBn(m.MaterialBn), oldBarcode is null ? null : CacheKeyByBarcode(oldBarcode), m.Barcode is null ? null : CacheKeyByBarcode(m.Barcode)], ct).ConfigureAwait(false);
        return m;
    }

    public Task<BasicMaterial?> FindByIdAsync(long id, CancellationToken ct = default) =>
        db.Set<BasicMaterial>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.Set<BasicMaterial>().CountAsync(ct);

    /// <summary>Basic materials newest first, keyset paged on the primary key (no OFFSET).</summary>
    public Task<KeysetPage<BasicMaterial>> ListAsync(BasicMaterialFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<BasicMaterial>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var t = filter.Text.Trim().ToLowerInvariant();
            q = q.Where(m => m.MaterialBn.ToLower().Contains(t) || m.Name.ToLower().Contains(t)
                             || (m.Barcode != null && m.Barcode.ToLower().Contains(t)));
        }
        if (filter.Type is { } type) q = q.Where(m => m.Type == type);
        if (filter.Sellable is { } sellable) q = q.Where(m => m.Sellable == sellable);
        return q.ToKeysetPageAsync(m => m.Id, before, pageSize, ct);
    }

    private async Task CheckBarcodeFreeAsync(string? barcode, long exceptId, CancellationToken ct)
    {
        if (barcode is null) return;
        var holder = await db.Set<BasicMaterial>().AsNoTracking().Where(m => m.Barcode == barcode && m.Id != exceptId)
            .Select(m => m.MaterialBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (holder is not null) throw new DomainException($"material_code (barcode) '{barcode}' already belongs to basic material '{holder}'");
    }

    private static BasicMaterialInput Validate(BasicMaterialInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bn = MasterDataInput.Code("material_bn", input.MaterialBn);
        var name = MasterDataInput.Text("material_name", input.Name, MaxNameLength);
        var barcode = MasterDataInput.OptionalCode("material_code", input.Barcode);
        if (!Enum.IsDefined(input.Type))
            throw new ValidationException("material_type", $"must be 1 (finished), 2 (semi-finished), 4 (gift) or 5 (packaging), got {(int)input.Type}");
        var unit = MasterDataInput.OptionalText("unit", input.Unit, MaxUnitLength);
        return input with
        {
            MaterialBn = bn, Name = name, Barcode = barcode, Unit = unit,
            RetailPrice = MasterDataInput.NonNegative("retail_price", input.RetailPrice),
            Cost = MasterDataInput.NonNegative("cost", input.Cost),
            Weight = MasterDataInput.NonNegative("weight", input.Weight),
        };
    }
}

/// <summary>
/// Told when a basic material is created or changed, before it is saved: what it adds to the context is written with the
/// material (e.g. the WMS module's <c>store.wms.item.add</c> to every warehouse). Register with
/// <c>services.AddScoped&lt;IBasicMaterialListener, T&gt;()</c>.
/// </summary>
public interface IBasicMaterialListener
{
    Task OnSavingAsync(BasicMaterial material, bool created, CancellationToken ct);
}
