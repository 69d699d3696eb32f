using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Oms.Admin;
using Oms.Caching;
using Oms.Catalog;
using Oms.Channels;
using Oms.Inventory;
using Oms.Warehouses;
using Oms.Data;
using Oms.Integration.OpenApi;
using Oms.Orders;
using Oms.Outbox;
using Oms.Tasks;

namespace Oms;

/// <summary>Registers the business core: the database, every module's services and the OpenAPI methods.</summary>
public static class OmsCoreServices
{
    /// <summary>Reads <c>Oms:Database:Provider</c>, <c>ConnectionStrings:Postgres</c> and <c>OMS_DATA_DIR</c>.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var provider = DatabaseOptions.ParseProvider(config["Oms:Database:Provider"]);
        if (provider == DatabaseProvider.Postgres)
        {
            var cs = config.GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(cs))
                throw new InvalidOperationException("Oms:Database:Provider is postgres but ConnectionStrings:Postgres is not set.");
            return DatabaseOptions.ForPostgres(cs);
        }
        return DatabaseOptions.ForSqliteFile(Path.Combine(DataDirectory(config), "oms.db"));
    }

    /// <summary><c>OMS_DATA_DIR</c>, default <c>./data</c>, made absolute against the working directory.</summary>
    public static string DataDirectory(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var dir = config["OMS_DATA_DIR"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(dir) ? "data" : dir);
    }

    /// <summary>
    /// <paramref name="configuration"/> configures the task queue (<c>Oms:Queue:*</c>, <c>Oms:Tasks:*</c>) and
    /// the cache (<c>Oms:Cache:*</c>); without it the database queue and the in-memory cache are used.
    /// </summary>
    public static IServiceCollection AddOmsCore(this IServiceCollection services, DatabaseOptions database, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        services.AddSingleton(database);
        services.AddOmsCache(configuration);
        // the options are built once (singleton), not per scope: every request opens a context, and rebuilding the
        // options each time (extensions, warnings configuration, service-provider lookup) costs CPU on the hot paths
        services.AddDbContext<OmsDbContext>((sp, options) =>
        {
            database.Apply(options);
            // cache keys changed inside a transaction are invalidated when it commits
            options.AddInterceptors(sp.GetRequiredService<CacheInvalidator>());
        }, contextLifetime: ServiceLifetime.Scoped, optionsLifetime: ServiceLifetime.Singleton);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<ICurrentUser, SystemUser>();
        services.AddScoped<SettingsService>();
        services.AddScoped<AuditLog>();
        services.AddScoped<OpenApiGateway>();
        services.AddScoped<OpenApiClientService>();

        services.AddSingleton(new Integration.NamedMethods<IOpenApiMethod>(m => m.Name));
        foreach (var type in typeof(OmsCoreServices).Assembly.GetTypes())
            if (type is { IsClass: true, IsAbstract: false } && typeof(IOpenApiMethod).IsAssignableFrom(type))
                services.AddScoped(typeof(IOpenApiMethod), type);

        services.AddCatalog();
        services.AddChannels();
        services.AddWarehouses();
        services.AddInventory();
        Orders.OrdersModule.AddOrders(services);
        services.AddOrderList();
        Deliveries.DeliveriesModule.AddDeliveries(services);
        Fulfillment.FulfillmentModule.AddFulfillment(services);
        Review.ReviewModule.AddReview(services);
        SelfWms.SelfWmsModule.AddSelfWms(services);
        Preprocess.PreprocessModule.AddPreprocess(services);
        Rules.RulesModule.AddRules(services);
        services.AddAdmin();
        services.AddTasks(configuration);
        services.AddOutbox(configuration);
        Orders.OrderScreensModule.AddOrderScreens(services);
        Integration.Matrix.MatrixModule.AddMatrixInbound(services, configuration);
        Wms.WmsModule.AddWms(services);
        return services;
    }

    /// <summary>Applies pending migrations (creating the SQLite folder first).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<DatabaseOptions>();
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await db.Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}
