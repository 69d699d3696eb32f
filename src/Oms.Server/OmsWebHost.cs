using Oms.Server.Api;
using Oms.Server.Web;

namespace Oms.Server;

/// <summary>Builds the web host: protocol endpoints, the admin UI, health checks.</summary>
public static class OmsWebHost
{
    /// <summary>
    /// Creates the application. <paramref name="configure"/> lets tests (and embedders) override
    /// configuration and services before the app is built.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        configure?.Invoke(builder);

        var database = OmsCoreServices.ReadDatabaseOptions(builder.Configuration);
        builder.Services.AddOmsCore(database, builder.Configuration);
        Oms.Tasks.TasksModule.AddTaskWorkers(builder.Services);
        Oms.Data.SqliteCheckpointerServices.AddSqliteCheckpointer(builder.Services);
        builder.Services.AddOmsWeb();

        var app = builder.Build();
        app.UseOmsWeb();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (Oms.Data.OmsDbContext db, CancellationToken ct) =>
            await db.Database.CanConnectAsync(ct).ConfigureAwait(false) ? Results.Text("ready") : Results.StatusCode(503));
        OpenApiEndpoint.Map(app);
        MatrixCallbackEndpoint.Map(app);
        MatrixApiEndpoint.Map(app);
        QimenEndpoint.Map(app);
        return app;
    }

    /// <summary>Migrates (embedded SQLite always; PostgreSQL when <c>Oms:Database:MigrateOnStart</c> is true), then serves.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var db = app.Services.GetRequiredService<Oms.Data.DatabaseOptions>();
        if (db.Provider == Oms.Data.DatabaseProvider.Sqlite || app.Configuration.GetValue<bool>("Oms:Database:MigrateOnStart"))
            await OmsCoreServices.MigrateAsync(app.Services, ct).ConfigureAwait(false);
        await WebStartup.EnsureFirstAdminAsync(app.Services, ct).ConfigureAwait(false);
    }
}
