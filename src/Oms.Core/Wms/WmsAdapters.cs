using System.Text.Json.Nodes;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Outbox;

namespace Oms.Wms;

/// <summary>One line of a delivery as a warehouse receives it (one per order item line carried).</summary>
public sealed record WmsDeliveryLine(
    int LineNo, string ItemCode, string? ItemName, int Quantity, decimal Price, string TradeCode, bool IsGift, string InventoryType = "ZP");

/// <summary>A delivery as pushed to a warehouse: built once by <see cref="WmsDeliveryService"/> for every adapter.</summary>
public sealed record WmsDeliveryDocument(
    long DeliveryId, string DeliveryBn, string BranchBn, string? LogiCode, bool IsCod, decimal TotalAmount, DateTime CreatedAt,
    string? ReceiverName, string? ReceiverState, string? ReceiverCity, string? ReceiverDistrict, string? ReceiverAddress, string? ReceiverZip,
    string? ReceiverMobile, string? ReceiverPhone, string? OutDeliveryBn, IReadOnlyList<string> OrderBns, IReadOnlyList<WmsDeliveryLine> Lines);

/// <summary>
/// How the OMS sends requests to one kind of WMS channel (<see cref="WmsChannel.Adapter"/>). Every method adds the request
/// to the caller's unit of work (the caller's <c>SaveChanges</c>/transaction writes it, or nothing is sent) and returns the
/// request id. The adapter reports the final outcome of each request by calling <see cref="WmsDeliveryService"/>'s
/// <c>OnPushOutcomeAsync</c> / <c>OnCancelOutcomeAsync</c> / <c>OnQueryOutcomeAsync</c> with that id — the matrix adapter
/// does it through the outbox's <see cref="IOutboxOutcome"/> (<see cref="MatrixWmsOutcomes"/>).
/// </summary>
public interface IWmsAdapter
{
    /// <summary><see cref="WmsAdapterNames"/>: <c>matrix</c> or <c>qimen</c>.</summary>
    string Name { get; }

    /// <summary>发货单推送 (<c>store.wms.saleorder.create</c> / Qimen <c>deliveryorder.create</c>).</summary>
    string PushDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument delivery);

    /// <summary>发货单撤消 (<c>store.wms.saleorder.cancel</c> / Qimen <c>order.cancel</c>).</summary>
    string CancelDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument delivery, string reason);

    /// <summary>发货单查询 for warehouses that never call back (<c>store.wms.saleorder.get</c>).</summary>
    string QueryDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument delivery);

    /// <summary>物料推送 (<c>store.wms.item.add</c> when <paramref name="isNew"/>, else <c>store.wms.item.update</c> / Qimen <c>singleitem.synchronize</c>).</summary>
    string PushItem(OmsDbContext db, WmsChannel channel, BasicMaterial material, bool isNew);
}

/// <summary>The adapters registered (<c>services.AddScoped&lt;IWmsAdapter, T&gt;()</c>), by name.</summary>
public sealed class WmsAdapterRegistry(IEnumerable<IWmsAdapter> adapters)
{
    private readonly List<IWmsAdapter> _all = adapters.ToList();

    public IWmsAdapter? Find(string name) => _all.FirstOrDefault(a => a.Name == name);

    /// <summary>The channel's adapter; a <see cref="DomainException"/> naming the channel when none is implemented.</summary>
    public IWmsAdapter For(WmsChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return Find(channel.Adapter)
               ?? throw new DomainException($"WMS 渠道 {channel.ChannelBn} 使用 {channel.Adapter} 适配器，本系统尚未实现该适配器，不能向该仓库推送或撤消单据");
    }
}

/// <summary>Warehouse method names of PROTOCOL.md §3.</summary>
public static class WmsMethods
{
    public const string SaleOrderCreate = "store.wms.saleorder.create";
    public const string SaleOrderCancel = "store.wms.saleorder.cancel";
    public const string SaleOrderGet = "store.wms.saleorder.get";
    public const string ItemAdd = "store.wms.item.add";
    public const string ItemUpdate = "store.wms.item.update";
}

