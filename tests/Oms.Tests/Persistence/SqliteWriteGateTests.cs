using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Persistence;

/// <summary>
/// SQLite writers of one process queue in <see cref="SqliteWriteGate"/> instead of sleeping in SQLite's busy handler:
/// every way a write transaction ends gives the gate back (a leak would stall every writer of the process), a second
/// writer waits for the first, and many writers at once lose nothing.
/// </summary>
public sealed class SqliteWriteGateTests(SqliteCoreFixture fixture) : IClassFixture<SqliteCoreFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(AsyncServiceScope Scope, OmsDbContext Db, string File)> OpenAsync()
    {
        var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await db.Database.OpenConnectionAsync(Ct);
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS gate_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))", Ct);
        await db.Database.ExecuteSqlRawAsync("INSERT OR IGNORE INTO gate_probe (id, n) VALUES (1, 0)", Ct);
        return (scope, db, db.Database.GetDbConnection().ConnectionString);
    }

    private static Task<int> BumpAsync(OmsDbContext db) => db.Database.ExecuteSqlRawAsync("UPDATE gate_probe SET n = n + 1 WHERE id = 1", Ct);

    [Fact]
    public async Task Every_ending_of_a_write_transaction_gives_the_gate_back()
    {
        var (scope, db, file) = await OpenAsync();
        await using var _ = scope;
        Assert.False(string.IsNullOrEmpty(file));

        // committed
        await using (var tx = await db.Database.BeginTransactionAsync(Ct))
        {
            Assert.True(SqliteWriteGate.IsTaken(file));
            await BumpAsync(db);
            await tx.CommitAsync(Ct);
        }
        Assert.False(SqliteWriteGate.IsTaken(file));

        // rolled back
        await using (var tx = await db.Database.BeginTransactionAsync(Ct))
        {
            await BumpAsync(db);
            await tx.RollbackAsync(Ct);
            Assert.False(SqliteWriteGate.IsTaken(file));
        }

        // disposed without commit, synchronously too
        using (db.Database.BeginTransaction())
        {
            Assert.True(SqliteWriteGate.IsTaken(file));
            db.Database.ExecuteSqlRaw("UPDATE gate_probe SET n = n + 1 WHERE id = 1");
        }
        Assert.False(SqliteWriteGate.IsTaken(file));

        // an exception inside the transaction
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await BumpAsync(db);
            throw new InvalidOperationException("refused");
        });
        Assert.False(SqliteWriteGate.IsTaken(file));

        // a savepoint rolled back leaves the transaction — and the gate — held
        await using (var tx = await db.Database.BeginTransactionAsync(Ct))
        {
            await tx.CreateSavepointAsync("s1", Ct);
            await BumpAsync(db);
            await tx.RollbackToSavepointAsync("s1", Ct);
            Assert.True(SqliteWriteGate.IsTaken(file));
            await tx.CommitAsync(Ct);
        }
        Assert.False(SqliteWriteGate.IsTaken(file));

        // a statement the database refuses (the CHECK) inside SaveChanges' own transaction
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE gate_probe SET n = -1 WHERE id = 1", Ct));
        Assert.False(SqliteWriteGate.IsTaken(file));

        // a deferred transaction takes no write lock and passes without the gate
        await using (var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadUncommitted, Ct))
        {
            Assert.False(SqliteWriteGate.IsTaken(file));
            await tx.CommitAsync(Ct);
        }

        // the connection goes back to the pool with its transaction open
        var (scope2, db2, _) = await OpenAsync();
        await using (scope2)
        {
            await db2.Database.BeginTransactionAsync(Ct);
            await BumpAsync(db2);
            Assert.True(SqliteWriteGate.IsTaken(file));
        }
        Assert.False(SqliteWriteGate.IsTaken(file));
    }

    [Fact]
    public async Task A_second_writer_waits_in_the_gate_and_goes_on_when_the_first_commits()
    {
        var (s1, first, file) = await OpenAsync();
        var (s2, second, _) = await OpenAsync();
        await using var _1 = s1;
        await using var _2 = s2;
        var before = await first.Database.SqlQueryRaw<int>("SELECT n AS \"Value\" FROM gate_probe WHERE id = 1").SingleAsync(Ct);

        var tx1 = await first.Database.BeginTransactionAsync(Ct);
        await BumpAsync(first);
        var waiting = Task.Run(async () =>
        {
            await using var tx2 = await second.Database.BeginTransactionAsync(Ct);
            await BumpAsync(second);
            await tx2.CommitAsync(Ct);
        }, Ct);
        // the second writer cannot get past the gate while the first holds it
        await Task.Delay(200, Ct);
        Assert.False(waiting.IsCompleted);
        Assert.True(SqliteWriteGate.IsTaken(file));

        await tx1.CommitAsync(Ct);
        await tx1.DisposeAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.False(SqliteWriteGate.IsTaken(file));
        Assert.Equal(before + 2, await first.Database.SqlQueryRaw<int>("SELECT n AS \"Value\" FROM gate_probe WHERE id = 1").SingleAsync(Ct));
    }

    [Fact]
    public async Task Many_writers_at_once_lose_no_write_and_leave_the_gate_free()
    {
        var (scope, db, file) = await OpenAsync();
        await using var _ = scope;
        var before = await db.Database.SqlQueryRaw<int>("SELECT n AS \"Value\" FROM gate_probe WHERE id = 1").SingleAsync(Ct);

        const int writers = 8, each = 25;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await using var s = fixture.Scope();
                var d = s.ServiceProvider.GetRequiredService<OmsDbContext>();
                await using var tx = await d.Database.BeginTransactionAsync(Ct);
                await BumpAsync(d);
                // every third one gives up: its write must not count, and its gate must come back
                if ((w + i) % 3 == 0) continue;
                await tx.CommitAsync(Ct);
            }
        }, Ct)));

        var committed = Enumerable.Range(0, writers).Sum(w => Enumerable.Range(0, each).Count(i => (w + i) % 3 != 0));
        Assert.Equal(before + committed, await db.Database.SqlQueryRaw<int>("SELECT n AS \"Value\" FROM gate_probe WHERE id = 1").SingleAsync(Ct));
        Assert.False(SqliteWriteGate.IsTaken(file));
    }
}
