using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Data;

namespace Oms.Tests.Infrastructure;

/// <summary>
/// The business core on a real, migrated database, without the web host: for service-level
/// tests (inventory moves, invariants, property and concurrency tests).
/// </summary>
public abstract class CoreFixture(DatabaseProvider provider) : IAsyncLifetime
{
    public DatabaseProvider Provider { get; } = provider;
    public TestDatabase Database { get; private set; } = null!;
    public ServiceProvider Services { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(Provider);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddOmsCore(Database.Options);
        Services = services.BuildServiceProvider();
        await OmsCoreServices.MigrateAsync(Services);
    }

    /// <summary>A new scope (one unit of work), as a request or a task would have.</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        if (Services is not null) await Services.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteCoreFixture() : CoreFixture(DatabaseProvider.Sqlite);

public sealed class PostgresCoreFixture() : CoreFixture(DatabaseProvider.Postgres);
