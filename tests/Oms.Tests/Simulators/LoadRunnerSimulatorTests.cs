using System.Text.Json;
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
using Oms.Simulators.Cli;
using Oms.Simulators.Shop;

namespace Oms.Tests.Simulators;

/// <summary>
/// A canned <c>/api</c> on 127.0.0.1:0 — not the OMS: it checks the signature, remembers answers per
/// (node, task), and answers by the order number's last digit: 0 → fail 4006, 5 → HTTP 500, otherwise
/// created / unchanged (same modified) / updated (newer), after a 2 ms pause.
/// </summary>
public sealed class CannedApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, string> _byTask = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _modified = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _tokens;
    public Uri Url { get; private set; } = null!;
    public int Requests;

    private CannedApi(WebApplication app, Dictionary<string, string> tokens)
    {
        _app = app;
        _tokens = tokens;
    }

    public static async Task<CannedApi> StartAsync(IEnumerable<SimShop> shops)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new CannedApi(app, shops.ToDictionary(s => s.NodeId, s => s.Token, StringComparer.Ordinal));
        app.MapPost("/api", (HttpContext http) => api.HandleAsync(http));
        await app.StartAsync();
        api.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return api;
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref Requests);
        var f = await http.Request.ReadFormAsync();
        var form = f.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        await Task.Delay(2);
        var bn = form.GetValueOrDefault("order_bn") ?? "";
        if (bn.EndsWith('5'))
        {
            http.Response.StatusCode = 500;
            return;
        }
        string answer;
        var signOk = _tokens.TryGetValue(form["node_id"], out var token)
                     && MatrixSignature.Matches(form["sign"], MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), token));
        lock (_lock)
        {
            var key = form["node_id"] + "/" + form["task"];
            if (!signOk) answer = """{"rsp":"fail","res":"4003","msg":"sign error","data":null}""";
            else if (_byTask.TryGetValue(key, out var first)) answer = first;
            else
            {
                if (bn.EndsWith('0')) answer = """{"rsp":"fail","res":"4006","msg":"order_bn refused by the canned api","data":null}""";
                else
                {
                    ChinaTime.TryParse(form["modified"], out var modified);
                    var state = !_modified.TryGetValue(bn, out var known) ? "created" : modified > known ? "updated" : "unchanged";
                    if (state != "unchanged") _modified[bn] = modified;
                    answer = JsonSerializer.Serialize(new { rsp = "succ", res = "", data = new { order_bn = bn, order_id = bn.GetHashCode(StringComparison.Ordinal), state } });
                }
                _byTask[key] = answer;
            }
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public class LoadRunnerSimulatorTests
{
    private static LoadOptions Everything(string prefix, string? succFile = null) => new()
    {
        Orders = 100, Concurrency = 8, Seed = 5, DuplicateTaskRate = 1, DuplicateContentRate = 1, UpdateRate = 1, CancelRate = 1,
        SuccFile = succFile, Generator = new OrderGeneratorOptions { Prefix = prefix, FirstNumber = 1 },
    };

    [Fact]
    public async Task The_runner_counts_every_outcome_per_kind_and_lists_the_orders_answered_succ()
    {
        await using var api = await CannedApi.StartAsync(SimCatalog.DemoShops);
        using var client = new MatrixPushClient(api.Url);
        var succFile = Path.Combine(Path.GetTempPath(), "oms-sim-succ-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            var report = await new LoadRunner(client, SimCatalog.Demo, Everything("LR-", succFile)).RunAsync();

            // order numbers 1…100: ten end in 0 (refused), ten in 5 (HTTP 500), eighty are created
            Assert.Equal(100, report.Orders);
            Assert.Equal(80, report.Count(PushKinds.First, "succ:created"));
            Assert.Equal(10, report.Count(PushKinds.First, "fail:4006"));
            Assert.Equal(10, report.Count(PushKinds.First, "error:http_500"));
            // the same task again: the same answer, refusals included; no re-send after a transport error
            Assert.Equal(80, report.Count(PushKinds.DuplicateTask, "succ:created"));
            Assert.Equal(10, report.Count(PushKinds.DuplicateTask, "fail:4006"));
            Assert.Equal(0, report.DuplicateTaskMismatches);
            // follow-ups only after a succ
            Assert.Equal(80, report.Count(PushKinds.DuplicateContent, "succ:unchanged"));
            Assert.Equal(0, report.DuplicateContentNotUnchanged);
            Assert.Equal(80, report.Count(PushKinds.Update, "succ:updated"));
            Assert.Equal(80, report.Count(PushKinds.Cancel, "succ:updated"));
            Assert.All(report.Outcomes.Values.SelectMany(o => o.Keys), k => Assert.NotEqual("fail:4003", k));

            Assert.Equal(100 + 90 + (3 * 80), report.Requests);
            Assert.Equal(api.Requests, report.Requests);
            Assert.Equal(80 + 80 + (3 * 80), report.SuccAnswers);
            Assert.Equal(10, report.TransportErrors);
            Assert.Equal(report.Requests, report.Latency.Count);
            Assert.Equal(100, report.FirstLatency.Count);
            foreach (var l in new[] { report.Latency, report.FirstLatency })
            {
                Assert.True(l.P50Ms >= 2, "every answer waited 2 ms");
                Assert.True(l.P50Ms <= l.P90Ms && l.P90Ms <= l.P99Ms && l.P99Ms <= l.MaxMs);
            }
            Assert.True(report.SuccPerSecond > 0 && report.ElapsedSeconds > 0);
            // the report's elapsed time is rounded to the millisecond: allow that much
            var rate = report.SuccAnswers / report.ElapsedSeconds;
            Assert.InRange(report.SuccPerSecond, rate * (1 - (0.001 / report.ElapsedSeconds)) - 0.1, rate * (1 + (0.001 / report.ElapsedSeconds)) + 0.1);

            var expected = Enumerable.Range(1, 100).Where(i => i % 5 != 0).Select(i => "LR-" + i.ToString("00000000", System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Equal(expected, report.SuccOrderBns.ToHashSet());
            Assert.Equal(80, report.SuccOrderBns.Count);
            var lines = await File.ReadAllLinesAsync(succFile);
            Assert.Equal(expected, lines.ToHashSet());
            Assert.Equal(80, lines.Length);

            Assert.Contains("fail:4006", report.ToText(), StringComparison.Ordinal);
            using var json = JsonDocument.Parse(report.ToJson());
            Assert.Equal(80, json.RootElement.GetProperty("outcomes").GetProperty("first").GetProperty("succ:created").GetInt64());
            Assert.Equal(report.Requests, json.RootElement.GetProperty("requests").GetInt64());
        }
        finally
        {
            File.Delete(succFile);
        }
    }

    [Fact]
    public async Task A_run_with_warm_up_counts_only_the_measured_orders_and_the_same_seed_pushes_the_same_orders()
    {
        await using var api = await CannedApi.StartAsync(SimCatalog.DemoShops);
        using var client = new MatrixPushClient(api.Url);
        var options = new LoadOptions { Orders = 30, Concurrency = 4, Warmup = 12, Seed = 9, Generator = new OrderGeneratorOptions { Prefix = "WU-", MinLines = 3, MaxLines = 3, Clock = new FixedClock(SimulatorTestSupport.Noon) } };
        var report = await new LoadRunner(client, SimCatalog.Demo, options).RunAsync();
        Assert.Equal(30 + 12, api.Requests);
        Assert.Equal(30, report.Requests);
        Assert.Equal(24, report.Count(PushKinds.First, "succ:created"));
        Assert.DoesNotContain(report.SuccOrderBns, bn => bn.StartsWith("WU-W", StringComparison.Ordinal));

        // the same seed (and clock) again: the same order numbers and contents → unchanged
        var again = await new LoadRunner(client, SimCatalog.Demo, options with { Warmup = 0 }).RunAsync();
        Assert.Equal(24, again.Count(PushKinds.First, "succ:unchanged"));
    }

    [Fact]
    public void Percentiles_are_nearest_rank_over_all_requests()
    {
        var f = System.Diagnostics.Stopwatch.Frequency;
        var ticks = Enumerable.Range(1, 100).Reverse().Select(ms => ms * f / 1000).ToArray();
        var s = LatencySummary.FromTicks(ticks, ticks.Length);
        Assert.Equal(100, s.Count);
        Assert.Equal(50, s.P50Ms, 3);
        Assert.Equal(90, s.P90Ms, 3);
        Assert.Equal(99, s.P99Ms, 3);
        Assert.Equal(100, s.MaxMs, 3);
        Assert.Equal(50.5, s.MeanMs, 3);
        Assert.Equal(LatencySummary.Empty, LatencySummary.FromTicks([], 0));
        var one = LatencySummary.FromTicks([7 * f / 1000], 1);
        Assert.Equal(7, one.P99Ms, 3);
    }

    [Fact]
    public async Task The_command_line_runs_a_load_and_prints_json_and_refuses_invalid_options_with_exit_code_2()
    {
        await using var api = await CannedApi.StartAsync([new SimShop("cli-node", "cli-token")]);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SimCommandLine.RunAsync(
            ["load", "--url", api.Url.ToString(), "--shops", "cli-node:cli-token", "--materials", "SKU-A:10,SKU-B:25.5,GIFT:0:gift",
             "--orders", "20", "--concurrency", "4", "--lines", "2", "--prefix", "CLI-", "--duplicate-tasks", "1", "--duplicate-content", "1", "--json"], output, error);
        Assert.True(code == 0, error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal(16, json.RootElement.GetProperty("outcomes").GetProperty("first").GetProperty("succ:created").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("duplicate_task_mismatches").GetInt64());
        Assert.Equal(20 + 18 + 16, json.RootElement.GetProperty("requests").GetInt64());
        Assert.Equal(16, json.RootElement.GetProperty("outcomes").GetProperty("duplicate_content").GetProperty("succ:unchanged").GetInt64());

        foreach (var bad in new[]
                 {
                     new[] { "load", "--orders", "many" }, ["load", "--orders", "0"], ["load", "--duplicates", "1.5"], ["load", "--lines", "6-2"],
                     ["load", "--shops", "nodeonly"], ["load", "--materials", "A:x"], ["load", "--url", "ftp://x"], ["load", "--nonsense"],
                     ["matrix-recorder", "--port", "70000"], ["matrix-recorder", "--token", "x"],
                 })
        {
            using var err = new StringWriter();
            Assert.Equal(2, await SimCommandLine.RunAsync(bad, TextWriter.Null, err));
            Assert.StartsWith("error: ", err.ToString(), StringComparison.Ordinal);
        }
    }
}
