using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Common;
using Oms.Integration;
using Oms.Integration.Qimen;
using Oms.Simulators.Matrix;

namespace Oms.Simulators.Warehouse;

/// <summary>How the virtual warehouse is bound to the OMS.</summary>
public sealed record VirtualWarehouseOptions
{
    /// <summary>The OMS: callbacks go to <c>{OmsUrl}/api</c> and <c>{OmsUrl}/qimen</c>.</summary>
    public required Uri OmsUrl { get; init; }
    /// <summary>The WMS channel's matrix node id: requests to it carry it as <c>to_node_id</c>; callbacks as <c>node_id</c>.</summary>
    public string NodeId { get; init; } = "";
    /// <summary>The matrix token: verifies the OMS's requests and signs the callbacks.</summary>
    public string Token { get; init; } = "";
    /// <summary>Qimen: the channel's app_key, secret and customerId (Qimen side off while the secret is empty).</summary>
    public string QimenAppKey { get; init; } = "";
    public string QimenSecret { get; init; } = "";
    public string QimenCustomerId { get; init; } = "";
    /// <summary>The wait before each status (unless a behaviour says otherwise).</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(500);
    public WarehouseBehavior Behavior { get; init; } = new();
    public IReadOnlyList<WarehouseRule> Rules { get; init; } = [];
    /// <summary>Attempts per callback while the OMS does not answer succ (same task each time).</summary>
    public int CallbackAttempts { get; init; } = 3;
    public TimeSpan CallbackTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Prefix of the warehouse's own order codes (<c>out_delivery_bn</c>, Qimen <c>deliveryOrderId</c>).</summary>
    public string CodePrefix { get; init; } = "VW";
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// A third-party warehouse (模拟仓储) toward the OMS, on Kestrel at 127.0.0.1 (port 0 = any free one), playing what
/// ONEX's <c>omevirtualwms</c> lets a person play by hand. Matrix side: <c>POST /api</c> (also <c>/matrix</c>, <c>/</c>)
/// takes <c>store.wms.saleorder.create/cancel/get</c> and <c>store.wms.item.add/update</c> signed per PROTOCOL.md §1 with
/// the token, and calls back <c>{oms}/api</c> with <c>wms.delivery.status_update</c>. Qimen side: <c>POST /qimen</c>
/// takes <c>deliveryorder.create</c>, <c>order.cancel</c>, <c>deliveryorder.query</c>, and calls back
/// <c>{oms}/qimen</c> with <c>deliveryorder.confirm</c>. Everything received and sent is recorded
/// (<see cref="Received"/>, <see cref="Sent"/>, <c>GET /recorded</c>, <c>GET /orders</c>).
/// </summary>
public sealed partial class VirtualWarehouse : IAsyncDisposable
{
    public const string NoAnswer = "(no answer)";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };
    private static readonly IReadOnlySet<string> QimenServed = new HashSet<string>(StringComparer.Ordinal)
    {
        QimenMethods.DeliveryOrderCreate, QimenMethods.OrderCancel, QimenMethods.DeliveryOrderQuery, QimenMethods.SingleItemSynchronize,
    };

