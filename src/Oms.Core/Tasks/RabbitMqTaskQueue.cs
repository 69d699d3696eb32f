using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Oms.Data;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Oms.Tasks;

/// <summary>
/// The RabbitMQ backend. One durable queue per kind, <c>{prefix}.{kind}</c>; messages are
/// persistent and published with publisher confirms, consumed with manual acks and
/// prefetch = concurrency. What RabbitMQ is not good at stays in the database:
/// <list type="bullet">
/// <item>Enqueue in the caller's transaction writes to <c>task_queue</c> (a transactional outbox);
/// the relay (<see cref="RelayOnceAsync"/>, run by every worker host) publishes rows after commit
/// and deletes them once confirmed.</item>
/// <item>Retries are rows in <c>task_queue</c> with <c>visible_at</c> = the back-off; the relay
/// re-publishes them when due (no per-message-TTL delay queue, whose head-of-line blocking would
/// hold short back-offs behind long ones).</item>
/// <item>The failed list is the <c>task_failed</c> table, the same for both backends.</item>
/// </list>
/// A direct <see cref="EnqueueAsync"/> publishes at once; if the broker is unreachable the messages
/// go to the outbox instead, so an enqueue that returned is never lost.
/// </summary>
public sealed partial class RabbitMqTaskQueue : ITaskQueue, IAsyncDisposable
{
    private readonly DatabaseTaskQueue _outbox;
    private readonly TaskDb _taskDb;
    private readonly TimeProvider _clock;
    private readonly TaskOptions _options;
    private readonly ILogger<RabbitMqTaskQueue> _log;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnection? _connection;
    private IChannel? _publisher;
    private long _epoch;

    public RabbitMqTaskQueue(DatabaseTaskQueue outbox, TaskDb taskDb, TimeProvider clock, TaskOptions options, ILogger<RabbitMqTaskQueue> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _outbox = outbox;
        _taskDb = taskDb;
        _clock = clock;
        _options = options;
        _log = log;
    }

    public QueueProvider Provider => QueueProvider.RabbitMq;

    public string QueueName(TaskKind kind) => $"{_options.Prefix}.{kind.Name()}";

    public void Enqueue(OmsDbContext db, IEnumerable<TaskMessage> messages) => _outbox.Enqueue(db, messages);

    void ITaskQueue.Enqueue(RowInserter rows, IEnumerable<TaskMessage> messages) => ((ITaskQueue)_outbox).Enqueue(rows, messages);

