using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Data;

namespace Oms.Integration.Matrix;

/// <summary>Group commit of <c>/api</c> calls (<c>Oms:Matrix:Batch</c>); on for <c>ome.order.add</c> unless configured otherwise.</summary>
public sealed record MatrixBatchOptions
{
    /// <summary>Batched when nothing is configured: order pushes, the volume of a promotion day.</summary>
    public const string DefaultMethods = "ome.order.add";

    /// <summary>The methods whose calls are written in shared transactions; empty = batching off.</summary>
    public IReadOnlySet<string> Methods { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// At most this many calls per transaction. Calls that run set-wise (<see cref="IMatrixBatchMethod"/>) share one
    /// savepoint; each call that runs alone costs two subtransactions on PostgreSQL.
    /// </summary>
    public int MaxCalls { get; init; } = 200;

    /// <summary>
    /// <c>Oms:Matrix:Batch:Methods</c> (comma separated; absent = <see cref="DefaultMethods"/>, empty = off) and
    /// <c>Oms:Matrix:Batch:MaxCalls</c>.
    /// </summary>
    public static MatrixBatchOptions Read(IConfiguration? config)
    {
        var section = config?.GetSection("Oms:Matrix:Batch");
        var methods = (section?["Methods"] ?? DefaultMethods).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var max = int.TryParse(section?["MaxCalls"], System.Globalization.CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 200;
        return new MatrixBatchOptions { Methods = methods.ToHashSet(StringComparer.Ordinal), MaxCalls = max };
    }
}

/// <summary>
/// Group commit for signed <c>/api</c> calls (e.g. <c>ome.order.add</c>): the calls that arrive while
/// a batch is being written wait in a queue; the writer takes all of them (up to
/// <see cref="MatrixBatchOptions.MaxCalls"/>), runs each in ONE transaction under a savepoint of its own
/// (<see cref="MatrixGateway"/>: claim, method, answer — a refusal or a failure undoes that call only),
/// commits once, and only then answers every caller. So <c>succ</c> still means durably stored; a
/// commit that fails answers every call of the batch 5000 and stores nothing of it. No timer: at low
/// load a batch is one call and nothing waits; under load the batch grows by itself while the previous
/// one commits, so one durable commit carries many orders.
/// <para>
/// One writer per process: calls of one process never wait on each other's locks (two writers were measured slower on
/// PostgreSQL: half the batch size, twice the per-batch cost, contention — docs/benchmarks.md). Calls of the same
/// order in one batch run one after the other in the same transaction (the order lock is re-entrant
/// there), so the second sees the first: 20 pushes of one order still give one <c>created</c>. Across
/// processes, a batch holds its orders' locks until it commits; a deadlock between two batches is
/// resolved by the database aborting one call (5000, the caller retries).
/// </para>
/// </summary>
public partial class MatrixBatchWriter(IServiceScopeFactory scopes, MatrixBatchOptions options, ILogger<MatrixBatchWriter> logger) : IDisposable
{
    private sealed record Call(MatrixRequest Request, DateTime Now, MatrixCallLog? Log, TaskCompletionSource<MatrixReply> Answer);

    private readonly Channel<Call> _calls = Channel.CreateUnbounded<Call>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;

    public bool Batches(string method) => options.Methods.Contains(method);

    /// <summary>
    /// Queues the call; answered after the transaction holding it committed (or failed). <paramref name="log"/>, its API log
    /// entry, is written in that transaction on SQLite (<see cref="LogInBatchAsync"/>).
    /// </summary>
    public Task<MatrixReply> SubmitAsync(MatrixRequest request, DateTime now, MatrixCallLog? log, CancellationToken ct)
    {
        var call = new Call(request, now, log, new TaskCompletionSource<MatrixReply>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate) _loop ??= Task.Run(() => RunAsync(_stop.Token));
        if (!_calls.Writer.TryWrite(call)) throw new InvalidOperationException("the matrix batch writer has stopped");
        // a caller that goes away does not take its call out: it may already be in a transaction
        return call.Answer.Task.WaitAsync(ct);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var batch = new List<Call>(options.MaxCalls);
        try
        {
            while (await _calls.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (batch.Count < options.MaxCalls && _calls.Reader.TryRead(out var call)) batch.Add(call);
                await WriteAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _calls.Writer.TryComplete();
            while (_calls.Reader.TryRead(out var left)) left.Answer.TrySetCanceled(CancellationToken.None);
        }
    }

    /// <summary>One transaction for the batch; every caller answered after its commit, or 5000 when it failed.</summary>
    private async Task WriteAsync(List<Call> batch)
    {
        var answers = new MatrixReply[batch.Count];
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var gateway = scope.ServiceProvider.GetRequiredService<MatrixGateway>();
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            var inSets = new bool[batch.Count];
            answers = await gateway.ExecuteManyInBatchAsync(tx, batch.Select(c => (c.Request, c.Now, c.Log)).ToList(), inSets, CancellationToken.None).ConfigureAwait(false);
            var logged = await LogInBatchAsync(scope.ServiceProvider, db, tx, batch, answers).ConfigureAwait(false);
            await CommitAsync(tx, batch.Count).ConfigureAwait(false);
            foreach (var c in logged) c.Log!.Written = true;
            for (var i = 0; i < batch.Count; i++) if (inSets[i]) batch[i].Log!.Written = true;
        }
#pragma warning disable CA1031 // every caller must get an answer; the failure is logged
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogBatchFailed(logger, batch.Count, e);
            var failed = MatrixReply.Fail(MatrixCodes.InternalError, "internal error: the request was not applied");
            foreach (var c in batch) c.Answer.TrySetResult(failed);
            return;
        }
        for (var i = 0; i < batch.Count; i++) batch[i].Answer.TrySetResult(answers[i]);
    }

    private const string LogSavepoint = "api_log";

    /// <summary>
    /// SQLite: the API log entries of the batch's calls, in the batch's transaction — SQLite has one writer at a time, and the
    /// API log's own writer took a turn of its own for them, a transaction and a commit more in the one serial line of
    /// writes. On PostgreSQL the entries of the calls a set answered went in the set's last command already
    /// (<see cref="MatrixGateway.ExecuteManyInBatchAsync"/>); the others are posted to that writer, which runs beside the
    /// batches on a connection of its own. Under a savepoint:
    /// logging must not break the calls it describes, so entries that fail to insert are undone alone, and their calls'
    /// endpoints post them as they post every other entry. Answers the calls whose entry was written.
    /// </summary>
    private async Task<IReadOnlyList<Call>> LogInBatchAsync(IServiceProvider services, OmsDbContext db, IDbContextTransaction tx, List<Call> batch, MatrixReply[] answers)
    {
        if (!db.IsSqlite) return [];
        var logged = batch.Where(c => c.Log is not null).ToList();
        if (logged.Count == 0) return [];
        var entries = batch.Select((c, i) => c.Log?.Entry(answers[i])).OfType<Outbox.ApiLogEntry>().ToList();
        await tx.CreateSavepointAsync(LogSavepoint, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await services.GetRequiredService<Outbox.ApiLogWriter>().WriteInTransactionAsync(db, entries, CancellationToken.None).ConfigureAwait(false);
            return logged;
        }
#pragma warning disable CA1031 // the calls stand without their log entries; those go the usual way
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            await tx.RollbackToSavepointAsync(LogSavepoint, CancellationToken.None).ConfigureAwait(false);
            LogEntriesFailed(logger, entries.Count, e);
            return [];
        }
    }

    /// <summary>The batch's commit (a seam for the fault tests: a commit that fails, a batch held back).</summary>
    protected virtual Task CommitAsync(IDbContextTransaction tx, int calls)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Calls waiting for the next batch.</summary>
    internal int Waiting => _calls.Reader.Count;

    /// <summary>Stops the writer after the batch in progress; calls still queued are cancelled (nothing of them was written).</summary>
    public void Dispose()
    {
        // not disposed: the loop may still be observing its token
        _stop.Cancel();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The API log entries of {Count} batched matrix calls could not be written with them; they are posted to the API log writer")]
    private static partial void LogEntriesFailed(ILogger logger, int count, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} matrix calls failed; every call of it was answered 5000 and nothing of it was stored")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception e);
}
