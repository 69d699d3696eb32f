using Oms.Data;

namespace Oms.Tasks;

/// <summary>
/// The task queue (database or RabbitMQ backend, chosen by <c>Oms:Queue:Provider</c>).
/// Delivery is at-least-once: handlers must be idempotent by message id.
/// </summary>
public interface ITaskQueue
{
    QueueProvider Provider { get; }

    /// <summary>
    /// Enqueues in the caller's unit of work: adds rows to <paramref name="db"/>'s change tracker, so
    /// they are written by the caller's <c>SaveChanges</c>, inside the caller's transaction, or not
    /// at all. With RabbitMQ the rows are an outbox that a relay publishes after commit.
    /// </summary>
    void Enqueue(OmsDbContext db, IEnumerable<TaskMessage> messages);

    /// <summary>
    /// Enqueues in the caller's transaction without change tracking (hot write paths): the same rows as
    /// <see cref="Enqueue(OmsDbContext, IEnumerable{TaskMessage})"/> are queued on <paramref name="rows"/> and written by its
    /// next execute (with the caller's other rows, multi-row), in the caller's transaction, or not at all.
    /// </summary>
    internal void Enqueue(RowInserter rows, IEnumerable<TaskMessage> messages);

    /// <summary>Enqueues on its own (committed/confirmed when the call returns).</summary>
    Task EnqueueAsync(IReadOnlyCollection<TaskMessage> messages, CancellationToken ct = default);

    /// <summary>Opens a consumer of one kind; <paramref name="prefetch"/> bounds what it holds unacknowledged.</summary>
    Task<ITaskConsumer> OpenConsumerAsync(TaskKind kind, int prefetch, CancellationToken ct = default);

    /// <summary>Waiting (ready) per kind, and leased where the backend can tell (the database; null for RabbitMQ).</summary>
    Task<IReadOnlyDictionary<TaskKind, QueueDepth>> DepthAsync(CancellationToken ct = default);
}

public readonly record struct QueueDepth(long Waiting, long? Leased);

/// <summary>Receives one kind's tasks and settles them. Disposing returns unsettled deliveries to the queue.</summary>
public interface ITaskConsumer : IAsyncDisposable
{
    /// <summary>
    /// Up to <paramref name="max"/> tasks and, when <paramref name="perType"/> is given, at most its count of each type it
    /// names and none of another (the database; RabbitMQ delivers in queue order and ignores it). Waits up to
    /// <paramref name="wait"/> when none is ready, or until <paramref name="wake"/> completes.
    /// </summary>
    Task<IReadOnlyList<LeasedTask>> ReceiveAsync(int max, IReadOnlyDictionary<string, int>? perType, TimeSpan wait, Task? wake, CancellationToken ct);

    /// <summary>Done: removes the tasks from the queue.</summary>
    Task AckAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct);

    /// <summary>This attempt failed: deliver again (as the next attempt) not before <paramref name="retryAt"/>; the reason is logged.</summary>
    Task RetryAsync(LeasedTask task, string reason, DateTime retryAt, CancellationToken ct);

    /// <summary>The last attempt failed: move to the failed list with the reason.</summary>
    Task FailAsync(LeasedTask task, string reason, CancellationToken ct);

    /// <summary>Still working on these: extends their leases (database) so no other worker takes them.</summary>
    Task KeepAliveAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct);
}
