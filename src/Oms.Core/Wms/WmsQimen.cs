using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Integration.Qimen;
using Oms.Outbox;
using Oms.Tasks;

namespace Oms.Wms;

/// <summary>
/// Qimen WMS channels (PROTOCOL.md §4): every request is an outbox message of peer kind <c>qimen</c> (peer id = the
/// channel, node id = its <c>channel_bn</c>) whose parameters are the XML body (<c>{"body":"&lt;request&gt;…"}</c>);
/// <see cref="QimenSendHandler"/> (<c>qimen.send</c>) signs and posts it at send time, with the outbox's retries.
/// </summary>
internal sealed class QimenWmsAdapter(Outbox.Outbox outbox) : IWmsAdapter
{
    public string Name => WmsAdapterNames.Qimen;

    /// <summary>The channel as an outbox peer (its credentials are read again at every send).</summary>
    internal static MatrixPeer Peer(WmsChannel c) =>
        new(MatrixPeerKinds.Qimen, c.Id, c.ChannelBn, "", string.IsNullOrWhiteSpace(c.ApiUrl) ? null : c.ApiUrl, WmsAdapterNames.Qimen);

    /// <summary>Where and as whom a channel's requests go; null when it is not a complete Qimen channel.</summary>
    internal static QimenEndpoint? Endpoint(WmsChannel? c) =>
        c is null || c.Adapter != WmsAdapterNames.Qimen || string.IsNullOrWhiteSpace(c.ApiUrl) || string.IsNullOrWhiteSpace(c.AppKey)
        || string.IsNullOrWhiteSpace(c.Secret)
            ? null
            : new QimenEndpoint(c.ApiUrl, c.AppKey, c.Secret, c.CustomerId ?? "");

    private string Add(OmsDbContext db, WmsChannel channel, string method, string xml, string businessKey) =>
        outbox.Add(db, new OutboundRequest(Peer(channel), method, new JsonObject { ["body"] = xml }, businessKey)).Id;

    public string PushDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument d)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(d);
        var request = new QimenDeliveryOrderCreateRequest
        {
            DeliveryOrder = new QimenDeliveryOrder
            {
                DeliveryOrderCode = d.DeliveryBn, OrderType = "JYCK", WarehouseCode = d.BranchBn, CreateTime = d.CreatedAt,
                TotalAmount = d.TotalAmount, LogisticsCode = d.LogiCode,
                SellerMessage = d.OrderBns.Count > 1 ? "合并发货：" + string.Join(",", d.OrderBns) : null,
                Receiver = new QimenReceiver
                {
                    Name = d.ReceiverName, Mobile = d.ReceiverMobile, Tel = d.ReceiverPhone, Province = d.ReceiverState, City = d.ReceiverCity,
                    Area = d.ReceiverDistrict, DetailAddress = d.ReceiverAddress, ZipCode = d.ReceiverZip,
                },
            },
            OrderLines = d.Lines.Select(l => new QimenOrderLine
            {
                OrderLineNo = l.LineNo.ToString(CultureInfo.InvariantCulture), SourceOrderCode = l.TradeCode, ItemCode = l.ItemCode,
                ItemName = l.ItemName ?? l.ItemCode, PlanQty = l.Quantity, ActualPrice = l.Price, InventoryType = l.InventoryType,
            }).ToList(),
        };
        return Add(db, channel, QimenMethods.DeliveryOrderCreate, request.ToXml(), d.DeliveryBn);
    }

    public string CancelDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument d, string reason)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(d);
        var request = new QimenOrderCancelRequest
        {
            OrderCode = d.DeliveryBn, WarehouseCode = d.BranchBn, OrderType = "JYCK", OrderId = d.OutDeliveryBn, CancelReason = reason,
        };
        return Add(db, channel, QimenMethods.OrderCancel, request.ToXml(), d.DeliveryBn);
    }

    public string QueryDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument d)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(d);
        var request = new QimenDeliveryOrderQueryRequest { OrderCode = d.DeliveryBn, WarehouseCode = d.BranchBn, OrderId = d.OutDeliveryBn };
        return Add(db, channel, QimenMethods.DeliveryOrderQuery, request.ToXml(), d.DeliveryBn);
    }

    public string PushItem(OmsDbContext db, WmsChannel channel, BasicMaterial m, bool isNew)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(m);
        var request = new QimenSingleItemSynchronizeRequest
        {
            ActionType = isNew ? QimenSingleItemSynchronizeRequest.Add : QimenSingleItemSynchronizeRequest.Update,
            OwnerCode = channel.CustomerId, ItemCode = m.MaterialBn, ItemName = m.Name, BarCode = m.Barcode, StockUnit = m.Unit,
            GrossWeight = m.Weight, RetailPrice = m.RetailPrice, CostPrice = m.Cost, IsValid = m.Sellable,
        };
        return Add(db, channel, QimenMethods.SingleItemSynchronize, request.ToXml(), m.MaterialBn);
    }
}

