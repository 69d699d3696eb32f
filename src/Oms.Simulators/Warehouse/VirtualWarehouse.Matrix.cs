using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Oms.Common;
using Oms.Integration;
using Oms.Simulators.Matrix;

namespace Oms.Simulators.Warehouse;

/// <summary>Matrix method names the warehouse takes and sends (PROTOCOL.md §2–3).</summary>
public static class WmsMatrixMethods
{
    public const string SaleOrderCreate = "store.wms.saleorder.create";
    public const string SaleOrderCancel = "store.wms.saleorder.cancel";
    public const string SaleOrderGet = "store.wms.saleorder.get";
    public const string ItemAdd = "store.wms.item.add";
    public const string ItemUpdate = "store.wms.item.update";
    public const string DeliveryStatusUpdate = "wms.delivery.status_update";
}

public sealed partial class VirtualWarehouse
{
    private sealed class Refusal(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private static string Succ(object data) => JsonSerializer.Serialize(new { rsp = "succ", res = "", data }, Json);

    private static string Fail(string res, string msg) => JsonSerializer.Serialize(new { rsp = "fail", res, msg, data = (object?)null }, Json);

    private async Task MatrixAsync(HttpContext http)
    {
        var arrived = Now;
        var f = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var form = new Dictionary<string, string>(f.Count, StringComparer.Ordinal);
        foreach (var (k, v) in f) form[k] = v.ToString();
        var method = form.GetValueOrDefault("method") ?? "";
        var code = form.GetValueOrDefault("out_order_code") ?? "";
        // the OMS signs JSON-valued fields as structures (PROTOCOL.md §3): verify as a receiver does
        var signOk = _options.Token.Length > 0
                     && MatrixSignature.Matches(form.GetValueOrDefault("sign"), MatrixSignature.Sign(FakeMatrixRecorder.Decode(form), _options.Token));
        var behavior = _orders.TryGetValue(code, out var existing) ? existing.Behavior : BehaviorFor(code);
        string answer;
        if (!signOk) answer = Fail("4003", "sign error");
        else if (form.TryGetValue("to_node_id", out var to) && to.Length > 0 && to != _options.NodeId)
            answer = Fail("4004", $"to_node_id {to} is not this warehouse (node {_options.NodeId})");
        else
        {
            try
            {
                answer = method switch
                {
                    WmsMatrixMethods.SaleOrderCreate => MatrixCreate(form, code, behavior),
                    WmsMatrixMethods.SaleOrderCancel => MatrixCancel(code),
                    WmsMatrixMethods.SaleOrderGet => MatrixGet(code),
                    WmsMatrixMethods.ItemAdd or WmsMatrixMethods.ItemUpdate => MatrixItems(form),
                    _ => Fail("4001", $"method {method} is not supported by this warehouse"),
                };
            }
            catch (Refusal r)
            {
                answer = Fail(r.Code, r.Message);
            }
        }
        Record(new WarehouseReceived(WarehouseProtocol.Matrix, method, code, form, "", signOk, answer, arrived));
        if (!await HoldAnswerAsync(behavior, http).ConfigureAwait(false)) return;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);
    }

    private string MatrixCreate(Dictionary<string, string> form, string code, WarehouseBehavior behavior)
    {
        if (code.Length == 0) throw new Refusal("4006", "out_order_code is required");
        if (behavior.RefuseCreate) throw new Refusal("4007", $"{code} refused by the warehouse (simulated refuse-create)");
        if (_orders.TryGetValue(code, out var known))
        {
            if (known.Cancelled) throw new Refusal("4007", $"{code} was cancelled in the warehouse and cannot be created again");
            return CreatedAnswer(known);
        }
        var lines = ReadMatrixItems(form.GetValueOrDefault("items"));
        var order = AddOrder(WarehouseProtocol.Matrix, code, form.GetValueOrDefault("warehouse_code") ?? "",
            form.GetValueOrDefault("logistics_code") ?? "", lines, behavior);
        return CreatedAnswer(order);
    }

    private static string CreatedAnswer(HeldOrder o) =>
        Succ(new { out_order_code = o.Code, out_delivery_bn = o.WmsCode, wms_order_code = o.WmsCode });

