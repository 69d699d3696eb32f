using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Warehouses;

namespace Oms.Wms;

/// <summary>What a WMS channel is created or changed from (admin form or <c>wmschannel.add</c>/<c>wmschannel.update</c>).</summary>
public sealed record WmsChannelInput(string ChannelBn, string Name)
{
    public string Adapter { get; init; } = WmsAdapterNames.Matrix;
    public string? NodeId { get; init; }
    /// <summary>Null on an update keeps the stored token (forms never show it).</summary>
    public string? Token { get; init; }
    public string? NodeType { get; init; }
    public string? AppKey { get; init; }
    /// <summary>Null on an update keeps the stored secret.</summary>
    public string? Secret { get; init; }
    public string? CustomerId { get; init; }
    public string? ApiUrl { get; init; }
    public bool Poll { get; init; }

    public static WmsChannelInput From(WmsChannel c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.ChannelBn, c.Name)
        {
            Adapter = c.Adapter, NodeId = c.NodeId, NodeType = c.NodeType, AppKey = c.AppKey, CustomerId = c.CustomerId, ApiUrl = c.ApiUrl, Poll = c.Poll,
        };
    }
}

/// <summary>A channel as pickers offer it (branch form).</summary>
public sealed record WmsChannelOption(string ChannelBn, string Name, string Adapter);

/// <summary>Creates, changes and finds WMS channels (第三方仓储).</summary>
public sealed class WmsChannelService(OmsDbContext db, TimeProvider clock, AuditLog audit)
{
    public const int MaxTokenLength = 200;
    public const int MaxApiUrlLength = 500;

    public Task<WmsChannel?> FindAsync(string channelBn, CancellationToken ct = default) =>
        db.Set<WmsChannel>().FirstOrDefaultAsync(c => c.ChannelBn == channelBn, ct);

