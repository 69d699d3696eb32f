using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Data;
using Oms.Server;

namespace Oms.Tests.Infrastructure;

/// <summary>
/// The real <c>oms</c> web host on Kestrel at a free loopback port, on a fresh database:
/// tests speak HTTP to it exactly as outside clients do.
/// </summary>
public abstract class ServerFixture(DatabaseProvider provider) : IAsyncLifetime
{
    public DatabaseProvider Provider { get; } = provider;
    public TestDatabase Database { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => App.Services;

    /// <summary>An OpenAPI client allowed every method, created at start.</summary>
    public OpenApiTestClient OpenApi { get; private set; } = null!;

    public const string AdminUser = "admin";
    public const string AdminPassword = "Admin-Test-Password-1";

    /// <summary>Configuration a derived fixture adds on top of the defaults (e.g. short back-offs).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    public virtual async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(Provider);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["OMS_DATA_DIR"] = Database.DataDirectory,
            ["Oms:Database:Provider"] = Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings:Postgres"] = Provider == DatabaseProvider.Postgres ? Database.Options.ConnectionString : "",
            ["Oms:Database:MigrateOnStart"] = "true",
            ["Oms:Admin:InitialPassword"] = AdminPassword,
        };
        foreach (var (k, v) in ExtraSettings) settings[k] = v;
        App = OmsWebHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            ConfigureServices(b.Services);
        });
        await OmsWebHost.PrepareAsync(App);
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address);
        OpenApi = await OpenApiTestClient.CreateAsync(this, "test-client", "test-interface-key-0001", "all");
    }

    /// <summary>Test-only registrations (e.g. an extra protocol method), applied after the host's own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    public virtual async ValueTask DisposeAsync()
    {
        OpenApi?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        if (Database is not null) await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteServerFixture() : ServerFixture(DatabaseProvider.Sqlite);

public sealed class PostgresServerFixture() : ServerFixture(DatabaseProvider.Postgres);
