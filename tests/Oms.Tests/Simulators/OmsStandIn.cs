using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Integration.Qimen;

namespace Oms.Tests.Simulators;

/// <summary>A form POST to <c>/api</c> as the stand-in received it.</summary>
public sealed record StandInApiPost(IReadOnlyDictionary<string, string> Form, string Answer)
{
    public string Method => Form.GetValueOrDefault("method") ?? "";
    public string Status => Form.GetValueOrDefault("status") ?? "";
    public string Task => Form.GetValueOrDefault("task") ?? "";
}

/// <summary>A POST to <c>/qimen</c>: its query parameters, body and content type.</summary>
public sealed record StandInQimenPost(IReadOnlyDictionary<string, string> Query, string Body, string ContentType, string Answer)
{
    public string Method => Query.GetValueOrDefault("method") ?? "";
}

/// <summary>
/// Stands in for the OMS in simulator and Qimen client tests: a real Kestrel listener on 127.0.0.1:0 that records every
/// form POST to <c>/api</c> and every POST to <c>/qimen</c> and answers succ / success, or from a script:
/// <c>succ</c>, <c>fail</c>, <c>http500</c>, <c>garbage</c> (not a protocol answer), <c>hang</c> (never answers).
/// </summary>
public sealed class OmsStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StandInApiPost> _api = new();
    private readonly ConcurrentQueue<StandInQimenPost> _qimen = new();
    private readonly ConcurrentQueue<string> _apiScript = new();
    private readonly ConcurrentQueue<string> _qimenScript = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri BaseUrl { get; }

    private OmsStandIn(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<OmsStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        OmsStandIn? self = null;
        app.MapPost("/api", (HttpContext http) => self!.ApiAsync(http));
        app.MapPost("/qimen", (HttpContext http) => self!.QimenAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new OmsStandIn(app, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    public IReadOnlyList<StandInApiPost> Api => _api.ToArray();
    public IReadOnlyList<StandInQimenPost> Qimen => _qimen.ToArray();

    public void ScriptApi(params string[] answers) { foreach (var a in answers) _apiScript.Enqueue(a); }
    public void ScriptQimen(params string[] answers) { foreach (var a in answers) _qimenScript.Enqueue(a); }

    /// <summary>Waits (up to 30 s) until <paramref name="condition"/> holds over the recorded posts, then returns them.</summary>
    public async Task<IReadOnlyList<StandInApiPost>> WaitForApiAsync(Func<IReadOnlyList<StandInApiPost>, bool> condition)
    {
        await WaitAsync(() => condition(Api));
        return Api;
    }

    public async Task<IReadOnlyList<StandInQimenPost>> WaitForQimenAsync(Func<IReadOnlyList<StandInQimenPost>, bool> condition)
    {
        await WaitAsync(() => condition(Qimen));
        return Qimen;
    }

    private async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition()) return;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"the stand-in did not receive what was expected within 30 s ({_api.Count} /api, {_qimen.Count} /qimen posts)");
            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    private void Changed() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task ApiAsync(HttpContext http)
    {
        var f = await http.Request.ReadFormAsync();
        var form = f.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        var answer = _apiScript.TryDequeue(out var a) ? a : "succ";
        _api.Enqueue(new StandInApiPost(form, answer));
        Changed();
        await AnswerAsync(http, answer, "application/json", answer switch
        {
            "succ" => """{"rsp":"succ","res":"","data":{}}""",
            "fail" => """{"rsp":"fail","res":"4007","msg":"refused by the stand-in","data":null}""",
            _ => "<html>oops</html>",
        });
    }

    private async Task QimenAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var query = http.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        var answer = _qimenScript.TryDequeue(out var a) ? a : "succ";
        _qimen.Enqueue(new StandInQimenPost(query, body, http.Request.ContentType ?? "", answer));
        Changed();
        await AnswerAsync(http, answer, QimenXml.ContentType, answer switch
        {
            "succ" => QimenResponse.Success("ok").ToXml(),
            "fail" => QimenResponse.Failure("business-refused", "refused by the stand-in").ToXml(),
            _ => "<html>oops</html>",
        });
    }

    private async Task AnswerAsync(HttpContext http, string answer, string contentType, string text)
    {
        if (answer == "hang")
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
            try { await Task.Delay(Timeout.Infinite, both.Token); } catch (OperationCanceledException) { }
            return;
        }
        if (answer == "http500")
        {
            http.Response.StatusCode = 500;
            return;
        }
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(text);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
