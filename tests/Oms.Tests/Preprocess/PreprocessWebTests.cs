using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Preprocess;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Tests.Web;
using static Oms.Tests.Preprocess.PreprocessKit;

namespace Oms.Tests.Preprocess;

/// <summary>The gift rule pages (list, edit, preview), the plugin page and the order detail's preprocess sections over HTTP.</summary>
public abstract class PreprocessWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Gift_rules_preview_plugins_and_the_order_detail_render_and_save()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var shop = await ShopBnAsync(server, k.ShopId);
        var rule = await RuleAsync(server, new CrmGiftRuleInput("WR" + Guid.NewGuid().ToString("N")[..8], "满额送赠品") { ShopBns = [shop], MinAmount = 10m, Gifts = [new GiftInput(k.SG, 2)] });
        var bn = k.NewBn();
        await k.PushOrderAsync(bn, [new Line(k.SA, 1, 20m), new Line(k.SB, 1, 0m, "gift")], DateTime.UtcNow.AddMinutes(-30));
        var order = await k.OrderAsync(bn);

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var list = await web.GetAsync("/preprocess/gift-rules");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains(rule.RuleBn, list.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/preprocess/gift-rules\"", (await web.GetAsync("/")).Html, StringComparison.Ordinal);

        // the preview names the rule and the line it would add, and changes nothing
        var preview = await web.GetAsync("/preprocess/gift-rules?order=" + Uri.EscapeDataString(bn));
        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Contains("id=\"preview-lines\"", preview.Html, StringComparison.Ordinal);
        Assert.Contains("追加", preview.Html, StringComparison.Ordinal);
        Assert.Contains(k.SG, preview.Html, StringComparison.Ordinal);
        Assert.Equal(order.Objects.Count, (await k.OrderAsync(bn)).Objects.Count);
        Assert.Contains("不存在", (await web.GetAsync("/preprocess/gift-rules?order=NO-SUCH-" + bn)).Html, StringComparison.Ordinal);

        // create through the form; a bad band is refused in Chinese beside the field
        var newBn = "WF" + Guid.NewGuid().ToString("N")[..8];
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.RuleBn", newBn), new("Input.Name", "表单规则"), new("Input.Enabled", "true"), new("Input.Priority", "3"),
            new("Input.MinAmount", "500"), new("Input.MaxAmount", "100"), new("Input.ShopBns", shop), new("Input.Gifts", k.SG + " 1"),
        };
        var bad = await web.PostAsync("/preprocess/gift-rules/edit", fields, tokenFrom: "/preprocess/gift-rules/edit");
        Assert.Equal(HttpStatusCode.OK, bad.Status);
        Assert.Contains("最高金额不能低于最低金额", bad.Html, StringComparison.Ordinal);
        fields[5] = new("Input.MaxAmount", "900");
        var ok = await web.PostAsync("/preprocess/gift-rules/edit", fields, tokenFrom: "/preprocess/gift-rules/edit");
        Assert.Equal(HttpStatusCode.Redirect, ok.Status);
        Assert.Contains(newBn, (await web.GetAsync("/preprocess/gift-rules")).Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/preprocess/gift-rules/edit/{rule.Id}")).Status);

        var plugins = await web.GetAsync("/preprocess/plugins");
        Assert.Equal(HttpStatusCode.OK, plugins.Status);
        Assert.Contains("crm_gift", plugins.Html, StringComparison.Ordinal);
        var saved = await web.PostAsync("/preprocess/plugins", [new("plugin", "invoice"), new("enabled", "true"), new("position", "20")], tokenFrom: "/preprocess/plugins");
        Assert.Equal(HttpStatusCode.Redirect, saved.Status);

        // after a run the detail shows the lines' source and the run
        await RunAsync(server, order.Id);
        var detail = await web.GetAsync($"/orders/{order.Id}");
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.Contains("CRM 赠品", detail.Html, StringComparison.Ordinal);
        Assert.Contains("平台赠品", detail.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"preprocess-runs\"", detail.Html, StringComparison.Ordinal);
        Assert.Contains("添加赠品", detail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_sees_rules_preview_and_plugins_but_cannot_change_them()
    {
        var name = "giftviewer" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.OrdersView]);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name]);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        var list = await web.GetAsync("/preprocess/gift-rules");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.DoesNotContain("id=\"new-rule\"", list.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/preprocess/gift-rules/edit")).Status);
        var plugins = await web.GetAsync("/preprocess/plugins");
        Assert.Equal(HttpStatusCode.OK, plugins.Status);
        Assert.DoesNotContain("name=\"position\"", plugins.Html, StringComparison.Ordinal);
        var refused = await web.PostAsync("/preprocess/plugins", [new("plugin", "invoice"), new("enabled", "false"), new("position", "1")], tokenFrom: "/account/password");
        Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.Html);
        await using (var scope = server.Services.CreateAsyncScope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<Oms.Preprocess.PreprocessChain>().PluginsAsync()).Single(p => p.Code == "invoice").Enabled);
    }
}

public sealed class SqlitePreprocessWebTests(SqliteServerFixture server) : PreprocessWebTests<SqliteServerFixture>(server);

public sealed class PostgresPreprocessWebTests(PostgresServerFixture server) : PreprocessWebTests<PostgresServerFixture>(server);
