using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Outbox;

/// <summary>
/// Writes API log entries in their own short unit of work (a scope of its own), never in the
/// caller's: logging must not break the call it describes. A failure to write is logged, not thrown.
/// <para>
/// Two ways in: <see cref="WriteAsync"/> writes one entry now (outbound requests, whose log the sender
/// reads back); <see cref="Post"/> hands an inbound call's entry to a writer that stores whatever has
/// queued up in one multi-row insert and one commit — under load one durable commit carries hundreds of
/// entries instead of one per call. Posted entries are written within milliseconds; at shutdown the queue
/// is written out before the process ends (a crash loses at most the entries of the last moments, the
/// calls themselves are not affected). A third, for SQLite's batched <c>/api</c> calls: <see cref="WriteInTransactionAsync"/>
/// writes their entries in the batch's own transaction (<see cref="Integration.Matrix.MatrixBatchWriter"/>).
/// </para>
/// </summary>
public sealed partial class ApiLogWriter(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ApiLogWriter> logger) : IAsyncDisposable
{
    /// <summary>At most this many posted entries per insert.</summary>
    public const int MaxBatch = 500;

    private readonly Channel<ApiLogEntry> _posted = Channel.CreateUnbounded<ApiLogEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _loop;

    public async Task WriteAsync(ApiLogEntry entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            Prepare(entry);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            db.Add(entry);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a log write must never fail the call it records
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogWriteFailed(logger, entry.Direction, entry.Method, e);
        }
    }

    /// <summary>Queues an entry for the batch writer (inbound calls: the answer has already left). Never throws for a full or failing database.</summary>
    public void Post(ApiLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Prepare(entry);
        lock (_gate) _loop ??= Task.Run(RunAsync);
        if (!_posted.Writer.TryWrite(entry)) LogWriteFailed(logger, entry.Direction, entry.Method, new InvalidOperationException("the API log writer has stopped"));
    }

    /// <summary>
    /// Writes entries of inbound calls in the caller's open transaction, committed with it — the same rows as
    /// <see cref="Post"/> would write. Throws when the insert fails: the caller decides what a failure undoes.
    /// </summary>
    public Task WriteInTransactionAsync(OmsDbContext db, IReadOnlyList<ApiLogEntry> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries) Prepare(e);
        return InsertAsync(db, entries, ct);
    }

    /// <summary>
    /// PostgreSQL: the same rows as <see cref="WriteInTransactionAsync"/>, appended to <paramref name="batch"/> (a command in
    /// <paramref name="db"/>'s open transaction, run by the caller), so they go with its other writes in one round trip.
    /// </summary>
    internal void AppendInTransaction(OmsDbContext db, SqlBatch batch, IReadOnlyList<ApiLogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries) Prepare(e);
        new RowInserter(db).AddRange(entries).AppendTo(batch);
    }

    private static Task InsertAsync(OmsDbContext db, IEnumerable<ApiLogEntry> entries, CancellationToken ct) =>
        new RowInserter(db).AddRange(entries).ExecuteWithoutIdsAsync(ct);

    private void Prepare(ApiLogEntry entry)
    {
        if (entry.CreatedAt == default) entry.CreatedAt = clock.GetUtcNow().UtcDateTime;
        entry.Response = entry.Response is null ? null : ApiLogMasking.Response(entry.Response);
        entry.Message = entry.Message is { Length: > 1000 } m ? m[..1000] : entry.Message;
        entry.BusinessKey = entry.BusinessKey is { Length: > 100 } k ? k[..100] : entry.BusinessKey;
        entry.Method = entry.Method.Length > 100 ? entry.Method[..100] : entry.Method;
        entry.Peer = entry.Peer is { Length: > 100 } p ? p[..100] : entry.Peer;
    }

    private async Task RunAsync()
    {
        var batch = new List<ApiLogEntry>(MaxBatch);
        while (await _posted.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _posted.Reader.TryRead(out var e)) batch.Add(e);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
                await using var tx = await db.Database.BeginTransactionAsync().ConfigureAwait(false);
                await InsertAsync(db, batch, CancellationToken.None).ConfigureAwait(false);
                await tx.CommitAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a log write must never stop the writer
            catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
            {
                LogBatchFailed(logger, batch.Count, e);
            }
            batch.Clear();
        }
    }

    /// <summary>Stops taking entries and writes out the queued ones (at most 10 seconds).</summary>
    public async ValueTask DisposeAsync()
    {
        _posted.Writer.TryComplete();
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null) await loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the API log entry ({Direction} {Method})")]
    private static partial void LogWriteFailed(ILogger logger, string direction, string method, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} API log entries of inbound calls")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception e);
}

/// <summary>Filters of the API log list; every one optional. Times are UTC.</summary>
public sealed record ApiLogFilter(string? BusinessKey = null, string? Method = null, string? Direction = null,
    string? Status = null, DateTime? From = null, DateTime? To = null);

/// <summary>
/// 同步日志: search, detail, manual retry of a failed outbound request, and trimming to
/// <c>apilog.max_days</c> / <c>apilog.max_rows</c>.
/// </summary>
public sealed class ApiLogService(OmsDbContext db, ITaskQueue queue, TaskRegistry registry, TimeProvider clock, AuditLog audit)
{
    public const int TrimBatch = 5000;

