using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Web;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_round_trips_and_refuses_a_wrong_password()
    {
        var hash = PasswordHasher.Hash("correct horse 1");
        Assert.StartsWith("pbkdf2-sha256$v1$210000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("correct horse 1", hash));
        Assert.False(PasswordHasher.Verify("correct horse 2", hash));
        Assert.False(PasswordHasher.Verify("", hash));
    }

    [Fact]
    public void Same_password_gets_a_different_salt_each_time()
    {
        Assert.NotEqual(PasswordHasher.Hash("same-password"), PasswordHasher.Hash("same-password"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$v2$210000$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$v1$x$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$v1$1000$not base64!$AAAA")]
    public void Unreadable_hashes_never_match(string stored)
    {
        Assert.False(PasswordHasher.Verify("plain-text-password", stored));
    }
}

public sealed class UserServiceTests(SqliteCoreFixture core) : IClassFixture<SqliteCoreFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewName() => "u" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Created_user_logs_in_with_its_password_only()
    {
        var name = NewName();
        await using var scope = core.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        var user = await users.CreateAsync(name, "first-password", actor: "tester", ct: Ct);
        Assert.NotEqual("first-password", user.PasswordHash);
        Assert.Null(await users.VerifyLoginAsync(name, "wrong-password", ct: Ct));
        Assert.Null(await users.VerifyLoginAsync("nobody-" + name, "first-password", ct: Ct));
        var access = await users.VerifyLoginAsync(name, "first-password", ct: Ct);
        Assert.NotNull(access);
        Assert.Equal(user.Id, access.Id);
        Assert.Empty(access.Permissions);

        await users.ChangePasswordAsync(user.Id, "second-password", "tester", ct: Ct);
        Assert.Null(await users.VerifyLoginAsync(name, "first-password", ct: Ct));
        var after = await users.VerifyLoginAsync(name, "second-password", ct: Ct);
        Assert.NotNull(after);
        Assert.NotEqual(access.Stamp, after.Stamp);

        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var actions = await db.Set<AuditEntry>().Where(e => e.Target == "user:" + name).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct);
        Assert.Equal(["user.create", "user.login_failed", "user.login", "user.password", "user.login_failed", "user.login"], actions);
    }

    [Fact]
    public async Task Duplicate_name_short_password_and_unknown_role_are_refused()
    {
        var name = NewName();
        await using var scope = core.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        await users.CreateAsync(name, "long-enough", ct: Ct);
        Assert.Equal("name", (await Assert.ThrowsAsync<ValidationException>(() => users.CreateAsync(name, "long-enough", ct: Ct))).Field);
        Assert.Equal("password", (await Assert.ThrowsAsync<ValidationException>(() => users.CreateAsync(NewName(), "short", ct: Ct))).Field);
        Assert.Equal("roles", (await Assert.ThrowsAsync<ValidationException>(() => users.CreateAsync(NewName(), "long-enough", ["no-such-role"], ct: Ct))).Field);
    }

    [Fact]
    public async Task Roles_give_permissions_and_super_admin_has_all()
    {
        await using var scope = core.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleService>();
        var role = "r" + NewName();
        await roles.CreateAsync(role, null, [Permissions.StockView, Permissions.OrdersView], ct: Ct);
        var clerk = await users.CreateAsync(NewName(), "long-enough", [role], ct: Ct);
        var boss = await users.CreateAsync(NewName(), "long-enough", superAdmin: true, ct: Ct);
        var clerkAccess = await users.GetAccessAsync(clerk.Id, ct: Ct);
        Assert.Equal([Permissions.OrdersView, Permissions.StockView], clerkAccess!.Permissions.Order(StringComparer.Ordinal));
        Assert.False(clerkAccess.Has(Permissions.UsersManage));
        Assert.Equal(Permissions.All.Count, (await users.GetAccessAsync(boss.Id, ct: Ct))!.Permissions.Count);

        var roleId = (await roles.ListAsync(ct: Ct)).Single(r => r.Name == role).Id;
        await roles.UpdateAsync(roleId, role, null, [Permissions.UsersManage], ct: Ct);
        Assert.True((await users.GetAccessAsync(clerk.Id, ct: Ct))!.Has(Permissions.UsersManage));
        await Assert.ThrowsAsync<ValidationException>(() => roles.UpdateAsync(roleId, role, null, ["no.such.permission"], ct: Ct));
    }

    [Fact]
    public async Task Disabled_user_cannot_log_in_and_the_last_super_admin_stays_enabled()
    {
        await using var scope = core.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        var name = NewName();
        var user = await users.CreateAsync(name, "long-enough", ct: Ct);
        await users.SetDisabledAsync(user.Id, true, ct: Ct);
        Assert.Null(await users.VerifyLoginAsync(name, "long-enough", ct: Ct));
        await Assert.ThrowsAsync<DomainException>(() => users.SetDisabledAsync(user.Id, true, ct: Ct));

        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var supers = await db.Set<User>().Where(u => u.IsSuperAdmin && !u.Disabled).Select(u => u.Id).ToListAsync(Ct);
        var last = supers.Count == 0 ? (await users.CreateAsync(NewName(), "long-enough", superAdmin: true, ct: Ct)).Id : supers[0];
        foreach (var other in supers.Skip(1)) await users.SetDisabledAsync(other, true, ct: Ct);
        await Assert.ThrowsAsync<DomainException>(() => users.SetDisabledAsync(last, true, ct: Ct));
    }
}