    public Task<WmsChannel?> FindByIdAsync(long id, CancellationToken ct = default) =>
        db.Set<WmsChannel>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);

    public Task<WmsChannel?> FindByNodeIdAsync(string nodeId, CancellationToken ct = default) =>
        db.Set<WmsChannel>().AsNoTracking().FirstOrDefaultAsync(c => c.NodeId == nodeId, ct);

    public async Task<WmsChannel> CreateAsync(WmsChannelInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input, creating: true);
        if (await db.Set<WmsChannel>().AnyAsync(c => c.ChannelBn == v.ChannelBn, ct).ConfigureAwait(false))
            throw new DomainException($"channel_bn '{v.ChannelBn}' already exists");
        await CheckNodeIdFreeAsync(v.NodeId, 0, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var c = new WmsChannel
        {
            ChannelBn = v.ChannelBn, Name = v.Name, Adapter = v.Adapter, NodeId = v.NodeId, Token = v.Token, NodeType = v.NodeType ?? "wms",
            AppKey = v.AppKey, Secret = v.Secret, CustomerId = v.CustomerId, ApiUrl = v.ApiUrl, Poll = v.Poll, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(c);
        audit.Record("wmschannel.create", $"wmschannel:{c.ChannelBn}", $"name={c.Name}; adapter={c.Adapter}; node_id={c.NodeId}; poll={c.Poll}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return c;
    }

    /// <summary>Replaces the fields of the channel named by <see cref="WmsChannelInput.ChannelBn"/>; a null token or secret keeps the stored one.</summary>
    public async Task<WmsChannel> UpdateAsync(WmsChannelInput input, string? userName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await FindAsync(input.ChannelBn?.Trim() ?? "", ct).ConfigureAwait(false)
                ?? throw new DomainException($"channel_bn '{input.ChannelBn}' does not exist");
        var v = Validate(input with { Token = input.Token ?? c.Token, Secret = input.Secret ?? c.Secret }, creating: false);
        await CheckNodeIdFreeAsync(v.NodeId, c.Id, ct).ConfigureAwait(false);
        if (v.Adapter != c.Adapter && await HasOpenDeliveriesAsync(c.ChannelBn, ct).ConfigureAwait(false))
            throw new DomainException($"WMS 渠道 {c.ChannelBn} 还有未完成的发货单，不能更换适配器");
        var changes = new FieldChanges();
        changes.Track("name", c.Name, v.Name);
        changes.Track("adapter", c.Adapter, v.Adapter);
        changes.Track("node_id", c.NodeId, v.NodeId);
        changes.TrackSecret("token", c.Token, v.Token);
        changes.Track("node_type", c.NodeType, v.NodeType ?? "wms");
        changes.Track("app_key", c.AppKey, v.AppKey);
        changes.TrackSecret("secret", c.Secret, v.Secret);
        changes.Track("customer_id", c.CustomerId, v.CustomerId);
        changes.Track("api_url", c.ApiUrl, v.ApiUrl);
        changes.Track("poll", c.Poll, v.Poll);
        c.Name = v.Name;
        c.Adapter = v.Adapter;
        c.NodeId = v.NodeId;
        c.Token = v.Token;
        c.NodeType = v.NodeType ?? "wms";
        c.AppKey = v.AppKey;
        c.Secret = v.Secret;
        c.CustomerId = v.CustomerId;
        c.ApiUrl = v.ApiUrl;
        c.Poll = v.Poll;
        if (changes.Any) c.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("wmschannel.update", $"wmschannel:{c.ChannelBn}", changes.ToString(), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return c;
    }

    /// <summary>Every channel in code order (a merchant has a handful).</summary>
    public async Task<IReadOnlyList<WmsChannel>> AllAsync(CancellationToken ct = default) =>
        await db.Set<WmsChannel>().AsNoTracking().OrderBy(c => c.ChannelBn).ToListAsync(ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<WmsChannelOption>> OptionsAsync(CancellationToken ct = default) =>
        await db.Set<WmsChannel>().AsNoTracking().OrderBy(c => c.ChannelBn).Select(c => new WmsChannelOption(c.ChannelBn, c.Name, c.Adapter))
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary>Branch codes per channel code, for the list.</summary>
    public async Task<ILookup<string, string>> BranchesAsync(CancellationToken ct = default) =>
        (await db.Set<Branch>().AsNoTracking().Where(b => b.Wms != Branch.SelfWms).Select(b => new { b.Wms, b.BranchBn }).ToListAsync(ct).ConfigureAwait(false))
        .ToLookup(x => x.Wms, x => x.BranchBn);

    private Task<bool> HasOpenDeliveriesAsync(string channelBn, CancellationToken ct) =>
        (from d in db.Set<Oms.Deliveries.Delivery>()
         join b in db.Set<Branch>() on d.BranchId equals b.Id
         where b.Wms == channelBn && (d.Status == Oms.Deliveries.DeliveryStatus.Ready || d.Status == Oms.Deliveries.DeliveryStatus.Pause)
         select d.Id).AnyAsync(ct);

    /// <summary>A node id belongs to one peer: not to another channel, not to a shop (the /api caller must be unambiguous).</summary>
    private async Task CheckNodeIdFreeAsync(string? nodeId, long exceptChannelId, CancellationToken ct)
    {
        if (nodeId is null) return;
        var channel = await db.Set<WmsChannel>().AsNoTracking().Where(c => c.NodeId == nodeId && c.Id != exceptChannelId)
            .Select(c => c.ChannelBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (channel is not null) throw new DomainException($"node_id '{nodeId}' is already bound to WMS channel '{channel}'");
        var shop = await db.Set<Shop>().AsNoTracking().Where(s => s.NodeId == nodeId).Select(s => s.ShopBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (shop is not null) throw new DomainException($"node_id '{nodeId}' is already bound to shop '{shop}'");
    }

    private static WmsChannelInput Validate(WmsChannelInput input, bool creating)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bn = MasterDataInput.Code("channel_bn", input.ChannelBn);
        if (string.Equals(bn, Branch.SelfWms, StringComparison.OrdinalIgnoreCase))
            throw new ValidationException("channel_bn", $"'{bn}' is reserved for the OMS's own warehouse");
        var name = MasterDataInput.Text("name", input.Name);
        var adapter = (input.Adapter ?? "").Trim().ToLowerInvariant();
        if (adapter.Length == 0) adapter = WmsAdapterNames.Matrix;
        if (!WmsAdapterNames.All.Contains(adapter))
            throw new ValidationException("adapter", $"'{input.Adapter}' is neither matrix nor qimen");
        var nodeId = MasterDataInput.OptionalCode("node_id", input.NodeId);
        var token = MasterDataInput.OptionalText("token", input.Token, MaxTokenLength);
        var nodeType = MasterDataInput.OptionalCode("node_type", input.NodeType);
        var appKey = MasterDataInput.OptionalText("app_key", input.AppKey, 100);
        var secret = MasterDataInput.OptionalText("secret", input.Secret, MaxTokenLength);
        var customerId = MasterDataInput.OptionalText("customer_id", input.CustomerId, 100);
        var apiUrl = MasterDataInput.OptionalText("api_url", input.ApiUrl, MaxApiUrlLength);
        if (apiUrl is not null
            && !(Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            throw new ValidationException("api_url", $"'{apiUrl}' is not an http(s) address");
        if (adapter == WmsAdapterNames.Matrix)
        {
            if (nodeId is null) throw new ValidationException("node_id", "is required for adapter matrix");
            if (token is null) throw new ValidationException("token", "is required for adapter matrix");
        }
        else
        {
            if (appKey is null) throw new ValidationException("app_key", "is required for adapter qimen");
            if (secret is null) throw new ValidationException("secret", "is required for adapter qimen");
            if (customerId is null) throw new ValidationException("customer_id", "is required for adapter qimen");
            if (creating && apiUrl is null) throw new ValidationException("api_url", "is required for adapter qimen");
        }
        return input with
        {
            ChannelBn = bn, Name = name, Adapter = adapter, NodeId = nodeId, Token = token, NodeType = nodeType, AppKey = appKey, Secret = secret,
            CustomerId = customerId, ApiUrl = apiUrl,
        };
    }
}
