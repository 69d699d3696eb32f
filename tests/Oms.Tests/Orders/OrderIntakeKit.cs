using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Matrix;

namespace Oms.Tests.Orders;

/// <summary>One line of an <c>ome.order.add</c> push in a test.</summary>
public sealed record Line(string Bn, int Quantity, decimal Price = 10m, string ObjType = "goods", string? Oid = null);

/// <summary>
/// A shop bound to the matrix with its own materials (unique codes per kit): basic A, B, C; sales
/// materials normal SA, SB, combination SAB (A×1 60 % + B×2 40 %), gift SG (C), pick-one SPICK (A or B).
/// Builds signed <c>ome.*</c> forms, reads orders and shop freeze, checks the invariants.
/// </summary>
public sealed class OrderIntakeKit : IDisposable
{
    public required ServerFixture Server { get; init; }
    public required MatrixTestClient Matrix { get; init; }
    public required string Prefix { get; init; }
    public long ShopId { get; init; }
    public required Dictionary<string, long> Basic { get; init; }

    public string A => Prefix + "A";
    public string B => Prefix + "B";
    public string C => Prefix + "C";
    public string SA => Prefix + "SA";
    public string SB => Prefix + "SB";
    public string SAB => Prefix + "SAB";
    public string SG => Prefix + "SG";
    public string SPick => Prefix + "SPICK";

