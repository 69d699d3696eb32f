using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Fulfillment;

/// <summary>Who says the parcel left: the own warehouse floor (scan station, handheld, batch) or a third-party warehouse.</summary>
public enum ConsignSource
{
    /// <summary>The own floor: the delivery must be at a selfwms branch and have passed what the settings require.</summary>
    Floor,
    /// <summary>A third-party warehouse's DELIVERY (callback or poll): no floor checks; a repeat ships nothing.</summary>
    Warehouse,
}

/// <summary>What the shipper tells at consign: the waybill (required unless the delivery has one), carrier code, weight (kg).</summary>
public sealed record ConsignInput(string? LogiNo, string? LogiCode = null, decimal? Weight = null);

/// <summary><paramref name="Shipped"/> is false when a warehouse repeated a DELIVERY for an already shipped delivery.</summary>
public sealed record ConsignResult(Delivery Delivery, bool Shipped);

/// <summary>One delivery of a batch: shipped, or the refusal's message.</summary>
public sealed record ConsignOutcome(long DeliveryId, string? DeliveryBn, bool Shipped, string? Error);

/// <summary>
/// 发货 (DOMAIN.md §4): the one place where a delivery ships. In one transaction (the caller's): branch freeze − and store −
/// with a sales-out ledger line per material (<see cref="InventoryService.ShipFromFreezeAsync"/>), the delivery shipped
/// (<c>process_status</c> 7), the order items' <c>sendnum</c> +, each order's <c>ship_status</c> (shipped when every line
/// has left, else partly shipped), a sales record (销售单) per order, an order log line, and the shipment write-back to the
/// shop through the outbox (<see cref="ShipmentWriteback"/>). A refusal (<see cref="DomainException"/>) writes nothing.
/// </summary>
public sealed class ConsignService(OmsDbContext db, InventoryService inventory, SettingsService settings, ShipmentWriteback writeback, TimeProvider clock)
{
    public async Task<ConsignResult> ConsignAsync(long deliveryId, ConsignInput input, ConsignSource source, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var logiNo = string.IsNullOrWhiteSpace(input.LogiNo) ? null : input.LogiNo.Trim();
        if (logiNo is { Length: > 64 }) throw new DomainException("运单号不能超过 64 个字符");
        if (input.Weight is < 0 or > 1_000_000) throw new DomainException("重量必须在 0 到 1000000 公斤之间");

        var orderIds = await db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => x.DeliveryId == deliveryId).Select(x => x.OrderId).Distinct()
            .ToListAsync(ct).ConfigureAwait(false);
        if (orderIds.Count == 0) throw new DomainException($"发货单 #{deliveryId} 不存在");
        // the order locks serialize every change of a delivery: take them first, then read it (again)
        var orders = await OrderLocks.LockAndLoadAsync(db, orderIds, ct).ConfigureAwait(false);
        foreach (var e in db.ChangeTracker.Entries<Delivery>().Where(e => e.Entity.Id == deliveryId).ToList()) e.State = EntityState.Detached;
        var d = await db.Set<Delivery>().Include(x => x.Items).Include(x => x.OrderItems).FirstAsync(x => x.Id == deliveryId, ct).ConfigureAwait(false);

        switch (d.Status)
        {
            case DeliveryStatus.Shipped when source == ConsignSource.Warehouse:
                return new ConsignResult(d, false);
            case DeliveryStatus.Shipped:
                throw new DomainException($"发货单 {d.DeliveryBn} 已发货");
            case DeliveryStatus.Cancel:
                throw new DomainException($"发货单 {d.DeliveryBn} 已撤销，不能发货");
            case DeliveryStatus.Pause:
                throw new DomainException($"发货单 {d.DeliveryBn} 已暂停，不能发货");
        }
        var branch = await db.Set<Branch>().AsNoTracking().FirstAsync(b => b.Id == d.BranchId, ct).ConfigureAwait(false);
        if (source == ConsignSource.Floor)
        {
            if (branch.IsThirdParty)
                throw new DomainException($"发货单 {d.DeliveryBn} 在第三方仓库 {branch.Name}，由仓库回传发货");
            await CheckFloorAsync(d, ct).ConfigureAwait(false);
        }
        else if (!branch.IsThirdParty)
            throw new DomainException($"发货单 {d.DeliveryBn} 在自有仓库 {branch.Name}，不能由第三方仓库回传发货");

        logiNo ??= d.LogiNo;
        if (string.IsNullOrWhiteSpace(logiNo)) throw new DomainException($"发货单 {d.DeliveryBn} 没有运单号，请先填写运单号");
        if (!string.IsNullOrWhiteSpace(input.LogiCode) && !string.Equals(input.LogiCode.Trim(), d.LogiCode, StringComparison.OrdinalIgnoreCase))
        {
            var code = input.LogiCode.Trim();
            var logi = await db.Set<LogisticsCompany>().AsNoTracking().FirstOrDefaultAsync(l => l.BranchId == d.BranchId && l.Code == code, ct).ConfigureAwait(false);
            d.LogisticsId = logi?.Id;
            d.LogiCode = code.Length <= 40 ? code : code[..40];
            d.LogiName = logi?.Name ?? d.LogiCode;
        }

