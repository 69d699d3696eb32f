using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Channels;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Web;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary>The failed-order list (失败订单): which orders, their unmatched codes, filters, keyset paging, the page.</summary>
public abstract class FailedOrdersWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<Order> FailedAsync(Shop shop, string bn, params string[] unmatched)
    {
        var b = new OrderBuilder(shop.Id, bn).Paid().With(o => o.IsFail = true);
        foreach (var code in unmatched) b.Line(code);
        return b.SaveAsync(S);
    }

    private async Task<KeysetPage<FailedOrderRow>> ListAsync(FailedOrderFilter filter, long? before = null, int pageSize = 50)
    {
        await using var scope = S.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FailedOrderQuery>().ListAsync(filter, before, pageSize, Ct);
    }

    [Fact]
    public async Task Failed_orders_that_are_not_dead_are_listed_newest_first_with_their_unmatched_codes()
    {
        var shop = await ShopAsync(S);
        var other = await ShopAsync(S);
        var p = Code("F");
        var a = await FailedAsync(shop, p + "-a", "NOPE-1-" + p, "NOPE-2-" + p);
        var b = await FailedAsync(shop, p + "-b", "NOPE-1-" + p);
        var dead = await FailedAsync(shop, p + "-dead", "NOPE-1-" + p);
        await using (var scope = S.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await db.Set<Order>().Where(o => o.Id == dead.Id).ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, OrderStatus.Dead), Ct);
        }
        await new OrderBuilder(shop.Id, p + "-ok").Paid().Line("FINE").SaveAsync(S);
        var c = await FailedAsync(other, p + "-c", "NOPE-3-" + p);

        var mine = await ListAsync(new FailedOrderFilter(shop.Id));
        Assert.Equal([b.Id, a.Id], mine.Items.Select(r => r.Id));
        Assert.Equal(["NOPE-1-" + p, "NOPE-2-" + p], mine.Items[1].UnmatchedCodes);
        Assert.Equal(shop.Name, mine.Items[0].ShopName);

        Assert.Equal([a.Id], (await ListAsync(new FailedOrderFilter(OrderBn: p + "-a"))).Items.Select(r => r.Id));
        Assert.Equal([b.Id, a.Id], (await ListAsync(new FailedOrderFilter(Code: "NOPE-1-" + p))).Items.Select(r => r.Id));
        Assert.Equal([c.Id], (await ListAsync(new FailedOrderFilter(Code: "NOPE-3-" + p))).Items.Select(r => r.Id));
        Assert.Empty((await ListAsync(new FailedOrderFilter(shop.Id, Code: "NOPE-3-" + p))).Items);

        var first = await ListAsync(new FailedOrderFilter(Code: "NOPE-1-" + p), pageSize: 1);
        Assert.Equal([b.Id], first.Items.Select(r => r.Id));
        var second = await ListAsync(new FailedOrderFilter(Code: "NOPE-1-" + p), first.NextBefore, pageSize: 1);
        Assert.Equal([a.Id], second.Items.Select(r => r.Id));
        Assert.Null(second.NextBefore);

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var page = await web.GetAsync($"/orders/failed?shop={shop.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("失败订单", page.Html, StringComparison.Ordinal);
        var row = StagingWebTests<TFixture>.Row(page.Html, $"failed-{a.Id}");
        Assert.Contains("NOPE-1-" + p, row, StringComparison.Ordinal);
        Assert.Contains("NOPE-2-" + p, row, StringComparison.Ordinal);
        Assert.Contains($"href=\"/orders/{a.Id}\"", row, StringComparison.Ordinal);
        Assert.DoesNotContain($"failed-{c.Id}\"", page.Html, StringComparison.Ordinal);
        var byCode = await web.GetAsync($"/orders/failed?code=NOPE-3-{p}");
        Assert.Contains($"failed-{c.Id}\"", byCode.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"failed-{a.Id}\"", byCode.Html, StringComparison.Ordinal);
        // the navigation links the built pages
        Assert.Contains("href=\"/orders/failed\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/orders/staging\"", page.Html, StringComparison.Ordinal);
    }
}

public sealed class SqliteFailedOrdersWebTests(SqliteServerFixture f) : FailedOrdersWebTests<SqliteServerFixture>(f);

public sealed class PostgresFailedOrdersWebTests(PostgresServerFixture f) : FailedOrdersWebTests<PostgresServerFixture>(f);
