using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Admin;
using Oms.Channels;
using Oms.Data;
using Oms.Integration;
using Oms.Integration.OpenApi;
using Oms.Server;
using Oms.Simulators.Matrix;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Outbox;

/// <summary>
/// The real web host (workers included) on a fresh database with short outbox back-off, plus a fake
/// matrix peer (the simulators' <see cref="FakeMatrixRecorder"/>). Tests give each case its own shop
/// (node id), so they do not see each other's traffic.
/// </summary>
public abstract class OutboxFixture(DatabaseProvider provider) : ServerFixture(provider)
{
    public FakeMatrixRecorder Peer { get; private set; } = null!;
    public const string OpenApiFlag = "outbox-test";
    public const string OpenApiKey = "outbox-interface-key-42";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Oms:Outbox:BackoffMilliseconds", "50"),
        new("Oms:Tasks:IdlePollMilliseconds", "50"),
        new("Oms:Tasks:ControlPollMilliseconds", "200"),
    ];

    public override async ValueTask InitializeAsync()
    {
        Peer = await FakeMatrixRecorder.StartAsync();
        await base.InitializeAsync();
        await SetAsync("matrix.node_id", "1100000000");
        await SetAsync("matrix.callback_url", new Uri(BaseAddress, "/api/callback").ToString());
        await using var scope = Scope();
        await scope.ServiceProvider.GetRequiredService<OpenApiClientService>().SaveAsync(OpenApiFlag, OpenApiKey, "all", null, "test", CancellationToken.None);
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async Task SetAsync(string key, string value)
    {
        await using var scope = Scope();
        await scope.ServiceProvider.GetRequiredService<SettingsService>().SetAsync(key, value, "test");
    }

    /// <summary>A shop bound to the matrix with its own node id and token, known to the fake peer.</summary>
    public async Task<Shop> AddShopAsync(string name, bool withUrl = true)
    {
        var node = "node-" + name + "-" + Guid.NewGuid().ToString("N")[..6];
        var token = "tok-" + Guid.NewGuid().ToString("N");
        Peer.Tokens[node] = token;
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var shop = new Shop
        {
            ShopBn = "S-" + node, Name = name, ShopType = "taobao", NodeId = node, Token = token,
            ApiUrl = withUrl ? Peer.Url.ToString() : null, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };
        db.Add(shop);
        await db.SaveChangesAsync();
        return shop;
    }

    /// <summary>Posts a signed (or tampered) <c>/openapi</c> call.</summary>
    public async Task<string> OpenApiAsync(string method, Dictionary<string, string> parameters)
    {
        var form = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["method"] = method, ["flag"] = OpenApiFlag, ["ver"] = "1", ["type"] = "json",
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["nonce"] = Guid.NewGuid().ToString("N"),
        };
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), OpenApiKey);
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var content = new FormUrlEncodedContent(form);
        using var resp = await http.PostAsync(new Uri("/openapi", UriKind.Relative), content);
        return await resp.Content.ReadAsStringAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Peer is not null) await Peer.DisposeAsync();
    }
}

public sealed class SqliteOutboxFixture() : OutboxFixture(DatabaseProvider.Sqlite);

public sealed class PostgresOutboxFixture() : OutboxFixture(DatabaseProvider.Postgres);
