using Microsoft.EntityFrameworkCore;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Outbox;

namespace Oms.Wms;

/// <summary>
/// <c>/api</c> callers: a matrix WMS channel's <c>node_id</c> + <c>token</c> bind it, exactly as a shop's do (a node id
/// is never both, <see cref="WmsChannelService"/> refuses that). Qimen channels are not matrix nodes.
/// </summary>
internal sealed class WmsNodeResolver(OmsDbContext db) : IMatrixNodeResolver
{
    public async Task<MatrixNode?> ResolveAsync(string nodeId, CancellationToken ct)
    {
        var c = await db.Set<WmsChannel>().AsNoTracking().FirstOrDefaultAsync(x => x.NodeId == nodeId && x.Adapter == WmsAdapterNames.Matrix, ct)
            .ConfigureAwait(false);
        return c is null ? null : new MatrixNode(MatrixNodeKinds.Wms, c.Id, c.NodeId!, c.Token ?? "", c.NodeType);
    }
}

/// <summary>Outbox peers of kind <c>wms</c>: the channel as it is now (token and address re-read at every send).</summary>
internal sealed class WmsPeerResolver(OmsDbContext db) : IMatrixPeerResolver
{
    public string Kind => MatrixPeerKinds.Wms;

    public async Task<MatrixPeer?> FindAsync(long id, CancellationToken ct)
    {
        var c = await db.Set<WmsChannel>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct).ConfigureAwait(false);
        return c is null ? null : WmsPeer.Of(c);
    }
}

internal static class WmsPeer
{
    /// <summary>The matrix peer of a channel; null when it is not a bound matrix channel.</summary>
    public static MatrixPeer? Of(WmsChannel c) =>
        c.Adapter != WmsAdapterNames.Matrix || string.IsNullOrWhiteSpace(c.NodeId) || string.IsNullOrWhiteSpace(c.Token)
            ? null
            : new MatrixPeer(MatrixPeerKinds.Wms, c.Id, c.NodeId, c.Token, string.IsNullOrWhiteSpace(c.ApiUrl) ? null : c.ApiUrl, c.NodeType);
}
