using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Dispatch;
using Oms.Orders;
using Oms.Rules;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Tests.Web;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Rules;

/// <summary>The screens of order groups, review rules, branch rules, confirm groups and dispatch over HTTP.</summary>
public abstract class RulesWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;

    private static KeyValuePair<string, string> F(string k, string v) => new(k, v);

    private async Task<WebSession> AdminAsync()
    {
        var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        return web;
    }

    [Fact]
    public async Task Order_groups_are_edited_with_the_condition_editor_and_listed_with_readable_conditions()
    {
        using var web = await AdminAsync();
        var list = await web.GetAsync("/rules/order-groups");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains(RuleDefaults.DefaultGroupName, list.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/rules/order-groups\"", list.Html, StringComparison.Ordinal); // navigation entry

        var name = Code("网页分组");
        var added = await web.PostAsync("/rules/order-groups/edit?handler=AddCondition",
            [F("Input.Name", name), F("Input.Priority", "5"), F("Input.Enabled", "true"), F("New.Type", "money"), F("New.Min", "100")], tokenFrom: "/rules/order-groups/edit");
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Contains("订单金额≥ 100 元", added.Html, StringComparison.Ordinal);
        Assert.Contains("name=\"Cond.Types[0]\" value=\"money\"", added.Html, StringComparison.Ordinal);

        var bad = await web.PostAsync("/rules/order-groups/edit?handler=AddCondition",
            [F("Input.Name", name), F("New.Type", "money"), F("New.Min", "9"), F("New.Max", "1")], tokenFrom: "/rules/order-groups/edit");
        Assert.Contains("最小金额 9 大于最大金额 1", bad.Html, StringComparison.Ordinal);

        var saved = await web.PostAsync("/rules/order-groups/edit",
            [F("Input.Name", name), F("Input.Priority", "5"), F("Input.Enabled", "true"), F("Cond.Types[0]", "money"), F("Cond.Params[0]", "{\"min\":100,\"max\":null}")],
            tokenFrom: "/rules/order-groups/edit");
        Assert.Equal(HttpStatusCode.Redirect, saved.Status);
        var after = await web.GetAsync("/rules/order-groups");
        Assert.Contains(name, after.Html, StringComparison.Ordinal);
        Assert.Contains("订单金额≥ 100 元", after.Html, StringComparison.Ordinal);

        // without conditions a group is refused, with the reason on the page
        var empty = await web.PostAsync("/rules/order-groups/edit", [F("Input.Name", Code("空")), F("Input.Enabled", "true")], tokenFrom: "/rules/order-groups/edit");
        Assert.Equal(HttpStatusCode.OK, empty.Status);
        Assert.Contains("请至少添加一个筛选条件", empty.Html, StringComparison.Ordinal);

        var id = await Db(db => db.Set<OrderGroup>().Where(g => g.Name == name).Select(g => g.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/rules/order-groups/edit/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/rules/order-groups/edit/987654321")).Status);
    }

    [Fact]
    public async Task Review_and_branch_rules_are_listed_and_saved()
    {
        using var web = await AdminAsync();
        var review = await web.GetAsync("/rules/review-rules");
        Assert.Equal(HttpStatusCode.OK, review.Status);
        Assert.Contains(RuleDefaults.DefaultReviewRuleName, review.Html, StringComparison.Ordinal);
        var name = Code("宽松");
        var saved = await web.PostAsync("/rules/review-rules", [F("Input.Name", name), F("Input.Flags", "1"), F("Input.Flags", "512")], tokenFrom: "/rules/review-rules");
        Assert.Equal(HttpStatusCode.Redirect, saved.Status);
        var row = StagingWebTests<TFixture>.Row((await web.GetAsync("/rules/review-rules")).Html,
            "review-rule-" + await Db(db => db.Set<ReviewRule>().Where(r => r.Name == name).Select(r => r.Id).FirstAsync()));
        Assert.Contains("未支付、仓库库存不足", row, StringComparison.Ordinal);

        var shop = await ShopAsync(S);
        var branch = await BranchAsync(S, true, shop);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/rules/branch-rules")).Status);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/rules/branch-rules/edit")).Status);
        var ruleName = Code("分仓");
        var posted = await web.PostAsync("/rules/branch-rules/edit",
            [F("Input.Name", ruleName), F("Input.Priority", "3"), F("Input.Enabled", "true"), F("Cond.Types[0]", "shop"), F("Cond.Params[0]", $"{{\"shop_ids\":[{shop.Id}]}}"),
             F("Input.Branches", branch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), F($"Input.Weights[{branch.Id}]", "7")],
            tokenFrom: "/rules/branch-rules/edit");
        Assert.Equal(HttpStatusCode.Redirect, posted.Status);
        var rules = await web.GetAsync("/rules/branch-rules");
        Assert.Contains(ruleName, rules.Html, StringComparison.Ordinal);
        Assert.Contains("测试仓（7）", rules.Html, StringComparison.Ordinal);
        Assert.Contains("来源店铺为 测试店铺", rules.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirm_groups_dispatch_and_fetch_work_from_their_pages()
    {
        using var web = await AdminAsync();
        var adminId = await Db(db => db.Set<User>().Where(u => u.Name == ServerFixture.AdminUser).Select(u => u.Id).FirstAsync());
        var groupName = Code("网页小组");
        Assert.Equal(HttpStatusCode.Redirect, (await web.PostAsync("/dispatch/confirm-groups",
            [F("Input.Name", groupName), F("Input.Members", adminId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("Input.OnDuty", adminId.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            tokenFrom: "/dispatch/confirm-groups")).Status);
        var groupId = await Db(db => db.Set<ConfirmGroup>().Where(g => g.Name == groupName).Select(g => g.Id).FirstAsync());
        var page = await web.GetAsync("/dispatch/confirm-groups");
        Assert.Contains(groupName, page.Html, StringComparison.Ordinal);
        Assert.Contains("在岗", StagingWebTests<TFixture>.Row(page.Html, $"confirm-group-{groupId}"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await web.PostAsync("/dispatch/confirm-groups?handler=Duty",
            [F("groupId", groupId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("userId", adminId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("onDuty", "false")],
            tokenFrom: "/dispatch/confirm-groups")).Status);
        Assert.Contains("离岗", StagingWebTests<TFixture>.Row((await web.GetAsync("/dispatch/confirm-groups")).Html, $"confirm-group-{groupId}"), StringComparison.Ordinal);
        var ruleName = Code("规则");
        Assert.Equal(HttpStatusCode.Redirect, (await web.PostAsync("/dispatch/confirm-groups?handler=Rule",
            [F("Rule.Name", ruleName), F("Rule.ConfirmGroupId", groupId.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("Rule.Mode", "GroupOnly")],
            tokenFrom: "/dispatch/confirm-groups")).Status);
        Assert.Contains(ruleName, (await web.GetAsync("/dispatch/confirm-groups")).Html, StringComparison.Ordinal);

        var shop = await ShopAsync(S);
        var order = await DispatchData.ReadyAsync(S, shop);
        var list = await web.GetAsync("/dispatch");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains($"dispatch-{order.Id}\"", list.Html, StringComparison.Ordinal);
        var refused = await web.PostAsync("/dispatch?handler=Dispatch", [F("ids", order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))], tokenFrom: "/dispatch");
        Assert.Contains("请选择审单小组", refused.Html, StringComparison.Ordinal);
        var done = await web.PostAsync("/dispatch?handler=Dispatch",
            [F("ids", order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), F("groupId", groupId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             F("opId", adminId.ToString(System.Globalization.CultureInfo.InvariantCulture))], tokenFrom: "/dispatch");
        Assert.Equal(HttpStatusCode.Redirect, done.Status);
        Assert.Equal(adminId, (await DispatchData.ReloadAsync(S, order.Id)).OpId);
        Assert.DoesNotContain($"dispatch-{order.Id}\"", (await web.GetAsync("/dispatch")).Html, StringComparison.Ordinal);
        Assert.Contains($"dispatch-{order.Id}\"", (await web.GetAsync("/dispatch?all=true")).Html, StringComparison.Ordinal);

        var fetched = await web.PostAsync("/dispatch?handler=Fetch", [F("count", "500")], tokenFrom: "/dispatch");
        Assert.Contains("获取数量应在 1 至 200 之间", fetched.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await web.PostAsync("/dispatch?handler=Fetch", [F("count", "5")], tokenFrom: "/dispatch")).Status);
    }

    [Fact]
    public async Task Viewers_see_the_lists_but_cannot_edit()
    {
        var name = "rulesview" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = S.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.OrdersView]);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name]);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        foreach (var path in new[] { "/rules/order-groups", "/rules/review-rules", "/rules/branch-rules", "/dispatch/confirm-groups", "/dispatch" })
        {
            var page = await web.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.DoesNotContain("href=\"/rules/order-groups/edit\"", page.Html, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/rules/order-groups/edit")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/rules/branch-rules/edit")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.PostAsync("/dispatch?handler=Fetch", [F("count", "5")], tokenFrom: "/dispatch")).Status);
    }

    private async Task<T> Db<T>(Func<OmsDbContext, Task<T>> query)
    {
        await using var scope = S.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OmsDbContext>());
    }
}

public sealed class SqliteRulesWebTests(SqliteServerFixture f) : RulesWebTests<SqliteServerFixture>(f);

public sealed class PostgresRulesWebTests(PostgresServerFixture f) : RulesWebTests<PostgresServerFixture>(f);