/// <summary>
/// <c>qimen.send</c> (kind <c>rpc</c>): sends one outbox message of a Qimen channel — the body signed with the channel's
/// current secret (PROTOCOL.md §4) and posted to its <c>api_url</c>, every attempt in the API log (peer = the channel code,
/// query and body with the sign masked). The answer is synchronous: <c>success</c> ends the message; <c>failure</c>, a
/// transport error or an incomplete channel fails the task, so the queue retries with back-off and, after the last attempt,
/// the message becomes <c>failed</c> (failed list, manual retry) — as <see cref="MatrixSendHandler"/> does for the matrix.
/// The final outcome goes to the method's <see cref="IOutboxOutcome"/> in the same transaction.
/// </summary>
public sealed class QimenSendHandler(
    OmsDbContext db, QimenClient client, SettingsService settings, ApiLogWriter apiLog, TaskRegistry registry, TimeProvider clock,
    OutboxOutcomes outcomes) : ITaskHandler
{
    public const string Type = OutboxSendTasks.Qimen;

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = cancellationToken;
        var (message, skip) = await OutboxSend.OpenAsync(db, context.Payload, ct).ConfigureAwait(false);
        if (message is null) return skip!.Value;
        var id = message.Id;

        var last = context.Attempt >= registry.Get(Type).MaxAttempts;
        var attempt = message.Attempts + 1;
        var channel = await db.Set<WmsChannel>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == message.PeerId, ct).ConfigureAwait(false);
        var body = JsonNode.Parse(message.Parameters)?["body"]?.GetValue<string>() ?? "";
        QimenCallResult? call = null;
        QimenResponse reply;
        if (QimenWmsAdapter.Endpoint(channel) is not { } endpoint)
            reply = QimenResponse.Failure("config", $"WMS channel #{message.PeerId} no longer exists or is not a complete Qimen channel (api_url, app_key, secret)");
        else
        {
            var timeout = TimeSpan.FromSeconds(await settings.GetIntAsync("matrix.timeout_seconds", ct).ConfigureAwait(false));
            call = await client.SendAsync(endpoint, message.Method, body, timeout, ct).ConfigureAwait(false);
            reply = call.Response;
        }

        var logged = new Dictionary<string, string>(call?.Query ?? new Dictionary<string, string> { ["method"] = message.Method }, StringComparer.Ordinal)
        {
            ["body"] = body,
        };
        await apiLog.WriteAsync(new ApiLogEntry
        {
            Direction = ApiLogDirection.Out,
            Method = message.Method,
            Peer = channel?.ChannelBn ?? message.PeerNodeId,
            Parameters = ApiLogMasking.MaskForm(logged),
            Response = call?.ResponseBody,
            Status = reply.IsSuccess ? ApiLogStatus.Succ : ApiLogStatus.Fail,
            ErrorCode = reply.IsSuccess ? null : Cut(reply.Code, 32),
            Message = reply.IsSuccess ? null : reply.Message,
            DurationMs = (int)Math.Min(int.MaxValue, call?.Duration.TotalMilliseconds ?? 0),
            Attempt = attempt,
            BusinessKey = message.BusinessKey,
            OutboxId = message.Id,
        }, ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var response = call?.ResponseBody is { } rb ? ApiLogMasking.Cut(rb, 4000 - 20) : null;
        var open = db.Set<OutboxMessage>().Where(m => m.Id == id && (m.State == OutboxState.Pending || m.State == OutboxState.Failed));
        if (reply.IsSuccess)
        {
            await outcomes.SettleAsync(db, message, new OutboxOutcome(message, true, null, call?.ResponseBody), () => open.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, OutboxState.Succeeded).SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.LastError, (string?)null).SetProperty(m => m.Response, response)
                .SetProperty(m => m.UpdatedAt, now).SetProperty(m => m.CompletedAt, now), ct), ct).ConfigureAwait(false);
            return TaskResult.Success(OutboxState.Succeeded);
        }

        var reason = $"{reply.Code}: {reply.Message}";
        var next = last ? OutboxState.Failed : OutboxState.Pending;
        var error = ApiLogMasking.Cut(reason, 4000 - 20);
        await outcomes.SettleAsync(db, message, last ? new OutboxOutcome(message, false, reason, call?.ResponseBody) : null, () => open.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.State, next).SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LastError, error).SetProperty(m => m.Response, response)
            .SetProperty(m => m.UpdatedAt, now), ct), ct).ConfigureAwait(false);
        return TaskResult.Failure(reason);
    }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;

}