    /// <summary><c>items</c>: <c>{"item":[{item_code, item_quantity, item_name, item_line_num, …}]}</c> (a bare list is read too).</summary>
    private static List<WarehouseLine> ReadMatrixItems(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) throw new Refusal("4006", "items is required");
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { throw new Refusal("4006", "items is not JSON"); }
        var list = (node as JsonObject)?["item"] as JsonArray ?? node as JsonArray
                   ?? throw new Refusal("4006", "items must be {\"item\":[…]}");
        var lines = new List<WarehouseLine>();
        foreach (var (entry, i) in list.Select((e, i) => (e as JsonObject, i)))
        {
            var at = $"items.item[{i.ToString(CultureInfo.InvariantCulture)}]";
            var itemCode = Str(entry?["item_code"]);
            if (string.IsNullOrEmpty(itemCode)) throw new Refusal("4006", at + ".item_code is required");
            if (!int.TryParse(Str(entry?["item_quantity"]), NumberStyles.None, CultureInfo.InvariantCulture, out var qty) || qty < 1)
                throw new Refusal("4006", at + ".item_quantity must be a whole number of at least 1");
            lines.Add(new WarehouseLine(itemCode, qty, Str(entry?["item_name"]), Str(entry?["item_line_num"])));
        }
        if (lines.Count == 0) throw new Refusal("4006", "items has no item");
        return lines;
    }

    private static string? Str(JsonNode? n) => n is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;

    private string MatrixCancel(string code)
    {
        if (code.Length == 0) throw new Refusal("4006", "out_order_code is required");
        if (!_orders.TryGetValue(code, out var order)) throw new Refusal("4007", $"{code} is not known to the warehouse");
        var refused = order.TryCancel(Now);
        if (refused is not null) throw new Refusal("4007", refused);
        Changed();
        return Succ(new { out_order_code = code, out_delivery_bn = order.WmsCode, status = WmsStatus.Close });
    }

    private string MatrixGet(string code)
    {
        if (code.Length == 0) throw new Refusal("4006", "out_order_code is required");
        if (!_orders.TryGetValue(code, out var order)) throw new Refusal("4007", $"{code} is not known to the warehouse");
        var s = order.Snapshot();
        return Succ(new
        {
            out_order_code = s.OrderCode,
            out_delivery_bn = s.WmsCode,
            wms_order_code = s.WmsCode,
            status = order.ReportedStatus,
            logi_no = s.LogiNo ?? "",
            logistics = s.LogisticsCode,
            warehouse = s.WarehouseCode,
            weight = order.WeightText,
            item = ItemJson(s.Lines),
            operate_time = s.OperateUtc is { } t ? ChinaTime.ToText(t) : "",
        });
    }

    /// <summary>Item master data: each <c>item_code</c> (in <c>item_lists</c> or <c>items</c>) answered with the warehouse's own code.</summary>
    private static string MatrixItems(Dictionary<string, string> form)
    {
        var text = form.GetValueOrDefault("item_lists") ?? form.GetValueOrDefault("items") ?? "";
        var succ = new List<object>();
        try
        {
            var node = text.Length > 0 ? JsonNode.Parse(text) : null;
            var list = (node as JsonObject)?["item"] as JsonArray ?? node as JsonArray ?? [];
            foreach (var e in list.OfType<JsonObject>())
                if ((Str(e["item_code"]) ?? Str(e["bn"])) is { Length: > 0 } c)
                    succ.Add(new { item_code = c, wms_item_code = "W-" + c });
        }
        catch (JsonException)
        {
            throw new Refusal("4006", "item_lists is not JSON");
        }
        return Succ(new { succ, error = Array.Empty<object>() });
    }

    /// <summary><c>[{"product_bn":"A","num":"2"}]</c>: numbers as strings, as ONEX's virtual WMS posts them.</summary>
    private static string ItemJson(IEnumerable<WarehouseLine> lines) =>
        JsonSerializer.Serialize(lines.Select(l => new { product_bn = l.ItemCode, num = l.Quantity.ToString(CultureInfo.InvariantCulture) }), Json);

    /// <summary>
    /// <c>wms.delivery.status_update</c> to <c>{oms}/api</c>, system parameters per PROTOCOL.md §2 and the fields
    /// ONEX's virtual WMS sends (delivery_bn, logistics, logi_no, warehouse, status, volume, weight, remark,
    /// operate_time, item) plus out_delivery_bn; a fresh task per status, the same task on each retry.
    /// </summary>
    private async Task SendStatusAsync(HeldOrder order, string status, CancellationToken ct)
    {
        var s = order.Snapshot();
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["method"] = WmsMatrixMethods.DeliveryStatusUpdate,
            ["node_id"] = _options.NodeId,
            ["date"] = ChinaTime.ToText(Now),
            ["format"] = "json",
            ["v"] = "1.0",
            ["app_id"] = "ecos.ome",
            ["task"] = NewTask(),
            ["delivery_bn"] = s.OrderCode,
            ["out_delivery_bn"] = s.WmsCode,
            ["status"] = status,
            ["logistics"] = s.LogisticsCode,
            ["warehouse"] = s.WarehouseCode,
            ["weight"] = order.WeightText,
            ["volume"] = "",
            ["item"] = ItemJson(s.Lines),
            ["operate_time"] = ChinaTime.ToText(s.OperateUtc ?? Now),
            ["remark"] = "",
        };
        if (s.LogiNo is not null) form["logi_no"] = s.LogiNo;
        form["sign"] = MatrixSignature.Sign(form.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), _options.Token);
        var url = new Uri(_options.OmsUrl.ToString().TrimEnd('/') + "/api");
        for (var attempt = 1; attempt <= Math.Max(1, _options.CallbackAttempts); attempt++)
        {
            if (attempt > 1) await Task.Delay(order.Behavior.Delay ?? _options.Delay, ct).ConfigureAwait(false);
            var sentAt = Now;
            var (ok, answer) = await PostFormAsync(url, form, ct).ConfigureAwait(false);
            Record(new WarehouseSent(WarehouseProtocol.Matrix, WmsMatrixMethods.DeliveryStatusUpdate, s.OrderCode, status, form["task"], form, "", ok, answer, attempt, sentAt));
            if (ok) return;
        }
    }

    private async Task<(bool Ok, string Answer)> PostFormAsync(Uri url, Dictionary<string, string> form, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.CallbackTimeout);
        try
        {
            using var content = new FormUrlEncodedContent(form);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
            using var resp = await _http.PostAsync(url, content, cts.Token).ConfigureAwait(false);
            var text = await resp.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode) return (false, $"HTTP {(int)resp.StatusCode}: {text}");
            try
            {
                using var doc = JsonDocument.Parse(text);
                return (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("rsp", out var rsp)
                        && rsp.ValueKind == JsonValueKind.String && rsp.GetString() == "succ", text);
            }
            catch (JsonException)
            {
                return (false, text);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, "error: timeout");
        }
        catch (HttpRequestException e)
        {
            return (false, "error: " + e.Message);
        }
    }
}
