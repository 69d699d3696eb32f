using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Oms.Data;

namespace Oms.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database for one fixture: a SQLite file in a temp folder, or a new
/// PostgreSQL database on the server named by <c>OMS_TEST_POSTGRES</c> (started by ./test.sh).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public DatabaseOptions Options { get; }
    public string DataDirectory { get; }
    private readonly string? _pgName;
    private readonly string? _pgAdmin;

    private TestDatabase(DatabaseOptions options, string dataDir, string? pgName, string? pgAdmin)
    {
        Options = options;
        DataDirectory = dataDir;
        _pgName = pgName;
        _pgAdmin = pgAdmin;
    }

    /// <summary>The business core on this database, as a separate process (the CLI, a killed server) would see it.</summary>
    public ServiceProvider CoreServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddOmsCore(Options);
        return services.BuildServiceProvider();
    }

    /// <summary>The environment that points an <c>oms</c> process at this database.</summary>
    public Dictionary<string, string> ProcessEnvironment() => new()
    {
        ["OMS_DATA_DIR"] = DataDirectory,
        ["Oms__Database__Provider"] = Options.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
        ["ConnectionStrings__Postgres"] = Options.Provider == DatabaseProvider.Postgres ? Options.ConnectionString : "",
    };

    public static string? PostgresAdminConnectionString => Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES");

    /// <summary>PostgreSQL tests need the server ./test.sh starts (or `scripts/services.sh start DIR` and its env file).</summary>
    public static void RequirePostgres()
    {
        if (string.IsNullOrEmpty(PostgresAdminConnectionString))
            throw new InvalidOperationException("OMS_TEST_POSTGRES is not set: run ./test.sh, or scripts/services.sh start DIR and source DIR/env.");
    }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var dir = Path.Combine(Path.GetTempPath(), "oms-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        if (provider == DatabaseProvider.Sqlite)
            return new TestDatabase(DatabaseOptions.ForSqliteFile(Path.Combine(dir, "oms.db")), dir, null, null);

        RequirePostgres();
        var admin = PostgresAdminConnectionString!;
        var name = "oms_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        return new TestDatabase(DatabaseOptions.ForPostgres(cs), dir, name, admin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_pgAdmin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgName} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
