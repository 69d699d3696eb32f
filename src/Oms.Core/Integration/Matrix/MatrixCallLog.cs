using System.Diagnostics;
using Oms.Outbox;

namespace Oms.Integration.Matrix;

/// <summary>
/// The API log entry (同步日志) of one inbound <c>/api</c> call. What the form says is taken when the call arrives (on the
/// caller's thread); the answer and the duration when it is answered (<see cref="Entry"/>). The endpoint posts the entry
/// (<see cref="ApiLogWriter.Post"/>) — unless the call's batch has committed it already, in the same transaction as the
/// call (<see cref="Written"/>, <see cref="MatrixBatchWriter"/>).
/// </summary>
public sealed class MatrixCallLog
{
    /// <summary>Fields that name the business document of a call, in the order the API log prefers them.</summary>
    private static readonly string[] BusinessKeys =
        ["order_bn", "delivery_bn", "refund_bn", "aftersale_bn", "return_bn", "reship_bn", "stockin_bn", "stockout_bn",
         "payment_bn", "trade_no", "inventory_bn", "logi_no"];

    private readonly long _started;
    private readonly string _method;
    private readonly string? _peer;
    private readonly string _parameters;
    private readonly string? _businessKey;

    /// <param name="form">The call's form fields.</param>
    /// <param name="started">When the call arrived (<see cref="Stopwatch.GetTimestamp"/>).</param>
    public MatrixCallLog(IReadOnlyDictionary<string, string> form, long started)
    {
        ArgumentNullException.ThrowIfNull(form);
        _started = started;
        _method = form.GetValueOrDefault("method") is { Length: > 0 } m ? m.Trim() : "(none)";
        _peer = form.GetValueOrDefault("node_id") is { Length: > 0 } n ? "node:" + n.Trim() : null;
        _parameters = ApiLogMasking.MaskForm(form);
        _businessKey = BusinessKeys.Select(k => form.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
    }

    /// <summary>
    /// The entry was committed with the call (its batch's transaction): nothing left to post. Set by the batch writer before
    /// the call is answered; a batch that fails leaves it unset, and the endpoint posts the entry of the failure.
    /// </summary>
    public bool Written { get; internal set; }

    /// <summary>The entry of the call answered <paramref name="answer"/>, timed from its arrival until now.</summary>
    public ApiLogEntry Entry(MatrixReply answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new ApiLogEntry
        {
            Direction = ApiLogDirection.In,
            Method = _method,
            Peer = _peer,
            Parameters = _parameters,
            Response = answer.Json,
            Status = answer.Ok ? ApiLogStatus.Succ : ApiLogStatus.Fail,
            ErrorCode = answer.Ok ? null : answer.Code,
            Message = answer.Repeated ? ("repeated task: first answer " + answer.Message).Trim() : answer.Ok ? null : answer.Message,
            DurationMs = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(_started).TotalMilliseconds),
            Attempt = 1,
            BusinessKey = _businessKey,
        };
    }
}
