using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Inventory;
using Oms.Simulators.Shop;
using Oms.Warehouses;
using Oms.Wms;

namespace Oms.Server.Cli;

/// <summary><c>oms demo seed</c>: a small, realistic installation so a new user sees a working system at once.</summary>
internal static class DemoCommands
{
    public static Command Build()
    {
        var demo = new Command("demo", "Demo data.");
        var seed = new Command("seed", "Create demo shops, branches, carriers, materials and stock (once).");
        seed.SetAction((_, ct) => OmsCommandLine.Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await OmsCoreServices.MigrateAsync(sp, ct).ConfigureAwait(false);
            await using var scope = sp.CreateAsyncScope();
            var created = await DemoSeed.RunAsync(scope.ServiceProvider, ct).ConfigureAwait(false);
            if (!created)
            {
                Console.WriteLine("demo data already present; nothing changed");
                return;
            }
            var orders = await DemoOrders.PushAsync(sp, ct).ConfigureAwait(false);
            Console.WriteLine($"demo data created: 5 shops, 4 branches (DEMO-SH at a third-party warehouse), carriers, materials, opening stock and {orders} orders");
            Console.WriteLine("DEMO-SH ships through the virtual warehouse; start it beside `oms serve` with:");
            Console.WriteLine("  " + DemoSeed.VirtualWarehouseCommand);
        }));
        demo.Subcommands.Add(seed);
        return demo;
    }
}

/// <summary>Builds the demo installation through the same services the UI and the OpenAPI use.</summary>
internal static class DemoSeed
{
    private const string Actor = "demo";
    public const string VirtualWarehouseChannel = "DEMO-VWMS";
    public const string VirtualWarehouseNode = "1900000099";
    public const string VirtualWarehouseToken = "demo-token-vwms";
    public const string VirtualWarehouseUrl = "http://127.0.0.1:5090";

    /// <summary>How to start the warehouse the demo branch DEMO-SH is wired to.</summary>
    public static string VirtualWarehouseCommand =>
        $"dotnet run --project src/Oms.Simulators -- wms --listen {VirtualWarehouseUrl} --oms http://127.0.0.1:5080 --node-id {VirtualWarehouseNode} --token {VirtualWarehouseToken}";