    /// <summary>Newest first, keyset-paged by id (<paramref name="before"/> = the last id of the previous page).</summary>
    public Task<KeysetPage<ApiLogEntry>> SearchAsync(ApiLogFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<ApiLogEntry>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.BusinessKey)) { var k = filter.BusinessKey.Trim(); q = q.Where(e => e.BusinessKey == k); }
        if (!string.IsNullOrWhiteSpace(filter.Method)) { var m = filter.Method.Trim(); q = q.Where(e => e.Method == m); }
        if (!string.IsNullOrWhiteSpace(filter.Direction)) { var d = filter.Direction.Trim(); q = q.Where(e => e.Direction == d); }
        if (!string.IsNullOrWhiteSpace(filter.Status)) { var s = filter.Status.Trim(); q = q.Where(e => e.Status == s); }
        if (filter.From is { } from) q = q.Where(e => e.CreatedAt >= from);
        if (filter.To is { } to) q = q.Where(e => e.CreatedAt < to);
        return q.ToKeysetPageAsync(e => e.Id, before, pageSize, ct);
    }

    public Task<ApiLogEntry?> FindAsync(long id, CancellationToken ct = default) =>
        db.Set<ApiLogEntry>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);

    public Task<OutboxMessage?> FindMessageAsync(string outboxId, CancellationToken ct = default) =>
        db.Set<OutboxMessage>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == outboxId, ct);

    /// <summary>Every entry of one outbox message, oldest first (its attempts and callback).</summary>
    public async Task<IReadOnlyList<ApiLogEntry>> ForMessageAsync(string outboxId, CancellationToken ct = default) =>
        await db.Set<ApiLogEntry>().AsNoTracking().Where(e => e.OutboxId == outboxId).OrderBy(e => e.Id).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>True when the entry is an outbound attempt whose request ended failed (the retry button).</summary>
    public async Task<bool> CanRetryAsync(ApiLogEntry entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Direction != ApiLogDirection.Out || entry.OutboxId is null) return false;
        var id = entry.OutboxId;
        return await db.Set<OutboxMessage>().AnyAsync(m => m.Id == id && m.State == OutboxState.Failed, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Manual retry (人工重试) of the failed request behind an API log entry: the outbox message goes
    /// back to pending with its attempts reset and a new send task; it keeps its id (the matrix
    /// <c>task</c>). The old task leaves the failed list. Audited.
    /// </summary>
    public async Task RetryAsync(long apiLogId, string? userName, CancellationToken ct = default)
    {
        var entry = await FindAsync(apiLogId, ct).ConfigureAwait(false)
                    ?? throw new DomainException($"API log entry {apiLogId} does not exist.");
        if (entry.Direction != ApiLogDirection.Out || entry.OutboxId is null)
            throw new DomainException("Only outbound requests can be retried.");
        await RetryMessageAsync(entry.OutboxId, userName, ct).ConfigureAwait(false);
    }

    /// <summary><see cref="RetryAsync"/> by outbox message id.</summary>
    public async Task RetryMessageAsync(string outboxId, string? userName, CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            var message = await db.Set<OutboxMessage>().FirstOrDefaultAsync(m => m.Id == outboxId, ct).ConfigureAwait(false)
                          ?? throw new DomainException($"Outbound request {outboxId} does not exist.");
            if (message.State != OutboxState.Failed)
                throw new DomainException($"Outbound request {outboxId} is {message.State}; only a failed request can be retried.");
            var oldTask = message.TaskMessageId;
            var task = registry.Message(OutboxSendTasks.For(message.PeerKind), Outbox.SendPayload(message.Id));
            message.State = OutboxState.Pending;
            message.Attempts = 0;
            message.LastError = null;
            message.TaskMessageId = task.Id;
            message.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            message.CompletedAt = null;
            queue.Enqueue(db, [task]);
            audit.Record("apilog.retry", $"outbox:{message.Id}", $"{message.Method} {message.BusinessKey}", userName);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (oldTask is not null)
                await db.Set<FailedTask>().Where(f => f.Id == oldTask).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes entries older than <paramref name="maxDays"/> and, beyond the newest
    /// <paramref name="maxRows"/>, the oldest ones; in batches of <paramref name="batch"/> rows so no
    /// statement holds locks for long. Returns the number deleted.
    /// </summary>
    public async Task<long> TrimAsync(int maxRows, int maxDays, int batch = TrimBatch, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-maxDays);
        long deleted = 0;
        int n;
        do
        {
            n = await db.Set<ApiLogEntry>().Where(e => e.CreatedAt < cutoff).OrderBy(e => e.Id).Take(batch)
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
            deleted += n;
        } while (n == batch);

        // the id of the newest row that falls outside the cap; everything at or below it goes
        var threshold = await db.Set<ApiLogEntry>().OrderByDescending(e => e.Id).Skip(maxRows).Select(e => (long?)e.Id)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (threshold is { } t)
        {
            do
            {
                n = await db.Set<ApiLogEntry>().Where(e => e.Id <= t).OrderBy(e => e.Id).Take(batch)
                    .ExecuteDeleteAsync(ct).ConfigureAwait(false);
                deleted += n;
            } while (n == batch);
        }
        return deleted;
    }
}

/// <summary>Timer <c>trim-api-log</c> (minute 30 of every hour): applies <c>apilog.max_days</c> and <c>apilog.max_rows</c>.</summary>
public sealed class ApiLogTrimHandler(ApiLogService apiLog, SettingsService settings) : ITaskHandler
{
    public const string TimerName = "trim-api-log";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var maxRows = await settings.GetIntAsync("apilog.max_rows", cancellationToken).ConfigureAwait(false);
        var maxDays = await settings.GetIntAsync("apilog.max_days", cancellationToken).ConfigureAwait(false);
        var deleted = await apiLog.TrimAsync(maxRows, maxDays, ct: cancellationToken).ConfigureAwait(false);
        return TaskResult.Success($"deleted {deleted} API log entries");
    }
}