/// <summary>
/// Qimen delivery statuses (<c>deliveryOrder/status</c>) as the WMS statuses of <see cref="WmsDeliveryService"/>, and a
/// confirm (or a query's answer) as a <see cref="WmsStatusReport"/>: waybill = the first <c>packages/package/expressCode</c>,
/// carrier = its <c>logisticsCode</c>, weight / volume = the sum over the packages, warehouse number = <c>deliveryOrderId</c>.
/// </summary>
public static class QimenWmsStatuses
{
    /// <summary>
    /// ACCEPT, PRINT, PICK, CHECK, PACKAGE as they are; DELIVERED → DELIVERY; CANCELED / CANCELLED / CLOSED → CLOSE;
    /// EXCEPTION / REJECT → FAILED; NEW → true with null (nothing to apply). False for anything else (PARTDELIVERED:
    /// partial shipments are not supported).
    /// </summary>
    public static bool TryMap(string? qimenStatus, out string? wmsStatus)
    {
        wmsStatus = (qimenStatus ?? "").Trim().ToUpperInvariant() switch
        {
            var s and ("ACCEPT" or "PRINT" or "PICK" or "CHECK" or "PACKAGE") => s,
            QimenDeliveryStatus.Delivered => "DELIVERY",
            QimenDeliveryStatus.Canceled or "CANCELLED" or QimenDeliveryStatus.Closed => "CLOSE",
            QimenDeliveryStatus.Exception or QimenDeliveryStatus.Rejected => "FAILED",
            _ => null,
        };
        return wmsStatus is not null || string.Equals((qimenStatus ?? "").Trim(), QimenDeliveryStatus.New, StringComparison.OrdinalIgnoreCase);
    }

    public static WmsStatusReport Report(QimenDeliveryOrderConfirmRequest confirm, string wmsStatus)
    {
        ArgumentNullException.ThrowIfNull(confirm);
        var d = confirm.DeliveryOrder;
        var first = confirm.Packages.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.ExpressCode));
        var weights = confirm.Packages.Where(p => p.Weight is not null).Select(p => p.Weight!.Value).ToList();
        var volumes = confirm.Packages.Where(p => p.Volume is not null).Select(p => p.Volume!.Value).ToList();
        return new WmsStatusReport(d.DeliveryOrderCode, d.DeliveryOrderId, wmsStatus, first?.ExpressCode.Trim(), first?.LogisticsCode.Trim(),
            weights.Count > 0 ? weights.Sum() : null, volumes.Count > 0 ? volumes.Sum() : null, d.OperateTime);
    }
}

