using System.Text.Json;
using Oms.Outbox;

namespace Oms.Tests.Outbox;

/// <summary>The API log's masking of form fields, at any depth and inside fields that carry JSON text.</summary>
public sealed class ApiLogMaskingTests
{
    [Fact]
    public void Secret_fields_are_masked_and_the_rest_kept()
    {
        var masked = ApiLogMasking.MaskForm([new("sign", "ABC"), new("node_id", "N1"), new("app_secret", "s3"), new("memo", "收货 {不是 JSON"), new("empty", null!)]);
        using var doc = JsonDocument.Parse(masked);
        var root = doc.RootElement;
        Assert.Equal(["sign", "node_id", "app_secret", "memo", "empty"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("***", root.GetProperty("sign").GetString());
        Assert.Equal("***", root.GetProperty("app_secret").GetString());
        Assert.Equal("N1", root.GetProperty("node_id").GetString());
        Assert.Equal("收货 {不是 JSON", root.GetProperty("memo").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("empty").ValueKind);
        Assert.Contains("收货", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void JSON_text_without_secrets_is_kept_exactly_as_sent()
    {
        const string objects = "[ {\"bn\": \"SKU-1\", \"name\": \"长袖\\u886b\", \"price\": 12.50, \"gift\": false, \"x\": null} ]";
        var masked = ApiLogMasking.MaskForm([new("order_objects", objects)]);
        using var doc = JsonDocument.Parse(masked);
        Assert.Equal(objects, doc.RootElement.GetProperty("order_objects").GetString());
    }

    [Fact]
    public void Secrets_inside_JSON_text_are_masked_at_any_depth_also_inside_nested_JSON_text()
    {
        var inner = JsonSerializer.Serialize(new { access_token = "tok-deep", keep = "ok" });
        var login = JsonSerializer.Serialize(new
        {
            user = "bob",
            password = "p@ss",
            session_key = new { a = 1, b = new[] { "s1" } },
            empty_secret = (string?)null,
            list = new object[] { new { token = "t-1", n = 2.5 }, "plain", inner },
        });
        var masked = ApiLogMasking.MaskForm([new("login", login)]);
        foreach (var secret in new[] { "p@ss", "tok-deep", "t-1", "s1" })
            Assert.DoesNotContain(secret, masked, StringComparison.Ordinal);
        using var outer = JsonDocument.Parse(masked);
        using var doc = JsonDocument.Parse(outer.RootElement.GetProperty("login").GetString()!);
        var root = doc.RootElement;
        Assert.Equal("bob", root.GetProperty("user").GetString());
        Assert.Equal("***", root.GetProperty("password").GetString());
        Assert.Equal("***", root.GetProperty("session_key").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("empty_secret").ValueKind);
        var list = root.GetProperty("list");
        Assert.Equal("***", list[0].GetProperty("token").GetString());
        Assert.Equal(2.5, list[0].GetProperty("n").GetDouble());
        Assert.Equal("plain", list[1].GetString());
        using var nested = JsonDocument.Parse(list[2].GetString()!);
        Assert.Equal("***", nested.RootElement.GetProperty("access_token").GetString());
        Assert.Equal("ok", nested.RootElement.GetProperty("keep").GetString());
    }

    [Fact]
    public void A_key_given_twice_keeps_its_last_value_at_its_first_place_and_long_parameters_are_cut()
    {
        var masked = ApiLogMasking.MaskForm([new("a", "1"), new("b", "2"), new("a", "3")]);
        Assert.Equal("{\"a\":\"3\",\"b\":\"2\"}", masked);
        var cut = ApiLogMasking.MaskForm([new("big", new string('x', ApiLogMasking.MaxParameterChars))]);
        Assert.EndsWith("…(truncated)", cut, StringComparison.Ordinal);
    }
}