    public static async Task<bool> RunAsync(IServiceProvider sp, CancellationToken ct)
    {
        var db = sp.GetRequiredService<OmsDbContext>();
        var shops = sp.GetRequiredService<ShopService>();
        if (await shops.FindAsync("DEMO-TMALL", ct).ConfigureAwait(false) is not null) return false;

        var branches = sp.GetRequiredService<BranchService>();
        var logistics = sp.GetRequiredService<LogisticsService>();
        var basics = sp.GetRequiredService<BasicMaterialService>();
        var sales = sp.GetRequiredService<SalesMaterialService>();
        var suppliers = sp.GetRequiredService<SupplierService>();
        var documents = sp.GetRequiredService<StockDocumentService>();

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            (string Bn, string Name, string Type, string Node)[] shopRows =
            [
                ("DEMO-TMALL", "演示天猫旗舰店", "tmall", "1900000001"),
                ("DEMO-JD", "演示京东自营店", "360buy", "1900000002"),
                ("DEMO-PDD", "演示拼多多店", "pinduoduo", "1900000003"),
                ("DEMO-DOUYIN", "演示抖音小店", "douyin", "1900000004"),
                ("DEMO-SHOP", "演示官方商城", "ecstore", "1900000005"),
            ];
            foreach (var s in shopRows)
                await shops.CreateAsync(new ShopInput(s.Bn, s.Name, s.Type) { NodeId = s.Node, Token = "demo-token-" + s.Node }, Actor, ct).ConfigureAwait(false);
            var allShops = shopRows.Select(s => s.Bn).ToList();

            var hz = await branches.CreateAsync(new BranchInput("DEMO-HZ", "杭州主仓") { Area = "浙江省", Address = "杭州市余杭区仓前街道 1 号", Weight = 100, Shops = allShops }, Actor, ct).ConfigureAwait(false);
            var gz = await branches.CreateAsync(new BranchInput("DEMO-GZ", "广州仓") { Area = "广东省", Address = "广州市白云区太和镇 8 号", Weight = 80, Shops = allShops }, Actor, ct).ConfigureAwait(false);
            await branches.CreateAsync(new BranchInput("DEMO-BJ", "北京备货仓") { Area = "北京市", Type = BranchType.StockUp, Weight = 0 }, Actor, ct).ConfigureAwait(false);
            foreach (var branch in new[] { "DEMO-HZ", "DEMO-GZ" })
            {
                await logistics.CreateAsync(new LogisticsInput(branch, "ZTO", "中通快递") { Priority = 20 }, Actor, ct).ConfigureAwait(false);
                await logistics.CreateAsync(new LogisticsInput(branch, "SF", "顺丰速运") { Priority = 10, MaxWeight = 50 }, Actor, ct).ConfigureAwait(false);
                await logistics.CreateAsync(new LogisticsInput(branch, "EMS", "中国邮政 EMS") { Priority = 1 }, Actor, ct).ConfigureAwait(false);
            }
            await logistics.CreateAsync(new LogisticsInput("DEMO-HZ", "YUNDA", "韵达快递") { Priority = 30, Areas = ["浙江省", "江苏省", "上海市", "安徽省"], MaxWeight = 20 }, Actor, ct).ConfigureAwait(false);

            (string Bn, string Name, string Barcode, decimal Cost, decimal Price, decimal Weight)[] materials =
            [
                ("TS-WHITE-S", "纯棉T恤 白色 S", "6901234500011", 18m, 59m, 0.2m),
                ("TS-WHITE-M", "纯棉T恤 白色 M", "6901234500028", 18m, 59m, 0.22m),
                ("TS-WHITE-L", "纯棉T恤 白色 L", "6901234500035", 18m, 59m, 0.24m),
                ("MUG-350", "陶瓷马克杯 350ml", "6901234500042", 9.5m, 39m, 0.35m),
                ("MUG-LID", "马克杯硅胶盖", "6901234500059", 1.2m, 9.9m, 0.03m),
                ("BOTTLE-500", "不锈钢保温杯 500ml", "6901234500066", 32m, 129m, 0.45m),
                ("CABLE-C1", "Type-C 数据线 1m", "6901234500073", 4.8m, 29m, 0.05m),
                ("CHARGER-20W", "20W 快充充电头", "6901234500080", 15m, 69m, 0.08m),
                ("CASE-IP15", "手机壳 iPhone 15", "6901234500097", 6m, 49m, 0.04m),
                ("GIFT-STICKER", "品牌贴纸（赠品）", "6901234500103", 0.3m, 0m, 0.01m),
            ];
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var m in materials)
            {
                var created = await basics.CreateAsync(new BasicMaterialInput(m.Bn, m.Name)
                {
                    Barcode = m.Barcode, Cost = m.Cost, RetailPrice = m.Price, Weight = m.Weight, Unit = "件",
                    Type = m.Bn.StartsWith("GIFT", StringComparison.Ordinal) ? BasicMaterialType.Gift : BasicMaterialType.Finished,
                }, Actor, ct).ConfigureAwait(false);
                ids[m.Bn] = created.Id;
                if (m.Bn != "GIFT-STICKER")
                    await sales.CreateAsync(new SalesMaterialInput("S-" + m.Bn, m.Name, SalesMaterialType.Normal, [new BindingPart(m.Bn, 1, null)]) { RetailPrice = m.Price }, Actor, ct).ConfigureAwait(false);
            }
            await sales.CreateAsync(new SalesMaterialInput("S-GIFT-STICKER", "品牌贴纸（赠品）", SalesMaterialType.Gift, [new BindingPart("GIFT-STICKER", 1, null)]), Actor, ct).ConfigureAwait(false);
            await sales.CreateAsync(new SalesMaterialInput("S-MUG-SET", "马克杯带盖套装", SalesMaterialType.Combination,
                [new BindingPart("MUG-350", 1, 85m), new BindingPart("MUG-LID", 1, 15m)]) { RetailPrice = 45m }, Actor, ct).ConfigureAwait(false);
            await sales.CreateAsync(new SalesMaterialInput("S-CHARGE-KIT", "充电套装（充电头+2 条线）", SalesMaterialType.Combination,
                [new BindingPart("CHARGER-20W", 1, 70m), new BindingPart("CABLE-C1", 2, 30m)]) { RetailPrice = 89m }, Actor, ct).ConfigureAwait(false);
            await sales.CreateAsync(new SalesMaterialInput("S-TS-ANY", "纯棉T恤 白色（尺码任选）", SalesMaterialType.PickOne,
                [new BindingPart("TS-WHITE-S", 1, null), new BindingPart("TS-WHITE-M", 1, null), new BindingPart("TS-WHITE-L", 1, null)]) { RetailPrice = 59m }, Actor, ct).ConfigureAwait(false);
            await sales.CreateAsync(new SalesMaterialInput("S-LUCKY-BAG", "数码福袋", SalesMaterialType.LuckyBag,
                [new BindingPart("CASE-IP15", 1, null), new BindingPart("CABLE-C1", 1, null), new BindingPart("GIFT-STICKER", 2, null)]) { RetailPrice = 66m }, Actor, ct).ConfigureAwait(false);

