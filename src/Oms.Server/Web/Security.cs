using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Oms.Admin;

namespace Oms.Server.Web;

/// <summary>Claim types of the admin cookie.</summary>
public static class UserClaims
{
    public const string Permission = "oms:perm";
    /// <summary>A stamp of the password hash at login: a changed password ends older sessions.</summary>
    public const string Stamp = "oms:stamp";
    public const string DisplayName = "oms:display";
    public const string SuperAdmin = "oms:super";

    /// <summary>The principal stored in the cookie: who, not what they may do (that is read per request).</summary>
    public static ClaimsPrincipal ForLogin(UserAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        var id = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, access.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, access.Name),
            new Claim(Stamp, access.Stamp),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        return new ClaimsPrincipal(id);
    }

    public static long? UserId(this ClaimsPrincipal user) =>
        long.TryParse(user?.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Whether the user holds <paramref name="permission"/>; <c>a|b</c> means any of them.</summary>
    public static bool Has(this ClaimsPrincipal user, string permission) =>
        user is not null && permission.Split('|').Any(p => user.HasClaim(Permission, p));
}

/// <summary>
/// Requires a permission of <see cref="Permissions"/> on a page: <c>[RequirePermission(Permissions.UsersManage)]</c>.
/// A signed-in user without it gets the 403 page.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequirePermissionAttribute(string permission) : AuthorizeAttribute(PolicyPrefix + permission)
{
    public const string PolicyPrefix = "perm:";
    /// <summary>The delivery screens: order viewers and the warehouse floor (<c>orders.view</c> or <c>delivery.operate</c>).</summary>
    public const string DeliveriesView = Permissions.OrdersView + "|" + Permissions.DeliveryOperate;
    public string Permission { get; } = permission;
}

/// <summary>
/// On every request: re-reads the user's access (cached briefly by <see cref="UserAccessCache"/>),
/// ends the session of a disabled or deleted user or after a password change, and puts the current
/// permissions on the principal. Role edits therefore apply without logging out.
/// </summary>
internal sealed class UserSessionEvents : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var id = principal?.UserId();
        var access = id is null ? null
            : await context.HttpContext.RequestServices.GetRequiredService<UserService>().GetAccessAsync(id.Value, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (principal is null || access is null || access.Disabled || access.Stamp != principal.FindFirstValue(UserClaims.Stamp))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return;
        }
        var identity = new ClaimsIdentity(principal.Claims.Where(c => c.Type is not (UserClaims.Permission or UserClaims.DisplayName or UserClaims.SuperAdmin)),
            principal.Identity!.AuthenticationType, ClaimTypes.Name, ClaimTypes.Role);
        foreach (var p in access.IsSuperAdmin ? Permissions.All.Select(p => p.Name) : access.Permissions)
            identity.AddClaim(new Claim(UserClaims.Permission, p));
        if (access.IsSuperAdmin) identity.AddClaim(new Claim(UserClaims.SuperAdmin, "true"));
        if (access.DisplayName is { } dn) identity.AddClaim(new Claim(UserClaims.DisplayName, dn));
        context.ReplacePrincipal(new ClaimsPrincipal(identity));
    }

    /// <summary>htmx follows redirects inside a fragment; tell it to load the login page as a whole page.</summary>
    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (context.Request.Headers.ContainsKey("HX-Request"))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers["HX-Redirect"] = context.RedirectUri;
            return Task.CompletedTask;
        }
        return base.RedirectToLogin(context);
    }

    /// <summary>A 403 status, rendered by the error page, instead of a redirect to a separate page.</summary>
    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}

/// <summary>The signed-in admin user as the actor of audit entries; "system" outside a web request.</summary>
internal sealed class HttpCurrentUser(IHttpContextAccessor http) : ICurrentUser
{
    public string? Name => http.HttpContext?.User.Identity is { IsAuthenticated: true, Name: { } n } ? n : "system";
}
