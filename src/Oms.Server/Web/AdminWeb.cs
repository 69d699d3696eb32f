using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Razor.Compilation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Oms.Admin;

namespace Oms.Server.Web;

/// <summary>
/// The admin UI's services and middleware: Razor Pages behind cookie login, permission policies,
/// zh-CN/en localization, antiforgery, friendly error pages. Protocol endpoints (<c>/api</c>,
/// <c>/openapi</c>, Qimen, health) are minimal APIs and stay outside all of it: login is required
/// by a Razor Pages convention, not by a fallback policy, so an endpoint added later is not
/// locked behind a login by accident.
/// </summary>
public static class AdminWeb
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public static IServiceCollection AddOmsWeb(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        // Chinese text as characters in the HTML, not as &#x...; entities
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Culture");
            o.Conventions.AllowAnonymousToPage("/Error");
        }).ConfigureApplicationPartManager(parts =>
        {
            // the pages live in this assembly, which is not the entry assembly when a test or an embedder hosts it
            var self = typeof(AdminWeb).Assembly;
            if (parts.ApplicationParts.OfType<CompiledRazorAssemblyPart>().Any(p => p.Assembly == self)) return;
            foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(self).GetApplicationParts(self))
                if (!parts.ApplicationParts.Any(p => p.GetType() == part.GetType() && p.Name == part.Name))
                    parts.ApplicationParts.Add(part);
        });
        services.AddHttpContextAccessor();
        services.Replace(ServiceDescriptor.Scoped<ICurrentUser, HttpCurrentUser>());

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "oms.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                o.SlidingExpiration = true;
                o.Events = new UserSessionEvents();
            });
        services.AddAuthorization(o =>
        {
            foreach (var p in Permissions.All)
                o.AddPolicy(RequirePermissionAttribute.PolicyPrefix + p.Name, b => b.RequireAuthenticatedUser().RequireClaim(UserClaims.Permission, p.Name));
            o.AddPolicy(RequirePermissionAttribute.PolicyPrefix + RequirePermissionAttribute.DeliveriesView, b => b.RequireAuthenticatedUser()
                .RequireAssertion(c => c.User.Has(Permissions.OrdersView) || c.User.Has(Permissions.DeliveryOperate)));
        });
        services.AddAntiforgery(o => o.Cookie.Name = "oms.af");
        return services;
    }

    public static WebApplication UseOmsWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // friendly pages for the admin UI only; protocol endpoints answer in their own formats
        app.UseWhen(c => !IsProtocolPath(c.Request.Path), ui =>
        {
            ui.UseExceptionHandler("/error");
            ui.UseStatusCodePagesWithReExecute("/error/{0}");
        });
        app.UseStaticFiles();
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Chinese);
            o.SupportedCultures = o.SupportedUICultures = [Chinese, English];
            // the choice is the operator's (the top bar link), not the browser's
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapRazorPages();
        return app;
    }

    private static readonly string[] ProtocolPrefixes = ["/api", "/openapi", "/qimen", "/index.php", "/healthz", "/readyz"];

    internal static bool IsProtocolPath(PathString path) =>
        ProtocolPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}

public static partial class WebStartup
{
    /// <summary>
    /// Creates the first administrator on first start: user <c>admin</c>, super admin, with the
    /// password from <c>Oms:Admin:InitialPassword</c>, or a random one printed once to the console.
    /// </summary>
    public static async Task EnsureFirstAdminAsync(IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        if (await users.AnyAsync(ct).ConfigureAwait(false)) return;
        var configured = scope.ServiceProvider.GetRequiredService<IConfiguration>()["Oms:Admin:InitialPassword"];
        var password = string.IsNullOrEmpty(configured) ? RandomPassword() : configured;
        try
        {
            await users.CreateAsync("admin", password, superAdmin: true, actor: "system", ct: ct).ConfigureAwait(false);
        }
        catch (Oms.Common.ValidationException e) when (e.Field == "name")
        {
            return; // another process created it first
        }
        if (string.IsNullOrEmpty(configured))
        {
            var line = new string('=', 72);
            Console.WriteLine(line);
            Console.WriteLine($"  first login: admin / {password} — change it");
            Console.WriteLine("  (shown once; set Oms:Admin:InitialPassword to choose it yourself)");
            Console.WriteLine(line);
        }
        else
        {
            LogCreated(scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Oms.Admin"));
        }
    }

    private static string RandomPassword()
    {
        // no look-alike characters: it is read off a console and typed in
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 16);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first administrator 'admin' with the configured initial password")]
    private static partial void LogCreated(ILogger logger);
}