            await suppliers.CreateAsync(new SupplierInput("SUP-YIWU", "义乌优品日用品有限公司") { Contact = "王经理", Phone = "0579-85000001", Address = "浙江省义乌市稠城街道" }, Actor, ct).ConfigureAwait(false);
            await suppliers.CreateAsync(new SupplierInput("SUP-SZ", "深圳数码配件厂") { Contact = "李经理", Phone = "0755-26000002", Address = "广东省深圳市宝安区" }, Actor, ct).ConfigureAwait(false);

            // a third-party warehouse (after the materials, so nothing is pushed to it before it runs): the simulators' virtual warehouse (oms-sim wms, see VirtualWarehouseCommand) over the matrix;
            // it ships the Douyin shop's orders (highest weight for that shop only)
            await sp.GetRequiredService<WmsChannelService>().CreateAsync(new WmsChannelInput(VirtualWarehouseChannel, "模拟仓储（oms-sim wms）")
            {
                Adapter = WmsAdapterNames.Matrix, NodeId = VirtualWarehouseNode, Token = VirtualWarehouseToken, ApiUrl = VirtualWarehouseUrl + "/api",
            }, Actor, ct).ConfigureAwait(false);
            var sh = await branches.CreateAsync(new BranchInput("DEMO-SH", "上海第三方仓") { Area = "上海市", Address = "上海市嘉定区安亭镇 6 号", Weight = 120, Wms = VirtualWarehouseChannel, Shops = ["DEMO-DOUYIN"] }, Actor, ct).ConfigureAwait(false);

            await logistics.CreateAsync(new LogisticsInput("DEMO-SH", "ZTO", "中通快递") { Priority = 20 }, Actor, ct).ConfigureAwait(false);
            await logistics.CreateAsync(new LogisticsInput("DEMO-SH", "SF", "顺丰速运") { Priority = 10 }, Actor, ct).ConfigureAwait(false);

            (long Branch, int Factor)[] stockPlan = [(hz.Id, 3), (gz.Id, 1), (sh.Id, 1)];
            foreach (var (branchId, factor) in stockPlan)
            {
                var lines = materials.Select((m, i) => new StockDocumentLineInput(ids[m.Bn], m.Name, (20 + (i * 7 % 40)) * factor, m.Cost)).ToList();
                await documents.CreateAsync(new StockDocumentInput("期初入库", branchId, StockDocumentType.DirectIn, lines, Memo: "演示数据", Operator: Actor), ct).ConfigureAwait(false);
            }
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return true;
    }
}

/// <summary>
/// Demo orders: the shop simulator's generated pushes (Chinese consignees across provinces, 1–5
/// lines, combinations and gifts, memos, COD, invoices, some updated, cancelled or repeated), fed
/// through the matrix gateway in-process — the same path as <c>POST /api</c> — plus a few with a
/// code the OMS does not know, so the failed-order list has something to re-match.
/// </summary>
internal static class DemoOrders
{
    public const int Count = 120;

    public static async Task<int> PushAsync(IServiceProvider sp, CancellationToken ct)
    {
        using var client = new MatrixPushClient(new InProcessMatrixTransport(sp));
        var prefix = "DEMO" + DateTime.UtcNow.ToString("yyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture) + "-";
        var report = await new LoadRunner(client, SimCatalog.Demo, new LoadOptions
        {
            Orders = Count, Concurrency = 1, UpdateRate = 0.1, CancelRate = 0.05, DuplicateContentRate = 0.03, Seed = 11,
            Generator = new OrderGeneratorOptions { Prefix = prefix },
        }).RunAsync(ct).ConfigureAwait(false);
        var unknown = new SimCatalog([SimCatalog.DemoItems[0], new SalesItem("S-NEW-ARRIVAL", "新品（未建销售物料）", 88m)], SimCatalog.DemoShops);
        var failed = await new LoadRunner(client, unknown, new LoadOptions
        {
            Orders = 5, Concurrency = 1, Seed = 12, Generator = new OrderGeneratorOptions { Prefix = prefix + "N", MinLines = 4, MaxLines = 5 },
        }).RunAsync(ct).ConfigureAwait(false);
        return report.SuccOrderBns.Count + failed.SuccOrderBns.Count;
    }
}

/// <summary>The shop simulator's transport straight into the matrix gateway, in a scope per request as the HTTP endpoint does.</summary>
internal sealed class InProcessMatrixTransport(IServiceProvider sp) : IMatrixTransport
{
    public async Task<MatrixAnswer> SendAsync(IReadOnlyDictionary<string, string> signedForm, CancellationToken ct)
    {
        await using var scope = sp.CreateAsyncScope();
        var reply = await scope.ServiceProvider.GetRequiredService<MatrixGateway>().HandleAsync(signedForm, ct).ConfigureAwait(false);
        return MatrixAnswer.Parse(reply.Json);
    }
}
