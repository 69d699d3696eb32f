using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Oms.Integration.Qimen;

/// <summary>Where and as whom a Qimen request goes: a WMS channel's <c>api_url</c>, <c>app_key</c>, <c>secret</c>, <c>customer_id</c>.</summary>
public sealed record QimenEndpoint(string ApiUrl, string AppKey, string Secret, string CustomerId);

/// <summary>
/// One call: what was sent (for the API log) and the reply. A transport error, a timeout, a non-2xx status or an
/// unreadable reply is a <see cref="QimenResponse"/> failure with code <c>http</c>, <c>timeout</c> or <c>answer</c>
/// (<see cref="IsTransportError"/>); <see cref="ResponseBody"/> is the raw text when there was one.
/// </summary>
public sealed record QimenCallResult(
    string Method, Uri Url, IReadOnlyDictionary<string, string> Query, string RequestBody,
    QimenResponse Response, string? ResponseBody, int? HttpStatus, TimeSpan Duration)
{
    public bool IsSuccess => Response.IsSuccess;
    /// <summary>The peer gave no readable Qimen reply (the failure was made here, not answered by the peer).</summary>
    public bool IsTransportError { get; init; }
}

/// <summary>
/// Posts Qimen requests: the signed system parameters in the query string of the endpoint's <c>api_url</c>, the
/// XML body as <c>text/xml; charset=utf-8</c>. Thread-safe; one instance per process (it pools connections).
/// </summary>
public sealed class QimenClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _clock;

    public QimenClient(HttpClient? http = null, TimeProvider? clock = null)
    {
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _clock = clock ?? TimeProvider.System;
    }

    public Task<QimenCallResult> DeliveryOrderCreateAsync(QimenEndpoint endpoint, QimenDeliveryOrderCreateRequest request, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(endpoint, QimenMethods.DeliveryOrderCreate, request.ToXml(), timeout, ct);
    }

    public Task<QimenCallResult> OrderCancelAsync(QimenEndpoint endpoint, QimenOrderCancelRequest request, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(endpoint, QimenMethods.OrderCancel, request.ToXml(), timeout, ct);
    }

    public Task<QimenCallResult> DeliveryOrderQueryAsync(QimenEndpoint endpoint, QimenDeliveryOrderQueryRequest request, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(endpoint, QimenMethods.DeliveryOrderQuery, request.ToXml(), timeout, ct);
    }

    public Task<QimenCallResult> DeliveryOrderConfirmAsync(QimenEndpoint endpoint, QimenDeliveryOrderConfirmRequest request, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(endpoint, QimenMethods.DeliveryOrderConfirm, request.ToXml(), timeout, ct);
    }

    /// <summary>Signs and posts any method; never throws for transport problems (cancellation of <paramref name="ct"/> does).</summary>
    public async Task<QimenCallResult> SendAsync(QimenEndpoint endpoint, string method, string xmlBody, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(xmlBody);
        var query = QimenQuery.Build(method, endpoint.AppKey, endpoint.CustomerId, _clock.GetUtcNow().UtcDateTime, xmlBody, endpoint.Secret);
        var url = QimenQuery.WithQuery(endpoint.ApiUrl, query);
        var started = Stopwatch.GetTimestamp();
        QimenCallResult Result(QimenResponse r, string? body, int? status, bool transport = true) =>
            new(method, url, query, xmlBody, r, body, status, Stopwatch.GetElapsedTime(started)) { IsTransportError = transport };

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(xmlBody));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(QimenXml.ContentType);
            using var resp = await _http.PostAsync(url, content, cts.Token).ConfigureAwait(false);
            var text = await resp.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            var status = (int)resp.StatusCode;
            if (!resp.IsSuccessStatusCode)
                return Result(QimenResponse.Failure(QimenResponse.HttpCode, $"HTTP {status} from {endpoint.ApiUrl}"), text, status);
            try
            {
                return Result(QimenResponse.Parse(text), text, status, transport: false);
            }
            catch (QimenXmlException e)
            {
                return Result(QimenResponse.Failure(QimenResponse.AnswerCode, "the reply is not a Qimen response: " + e.Message), text, status);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Result(QimenResponse.Failure(QimenResponse.TimeoutCode, $"no answer from {endpoint.ApiUrl} within {timeout.TotalSeconds:0.#} s"), null, null);
        }
        catch (HttpRequestException e)
        {
            return Result(QimenResponse.Failure(QimenResponse.HttpCode, $"{endpoint.ApiUrl}: {e.Message}"), null, null);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
