using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Oms.Common;
using Oms.Regions;
using Oms.Simulators.Shop;
using static Oms.Tests.Simulators.SimulatorTestSupport;

namespace Oms.Tests.Simulators;

public partial class OrderGeneratorSimulatorTests
{
    private static readonly string[] TopLevel =
    [
        "order_bn", "status", "pay_status", "ship_status", "createtime", "modified", "paytime", "cost_item", "total_amount", "payed",
        "discount", "pmt_goods", "pmt_order", "cost_freight", "weight", "currency", "is_tax", "tax_title", "tax_no", "custom_mark",
        "mark_text", "mark_type", "buyer_id", "consignee", "member_info", "shipping", "payinfo", "payments", "pmt_detail", "order_objects",
    ];

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex MobilePattern();

    private static decimal Money(string s)
    {
        Assert.Matches("^-?[0-9]+\\.[0-9]{2}$", s);
        return decimal.Parse(s, CultureInfo.InvariantCulture);
    }

    private static decimal Money(JsonElement e, string name) => Money(e.GetProperty(name).GetString()!);

    private static DateTime Time(string s)
    {
        Assert.True(DateTime.TryParseExact(s, ChinaTime.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"'{s}' is not yyyy-MM-dd HH:mm:ss");
        Assert.True(ChinaTime.TryParse(s, out var utc));
        return utc;
    }

    [Fact]
    public void The_same_seed_gives_the_same_orders_and_another_seed_other_ones()
    {
        var a = Generator(seed: 42);
        var b = Generator(seed: 42);
        var c = Generator(seed: 43);
        var differs = 0;
        for (var i = 0; i < 200; i++)
        {
            var x = a.Next();
            var y = b.Next();
            var z = c.Next();
            Assert.Equal(x.Shop, y.Shop);
            Assert.Equal(x.Fields, y.Fields);
            Assert.Equal(a.Update(x).Fields, b.Update(y).Fields);
            if (!x.Fields["order_objects"].Equals(z.Fields["order_objects"], StringComparison.Ordinal)) differs++;
        }
        Assert.True(differs > 150, $"only {differs} of 200 orders differ between seeds");
    }

    [Fact]
    public void Every_generated_order_has_the_protocol_fields_and_its_amounts_add_up()
    {
        var g = Generator(seed: 3);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int cod = 0, unpaid = 0, invoices = 0, gifts = 0, pkgs = 0, messages = 0, memos = 0, orderPromotions = 0, linePromotions = 0;
        var provinces = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var push = g.Next();
            var f = push.Fields;
            Assert.Equal("ome.order.add", push.Method);
            foreach (var name in TopLevel) Assert.True(f.ContainsKey(name), $"{name} missing");
            Assert.True(seen.Add(f["order_bn"]), "order_bn unique");
            Assert.StartsWith("SIM", f["order_bn"], StringComparison.Ordinal);
            Assert.Equal("active", f["status"]);
            Assert.Equal("0", f["ship_status"]);
            Assert.Equal("CNY", f["currency"]);
            Assert.Contains(push.Shop, SimCatalog.DemoShops);

            var created = Time(f["createtime"]);
            var modified = Time(f["modified"]);
            Assert.True(modified >= created);
            Assert.True(modified <= Noon.UtcDateTime, "no time in the future");

            using var objects = JsonDocument.Parse(f["order_objects"]);
            using var shipping = JsonDocument.Parse(f["shipping"]);
            using var payments = JsonDocument.Parse(f["payments"]);
            using var consignee = JsonDocument.Parse(f["consignee"]);
            using var member = JsonDocument.Parse(f["member_info"]);
            using var payinfo = JsonDocument.Parse(f["payinfo"]);
            using var pmtDetail = JsonDocument.Parse(f["pmt_detail"]);

            // lines: amount = price × quantity − pmt_price; Σ amount = cost_item; Σ pmt_price = pmt_goods
            var lines = objects.RootElement.EnumerateArray().ToList();
            Assert.InRange(lines.Count, 1, 5);
            decimal sumAmount = 0, sumPmt = 0, sumDivided = 0;
            var oids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in lines)
            {
                foreach (var name in new[] { "oid", "bn", "name", "obj_type", "price", "amount", "quantity", "pmt_price", "sale_price", "weight", "shop_goods_id", "order_items" })
                    Assert.True(o.TryGetProperty(name, out _), $"order_objects.{name} missing");
                Assert.True(oids.Add(o.GetProperty("oid").GetString()!));
                var qty = int.Parse(o.GetProperty("quantity").GetString()!, CultureInfo.InvariantCulture);
                Assert.InRange(qty, 1, 3);
                var price = Money(o, "price");
                var pmt = Money(o, "pmt_price");
                var amount = Money(o, "amount");
                Assert.Equal((price * qty) - pmt, amount);
                Assert.True(amount >= 0 && pmt >= 0);
                var type = o.GetProperty("obj_type").GetString();
                Assert.Contains(type, new[] { "goods", "gift", "pkg" });
                if (type == "gift") { gifts++; Assert.Equal(0m, price); }
                if (type == "pkg") pkgs++;
                if (pmt > 0) linePromotions++;
                Assert.Contains(SimCatalog.DemoItems, it => it.Bn == o.GetProperty("bn").GetString() && it.IsGift == (type == "gift"));
                var items = o.GetProperty("order_items").EnumerateArray().ToList();
                Assert.NotEmpty(items);
                foreach (var it in items)
                {
                    foreach (var name in new[] { "bn", "name", "price", "sale_price", "amount", "quantity", "pmt_price", "item_type", "shop_product_id", "product_attr", "divide_order_fee", "part_mjz_discount" })
                        Assert.True(it.TryGetProperty(name, out _), $"order_items.{name} missing");
                    Assert.Contains(it.GetProperty("item_type").GetString(), new[] { "product", "gift", "pkg" });
                    sumDivided += Money(it, "divide_order_fee");
                }
                sumAmount += amount;
                sumPmt += pmt;
            }
            var costItem = Money(f["cost_item"]);
            Assert.Equal(sumAmount, costItem);
            Assert.Equal(sumPmt, Money(f["pmt_goods"]));
            var freight = Money(f["cost_freight"]);
            var pmtOrder = Money(f["pmt_order"]);
            var discount = Money(f["discount"]);
            var total = Money(f["total_amount"]);
            Assert.Equal(costItem + freight - pmtOrder - discount, total);
            Assert.True(total > 0);
            Assert.Equal(costItem - pmtOrder, sumDivided);
            Assert.Equal(freight, Money(shipping.RootElement, "cost_shipping"));
            if (pmtOrder > 0)
            {
                orderPromotions++;
                Assert.Equal(pmtOrder, Money(Assert.Single(pmtDetail.RootElement.EnumerateArray()), "pmt_amount"));
            }
            else Assert.Empty(pmtDetail.RootElement.EnumerateArray());

            // payment
            var isCod = shipping.RootElement.GetProperty("is_cod").GetString();
            Assert.Contains(isCod, new[] { "true", "false" });
            var payStatus = f["pay_status"];
            Assert.Contains(payStatus, new[] { "0", "1" });
            if (isCod == "true") { cod++; Assert.Equal("0", payStatus); Assert.Equal("货到付款", payinfo.RootElement.GetProperty("pay_name").GetString()); }
            if (payStatus == "1")
            {
                Assert.Equal(total, Money(f["payed"]));
                var p = Assert.Single(payments.RootElement.EnumerateArray());
                Assert.Equal(total, Money(p, "money"));
                foreach (var name in new[] { "trade_no", "paymethod", "pay_time", "account", "pay_account", "memo" }) Assert.True(p.TryGetProperty(name, out _), $"payments.{name} missing");
                var paid = Time(f["paytime"]);
                Assert.True(paid >= created && paid <= modified);
            }
            else
            {
                unpaid++;
                Assert.Equal(0m, Money(f["payed"]));
                Assert.Empty(payments.RootElement.EnumerateArray());
                Assert.Equal("", f["paytime"]);
            }

            // people and places
            var c = consignee.RootElement;
            foreach (var name in new[] { "name", "area_state", "area_city", "area_district", "area_street", "addr", "zip", "telephone", "mobile", "email", "r_time" })
                Assert.True(c.TryGetProperty(name, out _), $"consignee.{name} missing");
            var province = c.GetProperty("area_state").GetString()!;
            Assert.Equal(province, ChinaRegions.Normalize(province));
            provinces.Add(province);
            Assert.False(string.IsNullOrEmpty(c.GetProperty("area_city").GetString()));
            Assert.False(string.IsNullOrEmpty(c.GetProperty("addr").GetString()));
            Assert.Matches(MobilePattern(), c.GetProperty("mobile").GetString()!);
            Assert.Matches("^[0-9]{6}$", c.GetProperty("zip").GetString()!);
            Assert.InRange(c.GetProperty("name").GetString()!.Length, 2, 4);
            Assert.Equal(f["buyer_id"], member.RootElement.GetProperty("uname").GetString());
            foreach (var name in new[] { "uname", "name", "mobile", "tel", "email" }) Assert.True(member.RootElement.TryGetProperty(name, out _), $"member_info.{name} missing");

            Assert.Contains(f["is_tax"], new[] { "true", "false" });
            if (f["is_tax"] == "true") { invoices++; Assert.NotEqual("", f["tax_title"]); }
            else Assert.Equal("", f["tax_title"] + f["tax_no"]);
            if (f["custom_mark"].Length > 0) messages++;
            if (f["mark_text"].Length > 0) { memos++; Assert.Matches("^b[1-5]$", f["mark_type"]); }
        }
        Assert.Equal(34, provinces.Count);
        foreach (var (what, n) in new[] { ("cod", cod), ("unpaid", unpaid), ("invoice", invoices), ("gift", gifts), ("pkg", pkgs), ("buyer message", messages),
                     ("seller memo", memos), ("order promotion", orderPromotions), ("line promotion", linePromotions) })
            Assert.True(n > 10, $"only {n} orders with {what} in 1000");
    }

    [Fact]
    public void A_fixed_line_count_gives_exactly_that_many_object_lines()
    {
        var g = Generator(options: new OrderGeneratorOptions { MinLines = 3, MaxLines = 3, Prefix = "BENCH-", FirstNumber = 41 });
        var first = g.Next();
        Assert.Equal("BENCH-00000041", first.Order.OrderBn);
        for (var i = 0; i < 300; i++)
        {
            using var objects = JsonDocument.Parse(g.Next().Fields["order_objects"]);
            Assert.Equal(3, objects.RootElement.GetArrayLength());
        }
        Assert.Equal(301, g.Generated);
    }

    [Theory]
    [InlineData(UpdateKind.Any)]
    [InlineData(UpdateKind.Memo)]
    [InlineData(UpdateKind.BuyerMessage)]
    [InlineData(UpdateKind.Address)]
    [InlineData(UpdateKind.Lines)]
    public void An_update_has_a_strictly_newer_modified_and_changes_what_it_says(UpdateKind kind)
    {
        var g = Generator(seed: 11);
        for (var i = 0; i < 100; i++)
        {
            var push = g.Next(paid: kind == UpdateKind.Lines ? false : null);
            var updated = g.Update(push, kind);
            Assert.Equal(push.Order.OrderBn, updated.Order.OrderBn);
            Assert.Equal(push.Shop, updated.Shop);
            Assert.Equal(push.Fields["createtime"], updated.Fields["createtime"]);
            Assert.True(Time(updated.Fields["modified"]) >= Time(push.Fields["modified"]).AddSeconds(1), "modified at least 1 s newer");
            var changed = TopLevel.Where(n => n != "modified" && push.Fields[n] != updated.Fields[n]).ToList();
            Assert.NotEmpty(changed);
            switch (kind)
            {
                case UpdateKind.Memo: Assert.Contains("mark_text", changed); break;
                case UpdateKind.BuyerMessage: Assert.Equal(["custom_mark"], changed); break;
                case UpdateKind.Address: Assert.Equal(["consignee"], changed); break;
                case UpdateKind.Lines:
                    Assert.Contains("order_objects", changed);
                    Assert.Equal(push.Order.CostItem != updated.Order.CostItem, changed.Contains("cost_item"));
                    Assert.Equal(updated.Order.CostItem + updated.Order.CostFreight - updated.Order.PmtOrder - updated.Order.Discount, updated.Order.TotalAmount);
                    break;
            }
            // a second update is newer still
            Assert.True(g.Update(updated).Order.ModifiedUtc > updated.Order.ModifiedUtc);
        }
    }

    [Fact]
    public void The_lines_of_a_paid_order_are_not_changed()
    {
        var g = Generator();
        var paid = g.Next(paid: true);
        Assert.Throws<InvalidOperationException>(() => g.Update(paid, UpdateKind.Lines));
        for (var i = 0; i < 50; i++) Assert.Equal(paid.Fields["order_objects"], g.Update(paid).Fields["order_objects"]);
    }

    [Fact]
    public void Only_an_unpaid_order_is_cancelled_by_the_shop_with_status_dead_and_a_newer_modified()
    {
        var g = Generator();
        var paid = g.Next(paid: true);
        Assert.False(OrderGenerator.CanCancel(paid));
        Assert.Throws<InvalidOperationException>(() => g.Cancel(paid));

        var unpaid = g.Next(paid: false);
        Assert.True(OrderGenerator.CanCancel(unpaid));
        var dead = g.Cancel(unpaid);
        Assert.Equal("dead", dead.Fields["status"]);
        Assert.Equal("0", dead.Fields["pay_status"]);
        Assert.True(Time(dead.Fields["modified"]) > Time(unpaid.Fields["modified"]));
        Assert.Equal(unpaid.Fields["order_objects"], dead.Fields["order_objects"]);
        Assert.False(OrderGenerator.CanCancel(dead));
        Assert.Throws<InvalidOperationException>(() => g.Cancel(dead));
    }

    [Fact]
    public void A_duplicate_has_the_same_fields_and_the_task_it_is_given()
    {
        var g = Generator();
        var push = g.Next();
        var same = OrderGenerator.Duplicate(push, "task-1");
        Assert.Equal(push.Fields, same.Fields);
        Assert.Equal("task-1", same.Task);
        Assert.Null(OrderGenerator.Duplicate(same).Task);
    }

    [Fact]
    public void Paying_an_unpaid_order_sets_pay_status_payed_and_one_payment()
    {
        var g = Generator();
        var unpaid = g.Next(paid: false);
        var paid = g.Pay(unpaid);
        Assert.Equal("1", paid.Fields["pay_status"]);
        Assert.Equal(paid.Fields["total_amount"], paid.Fields["payed"]);
        using var payments = JsonDocument.Parse(paid.Fields["payments"]);
        Assert.Equal(paid.Fields["total_amount"], Assert.Single(payments.RootElement.EnumerateArray()).GetProperty("money").GetString());
        Assert.True(paid.Order.ModifiedUtc > unpaid.Order.ModifiedUtc);
        Assert.Throws<InvalidOperationException>(() => g.Pay(paid));
    }

    [Fact]
    public void The_other_order_methods_carry_the_documented_fields()
    {
        var g = Generator();
        var push = g.Next(paid: false);
        var modified = Time(push.Fields["modified"]);

        var status = g.StatusUpdate(push);
        Assert.Equal("ome.order.status_update", status.Method);
        Assert.Equal(["modified", "order_bn", "status"], status.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("dead", status.Fields["status"]);

        var pay = g.PayStatusUpdate(push, 1);
        Assert.Equal("ome.order.pay_status_update", pay.Method);
        Assert.Equal(["modified", "order_bn", "pay_status", "payed", "paytime"], pay.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(push.Fields["total_amount"], pay.Fields["payed"]);
        Assert.Equal("0.00", g.PayStatusUpdate(push, 0).Fields["payed"]);

        var memo = g.MemoUpdate(push, "改发顺丰");
        Assert.Equal("ome.order.memo_update", memo.Method);
        Assert.Equal(["mark_text", "mark_type", "modified", "order_bn"], memo.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("改发顺丰", memo.Fields["mark_text"]);

        var mark = g.CustomMarkUpdate(push);
        Assert.Equal("ome.order.custom_mark_update", mark.Method);
        Assert.Equal(["custom_mark", "modified", "order_bn"], mark.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.NotEqual("", mark.Fields["custom_mark"]);

        var payment = g.PaymentAdd(push);
        Assert.Equal("ome.payment.add", payment.Method);
        Assert.Equal(["account", "currency", "memo", "money", "order_bn", "pay_account", "pay_time", "paymethod", "trade_no"], payment.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(push.Fields["total_amount"], payment.Fields["money"]);

        foreach (var m in new[] { status, pay, memo, mark })
        {
            Assert.Equal(push.Order.OrderBn, m.OrderBn);
            Assert.True(Time(m.Fields["modified"]) > modified);
        }
        Assert.True(Time(payment.Fields["pay_time"]) > modified);
    }

    [Fact]
    public void Catalog_and_shop_lists_parse_from_the_command_line_form_and_refuse_nonsense()
    {
        var items = SimCatalog.ParseItems("A1:59.9, GIFT:0:gift");
        Assert.Equal([new SalesItem("A1", "A1", 59.9m), new SalesItem("GIFT", "GIFT", 0m, IsGift: true)], items);
        var shops = SimCatalog.ParseShops("n1:t1,n2:t2:360buy");
        Assert.Equal([new SimShop("n1", "t1"), new SimShop("n2", "t2", "360buy")], shops);
        Assert.Throws<FormatException>(() => SimCatalog.ParseItems("A1"));
        Assert.Throws<FormatException>(() => SimCatalog.ParseItems("A1:abc"));
        Assert.Throws<FormatException>(() => SimCatalog.ParseItems("A1:0"));
        Assert.Throws<FormatException>(() => SimCatalog.ParseShops("n1"));
        Assert.Throws<FormatException>(() => SimCatalog.ParseShops(""));
        Assert.Throws<ArgumentException>(() => new SimCatalog([new SalesItem("G", "G", 0m, IsGift: true)], shops));
    }
}
