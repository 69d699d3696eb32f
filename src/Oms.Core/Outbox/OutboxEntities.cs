using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Oms.Outbox;

/// <summary>States of an <see cref="OutboxMessage"/>.</summary>
public static class OutboxState
{
    /// <summary>Waiting to be sent, or waiting for its next retry (<see cref="OutboxMessage.LastError"/> says why).</summary>
    public const string Pending = "pending";
    /// <summary>The peer answered <c>rsp=running</c>: its answer comes later to <c>POST /api/callback</c>.</summary>
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    /// <summary>Every attempt failed (or the peer's callback said fail); a person may retry it.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Running, Succeeded, Failed];
}

/// <summary>
/// 出站请求: one outbound matrix request, written in the business transaction that causes it
/// (<see cref="Outbox.Add"/>) and delivered by the <c>matrix.send</c> task. <see cref="Id"/> is also
/// the matrix <c>task</c> id, the same on every retry, so the peer can recognise a repeat.
/// The peer's token is not copied here: it is read from the peer (shop, WMS channel) at send time.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>32 hex characters; the matrix <c>task</c>.</summary>
    public required string Id { get; set; }
    /// <summary><see cref="MatrixPeerKinds"/>: <c>shop</c>, <c>wms</c> (matrix WMS channel) or <c>qimen</c> (Qimen WMS channel, sent by <c>qimen.send</c>).</summary>
    public required string PeerKind { get; set; }
    public long PeerId { get; set; }
    /// <summary>The peer's node id when the request was written (<c>to_node_id</c>; re-read at send time).</summary>
    public string? PeerNodeId { get; set; }
    /// <summary><c>node_type</c>: the shop's platform code, or the WMS adapter.</summary>
    public string? PeerNodeType { get; set; }
    public required string Method { get; set; }
    /// <summary>The method's parameters as a JSON object (nested values allowed).</summary>
    public required string Parameters { get; set; }
    /// <summary>order_bn / delivery_bn / ... — what the API log is searched by.</summary>
    public string? BusinessKey { get; set; }
    public required string State { get; set; }
    /// <summary>Send attempts so far (reset by a manual retry).</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    /// <summary>The peer's last answer (truncated).</summary>
    public string? Response { get; set; }
    /// <summary>The task-queue message currently carrying this request.</summary>
    public string? TaskMessageId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

/// <summary>
/// 同步日志: one inbound call (<c>/openapi</c>, <c>/api/callback</c>) or one outbound attempt. Secrets in
/// <see cref="Parameters"/> are masked before they are stored (<see cref="ApiLogMasking"/>).
/// </summary>
public sealed class ApiLogEntry
{
    public long Id { get; set; }
    /// <summary><c>in</c> or <c>out</c>.</summary>
    public required string Direction { get; set; }
    public required string Method { get; set; }
    /// <summary>Outbound: the peer's node id; inbound OpenAPI: <c>openapi:FLAG</c>; callback: <c>node:ID</c>.</summary>
    public string? Peer { get; set; }
    /// <summary>JSON object of the parameters sent or received, secrets masked.</summary>
    public string? Parameters { get; set; }
    /// <summary>The answer, truncated to <see cref="ApiLogMasking.MaxResponseChars"/>.</summary>
    public string? Response { get; set; }
    /// <summary><c>succ</c>, <c>fail</c> or <c>running</c>.</summary>
    public required string Status { get; set; }
    /// <summary>The error code of a failure: matrix <c>res</c>, OpenAPI <c>e0000NN</c>, <c>http</c>, <c>timeout</c>, <c>config</c>.</summary>
    public string? ErrorCode { get; set; }
    public string? Message { get; set; }
    public int DurationMs { get; set; }
    /// <summary>Outbound: the attempt number of the outbox message; inbound: 1.</summary>
    public int Attempt { get; set; }
    public string? BusinessKey { get; set; }
    public string? OutboxId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class ApiLogDirection
{
    public const string In = "in";
    public const string Out = "out";
}

public static class ApiLogStatus
{
    public const string Succ = "succ";
    public const string Fail = "fail";
    public const string Running = "running";
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_message");
        b.Property(x => x.Id).HasMaxLength(32);
        b.Property(x => x.PeerKind).HasMaxLength(16);
        b.Property(x => x.PeerNodeId).HasMaxLength(100);
        b.Property(x => x.PeerNodeType).HasMaxLength(50);
        b.Property(x => x.Method).HasMaxLength(100);
        b.Property(x => x.Parameters).HasColumnType("text");
        b.Property(x => x.BusinessKey).HasMaxLength(100);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.LastError).HasMaxLength(4000);
        b.Property(x => x.Response).HasMaxLength(4000);
        b.Property(x => x.TaskMessageId).HasMaxLength(64);
        b.HasIndex(x => new { x.State, x.UpdatedAt });
        b.HasIndex(x => x.BusinessKey);
        b.HasIndex(x => new { x.PeerKind, x.PeerId });
    }
}

internal sealed class ApiLogEntryConfiguration : IEntityTypeConfiguration<ApiLogEntry>
{
    public void Configure(EntityTypeBuilder<ApiLogEntry> b)
    {
        b.ToTable("api_log");
        b.Property(x => x.Direction).HasMaxLength(3);
        b.Property(x => x.Method).HasMaxLength(100);
        b.Property(x => x.Peer).HasMaxLength(100);
        b.Property(x => x.Parameters).HasColumnType("text");
        b.Property(x => x.Response).HasColumnType("text");
        b.Property(x => x.Status).HasMaxLength(16);
        b.Property(x => x.ErrorCode).HasMaxLength(32);
        b.Property(x => x.Message).HasMaxLength(1000);
        b.Property(x => x.BusinessKey).HasMaxLength(100);
        b.Property(x => x.OutboxId).HasMaxLength(32);
        // the list is read newest first by id; these serve its filters
        b.HasIndex(x => new { x.BusinessKey, x.Id });
        b.HasIndex(x => new { x.Method, x.CreatedAt });
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => x.OutboxId);
    }
}
