using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Orders;
using Oms.Outbox;
using Oms.Tests.Infrastructure;
using Oms.Tests.Web;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary>Test data for the order screens: an order with every section of the detail page filled.</summary>
internal static class OrderScreenData
{
    public sealed record FullOrder(Shop Shop, Order Order, OrderObject Unmatched, OrderLog FirstLog, OrderLog LastLog, AfterSaleRequest AfterSale, ApiLogEntry ApiLog);

    public static async Task<FullOrder> FullOrderAsync(IServiceProvider services)
    {
        var shop = await ShopAsync(services);
        var basic = await MaterialAsync(services);
        var bn = Code("D");
        SalesMaterial sales;
        await using (var s = services.CreateAsyncScope())
            sales = await s.ServiceProvider.GetRequiredService<SalesMaterialService>().CreateAsync(
                new SalesMaterialInput("LINE-A-" + bn, "甲商品", SalesMaterialType.Normal, [new BindingPart(basic.MaterialBn, 1, null)]), "test", CancellationToken.None);
        var order = await new OrderBuilder(shop.Id, bn).Paid(88m).With(o =>
            {
                o.CustomMark = "请用顺丰"; o.MarkText = "老客户"; o.MarkType = "blue";
                o.IsTax = true; o.TaxTitle = "杭州某某有限公司"; o.TaxNo = "91330100XX";
                o.CostFreight = 8m; o.MemberName = "李四"; o.BuyerId = "tb-" + bn;
                o.ArrivedAt = DateTime.UtcNow.AddHours(-2); o.PaidAt = o.ArrivedAt;
            })
            .Line("LINE-A-" + bn, quantity: 2, price: 40m, salesMaterialId: sales.Id, basicMaterialId: basic.Id)
            .Line("LINE-B-" + bn, quantity: 1, price: 0m)
            .SaveAsync(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var objects = db.Set<OrderObject>().Where(x => x.OrderId == order.Id).OrderBy(x => x.Id).ToList();
        var deleted = new OrderObject { OrderId = order.Id, Bn = "LINE-GONE-" + bn, ObjType = "goods", Quantity = 1, Deleted = true, Position = 5 };
        db.Add(deleted);
        db.Add(new OrderPayment { OrderId = order.Id, TradeNo = "PAY-" + bn, Money = 88m, PayMethod = "支付宝", PayTime = DateTime.UtcNow, CreatedAt = DateTime.UtcNow });
        var first = new OrderLog { OrderId = order.Id, Action = "create", Text = "订单创建 " + bn, Operator = "matrix", CreatedAt = DateTime.UtcNow.AddMinutes(-5) };
        var last = new OrderLog { OrderId = order.Id, Action = "memo", Text = "卖家备注改为 老客户", Operator = "admin", CreatedAt = DateTime.UtcNow };
        db.Add(first);
        await db.SaveChangesAsync();
        db.Add(last);
        var afterSale = new AfterSaleRequest
        {
            ShopId = shop.Id, Kind = AfterSaleKinds.Refund, RequestBn = "RF-" + bn, OrderBn = bn, Status = "WAIT_SELLER_AGREE", Money = 40m,
            Reason = "不想要了", Payload = "{\"refund_bn\":\"RF-" + bn + "\",\"refund_fee\":\"40.00\",\"memo\":\"七天无理由\"}",
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };
        db.Add(afterSale);
        // the same order_bn in another shop is another order: its request is not shown
        var otherShop = await ShopAsync(services);
        db.Add(new AfterSaleRequest { ShopId = otherShop.Id, Kind = AfterSaleKinds.Refund, RequestBn = "RF-OTHER-" + bn, OrderBn = bn, Payload = "{}", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
        var apiLog = new ApiLogEntry { Direction = ApiLogDirection.In, Method = "ome.order.add", Status = ApiLogStatus.Succ, BusinessKey = bn, Peer = "node:1", Attempt = 1, CreatedAt = DateTime.UtcNow, Message = "accepted " + bn };
        db.Add(apiLog);
        await db.SaveChangesAsync();
        return new FullOrder(shop, order, objects[1], first, last, afterSale, apiLog);
    }
}

/// <summary>The order detail page over HTTP: every section, newest log first, the API log link, permissions.</summary>
public abstract class OrderDetailWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_detail_page_shows_every_section_of_the_order()
    {
        var f = await OrderScreenData.FullOrderAsync(S);
        var bn = f.Order.OrderBn;
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var page = await web.GetAsync($"/orders/{f.Order.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var html = page.Html;

        Assert.Contains($"订单 {bn}", html, StringComparison.Ordinal);
        Assert.Contains(f.Shop.ShopBn, html, StringComparison.Ordinal);
        foreach (var text in new[] { "活动", "已付款", "未发货", "未确认", "88.00", "8.00", "张三", "浙江省 杭州市 西湖区", "文三路 1 号", "13800000000",
                     "buyer-" + bn, "李四", "tb-" + bn, "请用顺丰", "老客户", "blue", "杭州某某有限公司", "91330100XX" })
            Assert.Contains(text, html, StringComparison.Ordinal);

        // objects with their items; the unmatched one is marked, the removed one kept for the record
        var lines = StagingWebTests<TFixture>.Row(html, $"obj-{f.Unmatched.Id}");
        Assert.Contains("LINE-B-" + bn, lines, StringComparison.Ordinal);
        Assert.Contains("未匹配", lines, StringComparison.Ordinal);
        Assert.Contains("LINE-A-" + bn, html, StringComparison.Ordinal);
        Assert.Matches("<tr id=\"item-\\d+\" class=\"item\">\\s*<td class=\"mono\">LINE-A-" + bn, html);
        Assert.Contains("已删除", html, StringComparison.Ordinal);
        Assert.Contains("LINE-GONE-" + bn, html, StringComparison.Ordinal);

        Assert.Contains("PAY-" + bn, html, StringComparison.Ordinal);
        var afterSale = StagingWebTests<TFixture>.Row(html, $"aftersale-{f.AfterSale.Id}");
        Assert.Contains("RF-" + bn, afterSale, StringComparison.Ordinal);
        Assert.Contains("退款申请", afterSale, StringComparison.Ordinal);
        Assert.Contains("WAIT_SELLER_AGREE", afterSale, StringComparison.Ordinal);
        Assert.Contains("不想要了", afterSale, StringComparison.Ordinal);
        Assert.Contains("七天无理由", afterSale, StringComparison.Ordinal); // the payload, pretty-printed
        Assert.DoesNotContain("RF-OTHER-" + bn, html, StringComparison.Ordinal);

        Assert.True(html.IndexOf($"id=\"log-{f.LastLog.Id}\"", StringComparison.Ordinal) < html.IndexOf($"id=\"log-{f.FirstLog.Id}\"", StringComparison.Ordinal), "newest log line first");
        Assert.Contains("订单创建 " + bn, html, StringComparison.Ordinal);

        Assert.Contains($"href=\"/integration/api-logs?key={bn}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/integration/api-logs/{f.ApiLog.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains("ome.order.add", StagingWebTests<TFixture>.Row(html, $"apilog-{f.ApiLog.Id}"), StringComparison.Ordinal);
        // the link opens the API log filtered by this order
        var apiLogPage = await web.GetAsync($"/integration/api-logs?key={bn}");
        Assert.Contains($"log-{f.ApiLog.Id}", apiLogPage.Html, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/orders/987654321")).Status);
    }

    [Fact]
    public async Task A_viewer_without_api_log_rights_sees_the_order_but_not_its_api_log()
    {
        var f = await OrderScreenData.FullOrderAsync(S);
        var name = "orderviewer" + Guid.NewGuid().ToString("N")[..6];
        await using (var scope = S.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleService>().CreateAsync("role-" + name, null, [Permissions.OrdersView], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(name, "password-123", ["role-" + name], ct: Ct);
        }
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await web.LoginAsync(name, "password-123")).Status);
        var page = await web.GetAsync($"/orders/{f.Order.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("PAY-" + f.Order.OrderBn, page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("order-api-log", page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/orders/failed")).Status);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/orders/staging")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.GetAsync("/integration/api-logs")).Status);
    }
}

public sealed class SqliteOrderDetailWebTests(SqliteServerFixture f) : OrderDetailWebTests<SqliteServerFixture>(f);

public sealed class PostgresOrderDetailWebTests(PostgresServerFixture f) : OrderDetailWebTests<PostgresServerFixture>(f);
