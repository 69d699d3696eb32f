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
}
