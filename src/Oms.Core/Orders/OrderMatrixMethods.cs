using System.Text.Json;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Tasks;

namespace Oms.Orders;

// The shop-side methods of PROTOCOL.md §2. Field names the protocol leaves open follow ONEX OMS;
// where senders differ, the alternative name is accepted too (e.g. lastmodify for modified).

/// <summary><c>ome.order.add</c>: upsert; with <c>order.intake_async</c> the push is queued and answered <c>queued</c>.</summary>
internal sealed class OrderAddMatrixMethod(OrderIntakeService intake, ShopService shops, SettingsService settings,
    OmsDbContext db, ITaskQueue queue, TaskRegistry registry) : IMatrixBatchMethod
{
    public const string AsyncSetting = "order.intake_async";
    public const string MethodName = "ome.order.add";

    /// <summary>The push of a call, parsed once (read ahead on the caller's thread when the call is batched, <see cref="MatrixPayloadReader"/>).</summary>
    public static OrderPush PushOf(MatrixRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Payload(OrderPush.Read);
    }

    public string Name => MethodName;

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var push = PushOf(request);
        if (await settings.GetBoolAsync(AsyncSetting, ct).ConfigureAwait(false))
        {
            // written in the gateway's transaction: committed (durable) before the answer leaves
            queue.Enqueue(db, [registry.Message(OrderIntakeTaskHandler.Type, OrderIntakeTaskHandler.Payload(shopId, request.Actor, push))]);
            return new { order_bn = push.OrderBn, state = IntakeStates.Queued };
        }
        var shop = await MatrixOrders.ShopAsync(shops, request, ct).ConfigureAwait(false);
        var r = await intake.UpsertAsync(shop, push, request.Actor, ct).ConfigureAwait(false);
        return new { order_bn = push.OrderBn, order_id = r.OrderId, state = r.State };
    }

    /// <summary>
    /// PostgreSQL: the locks of the set's orders, which of them exist and ids for those that do not
    /// (<see cref="OrderIntakeService.AppendPrepareMany"/>), in the set's first command. Nothing for queued intake.
    /// </summary>
    public async Task<ResultReader<object?>?> PrepareAsync(IReadOnlyList<MatrixRequest> requests, SqlBatch first, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(first);
        if (!first.IsNpgsql || await settings.GetBoolAsync(AsyncSetting, ct).ConfigureAwait(false)) return null;
        var pushes = new List<(long ShopId, OrderPush Push)>(requests.Count);
        foreach (var r in requests)
        {
            try
            {
                pushes.Add((r.ShopId, PushOf(r)));
            }
            catch (Exception e) when (e is ValidationException or DomainException)
            {
                // refused in InvokeManyAsync, as it would be alone
            }
        }
        if (pushes.Count == 0) return null;
        var read = intake.AppendPrepareMany(first, pushes);
        return async (reader, c) => await read(reader, c).ConfigureAwait(false);
    }

    /// <summary>
    /// New orders of a batch created set-wise (<see cref="OrderIntakeService.CreateManyAsync"/>); a push that updates an
    /// existing order — or repeats one created earlier in the batch — runs alone; queued intake runs every call alone.
    /// </summary>
    public async Task<IReadOnlyList<MatrixBatchOutcome>> InvokeManyAsync(IReadOnlyList<MatrixRequest> requests, object? prepared, SqlBatch writes, CancellationToken ct)
    {
        var outcomes = new MatrixBatchOutcome[requests.Count];
        if (await settings.GetBoolAsync(AsyncSetting, ct).ConfigureAwait(false))
        {
            Array.Fill(outcomes, MatrixBatchOutcome.Alone);
            return outcomes;
        }
        var pushes = new List<NewOrderPush>(requests.Count);
        var at = new List<int>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                _ = requests[i].ShopId;
                var push = PushOf(requests[i]);
                var shop = await MatrixOrders.ShopAsync(shops, requests[i], ct).ConfigureAwait(false);
                pushes.Add(new NewOrderPush(shop, push, requests[i].Actor));
                at.Add(i);
            }
            catch (Exception e) when (e is ValidationException or DomainException)
            {
                outcomes[i] = MatrixBatchOutcome.Refused(e);
            }
        }
        var results = await intake.CreateManyAsync(pushes, prepared as IntakePreparation, writes, ct).ConfigureAwait(false);
        for (var n = 0; n < pushes.Count; n++)
            outcomes[at[n]] = results[n] is { } r
                ? MatrixBatchOutcome.Done(new { order_bn = pushes[n].Push.OrderBn, order_id = r.OrderId, state = r.State })
                : MatrixBatchOutcome.Alone;
        return outcomes;
    }
}

