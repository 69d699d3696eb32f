using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Regions;

namespace Oms.Warehouses;

/// <summary>What a branch is created or updated from (admin form or <c>branch.add</c>/<c>branch.update</c>).</summary>
public sealed record BranchInput(string BranchBn, string Name)
{
    /// <summary><see cref="Branch.SelfWms"/>; third-party WMS channels come with <c>wmschannel.add</c>.</summary>
    public string Wms { get; init; } = Branch.SelfWms;
    public bool Online { get; init; } = true;
    public BranchType Type { get; init; } = BranchType.Delivery;
    /// <summary>Province, any spelling <see cref="ChinaRegions.Normalize"/> accepts; stored as the full name.</summary>
    public string? Area { get; init; }
    public string? Address { get; init; }
    public int Weight { get; init; }
    /// <summary>Codes of the shops it supplies; the set replaces the current one.</summary>
    public IReadOnlyList<string> Shops { get; init; } = [];

    public static BranchInput From(Branch branch, IReadOnlyList<string> shopBns)
    {
        ArgumentNullException.ThrowIfNull(branch);
        return new(branch.BranchBn, branch.Name)
        {
            Wms = branch.Wms, Online = branch.Online, Type = branch.Type, Area = branch.Area,
            Address = branch.Address, Weight = branch.Weight, Shops = shopBns,
        };
    }
}

/// <summary>Filters of the branch list: code or name containing <see cref="Text"/> (any case), attribute, type.</summary>
public sealed record BranchFilter(string? Text = null, bool? Online = null, BranchType? Type = null);

/// <summary>A branch of the list with the shops it supplies (code order).</summary>
public sealed record BranchListItem(Branch Branch, IReadOnlyList<ShopOption> Shops);

/// <summary>A branch as a picker offers it.</summary>
public sealed record BranchOption(string BranchBn, string Name);

/// <summary>Creates, changes and finds branches (仓库) and the shops they supply.</summary>
public sealed class BranchService(OmsDbContext db, TimeProvider clock, AuditLog audit)
{
    public const int MaxAddressLength = 255;

    /// <summary>The OpenAPI's <c>attr</c>: <c>online</c> or <c>offline</c>.</summary>
    public static bool ParseAttr(string text) => text.Trim().ToLowerInvariant() switch
    {
        "online" => true,
        "offline" => false,
        _ => throw new ValidationException("attr", $"'{text}' is neither online nor offline"),
    };

    public static string AttrText(bool online) => online ? "online" : "offline";

    /// <summary>The OpenAPI's <c>type</c>: <c>delivery</c> (发货仓) or <c>stockup</c> (备货仓).</summary>
    public static BranchType ParseType(string text, string field = "type") => text.Trim().ToLowerInvariant() switch
    {
        "delivery" => BranchType.Delivery,
        "stockup" => BranchType.StockUp,
        _ => throw new ValidationException(field, $"'{text}' is neither delivery nor stockup"),
    };

    public static string TypeText(BranchType type) => type == BranchType.StockUp ? "stockup" : "delivery";

    public Task<Branch?> FindAsync(string branchBn, CancellationToken ct = default) =>
        db.Set<Branch>().Include(b => b.Shops).FirstOrDefaultAsync(b => b.BranchBn == branchBn, ct);

    /// <summary>The branch with this code (with its shop links); a <see cref="DomainException"/> when there is none.</summary>
    public async Task<Branch> GetAsync(string branchBn, CancellationToken ct = default) =>
        await FindAsync(branchBn, ct).ConfigureAwait(false)
        ?? throw new DomainException($"branch_bn '{branchBn}' does not exist");

    /// <summary>Codes of the shops the branch supplies, in code order.</summary>
    public async Task<IReadOnlyList<string>> ShopBnsAsync(long branchId, CancellationToken ct = default) =>
        await (from bs in db.Set<BranchShop>()
               join s in db.Set<Shop>() on bs.ShopId equals s.Id
               where bs.BranchId == branchId
               orderby s.ShopBn
               select s.ShopBn).ToListAsync(ct).ConfigureAwait(false);

