using Oms.Channels;

namespace Oms.Integration.Matrix;

public static class MatrixNodeKinds
{
    public const string Shop = Outbox.MatrixPeerKinds.Shop;
    public const string Wms = Outbox.MatrixPeerKinds.Wms;
}

/// <summary>
/// A bound peer calling <c>/api</c>: its kind (<c>shop</c>, <c>wms</c>), its id in that kind's table,
/// its <c>node_id</c>, the <see cref="Token"/> that signs its calls (may be empty when only
/// <c>matrix.system_token</c> signs, as in ONEX) and its node type (shop platform, WMS type).
/// </summary>
public sealed record MatrixNode(string Kind, long Id, string NodeId, string Token, string NodeType);

/// <summary>
/// Finds the peer bound to a <c>node_id</c>, or null. One per kind of peer; register more with
/// <c>services.AddScoped&lt;IMatrixNodeResolver, T&gt;()</c> (WMS channels plug in here).
/// </summary>
public interface IMatrixNodeResolver
{
    Task<MatrixNode?> ResolveAsync(string nodeId, CancellationToken ct);
}

/// <summary>Shops: their own <c>node_id</c> and <c>token</c> are the binding (read through the shop cache).</summary>
internal sealed class ShopNodeResolver(ShopService shops) : IMatrixNodeResolver
{
    public async Task<MatrixNode?> ResolveAsync(string nodeId, CancellationToken ct)
    {
        var shop = await shops.LookupByNodeIdAsync(nodeId, ct).ConfigureAwait(false);
        return shop?.NodeId is { Length: > 0 } node
            ? new MatrixNode(MatrixNodeKinds.Shop, shop.Id, node, shop.Token ?? "", shop.ShopType)
            : null;
    }
}

/// <summary>Asks every registered resolver in registration order; the first that knows the node wins.</summary>
public sealed class MatrixNodes(IEnumerable<IMatrixNodeResolver> resolvers)
{
    public async Task<MatrixNode?> ResolveAsync(string nodeId, CancellationToken ct)
    {
        foreach (var r in resolvers)
            if (await r.ResolveAsync(nodeId, ct).ConfigureAwait(false) is { } node) return node;
        return null;
    }
}
