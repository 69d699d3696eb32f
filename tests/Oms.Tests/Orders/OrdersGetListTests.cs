using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Orders;

/// <summary><c>orders.getList</c> over the real <c>/openapi</c> endpoint: window, filters, both ways of paging, children, refusals.</summary>
public abstract class OrdersGetListTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private IServiceProvider S => server.Services;
    private OpenApiTestClient Api => server.OpenApi;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fixed moment (whole seconds) so window bounds are exact; tests keep apart by shop.</summary>
    private static readonly DateTime T0 = new(2025, 3, 1, 2, 0, 0, DateTimeKind.Utc);

    private static string Text(DateTime utc) => ChinaTime.ToText(utc);

    private static Dictionary<string, string> Window(DateTime from, DateTime to, Shop? shop = null)
    {
        var p = new Dictionary<string, string> { ["start_time"] = Text(from), ["end_time"] = Text(to) };
        if (shop is not null) p["shop_bn"] = shop.ShopBn;
        return p;
    }

    private Task<Order> OrderAsync(Shop shop, string bn, DateTime modified, DateTime? created = null) =>
        new OrderBuilder(shop.Id, bn).With(o => { o.UpdatedAt = modified; o.CreateTime = created ?? modified; }).Line("SKU-" + bn).SaveAsync(S);

    private static List<string> Bns(JsonElement answer) =>
        answer.GetProperty("lists").EnumerateArray().Select(r => r.GetProperty("order_bn").GetString()!).ToList();

    [Fact]
    public async Task The_window_shop_and_order_bn_filters_select_orders_oldest_first()
    {
        var shop = await ShopAsync(S);
        var other = await ShopAsync(S);
        var p = Code("P");
        await OrderAsync(shop, p + "-3", T0.AddHours(2));
        await OrderAsync(shop, p + "-1", T0);
        await OrderAsync(shop, p + "-2", T0.AddHours(1), created: T0.AddDays(-2));
        await OrderAsync(other, p + "-X", T0.AddHours(1));

        // both ends are inclusive; modified (the OMS's last change) is the default time
        var answer = await Api.CallAsync("orders.getList", Window(T0, T0.AddHours(1), shop));
        Assert.Equal([p + "-1", p + "-2"], Bns(answer));
        Assert.Equal(2, answer.GetProperty("count").GetInt64());
        Assert.False(answer.GetProperty("has_more").GetBoolean());

        var explicitModified = await Api.CallAsync("orders.getList", new Dictionary<string, string>(Window(T0, T0.AddHours(1), shop)) { ["time_select"] = "modified" });
        Assert.Equal([p + "-1", p + "-2"], Bns(explicitModified));

        var both = await Api.CallAsync("orders.getList", new Dictionary<string, string>(Window(T0, T0.AddHours(1))) { ["shop_bn"] = $"{shop.ShopBn},{other.ShopBn}" });
        Assert.Equal([p + "-1", p + "-2", p + "-X"], Bns(both).Where(b => b.StartsWith(p, StringComparison.Ordinal)));

        var byBn = await Api.CallAsync("orders.getList", new Dictionary<string, string>(Window(T0.AddDays(-1), T0.AddDays(1))) { ["order_bn"] = $"{p}-3, {p}-X" });
        Assert.Equal([p + "-X", p + "-3"], Bns(byBn));
        Assert.Equal(2, byBn.GetProperty("count").GetInt64());

        // createtime: the platform's order time
        var created = await Api.CallAsync("orders.getList", new Dictionary<string, string>(Window(T0.AddDays(-3), T0.AddDays(-1), shop)) { ["time_select"] = "createtime" });
        Assert.Equal([p + "-2"], Bns(created));

        var unknownShop = await Api.CallAsync("orders.getList", new Dictionary<string, string>(Window(T0, T0.AddHours(3))) { ["shop_bn"] = "NO-SUCH-SHOP" });
        Assert.Equal(0, unknownShop.GetProperty("count").GetInt64());
        Assert.Empty(Bns(unknownShop));
    }

    [Fact]
    public async Task A_row_carries_state_amounts_consignee_live_objects_with_items_and_payments()
    {
        var shop = await ShopAsync(S);
        var basic = await MaterialAsync(S);
        var bn = Code("O");
        SalesMaterial sales;
        await using (var scope = S.CreateAsyncScope())
            sales = await scope.ServiceProvider.GetRequiredService<SalesMaterialService>().CreateAsync(
                new SalesMaterialInput("SM-" + bn, "销售物料", SalesMaterialType.Normal, [new BindingPart(basic.MaterialBn, 1, null)]), "test", Ct);
        var order = await new OrderBuilder(shop.Id, bn).Paid(58.5m).With(o =>
            {
                o.UpdatedAt = T0; o.CreateTime = T0.AddMinutes(-5); o.PayTime = T0.AddMinutes(-4);
                o.ProcessStatus = ProcessStatus.Splitting; o.Confirmed = true; o.ShipStatus = ShipStatus.PartlyShipped;
                o.IsCod = true; o.AutoStatus = 5; o.CostFreight = 8.5m; o.PmtOrder = 10m;
                o.ShipZip = "310000"; o.ShipTel = "0571-1"; o.ShipEmail = "a@b.c";
                o.CustomMark = "尽快发货"; o.MarkText = "VIP"; o.MarkType = "red"; o.IsTax = true; o.TaxTitle = "某公司"; o.TaxNo = "9133";
            })
            .Line("SM-" + bn, quantity: 3, price: 20m, salesMaterialId: sales.Id, basicMaterialId: basic.Id)
            .Line("UNKNOWN-" + bn, quantity: 1, price: 0m)
            .SaveAsync(S);
        await using (var scope = S.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            db.Add(new OrderObject { OrderId = order.Id, Bn = "GONE-" + bn, ObjType = "goods", Quantity = 1, Deleted = true, Position = 9 });
            db.Add(new OrderPayment { OrderId = order.Id, TradeNo = "PAY-" + bn, Money = 58.5m, PayMethod = "alipay", PayTime = T0.AddMinutes(-4), CreatedAt = T0 });
            await db.SaveChangesAsync(Ct);
            var item = await db.Set<OrderItem>().SingleAsync(i => i.OrderId == order.Id, Ct);
            item.SendNum = 2;
            await db.SaveChangesAsync(Ct);
        }

        var answer = await Api.CallAsync("orders.getList", Window(T0, T0, shop));
        var row = Assert.Single(answer.GetProperty("lists").EnumerateArray());
        string S_(string name) => row.GetProperty(name).GetString()!;
        Assert.Equal(order.Id, row.GetProperty("order_id").GetInt64());
        Assert.Equal((bn, shop.ShopBn, "active", "1", "2", "splitting", "Y"), (S_("order_bn"), S_("shop_bn"), S_("status"), S_("pay_status"), S_("ship_status"), S_("process_status"), S_("confirm")));
        Assert.Equal(("false", "false", "false", "true"), (S_("is_fail"), S_("pause"), S_("abnormal"), S_("is_cod")));
        Assert.Equal(5, row.GetProperty("auto_status").GetInt64());
        Assert.Equal(("60", "8.5", "10", "58.5", "58.5"), (S_("cost_item"), S_("cost_freight"), S_("pmt_order"), S_("total_amount"), S_("payed")));
        var c = row.GetProperty("consignee");
        Assert.Equal(("张三", "浙江省", "杭州市", "西湖区", "文三路 1 号", "310000", "0571-1", "13800000000", "a@b.c"),
            (c.GetProperty("name").GetString(), c.GetProperty("area_state").GetString(), c.GetProperty("area_city").GetString(), c.GetProperty("area_district").GetString(),
             c.GetProperty("addr").GetString(), c.GetProperty("zip").GetString(), c.GetProperty("telephone").GetString(), c.GetProperty("mobile").GetString(), c.GetProperty("email").GetString()));
        Assert.Equal(("尽快发货", "VIP", "red", "true", "某公司", "9133"), (S_("custom_mark"), S_("mark_text"), S_("mark_type"), S_("is_tax"), S_("tax_title"), S_("tax_no")));
        Assert.Equal((Text(T0.AddMinutes(-5)), Text(T0), Text(T0.AddMinutes(-4))), (S_("createtime"), S_("modified"), S_("paytime")));

        var objects = row.GetProperty("order_objects").EnumerateArray().ToList();
        Assert.Equal(["SM-" + bn, "UNKNOWN-" + bn], objects.Select(o => o.GetProperty("bn").GetString()));
        Assert.Equal(["true", "false"], objects.Select(o => o.GetProperty("is_matched").GetString()));
        Assert.Equal((3, "20", "60"), (objects[0].GetProperty("quantity").GetInt32(), objects[0].GetProperty("price").GetString(), objects[0].GetProperty("amount").GetString()));
        var item0 = Assert.Single(objects[0].GetProperty("order_items").EnumerateArray());
        Assert.Equal(("SM-" + bn, 3, "product", 2), (item0.GetProperty("bn").GetString(), item0.GetProperty("quantity").GetInt32(), item0.GetProperty("item_type").GetString(), item0.GetProperty("sendnum").GetInt32()));
        Assert.Empty(objects[1].GetProperty("order_items").EnumerateArray());
        var payment = Assert.Single(row.GetProperty("payments").EnumerateArray());
        Assert.Equal(("PAY-" + bn, "58.5", "alipay"), (payment.GetProperty("trade_no").GetString(), payment.GetProperty("money").GetString(), payment.GetProperty("pay_method").GetString()));
    }

    [Fact]
    public async Task Paging_by_page_no_and_by_cursor_returns_every_order_once_in_order()
    {
        var shop = await ShopAsync(S);
        var p = Code("G");
        var expected = new List<string>();
        // 23 orders on 9 distinct times: ties on time are ordered by id
        for (var i = 0; i < 23; i++)
        {
            var bn = $"{p}-{i:00}";
            await OrderAsync(shop, bn, T0.AddMinutes(i / 3));
            expected.Add(bn);
        }
        var window = Window(T0, T0.AddHours(1), shop);

        var byPage = new List<string>();
        for (var page = 1; page <= 5; page++)
        {
            var answer = await Api.CallAsync("orders.getList", new Dictionary<string, string>(window)
            {
                ["page_no"] = page.ToString(CultureInfo.InvariantCulture), ["page_size"] = "5",
            });
            Assert.Equal(23, answer.GetProperty("count").GetInt64());
            Assert.Equal(page < 5, answer.GetProperty("has_more").GetBoolean());
            byPage.AddRange(Bns(answer));
        }
        Assert.Equal(expected, byPage);

        var byCursor = new List<string>();
        string? cursor = null;
        var calls = 0;
        while (true)
        {
            var parameters = new Dictionary<string, string>(window) { ["page_size"] = "4" };
            if (cursor is not null) parameters["cursor_id"] = cursor;
            var answer = await Api.CallAsync("orders.getList", parameters);
            calls++;
            Assert.Equal(23, answer.GetProperty("count").GetInt64());
            var rows = answer.GetProperty("lists").EnumerateArray().ToList();
            byCursor.AddRange(rows.Select(r => r.GetProperty("order_bn").GetString()!));
            Assert.Equal(rows[^1].GetProperty("order_id").GetInt64(), answer.GetProperty("cursor_id").GetInt64());
            if (!answer.GetProperty("has_more").GetBoolean()) break;
            cursor = answer.GetProperty("cursor_id").GetInt64().ToString(CultureInfo.InvariantCulture);
            Assert.True(calls < 10);
        }
        Assert.Equal(6, calls);
        Assert.Equal(expected, byCursor);
    }

    [Fact]
    public async Task A_cursor_with_cursor_time_misses_nothing_when_the_cursor_order_changes_between_calls()
    {
        var shop = await ShopAsync(S);
        var p = Code("C");
        var orders = new List<Order>();
        for (var i = 0; i < 6; i++) orders.Add(await OrderAsync(shop, $"{p}-{i}", T0.AddMinutes(i)));
        var window = Window(T0, T0.AddHours(1), shop);

        var first = await Api.CallAsync("orders.getList", new Dictionary<string, string>(window) { ["page_size"] = "2" });
        Assert.Equal([p + "-0", p + "-1"], Bns(first));
        // the last row of the page changes: its modified moves behind every other order
        await using (var scope = S.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var id = orders[1].Id;
            await db.Set<Order>().Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.UpdatedAt, T0.AddMinutes(30)), Ct);
        }
        var next = await Api.CallAsync("orders.getList", new Dictionary<string, string>(window)
        {
            ["page_size"] = "10",
            ["cursor_id"] = first.GetProperty("cursor_id").GetInt64().ToString(CultureInfo.InvariantCulture),
            ["cursor_time"] = first.GetProperty("cursor_time").GetString()!,
        });
        // nothing skipped; the changed order shows again at its new time, as a change should
        Assert.Equal([p + "-2", p + "-3", p + "-4", p + "-5", p + "-1"], Bns(next));
        Assert.False(next.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Bad_parameters_are_e000006_naming_the_field()
    {
        var shop = await ShopAsync(S);
        var order = await OrderAsync(shop, Code("E"), T0);
        var ok = Window(T0, T0.AddHours(1), shop);

        async Task Refused(string field, Dictionary<string, string> parameters)
        {
            var (code, sub) = await Api.CallErrorAsync("orders.getList", parameters);
            Assert.Equal("e000006", code);
            Assert.StartsWith(field + ":", sub, StringComparison.Ordinal);
        }

        await Refused("start_time", new() { ["end_time"] = Text(T0) });
        await Refused("end_time", new() { ["start_time"] = Text(T0) });
        await Refused("start_time", new(ok) { ["start_time"] = "2025-13-01 00:00:00" });
        await Refused("end_time", new(ok) { ["end_time"] = "yesterday" });
        await Refused("end_time", new(ok) { ["start_time"] = Text(T0.AddHours(2)) });
        await Refused("end_time", new(ok) { ["end_time"] = Text(T0.AddDays(OrdersGetListMaxWindowDays).AddSeconds(1)) });
        await Refused("time_select", new(ok) { ["time_select"] = "paytime" });
        await Refused("page_size", new(ok) { ["page_size"] = "1001" });
        await Refused("page_size", new(ok) { ["page_size"] = "0" });
        await Refused("page_no", new(ok) { ["page_no"] = "x" });
        await Refused("cursor_id", new(ok) { ["cursor_id"] = "abc" });
        await Refused("cursor_id", new(ok) { ["cursor_id"] = "999999999" });
        await Refused("page_no", new(ok) { ["cursor_id"] = order.Id.ToString(CultureInfo.InvariantCulture), ["page_no"] = "2" });
        await Refused("cursor_time", new(ok) { ["cursor_time"] = "2025-03-01 10:00:00.0000000" });
        await Refused("order_bn", new(ok) { ["order_bn"] = string.Join(",", Enumerable.Range(0, 101)) });

        // the limits themselves are accepted
        var max = await Api.CallAsync("orders.getList", new Dictionary<string, string>(ok) { ["page_size"] = "1000", ["end_time"] = Text(T0.AddDays(OrdersGetListMaxWindowDays)) });
        Assert.Equal(1, max.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_client_without_the_method_gets_e000004()
    {
        using var limited = await OpenApiTestClient.CreateAsync(server, "orders-" + Code("F"), "limited-interface-key-1", "shop.getList");
        var (code, _) = await limited.CallErrorAsync("orders.getList", Window(T0, T0.AddHours(1)));
        Assert.Equal("e000004", code);
        using var allowed = await OpenApiTestClient.CreateAsync(server, "orders-" + Code("F"), "allowed-interface-key-1", "orders.getList,shop.getList");
        var answer = await allowed.CallAsync("orders.getList", Window(T0, T0.AddHours(1), await ShopAsync(S)));
        Assert.Equal(0, answer.GetProperty("count").GetInt64());
    }

    /// <summary>The widest window the method accepts (PROTOCOL.md leaves it to the OMS; see OrderOpenApi.cs).</summary>
    private const int OrdersGetListMaxWindowDays = 31;
}

public sealed class SqliteOrdersGetListTests(SqliteServerFixture f) : OrdersGetListTests<SqliteServerFixture>(f);

public sealed class PostgresOrdersGetListTests(PostgresServerFixture f) : OrdersGetListTests<PostgresServerFixture>(f);
