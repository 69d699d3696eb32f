using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Oms.Integration;
using Oms.Simulators.Matrix;
using Oms.Simulators.Shop;
using Oms.Simulators.Warehouse;

/// <summary>
/// The whole pipeline, from outside: a real <c>oms serve</c> (workers on) with the demo installation, automatic review on and
/// buffer 0; its third-party branch DEMO-SH (the Douyin shop's first choice) shipped by the simulators' virtual warehouse
/// at the demo's address (matrix channel DEMO-VWMS, ACCEPT → PICK → PACKAGE → DELIVERY with no delay), the shops' write-backs
/// received by a fake matrix. N clean paid orders of the Douyin shop are pushed to <c>/api</c> at concurrency 8; the clock
/// runs from the first push until the last order's write-back arrived. Reports orders/second end to end.
/// </summary>
internal static class PipelineBench
{
    public sealed record Row(string Backend, int Orders, double IntakeSeconds, double TotalSeconds, int Delivered, int Writebacks);

    private const string Flag = "bench-pipeline";
    private const string Key = "bench-pipeline-interface-key";

    public static async Task<Row> RunAsync(string backend, int orders)
    {
        var (dir, env) = IntakeBench.NewInstallation("oms-pipeline-", backend);
        string? pgName = null;
        var pgAdmin = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55432;Username=postgres";
        if (backend == "postgres")
        {
            pgName = "oms_pipeline_" + Guid.NewGuid().ToString("N")[..8];
            await BenchPostgres.CreateAsync(pgAdmin, pgName);
            env["ConnectionStrings__Postgres"] = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName, MaxPoolSize = 100 }.ToString();
        }
        var douyin = SimCatalog.DemoShops.Single(s => s.NodeId == "1900000004");
        await using var shopMatrix = await FakeMatrixRecorder.StartAsync(tokens: [new(douyin.NodeId, douyin.Token)]);
        try
        {
            await IntakeBench.RunOmsAsync(env, "demo", "seed");
            foreach (var (k, v) in new[] { ("review.auto_enabled", "true"), ("order.buffer_minutes", "0"), ("matrix.url", shopMatrix.Url.ToString()), ("matrix.rate_per_second", "1000") })
                await IntakeBench.RunOmsAsync(env, "settings", "set", k, v);
            await IntakeBench.RunOmsAsync(env, "openapi", "add-client", "--flag", Flag, "--key", Key, "--methods", "all");
            var port = IntakeBench.FreePort();
            var url = new Uri($"http://127.0.0.1:{port}");
            using var serve = IntakeBench.Start(env, "serve", "--urls", url.ToString().TrimEnd('/'));
            await IntakeBench.WaitHealthyAsync(url, serve);
            await using var wh = await VirtualWarehouse.StartAsync(new VirtualWarehouseOptions
            {
                OmsUrl = url, NodeId = "1900000099", Token = "demo-token-vwms", Delay = TimeSpan.Zero,
            }, port: 5090);

            // stock for every order at the third-party branch (one direct stock-in per material)
            var items = SimCatalog.DemoItems.Where(i => !i.IsGift && i.Parts.Count == 0).ToList();
            using (var http = new HttpClient { BaseAddress = url })
                await OpenApiAsync(http, "transfer.add", new Dictionary<string, string>
                {
                    ["name"] = "压测入库", ["branch_bn"] = "DEMO-SH", ["t_type"] = "E",
                    ["items"] = string.Join(";", items.Select(i => $"bn:{i.Bn[2..]},nums:{orders * 3}")),
                });

            var sw = Stopwatch.StartNew();
            using var client = new MatrixPushClient(new HttpMatrixTransport(url));
            var report = await new LoadRunner(client, new SimCatalog(items, [douyin]), new LoadOptions
            {
                Orders = orders, Concurrency = 8, Seed = 11,
                Generator = new OrderGeneratorOptions
                {
                    Prefix = "PL", GiftRate = 0, CodRate = 0, UnpaidRate = 0, InvoiceRate = 0, BuyerMessageRate = 0, SellerMemoRate = 0,
                    MinLines = 1, MaxLines = 3, MaxQuantity = 2,
                },
            }).RunAsync(CancellationToken.None);
            var intake = sw.Elapsed.TotalSeconds;
            var until = DateTime.UtcNow.AddMinutes(30);
            while (shopMatrix.ForMethod("store.logistics.offline.send").Count < orders && DateTime.UtcNow < until && !serve.HasExited)
                await Task.Delay(100);
            var total = sw.Elapsed.TotalSeconds;
            var delivered = wh.Sent.Where(s => s.Status == "DELIVERY" && s.Ok).Select(s => s.OrderCode).Distinct().Count();
            var writebacks = shopMatrix.ForMethod("store.logistics.offline.send").Count;
            serve.Kill();
            await serve.WaitForExitAsync();
            return new Row(backend, orders, intake, total, delivered, writebacks);
        }
        finally
        {
            if (pgName is not null) await BenchPostgres.DropAsync(pgAdmin, pgName);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>A signed <c>/openapi</c> call (PROTOCOL.md §5); throws on an error answer.</summary>
    private static async Task OpenApiAsync(HttpClient http, string method, Dictionary<string, string> parameters)
    {
        var form = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["method"] = method, ["flag"] = Flag, ["ver"] = "1", ["type"] = "json", ["charset"] = "utf-8",
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), Key);
        using var content = new FormUrlEncodedContent(form);
        using var resp = await http.PostAsync(new Uri("/openapi", UriKind.Relative), content);
        var text = await resp.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.TryGetProperty("error_response", out _)) throw new InvalidOperationException($"{method}: {text}");
    }

    public static string Format(Row r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Backend} | {r.Orders} | {r.Orders / r.IntakeSeconds:F0} | {r.Orders / r.TotalSeconds:F0} | {r.TotalSeconds:F1} | {r.Delivered} | {r.Writebacks} |");
}
