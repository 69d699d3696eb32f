using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.Review;

/// <summary><c>delivery.getList</c> through the real <c>/openapi</c>: rows, filters, cursor paging, refusals.</summary>
public abstract class DeliveryGetListTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static Dictionary<string, string> Window(DateTime from, DateTime to, params (string Key, string Value)[] more)
    {
        var d = new Dictionary<string, string> { ["start_time"] = ChinaTime.ToText(from), ["end_time"] = ChinaTime.ToText(to) };
        foreach (var (k, v) in more) d[k] = v;
        return d;
    }

    private static List<string> Bns(JsonElement answer) =>
        answer.GetProperty("lists").EnumerateArray().Select(r => r.GetProperty("delivery_bn").GetString()!).ToList();

    [Fact]
    public async Task Deliveries_are_listed_with_orders_and_items_filtered_and_paged_by_cursor()
    {
        using var k = await ReviewKit.CreateAsync(server);
        var branch = await k.BranchAsync(stock: new Dictionary<string, int> { [k.Orders.A] = 10, [k.Orders.B] = 10 });
        var sf = await k.LogisticsAsync(branch, "SF");
        var from = DateTime.UtcNow.AddMinutes(-1);
        var o1 = await k.PushAsync([new Line(k.Orders.SA, 2)], member: "d1");
        var o2 = await k.PushAsync([new Line(k.Orders.SB, 1)], member: "d2");
        var o3 = await k.PushAsync([new Line(k.Orders.SAB, 1, 50m)], member: "d3");
        var d1 = await k.ConfirmAsync([o1.Id], branch.Id, sf.Id);
        var d2 = await k.ConfirmAsync([o2.Id], branch.Id);
        var d3 = await k.ConfirmAsync([o3.Id], branch.Id);
        await k.WithAsync(sp => sp.GetRequiredService<Oms.Review.ReviewService>().RevokeAsync(d2.Id, "测试", "reviewer"));
        var to = DateTime.UtcNow.AddMinutes(1);
        var branchFilter = ("branch_bn", branch.BranchBn);

        var all = await server.OpenApi.CallAsync("delivery.getList", Window(from, to, branchFilter));
        Assert.Equal([d1.DeliveryBn, d3.DeliveryBn, d2.DeliveryBn], Bns(all));
        Assert.Equal(3, all.GetProperty("count").GetInt64());
        var row = all.GetProperty("lists")[0];
        Assert.Equal([o1.OrderBn], row.GetProperty("order_bns").EnumerateArray().Select(x => x.GetString()).ToList());
        Assert.Equal(branch.BranchBn, row.GetProperty("branch_bn").GetString());
        Assert.Equal("SF", row.GetProperty("logi_code").GetString());
        Assert.Equal("ready", row.GetProperty("status").GetString());
        Assert.Equal(0, row.GetProperty("process_status").GetInt32());
        Assert.Equal(0, row.GetProperty("print_status").GetInt32());
        var item = Assert.Single(row.GetProperty("items").EnumerateArray());
        Assert.Equal((k.Orders.A, 2, 0), (item.GetProperty("bn").GetString(), item.GetProperty("number").GetInt32(), item.GetProperty("verify_num").GetInt32()));

        var cancelled = await server.OpenApi.CallAsync("delivery.getList", Window(from, to, branchFilter, ("status", "cancel")));
        Assert.Equal([d2.DeliveryBn], Bns(cancelled));
        var byOrder = await server.OpenApi.CallAsync("delivery.getList", Window(from, to, ("order_bn", $"{o3.OrderBn},{o1.OrderBn}")));
        Assert.Equal([d1.DeliveryBn, d3.DeliveryBn], Bns(byOrder));
        var byBn = await server.OpenApi.CallAsync("delivery.getList", Window(from, to, ("delivery_bn", d3.DeliveryBn)));
        Assert.Equal([d3.DeliveryBn], Bns(byBn));

        var page1 = await server.OpenApi.CallAsync("delivery.getList", Window(from, to, branchFilter, ("page_size", "2")));
        Assert.Equal([d1.DeliveryBn, d3.DeliveryBn], Bns(page1));
        Assert.True(page1.GetProperty("has_more").GetBoolean());
        var page2 = await server.OpenApi.CallAsync("delivery.getList", Window(from, to, branchFilter, ("page_size", "2"),
            ("cursor_id", page1.GetProperty("cursor_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("cursor_time", page1.GetProperty("cursor_time").GetString()!)));
        Assert.Equal([d2.DeliveryBn], Bns(page2));
        Assert.False(page2.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Bad_parameters_are_refused_with_the_field_named()
    {
        var now = DateTime.UtcNow;
        Assert.StartsWith("start_time", (await server.OpenApi.CallErrorAsync("delivery.getList", new Dictionary<string, string> { ["end_time"] = ChinaTime.ToText(now) })).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("status", (await server.OpenApi.CallErrorAsync("delivery.getList", Window(now.AddHours(-1), now, ("status", "lost")))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("branch_bn", (await server.OpenApi.CallErrorAsync("delivery.getList", Window(now.AddHours(-1), now, ("branch_bn", "NOPE")))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("end_time", (await server.OpenApi.CallErrorAsync("delivery.getList", Window(now.AddDays(-40), now))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("cursor_id", (await server.OpenApi.CallErrorAsync("delivery.getList", Window(now.AddHours(-1), now, ("cursor_id", "x")))).SubMsg, StringComparison.Ordinal);
    }
}

public sealed class SqliteDeliveryGetListTests(SqliteServerFixture server) : DeliveryGetListTests<SqliteServerFixture>(server);

public sealed class PostgresDeliveryGetListTests(PostgresServerFixture server) : DeliveryGetListTests<PostgresServerFixture>(server);
