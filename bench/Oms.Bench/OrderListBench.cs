using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Orders;
using Oms.Server;

/// <summary>
/// The order list at scale: N orders (default 1,000,000) over 10 shops with a realistic spread of states,
/// 1–3 objects and items each, filled in bulk on PostgreSQL (INSERT … SELECT generate_series, tab triggers
/// off, then one recount), then the real web host renders <c>/orders</c> for a logged-in admin: the first
/// request of each URL (cold) and the median of 20 more (warm).
/// </summary>
internal static partial class OrderListBench
{
    public sealed record Result(string Name, string Url, double ColdMs, double WarmMedianMs, double WarmP90Ms, int Rows);

    public static async Task<(TimeSpan Fill, TimeSpan Recount, double FirstEverMs, List<Result> Results)> RunAsync(int n, bool keep)
    {
        var pgAdmin = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES")
                      ?? throw new InvalidOperationException("OMS_TEST_POSTGRES is not set (scripts/services.sh env).");
        var pgName = "oms_bench_list_" + Guid.NewGuid().ToString("N")[..8];
        await BenchPostgres.CreateAsync(pgAdmin, pgName);
        var cs = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName }.ToString();
        var dir = Path.Combine(Path.GetTempPath(), "oms-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        const string password = "Bench-Admin-Password-1";
        var app = OmsWebHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["OMS_DATA_DIR"] = dir,
                ["Oms:Database:Provider"] = "postgres",
                ["ConnectionStrings:Postgres"] = cs,
                ["Oms:Database:MigrateOnStart"] = "true",
                ["Oms:Admin:InitialPassword"] = password,
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await OmsWebHost.PrepareAsync(app);

        var sw = Stopwatch.StartNew();
        long shopId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var shops = Enumerable.Range(1, 10).Select(i => new Shop
            {
                ShopBn = "SHOP" + i.ToString("00", CultureInfo.InvariantCulture), Name = "店铺 " + i.ToString(CultureInfo.InvariantCulture), ShopType = "taobao",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            }).ToList();
            db.AddRange(shops);
            db.Add(new BasicMaterial { MaterialBn = "BM-BENCH", Name = "bench", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            shopId = shops[3].Id;
        }
        await FillAsync(cs, n);
        var fill = sw.Elapsed;
        sw.Restart();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().RebuildAsync();
        var recount = sw.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"filled {n:N0} orders in {fill.TotalSeconds:F0} s, recount {recount.TotalMilliseconds:F0} ms"));

        await app.StartAsync();
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        var login = await http.GetStringAsync(new Uri("/login", UriKind.Relative));
        var token = TokenField().Match(login).Groups[1].Value;
        using (var form = new FormUrlEncodedContent([new("name", "admin"), new("password", password), new("__RequestVerificationToken", token)]))
        using (var resp = await http.PostAsync(new Uri("/login", UriKind.Relative), form))
            if (resp.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException("login failed: " + resp.StatusCode);

        // real values to search for: a recent order's number and mobile, an older one's material code
        string bn, mobile, material;
        await using (var c = new NpgsqlConnection(cs))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT order_bn, ship_mobile FROM orders WHERE id = (SELECT max(id) - 5000 FROM orders)", c);
            await using (var r = await cmd.ExecuteReaderAsync()) { await r.ReadAsync(); bn = r.GetString(0); mobile = r.GetString(1); }
            await using var m = new NpgsqlCommand("SELECT bn FROM order_object WHERE order_id = (SELECT max(id) - 400000 FROM orders) LIMIT 1", c);
            material = (string)(await m.ExecuteScalarAsync())!;
        }
        var day = Oms.Common.ChinaTime.ToText(DateTime.UtcNow.AddDays(-3))[..10];
        var scenarios = new (string Name, string Url)[]
        {
            ("first page, all orders, with tab counts", "/orders"),
            ("shop filter", $"/orders?shop={shopId}"),
            ("tab 待处理 (to_process)", "/orders?tab=to_process"),
            ("tab 失败订单 (failed)", "/orders?tab=failed"),
            ("shop + tab 暂停/异常 (paused)", $"/orders?shop={shopId}&tab=paused"),
            ("order_bn search", $"/orders?bn={bn}"),
            ("mobile search", $"/orders?mobile={mobile}"),
            ("material search (bounded counts)", $"/orders?material={material}"),
            ("one day, created (bounded counts)", $"/orders?from={day}&to={day}"),
            ("page 100 of all (keyset)", "/orders?before=" + (n - 2000).ToString(CultureInfo.InvariantCulture)),
        };
        var firstEver = await TimeAsync(http, "/orders?size=20");
        var results = new List<Result>();
        foreach (var (name, url) in scenarios)
        {
            var cold = await TimeAsync(http, url);
            var warm = new List<double>();
            for (var i = 0; i < 20; i++) warm.Add(await TimeAsync(http, url));
            warm.Sort();
            var html = await http.GetStringAsync(new Uri(url, UriKind.Relative));
            results.Add(new Result(name, url, cold, warm[warm.Count / 2], warm[(int)(warm.Count * 0.9)], RowCount().Matches(html).Count));
        }

