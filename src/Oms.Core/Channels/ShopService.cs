using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Caching;
using Oms.Common;
using Oms.Data;

namespace Oms.Channels;

/// <summary>What a shop is created or updated from (admin form or <c>shop.add</c>/<c>shop.update</c>).</summary>
public sealed record ShopInput(string ShopBn, string Name, string ShopType)
{
    public string? NodeId { get; init; }
    public string? Token { get; init; }
    public string? ApiUrl { get; init; }
    public bool StockWriteback { get; init; } = true;
    public bool ShipWriteback { get; init; } = true;

    /// <summary>The shop as it is now, to edit.</summary>
    public static ShopInput From(Shop shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return new(shop.ShopBn, shop.Name, shop.ShopType)
        {
            NodeId = shop.NodeId,
            Token = shop.Token,
            ApiUrl = shop.ApiUrl,
            StockWriteback = shop.StockWriteback,
            ShipWriteback = shop.ShipWriteback,
        };
    }
}

/// <summary>Filters of the shop list: code or name containing <see cref="Text"/> (any case), platform code.</summary>
public sealed record ShopFilter(string? Text = null, string? ShopType = null);

/// <summary>A shop as a picker offers it.</summary>
public sealed record ShopOption(string ShopBn, string Name);

/// <summary>
/// A shop as the cached lookups answer it (by code or node id): an immutable copy, safe to share
/// between requests and processes. Edit through <see cref="ShopService.UpdateAsync"/>.
/// </summary>
public sealed record ShopInfo(long Id, string ShopBn, string Name, string ShopType, string? NodeId, string? Token, string? ApiUrl,
    bool StockWriteback, bool ShipWriteback, DateTime UpdatedAt);

/// <summary>Creates, changes and finds shops (店铺). Field names in errors are the OpenAPI's.</summary>
public sealed class ShopService(OmsDbContext db, TimeProvider clock, AuditLog audit, IOmsCache cache, CacheInvalidator invalidator)
{
    public const int MaxTokenLength = 128;
    public const int MaxApiUrlLength = 1000;
    private static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(10);

    public static string CacheKeyByBn(string shopBn) => "shop:bn:" + shopBn;
    public static string CacheKeyByNodeId(string nodeId) => "shop:node:" + nodeId;

    /// <summary>The shop with this code, cached (the hot path of inbound requests); null when there is none.</summary>
    public Task<ShopInfo?> LookupAsync(string shopBn, CancellationToken ct = default) =>
        cache.GetOrLoadAsync(CacheKeyByBn(shopBn), CacheTtl, c => LoadInfoAsync(s => s.ShopBn == shopBn, c), ct);

    /// <summary>The shop bound to this matrix node id, cached; null when there is none.</summary>
    public Task<ShopInfo?> LookupByNodeIdAsync(string nodeId, CancellationToken ct = default) =>
        cache.GetOrLoadAsync(CacheKeyByNodeId(nodeId), CacheTtl, c => LoadInfoAsync(s => s.NodeId == nodeId, c), ct);

    private Task<ShopInfo?> LoadInfoAsync(System.Linq.Expressions.Expression<Func<Shop, bool>> where, CancellationToken ct) =>
        db.Set<Shop>().AsNoTracking().Where(where)
            .Select(s => new ShopInfo(s.Id, s.ShopBn, s.Name, s.ShopType, s.NodeId, s.Token, s.ApiUrl, s.StockWriteback, s.ShipWriteback, s.UpdatedAt))
            .FirstOrDefaultAsync(ct);

    public Task<Shop?> FindAsync(string shopBn, CancellationToken ct = default) =>
        db.Set<Shop>().FirstOrDefaultAsync(s => s.ShopBn == shopBn, ct);

    public Task<Shop?> FindByNodeIdAsync(string nodeId, CancellationToken ct = default) =>
        db.Set<Shop>().FirstOrDefaultAsync(s => s.NodeId == nodeId, ct);

    /// <summary>The shop with this code; a <see cref="DomainException"/> when there is none.</summary>
    public async Task<Shop> GetAsync(string shopBn, CancellationToken ct = default) =>
        await FindAsync(shopBn, ct).ConfigureAwait(false)
        ?? throw new DomainException($"shop_bn '{shopBn}' does not exist");

