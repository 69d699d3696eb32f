using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Oms.Data;

/// <summary>
/// SQLite has one writer per database: a write transaction (<c>BEGIN IMMEDIATE</c>) that finds another one open gets
/// <c>SQLITE_BUSY</c>, and its busy handler sleeps — 1, 2, 5, 10 … up to 100 ms a time — and tries again. Within one
/// process that turned every hand-over between writers (order batches, API log, task claims) into milliseconds of sleep
/// with the database idle: under intake load the server's threads slept about half the time.
/// <para>
/// So writers of one process queue here first, in arrival order, per database: an async gate taken before
/// <c>BEGIN IMMEDIATE</c> and given back the moment the transaction ends — committed or rolled back (EF's transaction
/// events), disposed without either (seen when EF closes the connection after it, and by every waiter, which looks
/// whether the holder's transaction has ended while it waits). SQLite's own lock stays the authority (other processes,
/// statements outside a transaction, the busy timeout are unchanged); the gate only saves the sleeps. A writer that
/// waits longer than the busy timeout goes on without the gate, as before.
/// </para>
/// <para>Deferred transactions (<see cref="IsolationLevel.ReadUncommitted"/>) take no write lock at <c>BEGIN</c> and
/// pass without the gate; in-memory databases (one per connection) have none.</para>
/// </summary>
internal sealed class SqliteWriteGate : DbTransactionInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();

    /// <summary>As long as SQLite's busy timeout (<see cref="SqlitePragmas"/>).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>How often a waiter looks whether the holder's transaction ended without telling.</summary>
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(10);

    /// <summary>By connection string: what every connection of one database shares.</summary>
    private static readonly ConcurrentDictionary<string, Gate> Gates = new(StringComparer.Ordinal);

    private sealed class Gate
    {
        private readonly SemaphoreSlim _free = new(1, 1);
        private SqliteTransaction? _holder;

        public bool Taken => _free.CurrentCount == 0;

        public bool Enter()
        {
            var until = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
            do
            {
                ReleaseIfEnded();
                if (_free.Wait(Look)) return true;
            }
            while (Environment.TickCount64 < until);
            return false;
        }

        public async ValueTask<bool> EnterAsync(CancellationToken ct)
        {
            var until = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
            do
            {
                ReleaseIfEnded();
                if (await _free.WaitAsync(Look, ct).ConfigureAwait(false)) return true;
            }
            while (Environment.TickCount64 < until);
            return false;
        }

        /// <summary>The transaction that now holds the entered gate.</summary>
        public void Hold(SqliteTransaction transaction) => Volatile.Write(ref _holder, transaction);

        /// <summary>Gives back a gate entered for a <c>BEGIN</c> that failed (no holder yet).</summary>
        public void Leave() => _free.Release();

        /// <summary>Gives the gate back if <paramref name="transaction"/> holds it and has ended (commit, rollback, dispose).</summary>
        public void ReleaseIfEnded(DbTransaction? transaction = null)
        {
            var holder = Volatile.Read(ref _holder);
            if (holder is null || (transaction is not null && !ReferenceEquals(holder, transaction))) return;
            // M.D.Sqlite forgets the connection when a transaction completes, however it completes
            if (holder.Connection is not null) return;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _holder, null, holder), holder)) _free.Release();
        }
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (GateFor(connection, eventData, result) is not { } gate) return result;
        return Begin((SqliteConnection)connection, eventData.IsolationLevel, gate, gate.Enter());
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (GateFor(connection, eventData, result) is not { } gate) return result;
        return Begin((SqliteConnection)connection, eventData.IsolationLevel, gate, await gate.EnterAsync(cancellationToken).ConfigureAwait(false));
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Ended(transaction);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(transaction);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Ended(transaction);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(transaction);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Ended(transaction);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(transaction);
        return Task.CompletedTask;
    }

    /// <summary>EF closes the connection it opened for a transaction when the transaction is disposed.</summary>
    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Closed(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Closed(connection);
        return Task.CompletedTask;
    }

    /// <summary>Whether an open transaction of this process holds the gate of the database (the tests' check).</summary>
    internal static bool IsTaken(string connectionString)
    {
        if (!Gates.TryGetValue(connectionString, out var gate)) return false;
        gate.ReleaseIfEnded();
        return gate.Taken;
    }

    private static Gate? GateFor(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (result.HasResult || connection is not SqliteConnection sqlite || eventData.IsolationLevel == IsolationLevel.ReadUncommitted) return null;
        return GateOf(sqlite.ConnectionString);
    }

    private static Gate? GateOf(string connectionString)
    {
        if (Gates.TryGetValue(connectionString, out var gate)) return gate;
        var source = new SqliteConnectionStringBuilder(connectionString);
        // an in-memory database is one per connection (or shared by name within a cache): nothing to queue for
        if (string.IsNullOrEmpty(source.DataSource) || source.DataSource == ":memory:" || source.Mode == SqliteOpenMode.Memory
            || source.DataSource.Contains("mode=memory", StringComparison.OrdinalIgnoreCase)) return null;
        return Gates.GetOrAdd(connectionString, static _ => new Gate());
    }

    /// <summary>Begins the transaction as EF would (<see cref="SqliteConnection.BeginTransaction(IsolationLevel)"/>), here so that a failed <c>BEGIN</c> gives the gate back.</summary>
    private static InterceptionResult<DbTransaction> Begin(SqliteConnection connection, IsolationLevel level, Gate gate, bool entered)
    {
        SqliteTransaction transaction;
        try
        {
            transaction = connection.BeginTransaction(level);
        }
        catch
        {
            if (entered) gate.Leave();
            throw;
        }
        if (entered) gate.Hold(transaction);
        return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
    }

    /// <summary>A completed transaction no longer knows its connection; the gates are few (one per database).</summary>
    private static void Ended(DbTransaction transaction)
    {
        if (transaction is not SqliteTransaction) return;
        foreach (var (_, gate) in Gates) gate.ReleaseIfEnded(transaction);
    }

    private static void Closed(DbConnection connection)
    {
        if (connection is SqliteConnection && Gates.TryGetValue(connection.ConnectionString, out var gate)) gate.ReleaseIfEnded();
    }
}