        await app.StopAsync();
        await app.DisposeAsync();
        if (!keep)
        {
            await BenchPostgres.DropAsync(pgAdmin, pgName);
        }
        else Console.WriteLine("kept database " + pgName);
        Directory.Delete(dir, recursive: true);
        return (fill, recount, firstEver, results);
    }

    private static async Task<double> TimeAsync(HttpClient http, string url)
    {
        var sw = Stopwatch.StartNew();
        using var resp = await http.GetAsync(new Uri(url, UriKind.Relative));
        _ = await resp.Content.ReadAsByteArrayAsync();
        if (resp.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{url}: {resp.StatusCode}");
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Bulk fill with the tab triggers off (one recount afterwards instead of a million trigger firings).
    /// State by (g / 10) % 100, independent of the shop (g % 10): 60 % finished, 8 % to ship, 8 % to process,
    /// 5 % to pay, 5 % cancelled, 1 % failed, 1 % paused, 1 % abnormal, 3 % COD unpaid, 4 % returned, 4 % shipped open.
    /// </summary>
    private static async Task FillAsync(string cs, int n)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        async Task Exec(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 0 };
            await cmd.ExecuteNonQueryAsync();
        }
        await Exec("ALTER TABLE orders DISABLE TRIGGER USER");
        await Exec($"""
            INSERT INTO orders (shop_id, order_bn, status, pay_status, ship_status, process_status, confirmed, pause, abnormal, abnormal_reason,
                is_fail, is_cod, auto_status, cost_item, cost_freight, cost_protect, cost_payment, discount, pmt_goods, pmt_order,
                total_amount, payed, weight, is_protect, is_tax, ship_name, ship_province, ship_city, ship_district, ship_addr, ship_mobile,
                buyer_id, member_uname, custom_mark, create_time, platform_modified, arrived_at, updated_at)
            SELECT s.ids[1 + g % 10], '26' || lpad(g::text, 10, '0'),
                CASE WHEN k < 60 OR k >= 94 AND k < 96 THEN 2 WHEN k BETWEEN 81 AND 85 THEN 1 ELSE 0 END,
                CASE WHEN k BETWEEN 76 AND 85 OR k BETWEEN 89 AND 91 THEN 0 ELSE 1 END,
                CASE WHEN k < 60 OR k >= 96 THEN 1 WHEN k BETWEEN 92 AND 93 THEN 3 WHEN k BETWEEN 94 AND 95 THEN 4 ELSE 0 END,
                CASE WHEN k < 68 OR k >= 92 THEN 3 WHEN k BETWEEN 81 AND 85 THEN 4 ELSE 0 END,
                k < 68 OR k >= 92, k = 87, k = 88, CASE WHEN k = 88 THEN '地址不全' END,
                k = 86, k BETWEEN 89 AND 91, 0, 99, 0, 0, 0, 0, 0, 0, 99 + g % 50, CASE WHEN k BETWEEN 76 AND 85 OR k BETWEEN 89 AND 91 THEN 0 ELSE 99 + g % 50 END,
                1, false, false, '收货人' || (g % 50000), '浙江省', '杭州市', '西湖区', '文三路 ' || (g % 999) || ' 号', '138' || lpad((g % 5000000)::text, 8, '0'),
                'bid' || (g % 300000), 'buyer' || (g % 200000), CASE WHEN g % 7 = 0 THEN '请尽快发货' END,
                t, t, t + interval '1 minute', t + interval '2 minute'
            FROM generate_series(1, {n}) AS g
            CROSS JOIN LATERAL (SELECT (g / 10) % 100 AS k, now() - ({n} - g) * interval '8 seconds' AS t) AS x
            CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM shop) AS s
            """);
        await Exec("ALTER TABLE orders ENABLE TRIGGER USER");
        await Exec("""
            INSERT INTO order_object (order_id, bn, name, obj_type, quantity, price, amount, pmt_price, sale_price, weight, position, deleted)
            SELECT o.id, 'SM' || ((o.id * 7 + k * 13) % 5000), '商品', 'goods', 1 + (o.id + k) % 3, 33, 33, 0, 33, 0, k, false
            FROM orders o CROSS JOIN LATERAL generate_series(1, 1 + (o.id % 3)::int) AS k
            """);
        await Exec("""
            INSERT INTO order_item (order_id, object_id, basic_material_id, bn, item_type, quantity, price, amount, split_num, send_num, return_num, deleted)
            SELECT ob.order_id, ob.id, (SELECT min(id) FROM basic_material), 'BM' || (ob.id % 3000), 'product', ob.quantity, 33, 33, 0, 0, 0, false
            FROM order_object ob
            """);
        await Exec("VACUUM ANALYZE orders");
        await Exec("VACUUM ANALYZE order_object");
        await Exec("VACUUM ANALYZE order_item");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<tr id=\"order-\\d+\"")]
    private static partial Regex RowCount();
}
