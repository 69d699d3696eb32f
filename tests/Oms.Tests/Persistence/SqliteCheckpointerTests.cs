using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Persistence;

/// <summary>
/// Writers leave SQLite's checkpoint to <see cref="SqliteCheckpointer"/>: their own threshold is raised, so the WAL keeps
/// what they commit, and the service's passive checkpoint copies all of it into the database file.
/// </summary>
public sealed class SqliteCheckpointerTests(SqliteCoreFixture fixture) : IClassFixture<SqliteCoreFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<int> PragmaAsync(OmsDbContext db, string pragma)
    {
        var c = db.Database.GetDbConnection();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA " + pragma;
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Every_connection_gets_the_pragmas()
    {
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await db.Database.OpenConnectionAsync(Ct);
        Assert.Equal(1, await PragmaAsync(db, "synchronous"));      // NORMAL: WAL commits survive a process crash
        Assert.Equal(1, await PragmaAsync(db, "foreign_keys"));
        Assert.Equal(2, await PragmaAsync(db, "temp_store"));       // MEMORY: savepoint journals without a temporary file
        Assert.Equal(60_000, await PragmaAsync(db, "busy_timeout"));
        Assert.Equal(SqliteCheckpointer.WriterPages, await PragmaAsync(db, "wal_autocheckpoint"));
    }

    [Fact]
    public async Task Writers_leave_the_checkpoint_to_the_service_which_copies_the_whole_log()
    {
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await db.Database.OpenConnectionAsync(Ct);
        Assert.Equal(SqliteCheckpointer.WriterPages, await PragmaAsync(db, "wal_autocheckpoint"));

        // more than SQLite's default threshold (1,000 pages) committed: the writers did not checkpoint it away
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS checkpoint_probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)", Ct);
        for (var t = 0; t < 6; t++)
        {
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await db.Database.ExecuteSqlRawAsync(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 800) INSERT INTO checkpoint_probe (v) SELECT hex(randomblob(1000)) FROM n", Ct);
            await tx.CommitAsync(Ct);
        }
        var connectionString = db.Database.GetDbConnection().ConnectionString;
        // ~2,400 pages went through the log; with SQLite's own threshold it would have been restarted at 1,000 and never
        // grown past ~1,400 pages (the file keeps its largest size)
        var wal = new FileInfo(db.Database.GetDbConnection().DataSource + "-wal");
        Assert.True(wal.Length > 2_000L * 4096, $"the writers checkpointed by themselves: the WAL file is {wal.Length} bytes");
        var service = new SqliteCheckpointer(fixture.Database.Options, NullLogger<SqliteCheckpointer>.Instance);
        await service.StartAsync(Ct);
        try
        {
            // the first run is at once; wait for it (not timed: the assertion is about what it did)
            while (service.Runs == 0) await Task.Delay(20, Ct);
        }
        finally
        {
            await service.StopAsync(Ct);
        }

        // nothing left to copy: the service's checkpoint took every page the writers left in the log
        var (busy, log, copied) = await SqliteCheckpointer.CheckpointAsync(connectionString, Ct);
        Assert.Equal(0, busy);
        Assert.True(log > 0);
        Assert.Equal(log, copied);
        Assert.Equal(4_800, await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM checkpoint_probe").SingleAsync(Ct));
    }
}
