using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Wms;

/// <summary>A WMS channel as the OpenAPI answers it. Token and secret are never answered.</summary>
internal sealed record WmsChannelRow(
    string ChannelBn, string Name, string Adapter, string? NodeId, string NodeType, string? AppKey, string? CustomerId, string? ApiUrl,
    bool Poll, IReadOnlyList<string> Branches, string Createtime, string Modified)
{
    public static WmsChannelRow From(WmsChannel c, IEnumerable<string> branches) => new(
        c.ChannelBn, c.Name, c.Adapter, c.NodeId, c.NodeType, c.AppKey, c.CustomerId, c.ApiUrl, c.Poll,
        branches.Order(StringComparer.Ordinal).ToList(), ChinaTime.ToText(c.CreatedAt), ChinaTime.ToText(c.UpdatedAt));
}

internal static class WmsChannelParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static WmsChannelInput Read(OpenApiRequest r, WmsChannelInput? current) =>
        new(r.Required("channel_bn"), MasterDataInput.Pick(r, "name", current?.Name))
        {
            Adapter = r.Optional("adapter") ?? current?.Adapter ?? WmsAdapterNames.Matrix,
            NodeId = MasterDataInput.PickOptional(r, "node_id", current?.NodeId),
            Token = r.Optional("token"),
            NodeType = MasterDataInput.PickOptional(r, "node_type", current?.NodeType),
            AppKey = MasterDataInput.PickOptional(r, "app_key", current?.AppKey),
            Secret = r.Optional("secret"),
            CustomerId = MasterDataInput.PickOptional(r, "customer_id", current?.CustomerId),
            ApiUrl = MasterDataInput.PickOptional(r, "api_url", current?.ApiUrl),
            // no_callback is the ONEX wording (the warehouse answers only when asked); poll is ours
            Poll = r.OptionalBool("poll") ?? r.OptionalBool("no_callback") ?? current?.Poll ?? false,
        };
}

/// <summary><c>wmschannel.add</c> (PROTOCOL.md §5): <c>channel_bn</c>, <c>name</c>, <c>adapter</c>, matrix <c>node_id</c>+<c>token</c> or Qimen <c>app_key</c>/<c>secret</c>/<c>customer_id</c>, <c>api_url</c>, <c>poll</c>.</summary>
internal sealed class WmsChannelAdd(WmsChannelService channels) : IOpenApiMethod
{
    public string Name => "wmschannel.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var c = await channels.CreateAsync(WmsChannelParams.Read(request, null), request.Actor, ct).ConfigureAwait(false);
        return WmsChannelRow.From(c, (await channels.BranchesAsync(ct).ConfigureAwait(false))[c.ChannelBn]);
    }
}

/// <summary><c>wmschannel.update</c>: what is not sent is kept (token and secret too).</summary>
internal sealed class WmsChannelUpdate(WmsChannelService channels) : IOpenApiMethod
{
    public string Name => "wmschannel.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var current = await channels.FindAsync(request.Required("channel_bn"), ct).ConfigureAwait(false)
                      ?? throw new DomainException($"channel_bn '{request.Required("channel_bn")}' does not exist");
        var c = await channels.UpdateAsync(WmsChannelParams.Read(request, WmsChannelInput.From(current)), request.Actor, ct).ConfigureAwait(false);
        return WmsChannelRow.From(c, (await channels.BranchesAsync(ct).ConfigureAwait(false))[c.ChannelBn]);
    }
}

/// <summary><c>wmschannel.getList</c>: filters <c>channel_bn</c> (comma separated), <c>adapter</c>, <c>modified_start/end</c>.</summary>
internal sealed class WmsChannelGetList(OmsDbContext db, WmsChannelService channels) : IOpenApiMethod
{
    public string Name => "wmschannel.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var codes = MasterDataInput.FilterCodes(request, "channel_bn");
        var adapter = request.Optional("adapter")?.ToLowerInvariant();
        if (adapter is not null && !WmsAdapterNames.All.Contains(adapter)) throw OpenApiException.Params("adapter", $"'{adapter}' is neither matrix nor qimen");
        var (from, to) = MasterDataInput.ModifiedWindow(request);
        var q = db.Set<WmsChannel>().AsNoTracking();
        if (codes.Count > 0) q = q.Where(c => codes.Contains(c.ChannelBn));
        if (adapter is not null) q = q.Where(c => c.Adapter == adapter);
        if (from is not null) q = q.Where(c => c.UpdatedAt >= from);
        if (to is not null) q = q.Where(c => c.UpdatedAt <= to);
        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var rows = await q.OrderBy(c => c.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        var branches = await channels.BranchesAsync(ct).ConfigureAwait(false);
        return new OpenApiList<WmsChannelRow>(rows.Select(c => WmsChannelRow.From(c, branches[c.ChannelBn])).ToList(), count);
    }
}
