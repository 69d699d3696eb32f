using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;

namespace Oms.Tests.SelfWms;

/// <summary>The own-warehouse path of a handheld through the real <c>/openapi</c>: getList → print ×3 → check → consign.</summary>
public abstract class PdaDeliveryOpenApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static Dictionary<string, string> P(params (string Key, string Value)[] ps) => ps.ToDictionary(p => p.Key, p => p.Value);

    private static List<string> Bns(JsonElement answer) =>
        answer.GetProperty("lists").EnumerateArray().Select(r => r.GetProperty("delivery_bn").GetString()!).ToList();

    [Fact]
    public async Task A_handheld_prints_verifies_and_ships_a_delivery_and_stock_leaves_once()
    {
        using var k = await FloorKit.CreateAsync(server);
        var d = await k.DeliveryAsync(new Line(k.Review.Orders.SAB, 1, 30m));   // A×1, B×2
        var api = server.OpenApi;
        var branch = ("branch_bn", k.Branch.BranchBn);

        var toPrint = await api.CallAsync("pda_delivery.getList", P(branch, ("status", "to_print")));
        Assert.Equal([d.DeliveryBn], Bns(toPrint));
        Assert.Equal(1, toPrint.GetProperty("count").GetInt64());
        var row = toPrint.GetProperty("lists")[0];
        Assert.Equal([(k.A, k.BarcodeA, 1), (k.B, "", 2)], row.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("bn").GetString(), i.GetProperty("barcode").GetString(), i.GetProperty("number").GetInt32())).ToList());

        // not printed yet: business refusal, nothing written
        var early = await api.CallErrorAsync("pda_delivery.check", P(("delivery_bn", d.DeliveryBn), ("all", "true")));
        Assert.Equal("e000010", early.Code);
        Assert.Contains("还没有打印", early.SubMsg, StringComparison.Ordinal);

        var p1 = await api.CallAsync("pda_delivery.print", P(("delivery_bn", d.DeliveryBn), ("doc", "stock")));
        Assert.Equal((1, 0), (p1.GetProperty("print_status").GetInt32(), p1.GetProperty("process_status").GetInt32()));
        await api.CallAsync("pda_delivery.print", P(("delivery_bn", d.DeliveryBn), ("doc", "delivery")));
        var logiNo = FloorKit.NewLogiNo();
        var p3 = await api.CallAsync("pda_delivery.print", P(("delivery_bn", d.DeliveryBn), ("doc", "express"), ("logi_no", logiNo)));
        Assert.Equal((7, 1, logiNo), (p3.GetProperty("print_status").GetInt32(), p3.GetProperty("process_status").GetInt32(), p3.GetProperty("logi_no").GetString()));
        Assert.Equal("doc", (await api.CallErrorAsync("pda_delivery.print", P(("delivery_bn", d.DeliveryBn), ("doc", "label")))).SubMsg.Split(':')[0]);

        Assert.Equal([d.DeliveryBn], Bns(await api.CallAsync("pda_delivery.getList", P(branch, ("status", "to_verify")))));

        // a wrong barcode is e000006 naming it; the good scan of the same call is not kept
        var wrong = await api.CallErrorAsync("pda_delivery.check", P(("logi_no", logiNo), ("barcodes", $"{k.BarcodeA}:1;XYZ-999:1")));
        Assert.Equal("e000006", wrong.Code);
        Assert.Contains("XYZ-999", wrong.SubMsg, StringComparison.Ordinal);
        var over = await api.CallErrorAsync("pda_delivery.check", P(("logi_no", logiNo), ("barcodes", $"{k.B}:3")));
        Assert.Equal("e000010", over.Code);
        Assert.All((await k.GetAsync(d.Id)).Items, i => Assert.Equal(0, i.VerifyNum));

        var c1 = await api.CallAsync("pda_delivery.check", P(("logi_no", logiNo), ("barcodes", $"{k.BarcodeA}:1;{k.B}:1")));
        Assert.False(c1.GetProperty("verified").GetBoolean());
        Assert.Equal([(1, 1), (1, 2)], c1.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("verify_num").GetInt32(), i.GetProperty("number").GetInt32())).ToList());
        var c2 = await api.CallAsync("pda_delivery.check", P(("delivery_bn", d.DeliveryBn), ("barcodes", k.B)));
        Assert.True(c2.GetProperty("verified").GetBoolean());
        Assert.Equal(3, c2.GetProperty("process_status").GetInt32());
        Assert.Equal([d.DeliveryBn], Bns(await api.CallAsync("pda_delivery.getList", P(branch, ("status", "to_ship")))));

        var shipped = await api.CallAsync("pda_delivery.consign", P(("delivery_bn", d.DeliveryBn), ("weight", "1.25")));
        Assert.Equal(("shipped", 7, logiNo, "1.25"), (shipped.GetProperty("status").GetString(), shipped.GetProperty("process_status").GetInt32(),
            shipped.GetProperty("logi_no").GetString(), shipped.GetProperty("weight").GetString()));
        var again = await api.CallErrorAsync("pda_delivery.consign", P(("delivery_bn", d.DeliveryBn)));
        Assert.Equal("e000010", again.Code);
        Assert.Equal([d.DeliveryBn], Bns(await api.CallAsync("pda_delivery.getList", P(branch, ("status", "shipped")))));

        // stock left once: store and freeze down by the delivery, one sales-out ledger line per material
        Assert.Equal((49, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.A));
        Assert.Equal((48, 0, 0, 0), await k.Review.CountersAsync(k.Branch.Id, k.B));
        var ledger = await k.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<StockLedgerLine>().AsNoTracking()
            .Where(l => l.OriginalBn == d.DeliveryBn).OrderBy(l => l.BasicMaterialId).ToListAsync());
        Assert.Equal([(StockMoveType.SalesOut, -1, 49), (StockMoveType.SalesOut, -2, 48)], ledger.Select(l => (l.Type, l.Quantity, l.BalanceAfter)).ToList());
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Consign_without_a_waybill_and_bad_parameters_are_refused_with_the_field_named()
    {
        using var k = await FloorKit.CreateAsync(server, printRequired: "", verifyRequired: false);
        var d = await k.DeliveryAsync(new Line(k.Review.Orders.SA, 1));
        var api = server.OpenApi;
        Assert.StartsWith("logi_no", (await api.CallErrorAsync("pda_delivery.consign", P(("delivery_bn", d.DeliveryBn)))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("delivery_bn", (await api.CallErrorAsync("pda_delivery.consign", P(("delivery_bn", "NOPE")))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("delivery_bn", (await api.CallErrorAsync("pda_delivery.check", P(("all", "true")))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("barcodes", (await api.CallErrorAsync("pda_delivery.check", P(("delivery_bn", d.DeliveryBn), ("barcodes", "X:zero")))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("status", (await api.CallErrorAsync("pda_delivery.getList", P(("status", "lost")))).SubMsg, StringComparison.Ordinal);
        Assert.StartsWith("page_size", (await api.CallErrorAsync("pda_delivery.getList", P(("page_size", "101")))).SubMsg, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Ready, (await k.GetAsync(d.Id)).Status);

        // nothing required: a waybill number is enough
        var logiNo = FloorKit.NewLogiNo();
        var shipped = await api.CallAsync("pda_delivery.consign", P(("delivery_bn", d.DeliveryBn), ("logi_no", logiNo)));
        Assert.Equal(("shipped", logiNo), (shipped.GetProperty("status").GetString(), shipped.GetProperty("logi_no").GetString()));
        await k.AssertInvariantsAsync();
    }
}

public sealed class SqlitePdaDeliveryOpenApiTests(SqliteServerFixture server) : PdaDeliveryOpenApiTests<SqliteServerFixture>(server);

public sealed class PostgresPdaDeliveryOpenApiTests(PostgresServerFixture server) : PdaDeliveryOpenApiTests<PostgresServerFixture>(server);