/// <summary>
/// The outbox's final outcomes of the Qimen adapter's delivery requests, handed to <see cref="WmsDeliveryService"/> like the
/// matrix's: the XML reply becomes the <c>data</c> the service reads (<c>out_delivery_bn</c> = <c>deliveryOrderId</c>; a
/// query's <c>deliveryOrder</c>/<c>packages</c> as <c>status</c>, <c>logi_no</c>, <c>logistics</c>, <c>weight</c>, …).
/// </summary>
internal sealed class QimenWmsOutcomes(WmsDeliveryService wms) : IOutboxOutcome
{
    public Task OnCompletedAsync(OutboxOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var m = outcome.Message;
        if (m.PeerKind != MatrixPeerKinds.Qimen) return Task.CompletedTask;
        switch (m.Method)
        {
            case QimenMethods.DeliveryOrderCreate:
                var created = Read(outcome.Answer);
                var data = new JsonObject();
                if (created?.Fields.GetValueOrDefault("deliveryOrderId") is { Length: > 0 } wmsId) data["out_delivery_bn"] = wmsId;
                return wms.OnPushOutcomeAsync(m.Id, outcome.Succeeded, outcome.Error, Answer(data), ct);
            case QimenMethods.OrderCancel:
                return wms.OnCancelOutcomeAsync(m.Id, outcome.Succeeded, outcome.Error, ct);
            case QimenMethods.DeliveryOrderQuery:
                if (!outcome.Succeeded) return wms.OnQueryOutcomeAsync(m.Id, false, outcome.Error, null, ct);
                QimenDeliveryOrderConfirmRequest state;
                try
                {
                    state = QimenDeliveryOrderConfirmRequest.FromResponse(Read(outcome.Answer) ?? throw new QimenXmlException("the reply is empty"));
                }
                catch (QimenXmlException e)
                {
                    return wms.OnQueryOutcomeAsync(m.Id, false, "发货单查询的答复无法读取：" + e.Message, null, ct);
                }
                if (!QimenWmsStatuses.TryMap(state.DeliveryOrder.Status, out var status))
                    return wms.OnQueryOutcomeAsync(m.Id, false, $"仓库答复的状态 {state.DeliveryOrder.Status} 不支持", null, ct);
                var q = new JsonObject();
                if (status is not null)
                {
                    var r = QimenWmsStatuses.Report(state, status);
                    q["status"] = status;
                    if (r.LogiNo is { } logiNo) q["logi_no"] = logiNo;
                    if (r.Logistics is { } logistics) q["logistics"] = logistics;
                    if (r.Weight is { } weight) q["weight"] = weight.ToString(CultureInfo.InvariantCulture);
                    if (r.Volume is { } volume) q["volume"] = volume.ToString(CultureInfo.InvariantCulture);
                    if (r.OperateTime is { } at) q["operate_time"] = ChinaTime.ToText(at);
                }
                if (state.DeliveryOrder.DeliveryOrderId is { } outBn) q["out_delivery_bn"] = outBn;
                return wms.OnQueryOutcomeAsync(m.Id, true, null, Answer(q), ct);
            default:
                return Task.CompletedTask;
        }
    }

    private static QimenResponse? Read(string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml)) return null;
        try
        {
            return QimenResponse.Parse(xml);
        }
        catch (QimenXmlException)
        {
            return null;
        }
    }

    private static string Answer(JsonObject data) => new JsonObject { ["rsp"] = "succ", ["data"] = data }.ToJsonString();
}

/// <summary>What <see cref="QimenWmsServer"/> answered, and what the API log records of it.</summary>
public sealed record QimenServerResult(QimenResponse Reply, string? Peer, string? BusinessKey);

