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
    /// ANALYZE also makes every connection plan those statements again. No-op on SQLite.
    /// </summary>
    public static async Task AnalyzeAsync(Microsoft.EntityFrameworkCore.DbContext db)
    {
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) != true) return;
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "ANALYZE");
    }

    public static async Task AnalyzeAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("ANALYZE", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
