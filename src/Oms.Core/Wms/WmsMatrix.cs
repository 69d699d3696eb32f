using Oms.Common;
using Oms.Integration.Matrix;
using Oms.Outbox;
using Oms.Tasks;

namespace Oms.Wms;

/// <summary>The outbox's final outcomes of the matrix adapter's delivery requests, handed to <see cref="WmsDeliveryService"/>.</summary>
internal sealed class MatrixWmsOutcomes(WmsDeliveryService wms) : IOutboxOutcome
{
    public Task OnCompletedAsync(OutboxOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var m = outcome.Message;
        if (m.PeerKind != MatrixPeerKinds.Wms) return Task.CompletedTask;
        return m.Method switch
        {
            WmsMethods.SaleOrderCreate => wms.OnPushOutcomeAsync(m.Id, outcome.Succeeded, outcome.Error, outcome.Answer, ct),
            WmsMethods.SaleOrderCancel => wms.OnCancelOutcomeAsync(m.Id, outcome.Succeeded, outcome.Error, ct),
            WmsMethods.SaleOrderGet => wms.OnQueryOutcomeAsync(m.Id, outcome.Succeeded, outcome.Error, outcome.Answer, ct),
            _ => Task.CompletedTask,
        };
    }
}

/// <summary>
/// <c>wms.delivery.status_update</c> (PROTOCOL.md §2, warehouse side): only a WMS channel's node may call it, for a
/// delivery of one of its branches (by <c>delivery_bn</c>, else <c>out_delivery_bn</c>).
/// </summary>
internal sealed class WmsDeliveryStatusMethod(WmsDeliveryService wms, WmsChannelService channels) : IMatrixMethod
{
    public string Name => "wms.delivery.status_update";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Node.Kind != MatrixNodeKinds.Wms)
            throw new DomainException($"method {Name} is for WMS channels; node {request.Node.NodeId} is a {request.Node.Kind}");
        var bn = request.OptionalText("delivery_bn", 40);
        var outBn = request.OptionalText("out_delivery_bn", 64);
        if (bn is null && outBn is null) throw new ValidationException("delivery_bn", "delivery_bn is required (or out_delivery_bn)");
        var status = request.Required("status").Trim().ToUpperInvariant();
        if (!WmsDeliveryService.Statuses.Contains(status))
            throw new ValidationException("status", $"status '{status}' is not one of {string.Join(", ", WmsDeliveryService.Statuses)}");
        var logiNo = request.OptionalText("logi_no", 64);
        if (status == "DELIVERY" && logiNo is null) throw new ValidationException("logi_no", "logi_no is required for DELIVERY");
        // item lists the shipped lines; partial shipments are not supported, so it is checked for shape only
        request.OptionalJson("item", System.Text.Json.JsonValueKind.Array);
        var report = new WmsStatusReport(bn, outBn, status, logiNo, request.OptionalText("logistics", 40), request.OptionalMoney("weight"),
            request.OptionalMoney("volume"), request.OptionalTime("operate_time"), request.OptionalText("remark", 500));
        var channel = await channels.FindByIdAsync(request.Node.Id, ct).ConfigureAwait(false)
                      ?? throw new DomainException($"WMS 渠道 #{request.Node.Id} 不存在");
        var r = await wms.ApplyStatusAsync(channel, report, request.Actor, ct).ConfigureAwait(false);
        return new { delivery_bn = r.DeliveryBn, status = r.Status, state = r.State };
    }
}

/// <summary>Timer <c>wms-poll</c> (every 5 minutes): <see cref="WmsDeliveryService.PollAsync"/>.</summary>
public sealed class WmsPollHandler(WmsDeliveryService wms) : ITaskHandler
{
    public const string TimerName = "wms-poll";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var n = await wms.PollAsync(ct: cancellationToken).ConfigureAwait(false);
        return TaskResult.Success($"{n} deliveries queried at third-party warehouses");
    }
}