/// <summary>
/// The OMS's Qimen server (<c>POST /qimen</c>, PROTOCOL.md §4): the call is checked by <see cref="QimenServerRequest"/> with
/// the secret of the Qimen WMS channel of that <c>app_key</c> (+ <c>customerId</c>); <c>taobao.qimen.deliveryorder.confirm</c>
/// goes through <see cref="WmsDeliveryService.ApplyStatusAsync"/> in one transaction (a refusal changes nothing and is
/// answered <c>failure</c> with the reason). The other server methods of §4 are answered <c>invalid-method</c> (not built yet).
/// </summary>
public sealed class QimenWmsServer(OmsDbContext db, WmsDeliveryService wms, TimeProvider clock)
{
    /// <summary>The Qimen channel of an app_key: the one with that customerId; without customerId, the only one with that key.</summary>
    public async Task<WmsChannel?> FindChannelAsync(string appKey, string customerId, CancellationToken ct)
    {
        var list = await db.Set<WmsChannel>().AsNoTracking().Where(c => c.Adapter == WmsAdapterNames.Qimen && c.AppKey == appKey)
            .OrderBy(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
        return string.IsNullOrEmpty(customerId) ? list.Count == 1 ? list[0] : null : list.FirstOrDefault(c => c.CustomerId == customerId);
    }

    public async Task<QimenServerResult> HandleAsync(IReadOnlyDictionary<string, string> query, string body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var call = await QimenServerRequest.ReadAsync(query, body, async (appKey, customerId, c) =>
            (await FindChannelAsync(appKey, customerId, c).ConfigureAwait(false))?.Secret, clock.GetUtcNow().UtcDateTime, ct: ct).ConfigureAwait(false);
        var appKeyPeer = string.IsNullOrEmpty(call.AppKey) ? null : "qimen:" + call.AppKey;
        var key = call.DeliveryOrderConfirm?.DeliveryOrder.DeliveryOrderCode ?? BusinessKeyOf(call);
        if (!call.IsValid) return new QimenServerResult(call.Failure!, appKeyPeer, key);
        var channel = await FindChannelAsync(call.AppKey, call.CustomerId, ct).ConfigureAwait(false);
        if (channel is null) return new QimenServerResult(QimenResponse.Failure(QimenErrorCodes.InvalidAppKey, $"app_key {call.AppKey} is not bound to a warehouse channel"), appKeyPeer, key);
        if (call.Method != QimenMethods.DeliveryOrderConfirm)
            return new QimenServerResult(QimenResponse.Failure(QimenErrorCodes.InvalidMethod,
                $"method {call.Method} is not supported by this OMS yet (only {QimenMethods.DeliveryOrderConfirm})"), channel.ChannelBn, key);
        return new QimenServerResult(await ConfirmAsync(channel, call.DeliveryOrderConfirm!, ct).ConfigureAwait(false), channel.ChannelBn, key);
    }

    private async Task<QimenResponse> ConfirmAsync(WmsChannel channel, QimenDeliveryOrderConfirmRequest confirm, CancellationToken ct)
    {
        var d = confirm.DeliveryOrder;
        if (!QimenWmsStatuses.TryMap(d.Status, out var status))
            return QimenResponse.Failure(QimenErrorCodes.InvalidParameter,
                $"发货单 {d.DeliveryOrderCode} 的状态 {d.Status} 不支持（支持 ACCEPT、PRINT、PICK、CHECK、PACKAGE、DELIVERED、CANCELED、CLOSED、EXCEPTION、REJECT；暂不支持部分发货）");
        if (status is null) return QimenResponse.Success($"发货单 {d.DeliveryOrderCode} 状态 {d.Status}：无需处理");
        var report = QimenWmsStatuses.Report(confirm, status);
        if (status == "DELIVERY" && report.LogiNo is null)
            return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, $"发货单 {d.DeliveryOrderCode} 已发货（DELIVERED）但没有运单号（packages/package/expressCode），不能发货");
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            var r = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await wms.ApplyStatusAsync(channel, report, "qimen:" + channel.ChannelBn, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }).ConfigureAwait(false);
            return QimenResponse.Success($"{r.State}", fields: [new("deliveryOrderCode", r.DeliveryBn), new("state", r.State)]);
        }
        catch (Exception e) when (e is DomainException or ValidationException)
        {
            db.ChangeTracker.Clear();
            return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, e.Message);
        }
    }

    private static string? BusinessKeyOf(QimenServerRequest call)
    {
        var root = call.Root;
        if (root is null)
        {
            // refused before the body was read (sign, app_key, …): the API log is still searchable by the document
            try
            {
                root = QimenXml.ParseRoot(call.Body, "request");
            }
            catch (QimenXmlException)
            {
                return null;
            }
        }
        foreach (var (parent, name) in new[] { ("deliveryOrder", "deliveryOrderCode"), ("entryOrder", "entryOrderCode"), ("returnOrder", "returnOrderCode") })
            if (root.Element(parent)?.Element(name)?.Value is { Length: > 0 } v) return v.Trim();
        return root.Element("orderCode")?.Value is { Length: > 0 } oc ? oc.Trim() : null;
    }
}