    private readonly WebApplication _app;
    private readonly VirtualWarehouseOptions _options;
    private readonly ConcurrentDictionary<string, HeldOrder> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<WarehouseReceived> _received = new();
    private readonly ConcurrentQueue<WarehouseSent> _sent = new();
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly QimenClient _qimen;
    private readonly Lock _rulesLock = new();
    private List<WarehouseRule> _rules;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _codes;
    private long _tasks;
    private long _waybills;

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }
    /// <summary>Where the OMS posts matrix requests (the WMS channel's <c>api_url</c>): <c>{BaseUrl}api</c>.</summary>
    public Uri MatrixUrl => new(BaseUrl, "/api");
    /// <summary>Where the OMS posts Qimen requests: <c>{BaseUrl}qimen</c>.</summary>
    public Uri QimenUrl => new(BaseUrl, "/qimen");
    public VirtualWarehouseOptions Options => _options;

    /// <summary>The behaviour of orders no rule matches; may be changed at any time (it applies to later orders).</summary>
    public WarehouseBehavior Behavior { get; set; }

    private VirtualWarehouse(WebApplication app, Uri baseUrl, VirtualWarehouseOptions options)
    {
        _app = app;
        BaseUrl = baseUrl;
        _options = options;
        Behavior = options.Behavior;
        _rules = [.. options.Rules];
        _qimen = new QimenClient(_http, options.Clock);
    }

    /// <summary>Starts listening on <paramref name="host"/>:<paramref name="port"/> (0 = any free port).</summary>
    public static async Task<VirtualWarehouse> StartAsync(VirtualWarehouseOptions options, int port = 0, string host = "127.0.0.1")
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        VirtualWarehouse? self = null;
        foreach (var path in new[] { "/api", "/matrix", "/" })
            app.MapPost(path, (HttpContext http) => self!.MatrixAsync(http));
        app.MapPost("/qimen", (HttpContext http) => self!.QimenAsync(http));
        app.MapGet("/recorded", (HttpContext http) => self!.ServeRecordedAsync(http));
        app.MapGet("/orders", (HttpContext http) => WriteJsonAsync(http, self!.Orders));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new VirtualWarehouse(app, new Uri(address.TrimEnd('/') + "/"), options);
        return self;
    }

    /// <summary>A behaviour for order codes matching <paramref name="pattern"/> (<c>*</c>, <c>?</c>); earlier rules win.</summary>
    public void AddRule(string pattern, WarehouseBehavior behavior)
    {
        lock (_rulesLock) _rules = [.. _rules, new WarehouseRule(pattern, behavior)];
    }

    public void ClearRules()
    {
        lock (_rulesLock) _rules = [];
    }

    /// <summary>The behaviour an order with this code gets.</summary>
    public WarehouseBehavior BehaviorFor(string orderCode)
    {
        List<WarehouseRule> rules;
        lock (_rulesLock) rules = _rules;
        return rules.FirstOrDefault(r => r.Matches(orderCode))?.Behavior ?? Behavior;
    }

    public IReadOnlyList<WarehouseReceived> Received => _received.ToArray();
    public IReadOnlyList<WarehouseSent> Sent => _sent.ToArray();
    public IReadOnlyList<WarehouseOrderState> Orders => _orders.Values.Select(o => o.Snapshot()).OrderBy(o => o.CreatedUtc).ToList();
    public WarehouseOrderState? Order(string orderCode) => _orders.TryGetValue(orderCode, out var o) ? o.Snapshot() : null;

    /// <summary>Waits (default up to 30 s) until <paramref name="condition"/> holds over <see cref="Sent"/>; throws <see cref="TimeoutException"/>.</summary>
    public async Task<IReadOnlyList<WarehouseSent>> WaitForSentAsync(Func<IReadOnlyList<WarehouseSent>, bool> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await WaitAsync(() => condition(Sent), timeout, "sent").ConfigureAwait(false);
        return Sent;
    }

    public async Task<IReadOnlyList<WarehouseReceived>> WaitForReceivedAsync(Func<IReadOnlyList<WarehouseReceived>, bool> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await WaitAsync(() => condition(Received), timeout, "received").ConfigureAwait(false);
        return Received;
    }

    /// <summary>Waits for the first successful callback of <paramref name="status"/> for an order (Qimen: <c>DELIVERY</c> = the confirm).</summary>
    public async Task<WarehouseSent> WaitForCallbackAsync(string orderCode, string status, TimeSpan? timeout = null)
    {
        bool Match(WarehouseSent s) => s.OrderCode == orderCode && s.Status == status && s.Ok;
        var sent = await WaitForSentAsync(list => list.Any(Match), timeout).ConfigureAwait(false);
        return sent.First(Match);
    }

    /// <summary>Waits until every status of the order has been dealt with (sent, or skipped because the order was cancelled).</summary>
    public async Task<WarehouseOrderState> WaitForIdleAsync(string orderCode, TimeSpan? timeout = null)
    {
        await WaitAsync(() => _orders.TryGetValue(orderCode, out var o) && o.Done, timeout, "idle " + orderCode).ConfigureAwait(false);
        return Order(orderCode)!;
    }

    private async Task WaitAsync(Func<bool> condition, TimeSpan? timeout, string what)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition()) return;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"the virtual warehouse did not reach the expected {what} state within {limit.TotalSeconds:0.#} s ({_received.Count} received, {_sent.Count} sent)");
            await Task.WhenAny(changed, Task.Delay(left)).ConfigureAwait(false);
        }
    }

    private void Changed() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private DateTime Now => _options.Clock.GetUtcNow().UtcDateTime;

    private string NewWmsCode() => _options.CodePrefix + Interlocked.Increment(ref _codes).ToString("D8", CultureInfo.InvariantCulture);

    private string NewTask() => "vw-" + Interlocked.Increment(ref _tasks).ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    private string NewWaybill(string logistics) =>
        (logistics.Length > 0 ? logistics.ToUpperInvariant() : "VW") + ChinaTime.ToText(Now)[2..10].Replace("-", "", StringComparison.Ordinal)
        + Interlocked.Increment(ref _waybills).ToString("D6", CultureInfo.InvariantCulture);

    private void Record(WarehouseReceived r)
    {
        _received.Enqueue(r);
        Changed();
    }

    private void Record(WarehouseSent s)
    {
        _sent.Enqueue(s);
        Changed();
    }

    /// <summary>Runs work in the background (callbacks), tracked so that disposal waits for it.</summary>
    private void Spawn(Func<CancellationToken, Task> work)
    {
        var task = Task.Run(async () =>
        {
            try { await work(_stopping.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
        });
        _running[task] = true;
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Holds the answer as the behaviour says; false when it is never to be given.</summary>
    private async Task<bool> HoldAnswerAsync(WarehouseBehavior behavior, HttpContext http)
    {
        if (behavior.AnswerDelay is not { } delay) return true;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(delay, both.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Task WriteJsonAsync<T>(HttpContext http, T value)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(value, Json));
    }

    private Task ServeRecordedAsync(HttpContext http) => WriteJsonAsync(http, new
    {
        received = Received.Select(r => new { protocol = r.Protocol, method = r.Method, order_code = r.OrderCode, sign_ok = r.SignOk, answer = r.Answer, arrived = ChinaTime.ToText(r.ArrivedUtc), fields = r.Fields, body = r.Body }),
        sent = Sent.Select(s => new { protocol = s.Protocol, method = s.Method, order_code = s.OrderCode, status = s.Status, task = s.Task, ok = s.Ok, answer = s.Answer, attempt = s.Attempt, sent = ChinaTime.ToText(s.SentUtc), fields = s.Fields, body = s.Body }),
    });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Keys).ConfigureAwait(false);
        foreach (var order in _orders.Values) order.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
        _qimen.Dispose();
        _http.Dispose();
        _stopping.Dispose();
    }
}
