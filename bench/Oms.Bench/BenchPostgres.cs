using Npgsql;

/// <summary>A throw-away PostgreSQL database per bench run, on the server of <c>OMS_TEST_POSTGRES</c>.</summary>
internal static class BenchPostgres
{
    public static async Task CreateAsync(string? adminConnection, string name)
    {
        ArgumentNullException.ThrowIfNull(adminConnection);
        await using var c = new NpgsqlConnection(adminConnection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Drops it even while connections are open (the pools are cleared first).</summary>
    public static async Task DropAsync(string? adminConnection, string name)
    {
        ArgumentNullException.ThrowIfNull(adminConnection);
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(adminConnection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// ANALYZE, as autovacuum would have on a running server: a bench's fresh database has no planner statistics, and a
    /// statement prepared while a table was empty keeps a plan that scans it whole (Npgsql prepares the hot statements).
    /// ANALYZE also makes every connection plan those statements again. Only the tables that hold rows, as autovacuum
    /// does (it analyzes a table once rows changed): an empty table analyzed says "0 rows" to the planner, which then
    /// plans a sequential scan for the foreign-key checks into it (<c>delivery</c> during a review batch: each line's
    /// check read the whole growing table) and keeps that plan per connection; a table never analyzed is assumed to be
    /// at least 10 pages, so those checks use its primary key. No-op on SQLite.
    /// </summary>
    public static async Task AnalyzeAsync(Microsoft.EntityFrameworkCore.DbContext db)
    {
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) != true) return;
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, AnalyzeNonEmpty);
    }

    /// <summary>ANALYZE of every table (catalogs included) that holds a row; empty ones stay "never analyzed".</summary>
    private const string AnalyzeNonEmpty = """
        DO $$
        DECLARE t regclass; e boolean;
        BEGIN
          FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT LIKE 'pg\_temp%' AND n.nspname NOT LIKE 'pg\_toast%' LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', t) INTO e;
            IF e THEN EXECUTE format('ANALYZE %s', t); END IF;
          END LOOP;
        END $$
        """;

    /// <summary>The same as <see cref="AnalyzeAsync(Microsoft.EntityFrameworkCore.DbContext)"/> on its own connection.</summary>
    public static async Task AnalyzeAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(AnalyzeNonEmpty, c);
        await cmd.ExecuteNonQueryAsync();
    }
}
