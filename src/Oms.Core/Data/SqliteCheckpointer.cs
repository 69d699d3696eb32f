using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Oms.Data;

/// <summary>
/// Copies SQLite's write-ahead log into the database file in the background, every 100 ms, so that writers never do it.
/// <para>
/// By default the transaction whose commit takes the WAL past 1,000 pages checkpoints it on the spot: copies the pages
/// and syncs the file, while every other writer of the database waits for its lock. Under intake load that was a third of
/// the order batch writer's time. Every connection raises the writers' own threshold to <see cref="WriterPages"/> (the
/// safety net where this service does not run: command-line tools, tests), and in <c>oms serve</c> and <c>oms worker</c>
/// this service's <c>PASSIVE</c> checkpoint — which waits for no reader and no writer — runs beside the writers. Often and small: once a second
/// (a few thousand pages each time) the copy and the file's sync held up the writers' commits — intake's p99 at
/// concurrency 8 went from 37 to 82 ms; every 100 ms it is 33 ms, and the writers still never checkpoint. A database
/// nobody writes to is looked at once a second.
/// </para>
/// </summary>
public sealed partial class SqliteCheckpointer(DatabaseOptions database, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    /// <summary>The WAL size (pages of 4 KiB) at which a committing writer still checkpoints by itself: 40 MiB.</summary>
    public const int WriterPages = 10_000;

    internal static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    /// <summary>While nothing is written (the last run found the same log, all copied): once a second.</summary>
    internal static readonly TimeSpan WhenIdle = TimeSpan.FromSeconds(1);

    /// <summary>Checkpoints run so far (the tests' check that the loop runs).</summary>
    internal int Runs => Volatile.Read(ref _runs);

    private int _runs;
    private long _warnedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Provider != DatabaseProvider.Sqlite) return;
        var seen = -1;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var idle = false;
                try
                {
                    var (busy, log, copied) = await CheckpointAsync(database.ConnectionString, stoppingToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _runs);
                    if (busy != 0 || copied < log) LogPartial(logger, log, copied);
                    // the same log, all copied: nothing was written since the last run
                    idle = busy == 0 && copied == log && log == seen;
                    seen = log;
                }
                catch (SqliteException e)
                {
                    // a failing disk would otherwise log ten times a second
                    if (Environment.TickCount64 - _warnedAt > 60_000 || _warnedAt == 0)
                    {
                        _warnedAt = Environment.TickCount64;
                        LogFailed(logger, e);
                    }
                }
                await Task.Delay(idle ? WhenIdle : Every, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One <c>PASSIVE</c> checkpoint: (1 when it could not run at all, WAL pages, pages copied).</summary>
    internal static async Task<(int Busy, int Log, int Copied)> CheckpointAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return (1, 0, 0);
        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQLite checkpoint copied {Copied} of {Log} WAL pages (readers still use the rest)")]
    private static partial void LogPartial(ILogger logger, int log, int copied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite checkpoint failed (said at most once a minute); it is tried again every 100 ms, and writers checkpoint by themselves past the safety threshold")]
    private static partial void LogFailed(ILogger logger, Exception e);
}

public static class SqliteCheckpointerServices
{
    /// <summary>The background checkpoint of a long-running process (does nothing on PostgreSQL).</summary>
    public static IServiceCollection AddSqliteCheckpointer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteCheckpointer>());
        return services;
    }
}
