using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration;
using Oms.Integration.Matrix;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Matrix;

/// <summary>
/// A test-only matrix method: writes an audit row and saves it, then may refuse (4006 on a bad
/// <c>qty</c>, 4007 with <c>refuse</c>) or crash (<c>crash</c>, 5000) — so the gateway must roll
/// the saved row back. <c>delay_ms</c> widens the window for concurrent duplicates.
/// </summary>
public sealed class ProbeMatrixMethod(OmsDbContext db, AuditLog audit) : IMatrixMethod
{
    public const string MethodName = "test.probe";
    public const string Action = "matrix.probe";

    public string Name => MethodName;

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var bn = request.Required("order_bn");
        audit.Record(Action, "probe:" + bn, request.Actor);
        await db.SaveChangesAsync(ct);
        if (request.OptionalInt("delay_ms", 0, 5000) is { } delay) await Task.Delay(delay, ct);
        var qty = request.OptionalInt("qty", 1, 100);
        if (request.Optional("refuse") is { } why) throw new DomainException(why);
        if (request.Optional("crash") is not null) throw new InvalidOperationException("probe crash");
        return new { order_bn = bn, qty, node = request.Node.NodeId, kind = request.Node.Kind, state = "已创建" };
    }
}

public sealed class MatrixSqliteServerFixture() : ServerFixture(DatabaseProvider.Sqlite)
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddScoped<IMatrixMethod, ProbeMatrixMethod>();
}

public sealed class MatrixPostgresServerFixture() : ServerFixture(DatabaseProvider.Postgres)
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddScoped<IMatrixMethod, ProbeMatrixMethod>();
}

/// <summary>Signs and posts <c>/api</c> calls as the matrix does for one bound shop.</summary>
public sealed class MatrixTestClient(ServerFixture server, string nodeId, string token) : IDisposable
{
    private readonly HttpClient _http = server.CreateHttpClient();
    public string NodeId { get; } = nodeId;
    public string Token { get; } = token;

    public static async Task<MatrixTestClient> ForNewShopAsync(ServerFixture server, string? token = null)
    {
        var node = "n" + Guid.NewGuid().ToString("N")[..12];
        token ??= "tok-" + Guid.NewGuid().ToString("N");
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ShopService>().CreateAsync(
            new ShopInput("S" + node, "店铺 " + node, "taobao") { NodeId = node, Token = token.Length == 0 ? null : token }, "test");
        return new MatrixTestClient(server, node, token);
    }

    /// <summary>The signed form (system parameters of PROTOCOL.md §2 plus <paramref name="parameters"/>).</summary>
    public Dictionary<string, string> Form(string method, IReadOnlyDictionary<string, string>? parameters = null, string task = "",
        DateTime? dateUtc = null, string? signWith = null)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["method"] = method,
            ["node_id"] = NodeId,
            ["date"] = ChinaTime.ToText(dateUtc ?? DateTime.UtcNow),
            ["format"] = "json",
            ["v"] = "1.0",
            ["app_id"] = "ecos.ome",
            ["certi_id"] = "",
            ["task"] = task,
        };
        if (parameters is not null) foreach (var (k, v) in parameters) form[k] = v;
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), signWith ?? Token);
        return form;
    }

    public Dictionary<string, string> Probe(string orderBn, string task = "", IReadOnlyDictionary<string, string>? extra = null, DateTime? dateUtc = null, string? signWith = null)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal) { ["order_bn"] = orderBn };
        if (extra is not null) foreach (var (k, v) in extra) p[k] = v;
        return Form(ProbeMatrixMethod.MethodName, p, task, dateUtc, signWith);
    }

    /// <summary>Posts the form; asserts HTTP 200 and a JSON body; returns the raw text and the parsed answer.</summary>
    public async Task<(string Text, JsonElement Answer)> PostAsync(IReadOnlyDictionary<string, string> form, string path = "/api")
    {
        using var content = new FormUrlEncodedContent(form);
        using var resp = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
        var text = await resp.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (text, doc.RootElement.Clone());
    }

    /// <summary>Posts and asserts a failure with <paramref name="code"/>; returns <c>msg</c>.</summary>
    public async Task<string> FailAsync(IReadOnlyDictionary<string, string> form, string code)
    {
        var (text, answer) = await PostAsync(form);
        Assert.Equal("fail", answer.GetProperty("rsp").GetString());
        Assert.True(code == answer.GetProperty("res").GetString(), $"expected {code}, got {text}");
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("data").ValueKind);
        return answer.GetProperty("msg").GetString()!;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>How many probe effects (audit rows) exist for <paramref name="orderBn"/>.</summary>
    public static async Task<int> EffectsAsync(ServerFixture server, string orderBn)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var target = "probe:" + orderBn;
        return await db.Set<AuditEntry>().CountAsync(a => a.Action == ProbeMatrixMethod.Action && a.Target == target);
    }

    public static async Task<int> RememberedAsync(ServerFixture server, string nodeId, string task)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        return await db.Set<MatrixRequestRecord>().CountAsync(r => r.NodeId == nodeId && r.Task == task);
    }
}
