using System.Text.Json;
using System.Text.Json.Nodes;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Outbox;

/// <summary>
/// One outbound matrix request: to whom, which method, its parameters (a JSON object; nested maps
/// and lists are sent as JSON strings and signed as structures, PROTOCOL.md §1) and the business key
/// the API log is searched by (order_bn, delivery_bn, ...).
/// </summary>
public sealed record OutboundRequest(MatrixPeer Peer, string Method, JsonObject Parameters, string? BusinessKey = null)
{
    /// <summary>Parameters from any serializable object (an anonymous object, a dictionary).</summary>
    public static OutboundRequest Create(MatrixPeer peer, string method, object parameters, string? businessKey = null) =>
        new(peer, method, JsonSerializer.SerializeToNode(parameters) as JsonObject
                         ?? throw new ArgumentException("Parameters must serialize to a JSON object.", nameof(parameters)), businessKey);
}

/// <summary>
/// The outbox (DESIGN.md "Data and transactions"): <see cref="Add"/> (tracked) or <see cref="AddManyAsync"/> (untracked,
/// multi-row) writes the request and the send task (<c>matrix.send</c>, or <c>qimen.send</c> for Qimen channels,
/// <see cref="OutboxSendTasks"/>) into the caller's unit of work, so the request is sent if and only if the business
/// change commits.
/// </summary>
public sealed class Outbox(ITaskQueue queue, TaskRegistry registry, TimeProvider clock)
{
    /// <summary>System parameters the dispatcher sets; a request may not carry them.</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "app_id", "method", "date", "format", "v", "from_node_id", "to_node_id", "node_type", "task", "callback_url", "sign",
    };

    /// <summary>
    /// Adds the request to <paramref name="db"/>'s change tracker together with its task; both are
    /// written by the caller's <c>SaveChanges</c> (inside the caller's transaction) or not at all.
    /// Returns the message; its <see cref="OutboxMessage.Id"/> is the matrix <c>task</c> id.
    /// </summary>
    public OutboxMessage Add(OmsDbContext db, OutboundRequest request)
    {
        ArgumentNullException.ThrowIfNull(db);
        var (message, task) = Create(request, clock.GetUtcNow().UtcDateTime);
        db.Add(message);
        queue.Enqueue(db, [task]);
        return message;
    }

    /// <summary>
    /// Writes several requests and their tasks at once, without change tracking, in the caller's open transaction (hot
    /// paths such as batch consign): the same rows as <see cref="Add"/>, as multi-row inserts in one round trip. They
    /// commit or roll back with the caller's transaction. Returns the messages (untracked), in the order of the requests.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> AddManyAsync(OmsDbContext db, IEnumerable<OutboundRequest> requests, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = new RowInserter(db);
        var messages = AddMany(rows, requests);
        await rows.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        return messages;
    }

    /// <summary>
    /// <see cref="AddManyAsync"/> on the caller's <see cref="RowInserter"/>: the messages, then their task rows, written by
    /// the caller's <see cref="RowInserter.ExecuteWithoutIdsAsync"/> together with its other rows.
    /// </summary>
    internal IReadOnlyList<OutboxMessage> AddMany(RowInserter rows, IEnumerable<OutboundRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(requests);
        var now = clock.GetUtcNow().UtcDateTime;
        var created = requests.Select(r => Create(r, now)).ToList();
        var messages = created.Select(c => c.Message).ToList();
        rows.AddRange(messages);
        queue.Enqueue(rows, created.Select(c => c.Task));
        return messages;
    }

    /// <summary>The message of a checked request and its send task.</summary>
    private (OutboxMessage Message, TaskMessage Task) Create(OutboundRequest request, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Method);
        var reserved = request.Parameters.Select(p => p.Key).Where(ReservedKeys.Contains).ToList();
        if (reserved.Count > 0)
            throw new ArgumentException($"Parameters may not set system parameters: {string.Join(", ", reserved)}.", nameof(request));
        var message = new OutboxMessage
        {
            Id = Guid.NewGuid().ToString("N"),
            PeerKind = request.Peer.Kind,
            PeerId = request.Peer.Id,
            PeerNodeId = request.Peer.NodeId,
            PeerNodeType = request.Peer.NodeType,
            Method = request.Method,
            Parameters = request.Parameters.ToJsonString(MatrixForm.JsonOptions),
            BusinessKey = request.BusinessKey is { Length: > 100 } k ? k[..100] : request.BusinessKey,
            State = OutboxState.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var task = registry.Message(OutboxSendTasks.For(message.PeerKind), SendPayload(message.Id));
        message.TaskMessageId = task.Id;
        return (message, task);
    }

    internal static string SendPayload(string outboxId) => JsonSerializer.Serialize(new { id = outboxId });
}