        // Stock first: a refusal here has written nothing.
        var now = clock.GetUtcNow().UtcDateTime;
        await inventory.ShipFromFreezeAsync(
            d.Items.OrderBy(i => i.BasicMaterialId).Select(i => new StockMoveLine(d.BranchId, i.BasicMaterialId, i.Number)).ToList(),
            new LedgerEntry(StockMoveType.SalesOut, d.DeliveryBn, actor), ct).ConfigureAwait(false);

        d.LogiNo = logiNo;
        if (input.Weight is { } w) d.Weight = w;
        d.Status = DeliveryStatus.Shipped;
        d.ProcessStatus = DeliveryProcess.Shipped;
        d.ShippedAt = now;
        d.UpdatedAt = now;

        var items = orders.SelectMany(o => o.Items).ToDictionary(i => i.Id);
        foreach (var x in d.OrderItems) items[x.OrderItemId].SendNum += x.Number;
        var sales = new List<Sale>(orders.Count);
        foreach (var o in orders)
        {
            var lines = d.OrderItems.Where(x => x.OrderId == o.Id).ToList();
            var live = o.Items.Where(i => !i.Deleted).ToList();
            o.ShipStatus = live.All(i => i.SendNum >= i.Quantity) ? ShipStatus.Shipped : ShipStatus.PartlyShipped;
            o.UpdatedAt = now;
            var sale = new Sale
            {
                SaleBn = DocumentNumbers.Placeholder(), OrderId = o.Id, OrderBn = o.OrderBn, ShopId = o.ShopId, BranchId = d.BranchId,
                DeliveryId = d.Id, DeliveryBn = d.DeliveryBn, LogiCode = d.LogiCode, LogiNo = logiNo, SaleTime = now, Operator = actor,
                Items = lines.Select(x =>
                {
                    var i = items[x.OrderItemId];
                    var amount = i.Quantity == 0 ? 0 : decimal.Round(i.Amount * x.Number / i.Quantity, 2);
                    return new SaleItem
                    {
                        OrderItemId = i.Id, BasicMaterialId = i.BasicMaterialId, Bn = i.Bn, Name = i.Name, Nums = x.Number,
                        Price = i.Price, Amount = amount,
                    };
                }).ToList(),
            };
            sale.SaleAmount = sale.Items.Sum(i => i.Amount);
            sale.ItemNum = sale.Items.Sum(i => i.Nums);
            sales.Add(sale);
            db.Add(sale);
            var text = string.Create(CultureInfo.InvariantCulture,
                $"发货单 {d.DeliveryBn} 已发货（{d.LogiName ?? d.LogiCode ?? "物流"} {logiNo}，{sale.ItemNum} 件）")
                + (o.ShipStatus == ShipStatus.PartlyShipped ? "，订单部分发货" : "");
            db.Add(OrderLog.Create(o.Id, "delivery.consign", text, actor, now));
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        foreach (var s in sales) s.SaleBn = DocumentNumbers.Generate("S", now, s.Id);
        await writeback.AddAsync(d, orders, actor, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new ConsignResult(d, true);
    }

    /// <summary>
    /// Several deliveries in the caller's transaction (batch consign, <c>autodly</c>): each in its own savepoint, so a refused
    /// one is rolled back alone and reported; the others ship. Pending changes of the caller are saved first.
    /// </summary>
    public async Task<IReadOnlyList<ConsignOutcome>> ConsignBatchAsync(
        IReadOnlyList<(long DeliveryId, ConsignInput Input)> items, ConsignSource source, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("consign runs in the caller's transaction");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var outcomes = new List<ConsignOutcome>(items.Count);
        foreach (var (id, input) in items)
        {
            await tx.CreateSavepointAsync("oms_consign", ct).ConfigureAwait(false);
            try
            {
                var r = await ConsignAsync(id, input, source, actor, ct).ConfigureAwait(false);
                outcomes.Add(new ConsignOutcome(id, r.Delivery.DeliveryBn, r.Shipped, null));
                await tx.ReleaseSavepointAsync("oms_consign", ct).ConfigureAwait(false);
            }
            catch (DomainException e)
            {
                await tx.RollbackToSavepointAsync("oms_consign", ct).ConfigureAwait(false);
                db.ChangeTracker.Clear();
                var bn = await db.Set<Delivery>().AsNoTracking().Where(x => x.Id == id).Select(x => x.DeliveryBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                outcomes.Add(new ConsignOutcome(id, bn, false, e.Message));
            }
        }
        return outcomes;
    }

    /// <summary>The own floor's order of work: the documents <c>print.required</c> names printed, verified when <c>verify.required</c>.</summary>
    private async Task CheckFloorAsync(Delivery d, CancellationToken ct)
    {
        var required = PrintDocuments.Parse(await settings.GetTextAsync("print.required", ct).ConfigureAwait(false));
        var missing = required & ~d.PrintStatus;
        if (missing != PrintStatus.None)
            throw new DomainException($"发货单 {d.DeliveryBn} 还没有打印{PrintDocuments.Names(missing)}");
        if (await settings.GetBoolAsync("verify.required", ct).ConfigureAwait(false) && d.Items.Any(i => i.VerifyNum < i.Number))
            throw new DomainException($"发货单 {d.DeliveryBn} 还没有校验完成");
    }
}
