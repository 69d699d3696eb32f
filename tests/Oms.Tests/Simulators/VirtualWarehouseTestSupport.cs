using System.Text.Json;
using System.Text.Json.Nodes;
using Oms.Outbox;
using Oms.Simulators.Warehouse;

namespace Oms.Tests.Simulators;

/// <summary>The OMS's side of the matrix toward the virtual warehouse, built with the OMS's own outbound form code.</summary>
public static class VirtualWarehouseTestSupport
{
    public const string Node = "wms-node-1";
    public const string Token = "wms-token-1";

    public static VirtualWarehouseOptions Options(OmsStandIn oms, WarehouseBehavior? behavior = null) => new()
    {
        OmsUrl = oms.BaseUrl,
        NodeId = Node,
        Token = Token,
        QimenAppKey = "qm-app",
        QimenSecret = "qm-secret",
        QimenCustomerId = "qm-customer",
        Delay = TimeSpan.FromMilliseconds(20),
        Behavior = behavior ?? new WarehouseBehavior(),
    };

    /// <summary>A never-ending wait: the order stays where it is until cancelled.</summary>
    public static readonly WarehouseBehavior Hold = new() { Delay = TimeSpan.FromHours(1) };

    public static JsonObject CreateFields(string code) => new()
    {
        ["out_order_code"] = code,
        ["warehouse_code"] = "WH-SH",
        ["logistics_code"] = "SF",
        ["shipping_type"] = "express",
        ["is_cod"] = "false",
        ["total_trade_fee"] = "117.00",
        ["receiver_name"] = "王小明",
        ["receiver_state"] = "上海",
        ["receiver_city"] = "上海市",
        ["receiver_district"] = "浦东新区",
        ["receiver_address"] = "世纪大道 100 号",
        ["receiver_zip"] = "200120",
        ["receiver_mobile"] = "13800138000",
        ["receiver_phone"] = "",
        ["items"] = new JsonObject
        {
            ["item"] = new JsonArray(
                new JsonObject { ["item_code"] = "MUG-350", ["item_name"] = "马克杯", ["item_quantity"] = "2", ["item_price"] = "39.00", ["item_line_num"] = "1", ["trade_code"] = "T1", ["is_gift"] = "0", ["inventory_type"] = "ZP" },
                new JsonObject { ["item_code"] = "CABLE-C1", ["item_name"] = "数据线", ["item_quantity"] = "1", ["item_price"] = "39.00", ["item_line_num"] = "2", ["trade_code"] = "T1", ["is_gift"] = "0", ["inventory_type"] = "ZP" }),
        },
    };

    /// <summary>Signs as the OMS does (<see cref="MatrixForm.Build"/>: nested values signed as structures) and posts.</summary>
    public static async Task<JsonElement> PushAsync(VirtualWarehouse wh, string method, JsonObject fields, string token = Token, string node = Node, HttpClient? http = null)
    {
        var peer = new MatrixPeer(MatrixPeerKinds.Wms, 1, node, token, wh.MatrixUrl.ToString(), "selfwms");
        var form = MatrixForm.Build(peer, "1100000000", method, "oms-" + Guid.NewGuid().ToString("N")[..12], null, DateTime.UtcNow, fields);
        var own = http is null ? new HttpClient() : null;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            using var resp = await (http ?? own!).PostAsync(wh.MatrixUrl, content);
            Assert.Equal(200, (int)resp.StatusCode);
            using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
            return doc.RootElement.Clone();
        }
        finally
        {
            own?.Dispose();
        }
    }

    public static string Rsp(JsonElement answer) => answer.GetProperty("rsp").GetString() + ":" + answer.GetProperty("res").GetString();

    public static string DataOf(JsonElement answer, string name) => answer.GetProperty("data").GetProperty(name).GetString() ?? "";
}