/// <summary><c>ome.order.status_update</c>: <c>order_bn</c>, <c>status</c> (only <c>dead</c>), optional <c>modified</c>.</summary>
internal sealed class OrderStatusUpdateMatrixMethod(OrderIntakeService intake) : IMatrixMethod
{
    public string Name => "ome.order.status_update";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = request.RequiredText("order_bn", OrderLimits.BnLength);
        var status = OrderPush.ParseStatus(request.Required("status"));
        var r = await intake.SetStatusAsync(shopId, bn, status, MatrixOrders.Modified(request), request.Actor, ct).ConfigureAwait(false);
        return MatrixOrders.Answer(bn, r);
    }
}

/// <summary><c>ome.order.pay_status_update</c>: <c>order_bn</c>, <c>pay_status</c>, optional <c>payed</c>, <c>paytime</c>, <c>modified</c>.</summary>
internal sealed class OrderPayStatusUpdateMatrixMethod(OrderIntakeService intake) : IMatrixMethod
{
    public string Name => "ome.order.pay_status_update";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = request.RequiredText("order_bn", OrderLimits.BnLength);
        var status = (PayStatus)(request.OptionalInt("pay_status", 0, 8) ?? throw new ValidationException("pay_status", "pay_status is required"));
        var r = await intake.SetPayStatusAsync(shopId, bn, status, request.OptionalMoney("payed"),
            request.OptionalTime("paytime") ?? request.OptionalTime("pay_time"), MatrixOrders.Modified(request), request.Actor, ct).ConfigureAwait(false);
        return MatrixOrders.Answer(bn, r);
    }
}

/// <summary><c>ome.order.memo_update</c>: <c>order_bn</c>, <c>mark_text</c> (or <c>memo</c>), optional flag <c>mark_type</c>.</summary>
internal sealed class OrderMemoUpdateMatrixMethod(OrderIntakeService intake) : IMatrixMethod
{
    public string Name => "ome.order.memo_update";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = request.RequiredText("order_bn", OrderLimits.BnLength);
        var text = request.OptionalText("mark_text", 2000) ?? request.OptionalText("memo", 2000);
        var flag = request.OptionalText("mark_type", 20);
        if (text is null && flag is null) throw new ValidationException("mark_text", "mark_text is required");
        var r = await intake.SetMemoAsync(shopId, bn, MemoKind.Seller, text, flag, request.Actor, ct).ConfigureAwait(false);
        return MatrixOrders.Answer(bn, r);
    }
}

/// <summary><c>ome.order.custom_mark_update</c>: <c>order_bn</c>, <c>custom_mark</c> (or <c>memo</c>).</summary>
internal sealed class OrderCustomMarkUpdateMatrixMethod(OrderIntakeService intake) : IMatrixMethod
{
    public string Name => "ome.order.custom_mark_update";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = request.RequiredText("order_bn", OrderLimits.BnLength);
        var text = request.OptionalText("custom_mark", 2000) ?? request.OptionalText("memo", 2000)
                   ?? throw new ValidationException("custom_mark", "custom_mark is required");
        var r = await intake.SetMemoAsync(shopId, bn, MemoKind.Buyer, text, null, request.Actor, ct).ConfigureAwait(false);
        return MatrixOrders.Answer(bn, r);
    }
}

/// <summary><c>ome.payment.add</c>: <c>order_bn</c>, <c>money</c>, <c>trade_no</c> (or <c>payment_bn</c>), <c>pay_time</c>, <c>paymethod</c>, <c>account</c>, <c>pay_account</c>, <c>memo</c>.</summary>
internal sealed class PaymentAddMatrixMethod(OrderIntakeService intake) : IMatrixMethod
{
    public string Name => "ome.payment.add";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = request.RequiredText("order_bn", OrderLimits.BnLength);
        var payment = new PaymentPush(
            request.OptionalText("trade_no", OrderLimits.BnLength) ?? request.OptionalText("payment_bn", OrderLimits.BnLength),
            request.OptionalMoney("money") ?? throw new ValidationException("money", "money is required"),
            request.OptionalText("paymethod", 100) ?? request.OptionalText("pay_method", 100),
            request.OptionalTime("pay_time") ?? request.OptionalTime("paytime"),
            request.OptionalText("account", 100), request.OptionalText("pay_account", 100), request.OptionalText("memo", 500));
        var r = await intake.AddPaymentAsync(shopId, bn, payment, request.Actor, ct).ConfigureAwait(false);
        return MatrixOrders.Answer(bn, r);
    }
}

