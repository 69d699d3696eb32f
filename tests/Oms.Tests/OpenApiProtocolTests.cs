using Oms.Tests.Infrastructure;

namespace Oms.Tests;

/// <summary>The envelope of PROTOCOL.md §5: system params, signature, window, replay, method, permission.</summary>
public abstract class OpenApiProtocolTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Missing_system_params_is_e000001()
    {
        var form = server.OpenApi.Form("shop.getList");
        form.Remove("timestamp");
        var answer = await server.OpenApi.PostAsync(form);
        Assert.Equal("e000001", answer.GetProperty("error_response").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Bad_signature_and_unknown_flag_are_e000002()
    {
        var form = server.OpenApi.Form("shop.getList");
        form["sign"] = "0123456789ABCDEF0123456789ABCDEF";
        Assert.Equal("e000002", (await server.OpenApi.PostAsync(form)).GetProperty("error_response").GetProperty("code").GetString());
        var other = server.OpenApi.Form("shop.getList");
        other["flag"] = "nobody";
        Assert.Equal("e000002", (await server.OpenApi.PostAsync(other)).GetProperty("error_response").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Old_timestamp_is_e000008()
    {
        var form = server.OpenApi.Form("shop.getList", timestamp: DateTimeOffset.UtcNow.AddSeconds(-3700));
        Assert.Equal("e000008", (await server.OpenApi.PostAsync(form)).GetProperty("error_response").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Replayed_request_is_e000009()
    {
        var form = server.OpenApi.Form("shop.getList");
        var first = await server.OpenApi.PostAsync(form);
        Assert.True(first.TryGetProperty("response", out _), first.GetRawText());
        var second = await server.OpenApi.PostAsync(form);
        Assert.Equal("e000009", second.GetProperty("error_response").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_method_outside_the_clients_list_is_e000004_and_writes_nothing()
    {
        using var limited = await OpenApiTestClient.CreateAsync(server, "limited-" + Guid.NewGuid().ToString("N")[..8], "limited-key-000001", "shop.getList");
        var before = (await limited.CallAsync("shop.getList")).GetProperty("count").GetInt64();
        var code = "NOPE" + Guid.NewGuid().ToString("N")[..8];
        var (err, _) = await limited.CallErrorAsync("shop.add", new Dictionary<string, string> { ["shop_bn"] = code, ["shop_name"] = "x", ["shop_type"] = "tmall" });
        Assert.Equal("e000004", err);
        Assert.Equal(before, (await limited.CallAsync("shop.getList")).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Type_xml_answers_in_xml()
    {
        var form = server.OpenApi.Form("shop.getList");
        form["type"] = "xml";
        form["sign"] = Oms.Integration.MatrixSignature.Sign(form.Where(kv => kv.Key != "sign").Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), server.OpenApi.Key);
        using var http = server.CreateHttpClient();
        using var content = new FormUrlEncodedContent(form);
        using var resp = await http.PostAsync(new Uri("/openapi", UriKind.Relative), content);
        var xml = System.Xml.Linq.XDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal("response", xml.Root!.Name.LocalName);
        Assert.NotNull(xml.Root.Element("count"));
        Assert.NotNull(xml.Root.Element("lists"));
    }

    [Fact]
    public async Task Unknown_method_is_e000003()
    {
        var (code, _) = await server.OpenApi.CallErrorAsync("nothing.here");
        Assert.Equal("e000003", code);
    }
}

public sealed class SqliteOpenApiProtocolTests(SqliteServerFixture f) : OpenApiProtocolTests<SqliteServerFixture>(f);

public sealed class PostgresOpenApiProtocolTests(PostgresServerFixture f) : OpenApiProtocolTests<PostgresServerFixture>(f);
