using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Web;

/// <summary>The admin shell over real HTTP: login, permissions, antiforgery, audit, settings, error pages.</summary>
public abstract class AdminWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Wrong_password_is_refused_and_no_session_starts()
    {
        using var web = new WebSession(server);
        var answer = await web.LoginAsync(ServerFixture.AdminUser, "not-the-password");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("用户名或密码错误", answer.Html, StringComparison.Ordinal);
        Assert.False(web.HasAuthCookie);
        Assert.Equal(HttpStatusCode.Redirect, (await web.GetAsync("/")).Status);
    }

    [Fact]
    public async Task Login_opens_the_dashboard_with_real_counts()
    {
        using var web = new WebSession(server);
        var login = await web.LoginAsync(ServerFixture.AdminUser, ServerFixture.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.Status);
        Assert.Equal("/", login.Location);
        var home = await web.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Contains("id=\"count-users\"", home.Html, StringComparison.Ordinal);
        Assert.Contains("订单列表", home.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_request_to_an_admin_page_redirects_to_login()
    {
        using var web = new WebSession(server);
        var answer = await web.GetAsync("/admin/settings");
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.StartsWith("/login?ReturnUrl=%2Fadmin%2Fsettings", new Uri(web.BaseAddress, answer.Location).PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocol_endpoints_stay_anonymous_and_unknown_pages_are_a_friendly_404()
    {
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/healthz")).Status);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/lib/htmx.min.js")).Status);
        var missing = await web.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("页面不存在", missing.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_without_antiforgery_token_is_rejected()
    {
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var answer = await web.PostAsync("/admin/roles/edit", [new("Input.Name", "no-token-role")]);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.DoesNotContain("at Microsoft.", answer.Html, StringComparison.Ordinal);
        await using var scope = server.Services.CreateAsyncScope();
        Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<RoleService>().ListAsync(Ct), r => r.Name == "no-token-role");
    }

    [Fact]
    public async Task User_without_users_manage_gets_403_on_the_users_page()
    {
        var name = "auditor" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.AuditView], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        var users = await web.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Forbidden, users.Status);
        Assert.Contains("没有权限", users.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/admin/audit")).Status);
        // the navigation offers only what the user may open
        var home = await web.GetAsync("/");
        Assert.Contains("href=\"/admin/audit\"", home.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/users\"", home.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_user_through_the_form_writes_an_audit_entry()
    {
        var name = "clerk" + Guid.NewGuid().ToString("N")[..6];
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var answer = await web.PostAsync("/admin/users/edit?handler=Save",
            [new("Input.Name", name), new("Input.Password", "clerk-password-1"), new("Input.DisplayName", "店员")], tokenFrom: "/admin/users/edit");
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var entry = await db.Set<AuditEntry>().SingleAsync(e => e.Action == "user.create" && e.Target == "user:" + name, Ct);
        Assert.Equal(ServerFixture.AdminUser, entry.UserName);
        var audit = await web.GetAsync("/admin/audit?action=user.create&target=" + name);
        Assert.Contains("user:" + name, audit.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_password_is_refused_beside_the_field()
    {
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var answer = await web.PostAsync("/admin/users/edit?handler=Save",
            [new("Input.Name", "shorty"), new("Input.Password", "short")], tokenFrom: "/admin/users/edit");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("at least 8 characters", answer.Html, StringComparison.Ordinal);
        await using var scope = server.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<User>().AnyAsync(u => u.Name == "shorty", Ct));
    }

    [Fact]
    public async Task Settings_page_refuses_a_bad_value_and_shows_the_message()
    {
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var bad = await web.PostAsync("/admin/settings", [new("key", "stocksync.interval_seconds"), new("value", "5")], tokenFrom: "/admin/settings");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Contains("stocksync.interval_seconds takes a whole number from 30 to 86400", bad.Html, StringComparison.Ordinal);
        await using (var scope = server.Services.CreateAsyncScope())
            Assert.Equal("300", await scope.ServiceProvider.GetRequiredService<SettingsService>().GetTextAsync("stocksync.interval_seconds", Ct));

        var good = await web.PostAsync("/admin/settings", [new("key", "stocksync.interval_seconds"), new("value", "600")], tokenFrom: "/admin/settings");
        Assert.Equal(HttpStatusCode.Redirect, good.Status);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            Assert.Equal("600", await scope.ServiceProvider.GetRequiredService<SettingsService>().GetTextAsync("stocksync.interval_seconds", Ct));
            var entry = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<AuditEntry>()
                .SingleAsync(e => e.Action == "settings.set" && e.Target == "setting:stocksync.interval_seconds", Ct);
            Assert.Equal(ServerFixture.AdminUser, entry.UserName);
        }
    }

    [Fact]
    public async Task A_disabled_user_loses_the_session_at_the_next_request()
    {
        var name = "temp" + Guid.NewGuid().ToString("N")[..6];
        long id;
        await using (var scope = server.Services.CreateAsyncScope())
            id = (await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ct: Ct)).Id;
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/")).Status);
        await using (var scope = server.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<UserService>().SetDisabledAsync(id, true, ct: Ct);
        Assert.Equal(HttpStatusCode.Redirect, (await web.GetAsync("/")).Status);
        Assert.Equal(HttpStatusCode.OK, (await web.LoginAsync(name, "password-123")).Status);
    }

    [Fact]
    public async Task Audit_log_pages_by_id_with_a_next_link()
    {
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();
            for (var i = 0; i < 55; i++) await settings.SetAsync("apilog.max_days", (10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "pager-test", ct: Ct);
        }
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var first = await web.GetAsync("/admin/audit?user=pager-test");
        var next = System.Text.RegularExpressions.Regex.Match(first.Html, "href=\"(/admin/audit\\?user=pager-test&amp;before=(\\d+))\" rel=\"next\"");
        Assert.True(next.Success, "no next-page link");
        Assert.Contains("63 → 64", first.Html, StringComparison.Ordinal);
        var second = await web.GetAsync(WebUtility.HtmlDecode(next.Groups[1].Value));
        Assert.Contains("10 → 11", second.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("63 → 64", second.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", second.Html, StringComparison.Ordinal);
    }
}

public sealed class SqliteAdminWebTests(SqliteServerFixture f) : AdminWebTests<SqliteServerFixture>(f);

public sealed class PostgresAdminWebTests(PostgresServerFixture f) : AdminWebTests<PostgresServerFixture>(f);