    public static async Task<OrderIntakeKit> CreateAsync(ServerFixture server)
    {
        var matrix = await MatrixTestClient.ForNewShopAsync(server);
        var prefix = "K" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant() + "-";
        await using var scope = server.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var basics = sp.GetRequiredService<BasicMaterialService>();
        var sales = sp.GetRequiredService<SalesMaterialService>();
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var n in new[] { "A", "B", "C" })
            ids[prefix + n] = (await basics.CreateAsync(new BasicMaterialInput(prefix + n, "物料 " + n) { RetailPrice = 10m }, "test")).Id;
        await sales.CreateAsync(new SalesMaterialInput(prefix + "SA", "商品 A", SalesMaterialType.Normal, [new BindingPart(prefix + "A", 1, null)]), "test");
        await sales.CreateAsync(new SalesMaterialInput(prefix + "SB", "商品 B", SalesMaterialType.Normal, [new BindingPart(prefix + "B", 1, null)]), "test");
        await sales.CreateAsync(new SalesMaterialInput(prefix + "SAB", "组合 AB", SalesMaterialType.Combination,
            [new BindingPart(prefix + "A", 1, 60m), new BindingPart(prefix + "B", 2, 40m)]), "test");
        await sales.CreateAsync(new SalesMaterialInput(prefix + "SG", "赠品 C", SalesMaterialType.Gift, [new BindingPart(prefix + "C", 1, null)]), "test");
        await sales.CreateAsync(new SalesMaterialInput(prefix + "SPICK", "任选 A/B", SalesMaterialType.PickOne,
            [new BindingPart(prefix + "A", 1, null), new BindingPart(prefix + "B", 1, null)]), "test");
        var shopId = await sp.GetRequiredService<OmsDbContext>().Set<Shop>().Where(s => s.NodeId == matrix.NodeId).Select(s => s.Id).FirstAsync();
        return new OrderIntakeKit { Server = server, Matrix = matrix, Prefix = prefix, ShopId = shopId, Basic = ids };
    }

    public string NewBn() => Prefix + "O" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The fields of an <c>ome.order.add</c> push (paid unless <paramref name="payStatus"/> says otherwise).</summary>
    public static Dictionary<string, string> OrderFields(string orderBn, IReadOnlyList<Line> lines, DateTime modified, string payStatus = "1",
        string status = "active", string address = "文三路 1 号", string? memo = null)
    {
        var objects = lines.Select(l => new Dictionary<string, object?>
        {
            ["oid"] = l.Oid, ["bn"] = l.Bn, ["name"] = "商品 " + l.Bn, ["obj_type"] = l.ObjType,
            ["price"] = Money.ToText(l.Price), ["quantity"] = l.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["amount"] = Money.ToText(l.Price * l.Quantity),
            ["order_items"] = new[] { new Dictionary<string, object?> { ["bn"] = l.Bn, ["quantity"] = l.Quantity } },
        }).ToList();
        var total = lines.Sum(l => l.Price * l.Quantity);
        var f = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["order_bn"] = orderBn,
            ["status"] = status,
            ["pay_status"] = payStatus,
            ["ship_status"] = "0",
            ["createtime"] = ChinaTime.ToText(modified.AddMinutes(-5)),
            ["modified"] = ChinaTime.ToText(modified),
            ["cost_item"] = Money.ToText(total),
            ["total_amount"] = Money.ToText(total),
            ["payed"] = payStatus == "1" ? Money.ToText(total) : "0",
            ["buyer_id"] = "buyer01",
            ["consignee"] = JsonSerializer.Serialize(new
            {
                name = "李四", area_state = "浙江省", area_city = "杭州市", area_district = "西湖区", addr = address, mobile = "13900000001", zip = "310000",
            }),
            ["member_info"] = JsonSerializer.Serialize(new { uname = "tb_lisi", name = "李四" }),
            ["shipping"] = JsonSerializer.Serialize(new { shipping_name = "快递", cost_shipping = "0", is_cod = "false" }),
            ["order_objects"] = JsonSerializer.Serialize(objects),
        };
        if (memo is not null) f["custom_mark"] = memo;
        return f;
    }

    public Dictionary<string, string> Form(string method, IReadOnlyDictionary<string, string> fields, string? task = null) =>
        Matrix.Form(method, fields, task ?? "t-" + Guid.NewGuid().ToString("N"));

    /// <summary>Pushes and asserts succ; answers <c>data</c>.</summary>
    public async Task<JsonElement> SuccAsync(string method, IReadOnlyDictionary<string, string> fields, string? task = null)
    {
        var (text, answer) = await Matrix.PostAsync(Form(method, fields, task));
        Assert.True(answer.GetProperty("rsp").GetString() == "succ", text);
        return answer.GetProperty("data");
    }

    public async Task<string> PushOrderAsync(string orderBn, IReadOnlyList<Line> lines, DateTime modified, string payStatus = "1", string status = "active",
        string address = "文三路 1 号")
    {
        var data = await SuccAsync("ome.order.add", OrderFields(orderBn, lines, modified, payStatus, status, address));
        return data.GetProperty("state").GetString()!;
    }

    public async Task<Order> OrderAsync(string orderBn)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        return await db.Set<Order>().AsNoTracking().Include(o => o.Objects).Include(o => o.Items).Include(o => o.Payments).AsSplitQuery()
            .SingleAsync(o => o.ShopId == ShopId && o.OrderBn == orderBn);
    }

    public async Task<int> OrderCountAsync(string orderBn)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Order>().CountAsync(o => o.ShopId == ShopId && o.OrderBn == orderBn);
    }

    public async Task<List<OrderLog>> LogAsync(long orderId)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<OrderLog>().AsNoTracking().Where(l => l.OrderId == orderId).OrderBy(l => l.Id).ToListAsync();
    }

    /// <summary>This shop's freeze of a basic material (by code).</summary>
    public async Task<int> ShopFreezeAsync(string basicBn)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var id = Basic[basicBn];
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<ShopFreeze>()
            .Where(f => f.ShopId == ShopId && f.BasicMaterialId == id).Select(f => f.Quantity).FirstOrDefaultAsync();
    }

    public async Task AssertInvariantsAsync()
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var violations = await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    public async Task SetSettingAsync(string key, string value)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Oms.Admin.SettingsService>().SetAsync(key, value, "test");
    }

    public void Dispose() => Matrix.Dispose();
}
