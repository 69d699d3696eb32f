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
    /// <summary>One delivery; a refusal is a <see cref="DomainException"/> and writes nothing.</summary>
    public async Task<ConsignResult> ConsignAsync(long deliveryId, ConsignInput input, ConsignSource source, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (outcomes, shipped) = await ShipInSavepointAsync([(deliveryId, input)], source, actor, ct).ConfigureAwait(false);
        var o = outcomes[0];
        if (o.Error is not null) throw new DomainException(o.Error);
        return new ConsignResult(shipped[deliveryId], o.Shipped);
    }

    /// <summary>
    /// Several deliveries in the caller's transaction (batch consign, <c>autodly</c>): refusals are reported per delivery
    /// (<see cref="ConsignOutcome"/>) and the rest ship — all in a few round trips for the whole batch. Should a counter be
    /// short after all (stock changed under a delivery), the batch falls back to one savepoint per delivery. Pending
    /// changes of the caller are saved first.
    /// </summary>
    public async Task<IReadOnlyList<ConsignOutcome>> ConsignBatchAsync(
        IReadOnlyList<(long DeliveryId, ConsignInput Input)> items, ConsignSource source, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("consign runs in the caller's transaction");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        try
        {
            return (await ShipInSavepointAsync(items, source, actor, ct).ConfigureAwait(false)).Outcomes;
        }
        catch (InsufficientStockException)
        {
            db.ChangeTracker.Clear();
        }
        var one = new List<ConsignOutcome>(items.Count);
        foreach (var item in items)
        {
            try
            {
                one.Add((await ShipInSavepointAsync([item], source, actor, ct).ConfigureAwait(false)).Outcomes[0]);
            }
            catch (InsufficientStockException e)
            {
                db.ChangeTracker.Clear();
                var bn = await db.Set<Delivery>().AsNoTracking().Where(x => x.Id == item.DeliveryId).Select(x => x.DeliveryBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                one.Add(new ConsignOutcome(item.DeliveryId, bn, false, e.Message));
            }
        }
        return one;
    }

    private const string BatchSavepoint = "oms_consign";

    /// <summary>
    /// <see cref="ShipAsync"/> in a savepoint of the caller's transaction: a short stock counter (found last) rolls back what
    /// this call wrote, and is rethrown.
    /// </summary>
    private async Task<(List<ConsignOutcome> Outcomes, Dictionary<long, Delivery> Shipped)> ShipInSavepointAsync(
        IReadOnlyList<(long DeliveryId, ConsignInput Input)> items, ConsignSource source, string actor, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("consign runs in the caller's transaction");
        await tx.CreateSavepointAsync(BatchSavepoint, ct).ConfigureAwait(false);
        try
        {
            var result = await ShipAsync(items, source, actor, ct).ConfigureAwait(false);
            await tx.ReleaseSavepointAsync(BatchSavepoint, ct).ConfigureAwait(false);
            return result;
        }
        catch (InsufficientStockException)
        {
            await tx.RollbackToSavepointAsync(BatchSavepoint, ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The work itself, for one delivery or a batch: every order of every delivery locked at once (ascending id), the
    /// deliveries read again, checked one by one (a refusal only drops that delivery), then for all that pass together:
    /// the deliveries, order items and orders, sales records, order logs, write-back, and last the stock
    /// (<see cref="InventoryService.ShipFromFreezeManyAsync"/>: the shared stock rows stay locked only until the commit; a
    /// short counter throws and the caller's savepoint undoes the rest). Nothing is tracked.
    /// </summary>
    private async Task<(List<ConsignOutcome> Outcomes, Dictionary<long, Delivery> Shipped)> ShipAsync(
        IReadOnlyList<(long DeliveryId, ConsignInput Input)> items, ConsignSource source, string actor, CancellationToken ct)
    {
        var ids = items.Select(i => i.DeliveryId).Distinct().ToList();
        // the order locks serialize every change of a delivery: take them first, then read (again)
        var orderIds = await db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId))
            .Select(x => x.OrderId).Distinct().ToListAsync(ct).ConfigureAwait(false);
        await OrderLocks.LockOrdersAsync(db, orderIds, ct).ConfigureAwait(false);
        var (deliveries, orders, branches) = await ReadAsync(ids, orderIds, ct).ConfigureAwait(false);
        var floor = source == ConsignSource.Floor
            ? (Print: PrintDocuments.Parse(await settings.GetTextAsync("print.required", ct).ConfigureAwait(false)),
               Verify: await settings.GetBoolAsync("verify.required", ct).ConfigureAwait(false))
            : (Print: PrintStatus.None, Verify: false);

        var outcomes = new List<ConsignOutcome>(items.Count);
        var go = new List<(Delivery D, string LogiNo, ConsignInput Input)>();
        var seen = new HashSet<long>();
        foreach (var (id, input) in items)
        {
            deliveries.TryGetValue(id, out var d);
            var error = !seen.Add(id) ? $"发货单 {d?.DeliveryBn ?? "#" + id} 在本批中重复出现"
                : d is null ? $"发货单 #{id} 不存在"
                : Check(d, branches[d.BranchId], input, source, floor.Print, floor.Verify, out var logiNo) is { } refusal ? refusal
                : null;
            if (error is not null)
            {
                outcomes.Add(new ConsignOutcome(id, d?.DeliveryBn, false, error));
                continue;
            }
            var repeat = d!.Status == DeliveryStatus.Shipped; // a warehouse's repeated DELIVERY: nothing to do
            outcomes.Add(new ConsignOutcome(id, d.DeliveryBn, !repeat, null));
            if (!repeat) go.Add((d, (input.LogiNo ?? d.LogiNo)!.Trim(), input));
        }
        if (go.Count == 0) return (outcomes, deliveries);

        // a warehouse may report another carrier than the one chosen at review
        var codes = go.Where(g => !string.IsNullOrWhiteSpace(g.Input.LogiCode)).Select(g => g.Input.LogiCode!.Trim()).Distinct().ToList();
        var branchIds = branches.Keys.ToList();
        var companies = codes.Count == 0 ? []
            : await db.Set<LogisticsCompany>().AsNoTracking().Where(l => branchIds.Contains(l.BranchId) && codes.Contains(l.Code))
                .ToListAsync(ct).ConfigureAwait(false);

        var now = clock.GetUtcNow().UtcDateTime;
        var logs = new List<OrderLog>();
        var sales = new List<Sale>();
        var shipped = new List<(Delivery, IReadOnlyList<Order>)>(go.Count);
        foreach (var (d, logiNo, input) in go)
        {
            if (!string.IsNullOrWhiteSpace(input.LogiCode) && !string.Equals(input.LogiCode.Trim(), d.LogiCode, StringComparison.OrdinalIgnoreCase))
            {
                var code = input.LogiCode.Trim();
                var logi = companies.FirstOrDefault(l => l.BranchId == d.BranchId && string.Equals(l.Code, code, StringComparison.OrdinalIgnoreCase));
                d.LogisticsId = logi?.Id;
                d.LogiCode = logi?.Code ?? (code.Length <= 40 ? code : code[..40]);
                d.LogiName = logi?.Name ?? d.LogiCode;
            }
            d.LogiNo = logiNo;
            if (input.Weight is { } w) d.Weight = w;
            d.Status = DeliveryStatus.Shipped;
            d.ProcessStatus = DeliveryProcess.Shipped;
            d.ShippedAt = now;
            d.UpdatedAt = now;

            var mine = d.OrderItems.Select(x => x.OrderId).Distinct().Order().Select(id => orders[id]).ToList();
            var items_ = mine.SelectMany(o => o.Items).ToDictionary(i => i.Id);
            foreach (var x in d.OrderItems) items_[x.OrderItemId].SendNum += x.Number;
            for (var n = 0; n < mine.Count; n++)
            {
                var o = mine[n];
                o.ShipStatus = o.Items.Where(i => !i.Deleted).All(i => i.SendNum >= i.Quantity) ? ShipStatus.Shipped : ShipStatus.PartlyShipped;
                o.UpdatedAt = now;
                var sale = new Sale
                {
                    // the delivery's number with S for D (and the order's position when the delivery carries several)
                    SaleBn = "S" + d.DeliveryBn[1..] + (mine.Count > 1 ? "-" + (n + 1).ToString(CultureInfo.InvariantCulture) : ""),
                    OrderId = o.Id, OrderBn = o.OrderBn, ShopId = o.ShopId, BranchId = d.BranchId,
                    DeliveryId = d.Id, DeliveryBn = d.DeliveryBn, LogiCode = d.LogiCode, LogiNo = logiNo, SaleTime = now, Operator = actor,
                    Items = d.OrderItems.Where(x => x.OrderId == o.Id).Select(x =>
                    {
                        var i = items_[x.OrderItemId];
                        return new SaleItem
                        {
                            OrderItemId = i.Id, BasicMaterialId = i.BasicMaterialId, Bn = i.Bn, Name = i.Name, Nums = x.Number, Price = i.Price,
                            Amount = i.Quantity == 0 ? 0 : decimal.Round(i.Amount * x.Number / i.Quantity, 2),
                        };
                    }).ToList(),
                };
                sale.SaleAmount = sale.Items.Sum(i => i.Amount);
                sale.ItemNum = sale.Items.Sum(i => i.Nums);
                sales.Add(sale);
                logs.Add(OrderLog.Create(o.Id, "delivery.consign",
                    string.Create(CultureInfo.InvariantCulture, $"发货单 {d.DeliveryBn} 已发货（{d.LogiName ?? d.LogiCode ?? "物流"} {logiNo}，{sale.ItemNum} 件）")
                    + (o.ShipStatus == ShipStatus.PartlyShipped ? "，订单部分发货" : ""), actor, now));
            }
            shipped.Add((d, mine));
        }
        await WriteAsync(go.Select(g => g.D).ToList(), shipped.SelectMany(x => x.Item2).DistinctBy(o => o.Id).ToList(), now, ct).ConfigureAwait(false);
        // sales and order logs set-wise (arrays on PostgreSQL), then the sales' ids by their unique (delivery, order), then their lines
        var rows = new RowInserter(db);
        await rows.AddRange(sales).AddRange(logs).ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        var deliveryIds = go.Select(g => g.D.Id).ToList();
        var saleIds = await db.Set<Sale>().Where(x => deliveryIds.Contains(x.DeliveryId)).Select(x => new { x.DeliveryId, x.OrderId, x.Id })
            .ToDictionaryAsync(x => (x.DeliveryId, x.OrderId), x => x.Id, ct).ConfigureAwait(false);
        foreach (var sale in sales)
        {
            sale.Id = saleIds[(sale.DeliveryId, sale.OrderId)];
            foreach (var i in sale.Items) i.SaleId = sale.Id;
            rows.AddRange(sale.Items);
        }
        await rows.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        await writeback.AddAsync(shipped, actor, ct).ConfigureAwait(false);
        // stock last: every batch of a branch changes the same stock rows, so their row locks are held only until the
        // commit; a short counter throws and the caller's savepoint undoes what was written above
        await inventory.ShipFromFreezeManyAsync(go.SelectMany(g => g.D.Items.OrderBy(i => i.BasicMaterialId)
            .Select(i => (new StockMoveLine(g.D.BranchId, i.BasicMaterialId, i.Number), new LedgerEntry(StockMoveType.SalesOut, g.D.DeliveryBn, actor)))).ToList(), ct)
            .ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return (outcomes, deliveries);
    }

    /// <summary>
    /// What consign uses of the deliveries (with their lines), their orders (with their items) and branches, read untracked in
    /// one command: only the columns the checks, the updates, the sales and the write-back use (an order row is wide). What
    /// changes is written by a few set-wise statements, not by the change tracker.
    /// </summary>
    private async Task<(Dictionary<long, Delivery> Deliveries, Dictionary<long, Order> Orders, Dictionary<long, Branch> Branches)> ReadAsync(
        IReadOnlyList<long> deliveryIds, IReadOnlyList<long> orderIds, CancellationToken ct)
    {
        await using var batch = new SqlBatch(db);
        batch.Text.Append("SELECT id, delivery_bn, shop_id, branch_id, logistics_id, logi_code, logi_name, logi_no, status, print_status, is_cod, weight, ")
            .Append("ship_name, ship_province, ship_city, ship_district, ship_addr, ship_zip, ship_tel, ship_mobile, memo, created_by, created_at ")
            .Append("FROM delivery WHERE ").Append(batch.IdIn(deliveryIds)).Append(";\n")
            .Append("SELECT delivery_id, basic_material_id, bn, number, verify_num FROM delivery_item WHERE ").Append(batch.IdIn(deliveryIds, "delivery_id"))
            .Append(" ORDER BY id;\n")
            .Append("SELECT delivery_id, order_id, order_item_id, basic_material_id, number FROM delivery_order_item WHERE ")
            .Append(batch.IdIn(deliveryIds, "delivery_id")).Append(" ORDER BY id;\n")
            .Append("SELECT id, shop_id, order_bn, ship_status, is_protect, buyer_id, member_uname FROM orders WHERE ").Append(batch.IdIn(orderIds)).Append(";\n")
            .Append("SELECT id, order_id, object_id, basic_material_id, bn, name, item_type, quantity, price, amount, send_num, deleted FROM order_item WHERE ")
            .Append(batch.IdIn(orderIds, "order_id")).Append(" ORDER BY id;\n")
            .Append("SELECT id, branch_bn, name, wms FROM branch WHERE id IN (SELECT branch_id FROM delivery WHERE ").Append(batch.IdIn(deliveryIds)).Append(");\n");
        var deliveries = new Dictionary<long, Delivery>(deliveryIds.Count);
        var orders = new Dictionary<long, Order>(orderIds.Count);
        var branches = new Dictionary<long, Branch>();
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        static string? Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            deliveries.Add(r.GetInt64(0), new Delivery
            {
                Id = r.GetInt64(0), DeliveryBn = r.GetString(1), ShopId = r.GetInt64(2), BranchId = r.GetInt64(3),
                LogisticsId = r.IsDBNull(4) ? null : r.GetInt64(4), LogiCode = Text(r, 5), LogiName = Text(r, 6), LogiNo = Text(r, 7),
                Status = (DeliveryStatus)r.GetInt32(8), PrintStatus = (PrintStatus)r.GetInt32(9), IsCod = r.GetBoolean(10), Weight = batch.Decimal(r, 11),
                ShipName = Text(r, 12), ShipProvince = Text(r, 13), ShipCity = Text(r, 14), ShipDistrict = Text(r, 15), ShipAddr = Text(r, 16),
                ShipZip = Text(r, 17), ShipTel = Text(r, 18), ShipMobile = Text(r, 19), Memo = Text(r, 20), CreatedBy = r.GetString(21), CreatedAt = batch.Time(r, 22),
            });
        await r.NextResultAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            deliveries[r.GetInt64(0)].Items.Add(new DeliveryItem
            {
                DeliveryId = r.GetInt64(0), BasicMaterialId = r.GetInt64(1), Bn = r.GetString(2), Number = r.GetInt32(3), VerifyNum = r.GetInt32(4),
            });
        await r.NextResultAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            deliveries[r.GetInt64(0)].OrderItems.Add(new DeliveryOrderItem
            {
                DeliveryId = r.GetInt64(0), OrderId = r.GetInt64(1), OrderItemId = r.GetInt64(2), BasicMaterialId = r.GetInt64(3), Number = r.GetInt32(4),
            });
        await r.NextResultAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            orders.Add(r.GetInt64(0), new Order
            {
                Id = r.GetInt64(0), ShopId = r.GetInt64(1), OrderBn = r.GetString(2), ShipStatus = (ShipStatus)r.GetInt32(3), IsProtect = r.GetBoolean(4),
                BuyerId = Text(r, 5), MemberUname = Text(r, 6),
            });
        await r.NextResultAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            orders[r.GetInt64(1)].Items.Add(new OrderItem
            {
                Id = r.GetInt64(0), OrderId = r.GetInt64(1), ObjectId = r.GetInt64(2), BasicMaterialId = r.GetInt64(3), Bn = r.GetString(4),
                Name = Text(r, 5), ItemType = r.GetString(6), Quantity = r.GetInt32(7), Price = batch.Decimal(r, 8), Amount = batch.Decimal(r, 9),
                SendNum = r.GetInt32(10), Deleted = r.GetBoolean(11),
            });
        await r.NextResultAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            branches.Add(r.GetInt64(0), new Branch { Id = r.GetInt64(0), BranchBn = r.GetString(1), Name = r.GetString(2), Wms = r.GetString(3) });
        return (deliveries, orders, branches);
    }

    /// <summary>
    /// The shipped deliveries, the order items' <c>sendnum</c> and the orders' <c>ship_status</c> as set in memory, in one
    /// command (<see cref="SqlBatch"/>).
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<Delivery> shipped, IReadOnlyList<Order> orders, DateTime now, CancellationToken ct)
    {
        await using var batch = new SqlBatch(db);
        var text = batch.Text;
        batch.Add("@now", now);
        batch.Add("@st", (int)DeliveryStatus.Shipped);
        batch.Add("@ps", DeliveryProcess.Shipped);
        var P = batch.P;
        var moved = shipped.SelectMany(d => d.OrderItems).Select(x => x.OrderItemId).ToHashSet();
        var items = orders.SelectMany(o => o.Items).Where(i => moved.Contains(i.Id)).ToList();
        if (batch.IsNpgsql)
        {
            // PostgreSQL: one statement per table, the values as arrays (the rows are ours alone: their orders are locked)
            text.Append("UPDATE delivery d SET status = @st, process_status = @ps, shipped_at = @now, updated_at = @now, logi_no = v.no, weight = v.w, ")
                .Append("logistics_id = v.li, logi_code = v.lc, logi_name = v.ln FROM unnest(")
                .Append(P(shipped.Select(d => d.Id).ToArray())).Append(", ").Append(P(shipped.Select(d => d.LogiNo).ToArray())).Append(", ")
                .Append(P(shipped.Select(d => d.Weight).ToArray())).Append(", ").Append(P(shipped.Select(d => d.LogisticsId).ToArray())).Append(", ")
                .Append(P(shipped.Select(d => d.LogiCode).ToArray())).Append(", ").Append(P(shipped.Select(d => d.LogiName).ToArray()))
                .Append(") AS v(id, no, w, li, lc, ln) WHERE d.id = v.id;\n");
            text.Append("UPDATE order_item i SET send_num = v.n FROM unnest(").Append(P(items.Select(i => i.Id).ToArray())).Append(", ")
                .Append(P(items.Select(i => i.SendNum).ToArray())).Append(") AS v(id, n) WHERE i.id = v.id;\n");
        }
        else
        {
            // SQLite: one statement per row (one writer; nothing to gain from arrays)
            foreach (var d in shipped)
                text.Append(CultureInfo.InvariantCulture,
                    $"UPDATE delivery SET status = @st, process_status = @ps, shipped_at = @now, updated_at = @now, logi_no = {P(d.LogiNo)}, weight = {P(d.Weight)}, logistics_id = {P(d.LogisticsId)}, logi_code = {P(d.LogiCode)}, logi_name = {P(d.LogiName)} WHERE id = {P(d.Id)};\n");
            foreach (var i in items)
                text.Append(CultureInfo.InvariantCulture, $"UPDATE order_item SET send_num = {P(i.SendNum)} WHERE id = {P(i.Id)};\n");
        }
        foreach (var g in orders.GroupBy(o => o.ShipStatus))
            text.Append(CultureInfo.InvariantCulture, $"UPDATE orders SET ship_status = {P((int)g.Key)}, updated_at = @now WHERE {batch.IdIn(g.Select(o => o.Id))};\n");
        await batch.ExecuteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Why this delivery may not ship now, or null; <paramref name="logiNo"/> is the waybill it will ship with.</summary>
    private static string? Check(Delivery d, Branch branch, ConsignInput input, ConsignSource source, PrintStatus printRequired, bool verifyRequired,
        out string? logiNo)
    {
        logiNo = string.IsNullOrWhiteSpace(input.LogiNo) ? d.LogiNo : input.LogiNo.Trim();
        if (input.LogiNo?.Trim() is { Length: > 64 }) return "运单号不能超过 64 个字符";
        if (input.Weight is < 0 or > 1_000_000) return "重量必须在 0 到 1000000 公斤之间";
        switch (d.Status)
        {
            case DeliveryStatus.Shipped when source == ConsignSource.Warehouse:
                return null;
            case DeliveryStatus.Shipped:
                return $"发货单 {d.DeliveryBn} 已发货";
            case DeliveryStatus.Cancel:
                return $"发货单 {d.DeliveryBn} 已撤销，不能发货";
            case DeliveryStatus.Pause:
                return $"发货单 {d.DeliveryBn} 已暂停，不能发货";
        }
        if (source == ConsignSource.Floor)
        {
            if (branch.IsThirdParty) return $"发货单 {d.DeliveryBn} 在第三方仓库 {branch.Name}，由仓库回传发货";
            var missing = printRequired & ~d.PrintStatus;
            if (missing != PrintStatus.None) return $"发货单 {d.DeliveryBn} 还没有打印{PrintDocuments.Names(missing)}";
            if (verifyRequired && d.Items.Any(i => i.VerifyNum < i.Number)) return $"发货单 {d.DeliveryBn} 还没有校验完成";
        }
        else if (!branch.IsThirdParty)
            return $"发货单 {d.DeliveryBn} 在自有仓库 {branch.Name}，不能由第三方仓库回传发货";
        if (string.IsNullOrWhiteSpace(logiNo)) return $"发货单 {d.DeliveryBn} 没有运单号，请先填写运单号";
        return null;
    }
}
