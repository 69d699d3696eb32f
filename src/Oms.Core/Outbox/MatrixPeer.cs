using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Data;

namespace Oms.Outbox;

public static class MatrixPeerKinds
{
    public const string Shop = "shop";
    /// <summary>A third-party warehouse system (WMS channel); its resolver arrives with the fulfillment module.</summary>
    public const string Wms = "wms";
    /// <summary>
    /// A Qimen WMS channel (PROTOCOL.md §4; peer id = the channel's id, node id = its <c>channel_bn</c>): not a matrix node —
    /// its messages carry the XML body (<c>{"body":"&lt;request&gt;…"}</c>) and are sent by <c>qimen.send</c>, not <c>matrix.send</c>.
    /// </summary>
    public const string Qimen = "qimen";
}

/// <summary>Which task sends the outbox messages of a peer kind: <c>qimen.send</c> for Qimen channels, <c>matrix.send</c> for the rest.</summary>
public static class OutboxSendTasks
{
    public const string Qimen = "qimen.send";

    public static string For(string peerKind) => peerKind == MatrixPeerKinds.Qimen ? Qimen : MatrixSendHandler.Type;
}

/// <summary>
/// Who an outbound request goes to: a bound shop now, a WMS channel later. <see cref="NodeId"/> is
/// <c>to_node_id</c>, <see cref="Token"/> signs, <see cref="ApiUrl"/> (else the setting
/// <c>matrix.url</c>) is where it is posted, <see cref="NodeType"/> is sent as <c>node_type</c>.
/// </summary>
public sealed record MatrixPeer(string Kind, long Id, string NodeId, string Token, string? ApiUrl, string NodeType)
{
    /// <summary>The peer of a shop; throws when the shop is not bound to the matrix (no node id or token).</summary>
    public static MatrixPeer ForShop(Shop shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        if (string.IsNullOrWhiteSpace(shop.NodeId) || string.IsNullOrWhiteSpace(shop.Token))
            throw new InvalidOperationException($"Shop {shop.ShopBn} is not bound to the matrix (node_id and token are needed).");
        return new MatrixPeer(MatrixPeerKinds.Shop, shop.Id, shop.NodeId, shop.Token,
            string.IsNullOrWhiteSpace(shop.ApiUrl) ? null : shop.ApiUrl, shop.ShopType);
    }
}

/// <summary>Reads a peer of one kind as it is now (token and address may have changed since the request was written).</summary>
public interface IMatrixPeerResolver
{
    string Kind { get; }
    Task<MatrixPeer?> FindAsync(long id, CancellationToken ct);
}

internal sealed class ShopPeerResolver(OmsDbContext db) : IMatrixPeerResolver
{
    public string Kind => MatrixPeerKinds.Shop;

    public async Task<MatrixPeer?> FindAsync(long id, CancellationToken ct)
    {
        var shop = await db.Set<Shop>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct).ConfigureAwait(false);
        return shop is null || string.IsNullOrWhiteSpace(shop.NodeId) || string.IsNullOrWhiteSpace(shop.Token) ? null : MatrixPeer.ForShop(shop);
    }
}

/// <summary>All registered peer resolvers (one per kind; register more with <c>services.AddScoped&lt;IMatrixPeerResolver, T&gt;()</c>).</summary>
public sealed class MatrixPeers(IEnumerable<IMatrixPeerResolver> resolvers)
{
    public Task<MatrixPeer?> FindAsync(string kind, long id, CancellationToken ct)
    {
        var r = resolvers.FirstOrDefault(x => x.Kind == kind);
        return r is null ? Task.FromResult<MatrixPeer?>(null) : r.FindAsync(id, ct);
    }
}