    public async Task<Shop> CreateAsync(ShopInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        if (await db.Set<Shop>().AnyAsync(s => s.ShopBn == v.ShopBn, ct).ConfigureAwait(false))
            throw new DomainException($"shop_bn '{v.ShopBn}' already exists");
        await CheckNodeIdFreeAsync(v.NodeId, 0, ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var shop = new Shop
        {
            ShopBn = v.ShopBn, Name = v.Name, ShopType = v.ShopType, NodeId = v.NodeId, Token = v.Token, ApiUrl = v.ApiUrl,
            StockWriteback = v.StockWriteback, ShipWriteback = v.ShipWriteback, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(shop);
        audit.Record("shop.create", $"shop:{shop.ShopBn}", $"name={shop.Name}; shop_type={shop.ShopType}; node_id={shop.NodeId}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        // "no such shop" may be cached under either key
        await invalidator.AfterCommitAsync(db, [CacheKeyByBn(shop.ShopBn), shop.NodeId is { } node ? CacheKeyByNodeId(node) : null], ct).ConfigureAwait(false);
        return shop;
    }

    /// <summary>Replaces every field of the shop named by <see cref="ShopInput.ShopBn"/> (the code itself never changes).</summary>
    public async Task<Shop> UpdateAsync(ShopInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var shop = await GetAsync(v.ShopBn, ct).ConfigureAwait(false);
        await CheckNodeIdFreeAsync(v.NodeId, shop.Id, ct).ConfigureAwait(false);

        var oldNodeId = shop.NodeId;
        var changes = new FieldChanges();
        changes.Track("shop_name", shop.Name, v.Name);
        changes.Track("shop_type", shop.ShopType, v.ShopType);
        changes.Track("node_id", shop.NodeId, v.NodeId);
        changes.TrackSecret("token", shop.Token, v.Token);
        changes.Track("api_url", shop.ApiUrl, v.ApiUrl);
        changes.Track("stock_writeback", shop.StockWriteback, v.StockWriteback);
        changes.Track("ship_writeback", shop.ShipWriteback, v.ShipWriteback);

        shop.Name = v.Name;
        shop.ShopType = v.ShopType;
        shop.NodeId = v.NodeId;
        shop.Token = v.Token;
        shop.ApiUrl = v.ApiUrl;
        shop.StockWriteback = v.StockWriteback;
        shop.ShipWriteback = v.ShipWriteback;
        if (changes.Any) shop.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("shop.update", $"shop:{shop.ShopBn}", changes.ToString(), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        // the old node id must stop finding the shop, the new one must start
        await invalidator.AfterCommitAsync(db,
            [CacheKeyByBn(shop.ShopBn), oldNodeId is null ? null : CacheKeyByNodeId(oldNodeId), shop.NodeId is null ? null : CacheKeyByNodeId(shop.NodeId)], ct).ConfigureAwait(false);
        return shop;
    }

    public Task<Shop?> FindByIdAsync(long id, CancellationToken ct = default) =>
        db.Set<Shop>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.Set<Shop>().CountAsync(ct);

    /// <summary>Shops newest first, keyset paged on the primary key (no OFFSET).</summary>
    public Task<KeysetPage<Shop>> ListAsync(ShopFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<Shop>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var t = filter.Text.Trim().ToLowerInvariant();
            q = q.Where(s => s.ShopBn.ToLower().Contains(t) || s.Name.ToLower().Contains(t));
        }
        if (!string.IsNullOrWhiteSpace(filter.ShopType))
        {
            var type = filter.ShopType.Trim().ToLowerInvariant();
            q = q.Where(s => s.ShopType == type);
        }
        return q.ToKeysetPageAsync(s => s.Id, before, pageSize, ct);
    }

    /// <summary>Every shop as (code, name) in code order, for pickers (a merchant has tens of shops, not thousands).</summary>
    public async Task<IReadOnlyList<ShopOption>> OptionsAsync(CancellationToken ct = default) =>
        await db.Set<Shop>().AsNoTracking().OrderBy(s => s.ShopBn).Select(s => new ShopOption(s.ShopBn, s.Name))
            .ToListAsync(ct).ConfigureAwait(false);

    private async Task CheckNodeIdFreeAsync(string? nodeId, long exceptShopId, CancellationToken ct)
    {
        if (nodeId is null) return;
        var holder = await db.Set<Shop>().AsNoTracking()
            .Where(s => s.NodeId == nodeId && s.Id != exceptShopId).Select(s => s.ShopBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (holder is not null) throw new DomainException($"node_id '{nodeId}' is already bound to shop '{holder}'");
        // one node id, one peer: a WMS channel's node cannot also be a shop (/api must know who is calling)
        var channel = await db.Set<Oms.Wms.WmsChannel>().AsNoTracking().Where(c => c.NodeId == nodeId).Select(c => c.ChannelBn)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (channel is not null) throw new DomainException($"node_id '{nodeId}' is already bound to WMS channel '{channel}'");
    }

    private static ShopInput Validate(ShopInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bn = MasterDataInput.Code("shop_bn", input.ShopBn);
        var name = MasterDataInput.Text("shop_name", input.Name);
        if (string.IsNullOrWhiteSpace(input.ShopType)) throw new ValidationException("shop_type", "is required");
        var platform = Platforms.Find(input.ShopType)
                       ?? throw new ValidationException("shop_type",
                           $"'{input.ShopType.Trim()}' is not a known platform ({string.Join(", ", Platforms.All.Select(p => p.Code))})");
        var nodeId = MasterDataInput.OptionalCode("node_id", input.NodeId);
        var token = MasterDataInput.OptionalText("token", input.Token, MaxTokenLength);
        var apiUrl = MasterDataInput.OptionalText("api_url", input.ApiUrl, MaxApiUrlLength);
        if (apiUrl is not null
            && !(Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            throw new ValidationException("api_url", $"'{apiUrl}' is not an http(s) address");
        return input with { ShopBn = bn, Name = name, ShopType = platform.Code, NodeId = nodeId, Token = token, ApiUrl = apiUrl };
    }
}
