using System.Globalization;
using System.Text.Json;
using Oms.Data;
using Oms.Integration;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Acceptance;

/// <summary>
/// The foundation issue's "done means", as a black-box client does it: the real `oms`
/// process, a client added with the CLI, then only signed HTTP calls.
/// </summary>
public abstract class FoundationAcceptanceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private OmsProcess _server = null!;
    private HttpClient _http = null!;
    private const string Flag = "blackbox";
    private const string Key = "blackbox-interface-key";

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider);
        var env = new Dictionary<string, string>
        {
            ["OMS_DATA_DIR"] = _db.DataDirectory,
            ["Oms__Database__Provider"] = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings__Postgres"] = provider == DatabaseProvider.Postgres ? _db.Options.ConnectionString : "",
            ["Oms__Admin__InitialPassword"] = "acceptance-password",
        };
        var migrate = await OmsProcess.RunAsync(env, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Stderr);
        var add = await OmsProcess.RunAsync(env, "openapi", "add-client", "--flag", Flag, "--key", Key, "--methods", "all");
        Assert.True(add.ExitCode == 0, add.Stderr);
        (_server, var url) = await OmsProcess.ServeAsync(env);
        _http = new HttpClient { BaseAddress = url };
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        await _db.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static Dictionary<string, string> Signed(string method, Dictionary<string, string> p, long? timestamp = null)
    {
        var form = new Dictionary<string, string>(p)
        {
            ["method"] = method,
            ["flag"] = Flag,
            ["timestamp"] = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture),
            ["ver"] = "1",
            ["type"] = "json",
            ["charset"] = "utf-8",
        };
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), Key);
        return form;
    }

    private async Task<JsonElement> Post(Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var r = await _http.PostAsync(new Uri("/openapi", UriKind.Relative), content);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private async Task<JsonElement> Ok(string method, Dictionary<string, string> p)
    {
        var answer = await Post(Signed(method, p));
        Assert.True(answer.TryGetProperty("response", out var response), $"{method}: {answer.GetRawText()}");
        return response;
    }

    private static string ErrorCode(JsonElement answer) =>
        answer.GetProperty("error_response").GetProperty("code").GetString()!;

    // Two identical signed calls within the same second are one request replayed (e000009),
    // so a client that polls adds something that differs, as real integrations do.
    private async Task<long> Count(string method) =>
        (await Ok(method, new() { ["request_id"] = Guid.NewGuid().ToString("N") })).GetProperty("count").GetInt64();

    [Fact]
    public async Task A_black_box_client_sets_up_master_data_puts_stock_in_and_reads_it_back()
    {
        await Ok("shop.add", new() { ["shop_bn"] = "TM01", ["shop_name"] = "天猫旗舰店", ["shop_type"] = "tmall", ["node_id"] = "1100000001", ["token"] = "shop-token" });
        await Ok("branch.add", new() { ["branch_bn"] = "HZ01", ["name"] = "杭州仓", ["area"] = "浙江省", ["weight"] = "10", ["shops"] = "TM01" });
        await Ok("logistics.add", new() { ["code"] = "SF", ["name"] = "顺丰速运", ["branch_bn"] = "HZ01", ["areas"] = "浙江省,江苏省", ["weight"] = "5" });
        await Ok("basicmaterial.add", new() { ["material_bn"] = "M-CUP", ["material_name"] = "马克杯", ["material_code"] = "6900000000011", ["cost"] = "8.5", ["weight"] = "0.35" });
        await Ok("basicmaterial.add", new() { ["material_bn"] = "M-LID", ["material_name"] = "杯盖", ["material_code"] = "6900000000028" });
        await Ok("salesmaterial.add", new() { ["sales_material_bn"] = "S-CUP", ["sales_material_name"] = "马克杯", ["sales_material_type"] = "1", ["bind_info"] = "M-CUP" });
        await Ok("salesmaterial.add", new() { ["sales_material_bn"] = "S-SET", ["sales_material_name"] = "杯子套装", ["sales_material_type"] = "2", ["bind_info"] = "M-CUP:1x70|M-LID:2x30" });
        await Ok("transfer.add", new() { ["name"] = "期初入库", ["branch_bn"] = "HZ01", ["t_type"] = "E", ["items"] = "bn:M-CUP,nums:12;bn:M-LID,name:杯盖,price:1.5,nums:7" });

        var stock = await Ok("stock.getBnStock", new() { ["product_bns"] = "M-CUP,M-LID" });
        var rows = stock.GetProperty("lists").EnumerateArray().ToDictionary(r => r.GetProperty("bn").GetString()!);
        Assert.Equal(12, rows["M-CUP"].GetProperty("store").GetInt32());
        Assert.Equal(0, rows["M-CUP"].GetProperty("store_freeze").GetInt32());
        Assert.Equal(12, rows["M-CUP"].GetProperty("available").GetInt32());
        Assert.Equal("6900000000011", rows["M-CUP"].GetProperty("barcode").GetString());
        Assert.Equal(7, rows["M-LID"].GetProperty("store").GetInt32());

        var ledger = await Ok("iostock.getList", new() { ["start_time"] = ChinaNow(-3600), ["end_time"] = ChinaNow(3600) });
        Assert.Equal(2, ledger.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Errors_have_exact_codes_and_write_nothing()
    {
        var before = await Count("shop.getList");
        var shop = new Dictionary<string, string> { ["shop_bn"] = "JD01", ["shop_name"] = "京东店", ["shop_type"] = "360buy" };

        var badSign = Signed("shop.add", shop);
        badSign["sign"] = new string('A', 32);
        Assert.Equal("e000002", ErrorCode(await Post(badSign)));

        var old = Signed("shop.add", shop, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3601 - 60);
        Assert.Equal("e000008", ErrorCode(await Post(old)));

        Assert.Equal("e000003", ErrorCode(await Post(Signed("shop.remove", shop))));

        var missing = await Post(Signed("shop.add", new() { ["shop_bn"] = "JD01", ["shop_type"] = "360buy" }));
        Assert.Equal("e000006", ErrorCode(missing));
        Assert.Contains("shop_name", missing.GetProperty("error_response").GetProperty("sub_msg").GetString(), StringComparison.Ordinal);

        Assert.Equal(before, await Count("shop.getList"));

        var once = Signed("shop.add", shop);
        Assert.True((await Post(once)).TryGetProperty("response", out _));
        Assert.Equal("e000009", ErrorCode(await Post(once)));
        Assert.Equal(before + 1, await Count("shop.getList"));
    }

    private static string ChinaNow(int offsetSeconds) =>
        DateTime.UtcNow.AddHours(8).AddSeconds(offsetSeconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

public sealed class SqliteFoundationAcceptanceTests() : FoundationAcceptanceTests(DatabaseProvider.Sqlite);

public sealed class PostgresFoundationAcceptanceTests() : FoundationAcceptanceTests(DatabaseProvider.Postgres);