/// <summary>Matrix WMS channels: every request is an outbox message to the channel's node (peer kind <c>wms</c>).</summary>
internal sealed class MatrixWmsAdapter(Outbox.Outbox outbox) : IWmsAdapter
{
    public string Name => WmsAdapterNames.Matrix;

    private static MatrixPeer Peer(WmsChannel c) =>
        WmsPeer.Of(c) ?? throw new DomainException($"WMS 渠道 {c.ChannelBn} 没有绑定矩阵节点（node_id 和 token）");

    public string PushDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var items = new JsonArray();
        foreach (var l in d.Lines)
            items.Add(new JsonObject
            {
                ["item_code"] = l.ItemCode, ["item_name"] = l.ItemName ?? l.ItemCode, ["item_quantity"] = l.Quantity,
                ["item_price"] = Money.ToText(l.Price), ["item_line_num"] = l.LineNo, ["trade_code"] = l.TradeCode,
                ["is_gift"] = l.IsGift ? "1" : "0", ["inventory_type"] = l.InventoryType,
            });
        var p = new JsonObject
        {
            ["out_order_code"] = d.DeliveryBn,
            ["warehouse_code"] = d.BranchBn,
            ["logistics_code"] = d.LogiCode ?? "",
            ["shipping_type"] = "EXPRESS",
            ["is_cod"] = d.IsCod ? "true" : "false",
            ["total_trade_fee"] = Money.ToText(d.TotalAmount),
            ["created"] = ChinaTime.ToText(d.CreatedAt),
            ["trade_codes"] = string.Join(",", d.OrderBns),
            ["receiver_name"] = d.ReceiverName ?? "",
            ["receiver_state"] = d.ReceiverState ?? "",
            ["receiver_city"] = d.ReceiverCity ?? "",
            ["receiver_district"] = d.ReceiverDistrict ?? "",
            ["receiver_address"] = d.ReceiverAddress ?? "",
            ["receiver_zip"] = d.ReceiverZip ?? "",
            ["receiver_mobile"] = d.ReceiverMobile ?? "",
            ["receiver_phone"] = d.ReceiverPhone ?? "",
            ["items"] = new JsonObject { ["item"] = items },
        };
        return outbox.Add(db, new OutboundRequest(Peer(channel), WmsMethods.SaleOrderCreate, p, d.DeliveryBn)).Id;
    }

    public string CancelDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument d, string reason)
    {
        ArgumentNullException.ThrowIfNull(d);
        var p = new JsonObject
        {
            ["out_order_code"] = d.DeliveryBn, ["warehouse_code"] = d.BranchBn, ["order_type"] = "JYCK", ["reason"] = reason,
        };
        if (d.OutDeliveryBn is { } outBn) p["out_delivery_bn"] = outBn;
        return outbox.Add(db, new OutboundRequest(Peer(channel), WmsMethods.SaleOrderCancel, p, d.DeliveryBn)).Id;
    }

    public string QueryDelivery(OmsDbContext db, WmsChannel channel, WmsDeliveryDocument d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var p = new JsonObject { ["out_order_code"] = d.DeliveryBn, ["warehouse_code"] = d.BranchBn };
        if (d.OutDeliveryBn is { } outBn) p["out_delivery_bn"] = outBn;
        return outbox.Add(db, new OutboundRequest(Peer(channel), WmsMethods.SaleOrderGet, p, d.DeliveryBn)).Id;
    }

    public string PushItem(OmsDbContext db, WmsChannel channel, BasicMaterial m, bool isNew)
    {
        ArgumentNullException.ThrowIfNull(m);
        var p = new JsonObject
        {
            ["item_code"] = m.MaterialBn, ["item_name"] = m.Name, ["bar_code"] = m.Barcode ?? "", ["unit"] = m.Unit ?? "",
            ["item_type"] = ((int)m.Type).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["weight"] = Money.ToText(m.Weight), ["retail_price"] = Money.ToText(m.RetailPrice), ["cost_price"] = Money.ToText(m.Cost),
            ["is_valid"] = m.Sellable ? "1" : "0",
        };
        return outbox.Add(db, new OutboundRequest(Peer(channel), isNew ? WmsMethods.ItemAdd : WmsMethods.ItemUpdate, p, m.MaterialBn)).Id;
    }
}