    public async Task<Branch> CreateAsync(BranchInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        if (await db.Set<Branch>().AnyAsync(b => b.BranchBn == v.BranchBn, ct).ConfigureAwait(false))
            throw new DomainException($"branch_bn '{v.BranchBn}' already exists");
        await CheckWmsAsync(v.Wms, ct).ConfigureAwait(false);
        var shopIds = await ResolveShopsAsync(v.Shops, ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var branch = new Branch
        {
            BranchBn = v.BranchBn, Name = v.Name, Wms = v.Wms, Online = v.Online, Type = v.Type, Area = v.Area,
            Address = v.Address, Weight = v.Weight, CreatedAt = now, UpdatedAt = now,
            Shops = shopIds.Select(id => new BranchShop { ShopId = id }).ToList(),
        };
        db.Add(branch);
        audit.Record("branch.create", $"branch:{branch.BranchBn}",
            $"name={branch.Name}; wms={branch.Wms}; attr={AttrText(branch.Online)}; type={TypeText(branch.Type)}; shops={string.Join(",", v.Shops)}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return branch;
    }

    /// <summary>Replaces every field and the shop set of the branch named by <see cref="BranchInput.BranchBn"/>.</summary>
    public async Task<Branch> UpdateAsync(BranchInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var branch = await GetAsync(v.BranchBn, ct).ConfigureAwait(false);
        await CheckWmsAsync(v.Wms, ct).ConfigureAwait(false);
        if (v.Wms != branch.Wms && await db.Set<Deliveries.Delivery>().AnyAsync(d => d.BranchId == branch.Id
                && (d.Status == Deliveries.DeliveryStatus.Ready || d.Status == Deliveries.DeliveryStatus.Pause), ct).ConfigureAwait(false))
            throw new DomainException($"仓库 {branch.BranchBn} 还有未完成的发货单，不能更换 WMS");
        var shopIds = await ResolveShopsAsync(v.Shops, ct).ConfigureAwait(false);
        var oldShops = await ShopBnsAsync(branch.Id, ct).ConfigureAwait(false);

        var changes = new FieldChanges();
        changes.Track("name", branch.Name, v.Name);
        changes.Track("wms", branch.Wms, v.Wms);
        changes.Track("attr", AttrText(branch.Online), AttrText(v.Online));
        changes.Track("type", TypeText(branch.Type), TypeText(v.Type));
        changes.Track("area", branch.Area, v.Area);
        changes.Track("address", branch.Address, v.Address);
        changes.Track("weight", branch.Weight, v.Weight);
        changes.Track("shops", string.Join(",", oldShops), string.Join(",", v.Shops.Order(StringComparer.Ordinal)));

        branch.Name = v.Name;
        branch.Wms = v.Wms;
        branch.Online = v.Online;
        branch.Type = v.Type;
        branch.Area = v.Area;
        branch.Address = v.Address;
        branch.Weight = v.Weight;
        branch.Shops.RemoveAll(bs => !shopIds.Contains(bs.ShopId));
        foreach (var id in shopIds.Where(id => branch.Shops.All(bs => bs.ShopId != id)))
            branch.Shops.Add(new BranchShop { BranchId = branch.Id, ShopId = id });
        if (changes.Any) branch.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("branch.update", $"branch:{branch.BranchBn}", changes.ToString(), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return branch;
    }

    public Task<Branch?> FindByIdAsync(long id, CancellationToken ct = default) =>
        db.Set<Branch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.Set<Branch>().CountAsync(ct);

    /// <summary>Branches newest first with the shops each supplies, keyset paged on the primary key (no OFFSET).</summary>
    public async Task<KeysetPage<BranchListItem>> ListAsync(BranchFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<Branch>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var t = filter.Text.Trim().ToLowerInvariant();
            q = q.Where(b => b.BranchBn.ToLower().Contains(t) || b.Name.ToLower().Contains(t));
        }
        if (filter.Online is { } online) q = q.Where(b => b.Online == online);
        if (filter.Type is { } type) q = q.Where(b => b.Type == type);
        var page = await q.ToKeysetPageAsync(b => b.Id, before, pageSize, ct).ConfigureAwait(false);
        var ids = page.Items.Select(b => b.Id).ToList();
        var links = await (from bs in db.Set<BranchShop>()
                           join s in db.Set<Shop>() on bs.ShopId equals s.Id
                           where ids.Contains(bs.BranchId)
                           orderby s.ShopBn
                           select new { bs.BranchId, s.ShopBn, s.Name }).ToListAsync(ct).ConfigureAwait(false);
        var rows = page.Items.Select(b => new BranchListItem(b,
            links.Where(l => l.BranchId == b.Id).Select(l => new ShopOption(l.ShopBn, l.Name)).ToList())).ToList();
        return new KeysetPage<BranchListItem>(rows, page.NextBefore);
    }

    /// <summary>Every branch as (code, name) in code order, for pickers.</summary>
    public async Task<IReadOnlyList<BranchOption>> OptionsAsync(CancellationToken ct = default) =>
        await db.Set<Branch>().AsNoTracking().OrderBy(b => b.BranchBn).Select(b => new BranchOption(b.BranchBn, b.Name))
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary><c>wms</c>: <c>selfwms</c> or the <c>channel_bn</c> of an existing WMS channel (Wms module).</summary>
    private async Task CheckWmsAsync(string wms, CancellationToken ct)
    {
        if (wms == Branch.SelfWms) return;
        if (!await db.Set<Oms.Wms.WmsChannel>().AnyAsync(c => c.ChannelBn == wms, ct).ConfigureAwait(false))
            throw new ValidationException("wms", $"'{wms}' is neither '{Branch.SelfWms}' (the OMS's own warehouse) nor the channel_bn of a WMS channel (wmschannel.add)");
    }

    /// <summary>Shop ids for the codes; every code must name an existing shop.</summary>
    private async Task<HashSet<long>> ResolveShopsAsync(IReadOnlyList<string> shopBns, CancellationToken ct)
    {
        if (shopBns.Count == 0) return [];
        var found = await db.Set<Shop>().AsNoTracking().Where(s => shopBns.Contains(s.ShopBn))
            .Select(s => new { s.ShopBn, s.Id }).ToListAsync(ct).ConfigureAwait(false);
        var unknown = shopBns.Where(bn => found.All(f => f.ShopBn != bn)).ToList();
        if (unknown.Count > 0)
            throw new ValidationException("shops", $"shop_bn {string.Join(", ", unknown.Select(u => $"'{u}'"))} does not exist");
        return found.Select(f => f.Id).ToHashSet();
    }

    private static BranchInput Validate(BranchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bn = MasterDataInput.Code("branch_bn", input.BranchBn);
        var name = MasterDataInput.Text("name", input.Name);
        var wms = string.IsNullOrWhiteSpace(input.Wms) ? Branch.SelfWms : input.Wms.Trim();
        if (string.Equals(wms, Branch.SelfWms, StringComparison.OrdinalIgnoreCase)) wms = Branch.SelfWms;
        if (!Enum.IsDefined(input.Type)) throw new ValidationException("type", "must be delivery or stockup");
        string? area = null;
        if (!string.IsNullOrWhiteSpace(input.Area))
            area = ChinaRegions.Normalize(input.Area) ?? throw new ValidationException("area", $"'{input.Area.Trim()}' is not a province of China");
        var address = MasterDataInput.OptionalText("address", input.Address, MaxAddressLength);
        if (input.Weight < 0) throw new ValidationException("weight", $"must not be negative (got {input.Weight})");

        var shops = new List<string>();
        foreach (var s in input.Shops ?? [])
        {
            var code = MasterDataInput.OptionalCode("shops", s);
            if (code is not null && !shops.Contains(code)) shops.Add(code);
        }
        return input with { BranchBn = bn, Name = name, Wms = wms, Area = area, Address = address, Shops = shops };
    }
}
