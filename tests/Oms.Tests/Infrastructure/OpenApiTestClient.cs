using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Oms.Integration;
using Oms.Integration.OpenApi;

namespace Oms.Tests.Infrastructure;

/// <summary>Signs and posts <c>/openapi</c> calls as a merchant's script would.</summary>
public sealed class OpenApiTestClient : IDisposable
{
    private readonly HttpClient _http;
    public string Flag { get; }
    public string Key { get; }

    private OpenApiTestClient(HttpClient http, string flag, string key)
    {
        _http = http;
        Flag = flag;
        Key = key;
    }

    public static async Task<OpenApiTestClient> CreateAsync(ServerFixture server, string flag, string key, string methods)
    {
        await using (var scope = server.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<OpenApiClientService>().SaveAsync(flag, key, methods, null, "test", CancellationToken.None);
        return new OpenApiTestClient(server.CreateHttpClient(), flag, key);
    }

    /// <summary>The signed form for a call; tests may tamper with it before <see cref="PostAsync"/>.</summary>
    public Dictionary<string, string> Form(string method, IReadOnlyDictionary<string, string>? parameters = null, DateTimeOffset? timestamp = null)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["method"] = method,
            ["flag"] = Flag,
            ["timestamp"] = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["ver"] = "1",
            ["type"] = "json",
            ["charset"] = "utf-8",
            // distinct signatures for otherwise identical calls, as real clients get from the clock
            ["nonce"] = Guid.NewGuid().ToString("N"),
        };
        if (parameters is not null) foreach (var (k, v) in parameters) form[k] = v;
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), Key);
        return form;
    }

    public async Task<JsonElement> PostAsync(IReadOnlyDictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var resp = await _http.PostAsync(new Uri("/openapi", UriKind.Relative), content);
        Assert.Equal(200, (int)resp.StatusCode);
        var text = await resp.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Calls a method and returns <c>response</c>; fails the test on an error answer.</summary>
    public async Task<JsonElement> CallAsync(string method, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var answer = await PostAsync(Form(method, parameters));
        if (answer.TryGetProperty("error_response", out var err))
            Assert.Fail($"{method} answered {err.GetRawText()}");
        return answer.GetProperty("response");
    }

    /// <summary>Calls a method expecting an error; returns (code, sub_msg).</summary>
    public async Task<(string Code, string SubMsg)> CallErrorAsync(string method, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var answer = await PostAsync(Form(method, parameters));
        Assert.True(answer.TryGetProperty("error_response", out var err), $"{method} should have failed but answered {answer.GetRawText()}");
        return (err.GetProperty("code").GetString()!, err.GetProperty("sub_msg").GetString()!);
    }

    public void Dispose() => _http.Dispose();
}