    public async Task EnqueueAsync(IReadOnlyCollection<TaskMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var now = _clock.GetUtcNow().UtcDateTime;
        var due = messages.Where(m => m.NotBefore <= now).ToList();
        var later = messages.Where(m => m.NotBefore > now).ToList();
        if (later.Count > 0) await _outbox.EnqueueAsync(later, ct).ConfigureAwait(false);
        if (due.Count == 0) return;
        try
        {
            await PublishAsync(due, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or PublishException or IOException)
        {
            LogPublishFallback(_log, due.Count, e.Message);
            await _outbox.EnqueueAsync(due, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes persistent messages and returns once the broker confirmed every one.</summary>
    internal async Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken ct)
    {
        var channel = await PublisherAsync(ct).ConfigureAwait(false);
        var pending = new List<Task>(Math.Min(messages.Count, 512));
        foreach (var m in messages)
        {
            var props = new BasicProperties
            {
                Persistent = true,
                MessageId = m.Id,
                Type = m.Type,
                ContentType = "application/json",
                Headers = new Dictionary<string, object?>
                {
                    ["attempt"] = m.Attempt,
                    ["kind"] = m.Kind.Name(),
                },
            };
            pending.Add(channel.BasicPublishAsync("", QueueName(m.Kind), mandatory: false, props, Encoding.UTF8.GetBytes(m.Payload), ct).AsTask());
            if (pending.Count >= 512)
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Moves due outbox rows (transactional enqueues and scheduled retries) to RabbitMQ; returns how many.</summary>
    public async Task<int> RelayOnceAsync(int max, CancellationToken ct)
    {
        var rows = await _outbox.LeaseAsync(null, max, null, false, TimeSpan.FromMinutes(1), countAttempt: false, ct).ConfigureAwait(false);
        if (rows.Count == 0) return 0;
        await PublishAsync(rows.Select(r => r.Message).ToList(), ct).ConfigureAwait(false);
        await _outbox.DeleteAsync(rows, ct).ConfigureAwait(false);
        return rows.Count;
    }

    public async Task<ITaskConsumer> OpenConsumerAsync(TaskKind kind, int prefetch, CancellationToken ct = default)
    {
        var connection = await ConnectionAsync(ct).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        await channel.BasicQosAsync(0, (ushort)Math.Clamp(prefetch, 1, ushort.MaxValue), false, ct).ConfigureAwait(false);
        var consumer = new Consumer(this, kind, channel);
        await consumer.StartAsync(ct).ConfigureAwait(false);
        return consumer;
    }

    public async Task<IReadOnlyDictionary<TaskKind, QueueDepth>> DepthAsync(CancellationToken ct = default)
    {
        var outbox = await _outbox.DepthAsync(ct).ConfigureAwait(false);
        var connection = await ConnectionAsync(ct).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        var result = new Dictionary<TaskKind, QueueDepth>();
        foreach (var kind in TaskKinds.All)
        {
            var ok = await channel.QueueDeclarePassiveAsync(QueueName(kind), ct).ConfigureAwait(false);
            result[kind] = new QueueDepth(ok.MessageCount + outbox[kind].Waiting + (outbox[kind].Leased ?? 0), null);
        }
        return result;
    }

    /// <summary>Deletes this prefix's queues (tests, and tearing down an installation).</summary>
    public async Task DeleteQueuesAsync(CancellationToken ct = default)
    {
        var connection = await ConnectionAsync(ct).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        foreach (var kind in TaskKinds.All)
            await channel.QueueDeleteAsync(QueueName(kind), false, false, cancellationToken: ct).ConfigureAwait(false);
    }

    private async Task<IConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is not null) return _connection;
        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_connection is not null) return _connection;
            var factory = new ConnectionFactory
            {
                Uri = new Uri(_options.RabbitMqUri!),
                AutomaticRecoveryEnabled = true,
                TopologyRecoveryEnabled = true,
                NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
                ClientProvidedName = $"oms:{Environment.MachineName}:{Environment.ProcessId}",
            };
            var connection = await factory.CreateConnectionAsync(ct).ConfigureAwait(false);
            // deliveries received before a reconnect are re-queued by the broker; their tags are void
            connection.RecoverySucceededAsync += (_, _) =>
            {
                Interlocked.Increment(ref _epoch);
                LogRecovered(_log);
                return Task.CompletedTask;
            };
            await using (var setup = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false))
            {
                foreach (var kind in TaskKinds.All)
                    await setup.QueueDeclareAsync(QueueName(kind), durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: ct).ConfigureAwait(false);
            }
            _connection = connection;
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<IChannel> PublisherAsync(CancellationToken ct)
    {
        if (_publisher is { IsOpen: true }) return _publisher;
        var connection = await ConnectionAsync(ct).ConfigureAwait(false);
        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_publisher is { IsOpen: true }) return _publisher;
            if (_publisher is not null) await _publisher.DisposeAsync().ConfigureAwait(false);
            _publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct).ConfigureAwait(false);
            return _publisher;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null) await _publisher.DisposeAsync().ConfigureAwait(false);
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        _connectLock.Dispose();
    }

    private sealed class Consumer(RabbitMqTaskQueue queue, TaskKind kind, IChannel channel) : ITaskConsumer
    {
        private readonly Channel<LeasedTask> _buffer = Channel.CreateUnbounded<LeasedTask>();
        private readonly Dictionary<LeasedTask, long> _epochs = new(ReferenceEqualityComparer.Instance);
        private readonly Lock _lock = new();

        public async Task StartAsync(CancellationToken ct)
        {
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, ea) =>
            {
                var h = ea.BasicProperties.Headers;
                var attempt = h is not null && h.TryGetValue("attempt", out var a) && a is not null ? Convert.ToInt32(a, CultureInfo.InvariantCulture) : 1;
                var msg = new TaskMessage(ea.BasicProperties.MessageId ?? "", ea.BasicProperties.Type ?? "", kind,
                    Encoding.UTF8.GetString(ea.Body.Span), attempt, DateTime.MinValue);
                var leased = new LeasedTask(msg, 0, null, ea.DeliveryTag);
                lock (_lock) _epochs[leased] = Interlocked.Read(ref queue._epoch);
                _buffer.Writer.TryWrite(leased);
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue.QueueName(kind), autoAck: false, consumer, ct).ConfigureAwait(false);
        }

        /// <summary>The broker delivers in queue order up to the prefetch: <paramref name="perType"/> cannot choose among them and is ignored.</summary>
        public async Task<IReadOnlyList<LeasedTask>> ReceiveAsync(int max, IReadOnlyDictionary<string, int>? perType, TimeSpan wait, Task? wake, CancellationToken ct)
        {
            var list = new List<LeasedTask>(max);
            while (list.Count < max && _buffer.Reader.TryRead(out var t)) list.Add(t);
            if (list.Count > 0 || wait <= TimeSpan.Zero) return list;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(wait);
            try
            {
                var arrived = _buffer.Reader.WaitToReadAsync(timeout.Token).AsTask();
                if (await Task.WhenAny(arrived, wake ?? arrived).ConfigureAwait(false) == arrived && await arrived.ConfigureAwait(false))
                    while (list.Count < max && _buffer.Reader.TryRead(out var t)) list.Add(t);
                else await timeout.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            return list;
        }

        /// <summary>False when the delivery came before a reconnect: the broker has re-queued it already.</summary>
        private bool Current(LeasedTask task)
        {
            long epoch;
            lock (_lock)
            {
                if (!_epochs.Remove(task, out epoch)) return false;
            }
            return epoch == Interlocked.Read(ref queue._epoch) && channel.IsOpen;
        }

        public async Task AckAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct)
        {
            foreach (var t in tasks)
                if (Current(t))
                    await channel.BasicAckAsync(t.DeliveryTag, multiple: false, ct).ConfigureAwait(false);
        }

        public async Task RetryAsync(LeasedTask task, string reason, DateTime retryAt, CancellationToken ct)
        {
            var now = queue._clock.GetUtcNow().UtcDateTime;
            await using (var db = queue._taskDb.Create())
            {
                var next = task.Message with { Attempt = task.Message.Attempt + 1, NotBefore = retryAt };
                var row = queue._outbox.Row(next, now);
                var sqlite = queue._taskDb.IsSqlite;
                // an upsert: the relay may not have deleted the row it published this attempt from yet;
                // it deletes only leased rows, so the reset state keeps this retry
                await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (var cmd = TaskSql.Command(db, """
                    INSERT INTO task_queue (id, type, kind, payload, state, attempts, max_attempts, visible_at, lease_owner, last_error, created_at, updated_at)
                    VALUES (@id, @type, @kind, @payload, 0, @attempts, @max, @at, NULL, @err, @now, @now)
                    ON CONFLICT (id) DO UPDATE SET state = 0, attempts = excluded.attempts, visible_at = excluded.visible_at,
                        lease_owner = NULL, last_error = excluded.last_error, updated_at = excluded.updated_at
                    """))
                {
                    cmd.With("@id", row.Id).With("@type", row.Type).With("@kind", row.Kind).With("@payload", row.Payload)
                       .With("@attempts", row.Attempts).With("@max", row.MaxAttempts).With("@at", TaskSql.Time(sqlite, retryAt))
                       .With("@err", TaskSql.Truncate(reason, 4000)).With("@now", TaskSql.Time(sqlite, now));
                    await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                TaskFailures.Log(db, task.Message, "retry", reason, now);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
            await AckAsync([task], ct).ConfigureAwait(false);
        }

        public async Task FailAsync(LeasedTask task, string reason, CancellationToken ct)
        {
            var now = queue._clock.GetUtcNow().UtcDateTime;
            await using (var db = queue._taskDb.Create())
            {
                await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                // the relay's copy of this message may not be deleted yet; the failed list takes over from it
                await db.Set<TaskQueueRow>().Where(r => r.Id == task.Message.Id && r.State == TaskQueueRow.Leased).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await TaskFailures.MoveToFailedAsync(db, task.Message, reason, now, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
            await AckAsync([task], ct).ConfigureAwait(false);
        }

        public Task KeepAliveAsync(IReadOnlyList<LeasedTask> tasks, CancellationToken ct) => Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            // closing the channel returns every unacknowledged delivery to the queue
            _buffer.Writer.TryComplete();
            try
            {
                if (channel.IsOpen) await channel.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
            }
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ publish failed ({Reason}); {Count} task(s) kept in the database outbox for the relay")]
    private static partial void LogPublishFallback(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "RabbitMQ connection recovered")]
    private static partial void LogRecovered(ILogger logger);
}
