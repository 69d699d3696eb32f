using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using System.Data.Common;

namespace Oms.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// Where the data lives: <c>Oms:Database:Provider</c> (<c>sqlite</c> default, or <c>postgres</c>
/// with <c>ConnectionStrings:Postgres</c>); SQLite's file is <c>$OMS_DATA_DIR/oms.db</c>.
/// </summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; init; } = DatabaseProvider.Sqlite;
    public required string ConnectionString { get; init; }

    public const string SqliteMigrationsAssembly = "Oms.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Oms.Migrations.Postgres";

    public static DatabaseOptions ForSqliteFile(string path) => new()
    {
        Provider = DatabaseProvider.Sqlite,
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = true }.ToString(),
    };

    /// <summary>
    /// PostgreSQL. Unless the connection string says otherwise, statements used again and again are
    /// prepared automatically (<c>Max Auto Prepare</c>: no parse and plan per call on the hot paths)
    /// and a pooled connection is not reset on return (<c>No Reset On Close</c>: the OMS keeps no
    /// session state; its advisory locks are transaction-scoped).
    /// </summary>
    public static DatabaseOptions ForPostgres(string connectionString)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!HasKey(connectionString, "Max Auto Prepare", "MaxAutoPrepare")) b.MaxAutoPrepare = 64;
        if (!HasKey(connectionString, "No Reset On Close", "NoResetOnClose")) b.NoResetOnClose = true;
        return new() { Provider = DatabaseProvider.Postgres, ConnectionString = b.ConnectionString };
    }

    private static bool HasKey(string connectionString, params string[] names) =>
        names.Any(n => connectionString.Replace(" ", "", StringComparison.Ordinal).Contains(n.Replace(" ", "", StringComparison.Ordinal) + "=", StringComparison.OrdinalIgnoreCase));

    public static DatabaseProvider ParseProvider(string? text) => (text ?? "sqlite").Trim().ToLowerInvariant() switch
    {
        "" or "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        var other => throw new InvalidOperationException($"Oms:Database:Provider '{other}' is not known: use sqlite or postgres."),
    };

    public void Apply(DbContextOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Provider == DatabaseProvider.Sqlite)
        {
            builder.UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly));
            builder.AddInterceptors(SqlitePragmas.Instance, SqliteWriteGate.Instance);
        }
        else
        {
            builder.UseNpgsql(ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
        }
        builder.UseSnakeCaseNamingConvention();
        builder.ReplaceService<IModelCacheKeyFactory, ProviderAwareModelCacheKeyFactory>();
    }

    public DbContextOptions<OmsDbContext> Build()
    {
        var b = new DbContextOptionsBuilder<OmsDbContext>();
        Apply(b);
        return b.Options;
    }
}

/// <summary>
/// WAL lets readers run beside the one writer; the busy timeout makes writers queue instead of failing; writers leave the
/// checkpoint to <see cref="SqliteCheckpointer"/> up to its safety threshold; temporary storage — among it the journal of
/// every savepoint, which the matrix batches use per call — stays in memory instead of going through a temporary file
/// (half the write system calls of intake).
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();
    private static readonly string Sql = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=" + SqliteCheckpointer.WriterPages + ";";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
