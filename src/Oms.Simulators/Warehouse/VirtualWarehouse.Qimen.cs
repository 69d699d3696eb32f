using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Oms.Common;
using Oms.Integration.Qimen;

namespace Oms.Simulators.Warehouse;

public sealed partial class VirtualWarehouse
{
    private async Task QimenAsync(HttpContext http)
    {
        var arrived = Now;
        string body;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in http.Request.Query) query[k] = v.ToString();

        var call = await QimenServerRequest.ReadAsync(query, body, SecretAsync, Now, QimenServed, ct: http.RequestAborted).ConfigureAwait(false);
        var code = call.Root is { } root ? OrderCodeOf(root) : "";
        var behavior = _orders.TryGetValue(code, out var existing) ? existing.Behavior : BehaviorFor(code);
        QimenResponse answer;
        if (call.Failure is { } failure) answer = failure;
        else
        {
            try
            {
                answer = call.Method switch
                {
                    QimenMethods.DeliveryOrderCreate => QimenCreate(call.Root!, behavior),
                    QimenMethods.OrderCancel => QimenCancel(QimenOrderCancelRequest.Parse(call.Body)),
                    // item master data: taken as it is (the warehouse keeps no catalogue)
                    QimenMethods.SingleItemSynchronize => QimenResponse.Success("item synchronized"),
                    _ => QimenQuery(QimenDeliveryOrderQueryRequest.Parse(call.Body)),
                };
            }
            catch (QimenXmlException e)
            {
                answer = QimenResponse.Failure(QimenErrorCodes.InvalidParameter, e.Message);
            }
        }
        var signOk = call.Failure?.Code is not (QimenErrorCodes.MissingParameter or QimenErrorCodes.InvalidAppKey or QimenErrorCodes.SignCheckFailure);
        var text = answer.ToXml();
        Record(new WarehouseReceived(WarehouseProtocol.Qimen, call.Method, code, query, body, signOk, text, arrived));
        if (!await HoldAnswerAsync(behavior, http).ConfigureAwait(false)) return;
        http.Response.ContentType = QimenXml.ContentType;
        await http.Response.WriteAsync(text, http.RequestAborted).ConfigureAwait(false);
    }

    private ValueTask<string?> SecretAsync(string appKey, string customerId, CancellationToken ct) =>
        ValueTask.FromResult(
            _options.QimenSecret.Length > 0 && appKey == _options.QimenAppKey
            && (_options.QimenCustomerId.Length == 0 || customerId == _options.QimenCustomerId)
                ? _options.QimenSecret
                : null);

    private static string OrderCodeOf(XElement root) =>
        root.Element("deliveryOrder")?.Element("deliveryOrderCode")?.Value.Trim() ?? root.Element("orderCode")?.Value.Trim() ?? "";

    private QimenResponse QimenCreate(XElement root, WarehouseBehavior behavior)
    {
        var request = QimenDeliveryOrderCreateRequest.Read(root);
        var code = request.DeliveryOrder.DeliveryOrderCode;
        if (behavior.RefuseCreate) return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, $"{code} refused by the warehouse (simulated refuse-create)");
        if (_orders.TryGetValue(code, out var known) && known.Cancelled)
            return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, $"{code} was cancelled in the warehouse and cannot be created again");
        var order = known ?? AddOrder(WarehouseProtocol.Qimen, code, request.DeliveryOrder.WarehouseCode, request.DeliveryOrder.LogisticsCode ?? "",
            request.OrderLines.Select(l => new WarehouseLine(l.ItemCode, l.PlanQty, l.ItemName, l.OrderLineNo)).ToList(), behavior);
        var s = order.Snapshot();
        return QimenResponse.Success("ok", fields:
        [
            new("deliveryOrderId", s.WmsCode), new("warehouseCode", s.WarehouseCode), new("logisticsCode", s.LogisticsCode),
            new("createTime", ChinaTime.ToText(s.CreatedUtc)),
        ]);
    }

    private QimenResponse QimenCancel(QimenOrderCancelRequest request)
    {
        if (!_orders.TryGetValue(request.OrderCode, out var order))
            return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, $"{request.OrderCode} is not known to the warehouse");
        var refused = order.TryCancel(Now);
        if (refused is not null) return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, refused);
        Changed();
        return QimenResponse.Success("cancelled");
    }

    private QimenResponse QimenQuery(QimenDeliveryOrderQueryRequest request)
    {
        if (!_orders.TryGetValue(request.OrderCode, out var order))
            return QimenResponse.Failure(QimenErrorCodes.BusinessRefused, $"{request.OrderCode} is not known to the warehouse");
        var status = order.ReportedStatus switch
        {
            WmsStatus.Delivery => QimenDeliveryStatus.Delivered,
            WmsStatus.Close => QimenDeliveryStatus.Canceled,
            WmsStatus.Failed => QimenDeliveryStatus.Exception,
            var other => other,
        };
        return QimenResponse.Success("ok") with { Extra = Confirmation(order, status).ToElements() };
    }

    /// <summary>The order as a confirm (and a query's answer): one package with the waybill once there is one, each line's actual quantity.</summary>
    private QimenDeliveryOrderConfirmRequest Confirmation(HeldOrder order, string status)
    {
        var s = order.Snapshot();
        var shipped = status == QimenDeliveryStatus.Delivered;
        return new QimenDeliveryOrderConfirmRequest
        {
            DeliveryOrder = new QimenConfirmedDeliveryOrder
            {
                DeliveryOrderCode = s.OrderCode, DeliveryOrderId = s.WmsCode, WarehouseCode = s.WarehouseCode, OrderType = "JYCK",
                Status = status, OutBizCode = s.WmsCode + "-" + status, ConfirmType = 0, OperateTime = s.OperateUtc ?? s.CreatedUtc,
            },
            Packages = s.LogiNo is null ? [] :
            [
                new QimenPackage
                {
                    LogisticsCode = s.LogisticsCode, ExpressCode = s.LogiNo, Weight = order.Weight,
                    Items = s.Lines.Select(l => new QimenPackageItem(l.ItemCode, l.Quantity)).ToList(),
                },
            ],
            OrderLines = s.Lines.Select(l => new QimenConfirmLine
            {
                OrderLineNo = l.LineNo, ItemCode = l.ItemCode, PlanQty = l.Quantity, ActualQty = shipped ? l.Quantity : 0, InventoryType = "ZP",
            }).ToList(),
        };
    }

    /// <summary><c>taobao.qimen.deliveryorder.confirm</c> (DELIVERED) to <c>{oms}/qimen</c>; a repeat carries the same outBizCode.</summary>
    private async Task SendConfirmAsync(HeldOrder order, CancellationToken ct)
    {
        var confirm = Confirmation(order, QimenDeliveryStatus.Delivered);
        var endpoint = new QimenEndpoint(_options.OmsUrl.ToString().TrimEnd('/') + "/qimen", _options.QimenAppKey, _options.QimenSecret, _options.QimenCustomerId);
        for (var attempt = 1; attempt <= Math.Max(1, _options.CallbackAttempts); attempt++)
        {
            if (attempt > 1) await Task.Delay(order.Behavior.Delay ?? _options.Delay, ct).ConfigureAwait(false);
            var sentAt = Now;
            var result = await _qimen.DeliveryOrderConfirmAsync(endpoint, confirm, _options.CallbackTimeout, ct).ConfigureAwait(false);
            Record(new WarehouseSent(WarehouseProtocol.Qimen, QimenMethods.DeliveryOrderConfirm, order.Code, WmsStatus.Delivery,
                confirm.DeliveryOrder.OutBizCode!, result.Query, result.RequestBody, result.IsSuccess,
                result.ResponseBody ?? "error: " + result.Response.Message, attempt, sentAt));
            if (result.IsSuccess) return;
        }
    }
}