/// <summary><c>ome.refund.add</c>: <c>refund_bn</c>, <c>order_bn</c>, <c>money</c> (or <c>refund_fee</c>), <c>status</c>, <c>reason</c>; stored whole.</summary>
internal sealed class RefundAddMatrixMethod(AfterSaleRequestService requests) : IMatrixMethod
{
    public string Name => "ome.refund.add";

    public Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct) =>
        MatrixOrders.StoreRequestAsync(requests, request, AfterSaleKinds.Refund, ["refund_bn", "refund_id"], ct);
}

/// <summary><c>ome.refund.status_update</c>: <c>refund_bn</c>, <c>status</c>.</summary>
internal sealed class RefundStatusUpdateMatrixMethod(AfterSaleRequestService requests) : IMatrixMethod
{
    public string Name => "ome.refund.status_update";

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = request.OptionalText("refund_bn", OrderLimits.BnLength) ?? request.RequiredText("refund_id", OrderLimits.BnLength);
        var status = request.RequiredText("status", 40);
        var r = await requests.SetStatusAsync(shopId, AfterSaleKinds.Refund, bn, status, request.Actor, ct).ConfigureAwait(false);
        return new { refund_bn = bn, state = r.State };
    }
}

/// <summary><c>ome.aftersale.add</c>: <c>aftersale_bn</c> (or <c>return_bn</c>), <c>order_bn</c>, <c>status</c>, <c>money</c>, <c>reason</c>; stored whole.</summary>
internal sealed class AfterSaleAddMatrixMethod(AfterSaleRequestService requests) : IMatrixMethod
{
    public string Name => "ome.aftersale.add";

    public Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct) =>
        MatrixOrders.StoreRequestAsync(requests, request, AfterSaleKinds.AfterSale, ["aftersale_bn", "return_bn", "aftersale_id"], ct);
}

/// <summary><c>ome.aftersalev2.add</c>: as <c>ome.aftersale.add</c> (the newer platforms' shape; stored whole).</summary>
internal sealed class AfterSaleV2AddMatrixMethod(AfterSaleRequestService requests) : IMatrixMethod
{
    public string Name => "ome.aftersalev2.add";

    public Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct) =>
        MatrixOrders.StoreRequestAsync(requests, request, AfterSaleKinds.AfterSale, ["aftersale_bn", "return_bn", "aftersale_id"], ct);
}

internal static class MatrixOrders
{
    /// <summary>The system parameters of §2: not part of what an after-sale request stores.</summary>
    private static readonly HashSet<string> SystemParameters = new(StringComparer.Ordinal)
        { "method", "node_id", "date", "format", "v", "app_id", "certi_id", "task", "sign" };

    public static DateTime? Modified(MatrixRequest r) => r.OptionalTime("modified") ?? r.OptionalTime("lastmodify");

    public static object Answer(string orderBn, IntakeResult r) => new { order_bn = orderBn, order_id = r.OrderId, state = r.State };

    public static async Task<ShopInfo> ShopAsync(ShopService shops, MatrixRequest request, CancellationToken ct) =>
        await shops.LookupByNodeIdAsync(request.Node.NodeId, ct).ConfigureAwait(false)
        ?? throw new DomainException($"node {request.Node.NodeId} is no longer bound to a shop");

    public static async Task<object?> StoreRequestAsync(AfterSaleRequestService requests, MatrixRequest request, string kind, string[] bnFields, CancellationToken ct)
    {
        var shopId = request.ShopId;
        var bn = bnFields.Select(f => request.OptionalText(f, OrderLimits.BnLength)).FirstOrDefault(v => v is not null)
                 ?? throw new ValidationException(bnFields[0], $"{bnFields[0]} is required");
        var orderBn = request.RequiredText("order_bn", OrderLimits.BnLength);
        var money = request.OptionalMoney("money") ?? request.OptionalMoney("refund_fee");
        var reason = request.OptionalText("reason", 500) ?? request.OptionalText("problem_name", 500);
        var payload = JsonSerializer.Serialize(request.Parameters.Where(kv => !SystemParameters.Contains(kv.Key))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value));
        var r = await requests.UpsertAsync(shopId, kind, bn, orderBn, request.OptionalText("status", 40), money, reason, payload, request.Actor, ct).ConfigureAwait(false);
        return kind == AfterSaleKinds.Refund
            ? new { refund_bn = bn, order_bn = orderBn, state = r.State }
            : (object)new { aftersale_bn = bn, order_bn = orderBn, state = r.State };
    }
}
