using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;

namespace Oms.Orders;

/// <summary>The <c>state</c> a push answers (PROTOCOL.md §2).</summary>
public static class IntakeStates
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Unchanged = "unchanged";
    /// <summary>Stored as a failed order (some object's code matched no sales material).</summary>
    public const string Failed = "failed";
    /// <summary>Durably queued (<c>order.intake_async</c>); stored by a worker.</summary>
    public const string Queued = "queued";
}

public sealed record IntakeResult(long OrderId, string State);

/// <summary>
/// What a batch of pushes read and locked before it builds (<see cref="OrderIntakeService.AppendPrepareMany"/>): the
/// (shop, order_bn) keys locked, those of them whose order exists, and the reserved ids of orders, objects and payments.
/// </summary>
internal sealed record IntakePreparation(IReadOnlySet<(long ShopId, string OrderBn)> Locked, HashSet<(long ShopId, string OrderBn)> Existing, long[][] Ids);

/// <summary>One push of a batch (<see cref="OrderIntakeService.CreateManyAsync"/>): the shop, the push, who sent it.</summary>
public sealed record NewOrderPush(ShopInfo Shop, OrderPush Push, string Actor);

/// <summary>The outcome of a failed order's re-match: matched now, or the codes still unmatched.</summary>
public sealed record RematchResult(bool Matched, IReadOnlyList<string> Unmatched);

/// <summary>
/// 订单收订 — takes orders in from shops (DOMAIN.md §3 step 1): the upsert of <c>ome.order.add</c>,
/// cancellation, payment, memos, payments, and the re-match of failed orders. Every call runs in the
/// caller's transaction (the matrix gateway's, a task's, a page's), serializes with other calls for
/// the same order (PostgreSQL: a transaction advisory lock on shop + order_bn, then the row lock;
/// SQLite: one writer), moves shop freeze only through <see cref="InventoryService"/>, and writes
/// one operation-log line per change.
/// </summary>
public sealed class OrderIntakeService(OmsDbContext db, InventoryService inventory, MaterialMatcher matcher, TimeProvider clock)
{
    /// <summary><c>ome.order.add</c>: create, or update by a newer <c>modified</c>; older or equal is <c>unchanged</c>.</summary>
    public async Task<IntakeResult> UpsertAsync(ShopInfo shop, OrderPush push, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(shop);
        ArgumentNullException.ThrowIfNull(push);
        var id = await LockAsync(shop.Id, push.OrderBn, ct).ConfigureAwait(false);
        var result = id is null
            ? await CreateAsync(shop, push, actor, ct).ConfigureAwait(false)
            : await UpdateAsync(shop, id.Value, push, actor, ct).ConfigureAwait(false);
        // also when only the stored modified time moved: a later, older push must compare with it
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return result;
    }

    /// <summary><c>ome.order.status_update</c>: only <c>dead</c> is accepted (PROTOCOL.md §2).</summary>
    public async Task<IntakeResult> SetStatusAsync(long shopId, string orderBn, OrderStatus status, DateTime? modified, string actor, CancellationToken ct = default)
    {
        if (status != OrderStatus.Dead)
            throw new DomainException($"only status=dead can be pushed for an existing order (order {orderBn})");
        var order = await LoadAsync(shopId, orderBn, ct).ConfigureAwait(false);
        if (order.Status == OrderStatus.Dead) return new IntakeResult(order.Id, IntakeStates.Unchanged);
        if (modified is { } m && m < order.PlatformModified) return new IntakeResult(order.Id, IntakeStates.Unchanged);
        await CancelAsync(order, order.PayStatus, actor, ct).ConfigureAwait(false);
        if (modified is { } newer) order.PlatformModified = newer;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new IntakeResult(order.Id, IntakeStates.Updated);
    }

    /// <summary><c>ome.order.pay_status_update</c>.</summary>
    public async Task<IntakeResult> SetPayStatusAsync(long shopId, string orderBn, PayStatus payStatus, decimal? payed, DateTime? payTime,
        DateTime? modified, string actor, CancellationToken ct = default)
    {
        var order = await LoadAsync(shopId, orderBn, ct).ConfigureAwait(false);
        if (modified is { } m && m < order.PlatformModified) return new IntakeResult(order.Id, IntakeStates.Unchanged);
        var changes = new List<string>();
        SetPayment(order, payStatus, payed ?? order.Payed, payTime ?? order.PayTime, changes, Now);
        if (modified is { } newer && newer > order.PlatformModified) order.PlatformModified = newer;
        return await FinishChangeAsync(order, "pay", changes, actor, ct).ConfigureAwait(false);
    }

    /// <summary><c>ome.order.memo_update</c> (seller memo and flag) and <c>ome.order.custom_mark_update</c> (buyer message).</summary>
    public async Task<IntakeResult> SetMemoAsync(long shopId, string orderBn, MemoKind kind, string? text, string? flag, string actor, CancellationToken ct = default)
    {
        var order = await LoadAsync(shopId, orderBn, ct).ConfigureAwait(false);
        var changes = new List<string>();
        if (kind == MemoKind.Seller)
        {
            Set(changes, "卖家备注", order.MarkText, text, v => order.MarkText = v);
            if (flag is not null) Set(changes, "旗帜", order.MarkType, flag, v => order.MarkType = v);
        }
        else
        {
            Set(changes, "买家留言", order.CustomMark, text, v => order.CustomMark = v);
        }
        return await FinishChangeAsync(order, "memo", changes, actor, ct).ConfigureAwait(false);
    }

    /// <summary><c>ome.payment.add</c>: a payment record; a trade number the order already has is <c>unchanged</c>.</summary>
    public async Task<IntakeResult> AddPaymentAsync(long shopId, string orderBn, PaymentPush payment, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var order = await LoadAsync(shopId, orderBn, ct).ConfigureAwait(false);
        if (payment.TradeNo is { } tradeNo && order.Payments.Any(p => p.TradeNo == tradeNo))
            return new IntakeResult(order.Id, IntakeStates.Unchanged);
        var now = Now;
        order.Payments.Add(ToPayment(payment, now));
        var changes = new List<string> { $"收款 {Money.ToText(payment.Money)}" + (payment.TradeNo is null ? "" : $"（{payment.TradeNo}）") };
        var payed = order.Payed + payment.Money;
        var status = order.PayStatus is PayStatus.Unpaid or PayStatus.PartlyPaid or PayStatus.Paying
            ? (payed >= order.TotalAmount ? PayStatus.Paid : PayStatus.PartlyPaid)
            : order.PayStatus;
        SetPayment(order, status, payed, payment.PayTime ?? order.PayTime ?? now, changes, now);
        return await FinishChangeAsync(order, "payment", changes, actor, ct).ConfigureAwait(false);
    }

    /// <summary>Matches a failed order's objects again (after its mapping was fixed); all matched → a normal order, stock frozen now.</summary>
    public async Task<RematchResult> RematchAsync(long orderId, string actor, CancellationToken ct = default)
    {
        var header = await db.Set<Order>().AsNoTracking().Where(o => o.Id == orderId).Select(o => new { o.ShopId, o.OrderBn })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false) ?? throw new DomainException($"order {orderId} does not exist");
        await LockAsync(header.ShopId, header.OrderBn, ct).ConfigureAwait(false);
        var order = await LoadByIdAsync(orderId, ct).ConfigureAwait(false);
        if (!order.IsFail) throw new DomainException($"order {order.OrderBn} is not a failed order");
        if (order.Status == OrderStatus.Dead) throw new DomainException($"order {order.OrderBn} is cancelled");
        var shopBn = await ShopBnAsync(order.ShopId, ct).ConfigureAwait(false);
        var objects = order.Objects.Where(o => !o.Deleted).OrderBy(o => o.Position).ToList();
        var matches = new List<ObjectMatch>(objects.Count);
        foreach (var o in objects)
            matches.Add(await matcher.MatchAsync(order.ShopId, shopBn, ToPush(o), ct).ConfigureAwait(false));
        for (var i = 0; i < objects.Count; i++) objects[i].SalesMaterialId = matches[i].SalesMaterialId;
        var unmatched = matches.Where(m => !m.Matched).Select(m => m.Unmatched!).ToList();
        if (unmatched.Count > 0)
        {
            Log(order, "rematch", "重新匹配：仍未匹配 " + string.Join("；", unmatched), actor);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return new RematchResult(false, unmatched);
        }
        order.IsFail = false;
        order.UpdatedAt = Now;
        foreach (var stale in order.Items) stale.Deleted = true;
        var items = Expand(order, objects, matches);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (order.Status == OrderStatus.Active) await FreezeAsync(order.ShopId, [], Held(items), ct).ConfigureAwait(false);
        Log(order, "rematch", $"重新匹配成功：{objects.Count} 行，已冻结店铺库存", actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new RematchResult(true, []);
    }

    /// <summary>
    /// <c>ome.order.add</c> for many pushes at once (the matrix batch, group commit): every push whose order does not exist yet
    /// is created, all of them set-wise. A push whose order exists, or whose order an earlier push of the same list creates,
    /// is answered null: the caller runs it on its own afterwards (<see cref="UpsertAsync"/>), in order, so it sees the order
    /// as created here. On PostgreSQL the orders' locks, which of them exist and the new rows' ids come from
    /// <paramref name="prepared"/> (<see cref="AppendPrepareMany"/>, in the caller's earlier command; when null, taken here
    /// in a round trip of its own), and the rows and the shop freeze are appended to <paramref name="writes"/> — the
    /// caller's command, which must run before anything else reads them (the matrix gateway's set command, which carries
    /// the answers too). On SQLite the rows are written here.
    /// </summary>
    internal async Task<IReadOnlyList<IntakeResult?>> CreateManyAsync(IReadOnlyList<NewOrderPush> pushes, IntakePreparation? prepared, SqlBatch writes,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pushes);
        ArgumentNullException.ThrowIfNull(writes);
        var results = new IntakeResult?[pushes.Count];
        var first = new Dictionary<(long, string), int>();
        for (var i = 0; i < pushes.Count; i++) first.TryAdd((pushes[i].Shop.Id, pushes[i].Push.OrderBn), i);
        if (first.Count == 0) return results;
        HashSet<(long, string)> existing;
        long[][]? ids = null;
        if (db.Database.IsNpgsql())
        {
            if (prepared is null)
            {
                await using var query = new SqlBatch(db);
                var read = AppendPrepareMany(query, pushes.Select(p => (p.Shop.Id, p.Push)).ToList());
                await using var r = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
                prepared = await read(r, ct).ConfigureAwait(false);
            }
            // an order whose lock was not taken must not be written
            foreach (var (shopId, bn) in first.Keys)
                if (!prepared.Locked.Contains((shopId, bn)))
                    throw new InvalidOperationException($"order {bn} of shop {shopId} was not prepared (locked) for this batch");
            (existing, ids) = (prepared.Existing, prepared.Ids);
        }
        else
        {
            existing = await FindExistingAsync(first.Keys.ToList(), ct).ConfigureAwait(false);
        }
        var fresh = first.Where(kv => !existing.Contains(kv.Key)).Select(kv => kv.Value).Order().ToList();
        var built = new List<NewOrder>(fresh.Count);
        foreach (var i in fresh) built.Add(await BuildAsync(pushes[i], ct).ConfigureAwait(false));
        await WriteNewAsync(built, ids, writes, ct).ConfigureAwait(false);
        for (var n = 0; n < fresh.Count; n++) results[fresh[n]] = built[n].Result;
        return results;
    }

    /// <summary>
    /// PostgreSQL: what <see cref="CreateManyAsync"/> needs before it builds, appended to <paramref name="batch"/> so it goes
    /// with other statements in one round trip — the advisory locks of the pushes' orders
    /// (<see cref="OrderLocks.AppendAcquireManyAndFind"/>), which of them exist, and ids for every order they could create
    /// (those of pushes that turn out to be updates stay unused: gaps in the sequences).
    /// </summary>
    internal ResultReader<IntakePreparation> AppendPrepareMany(SqlBatch batch, IReadOnlyList<(long ShopId, OrderPush Push)> pushes)
    {
        ArgumentNullException.ThrowIfNull(pushes);
        var firsts = pushes.DistinctBy(p => (p.ShopId, p.Push.OrderBn)).ToList();
        var keys = firsts.Select(p => (p.ShopId, p.Push.OrderBn)).ToHashSet();
        var readLocks = OrderLocks.AppendAcquireManyAndFind(batch, keys);
        var readIds = new RowInserter(db).AppendReserveIds(batch, IdsFor(firsts.Select(p => p.Push).ToList()));
        return async (r, ct) =>
        {
            var existing = await readLocks(r, ct).ConfigureAwait(false);
            if (!await r.NextResultAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("the order locks answered no ids");
            return new IntakePreparation(keys, existing, await readIds(r, ct).ConfigureAwait(false));
        };
    }

    private async Task<IntakeResult> CreateAsync(ShopInfo shop, OrderPush push, string actor, CancellationToken ct)
    {
        var created = await BuildAsync(new NewOrderPush(shop, push, actor), ct).ConfigureAwait(false);
        await WriteNewAsync([created], null, null, ct).ConfigureAwait(false);
        return created.Result;
    }

    /// <summary>The ids orders built from <paramref name="pushes"/> take: one per order, one per object, one per payment.</summary>
    private static (Type, int)[] IdsFor(IReadOnlyList<OrderPush> pushes) =>
        [(typeof(Order), pushes.Count), (typeof(OrderObject), pushes.Sum(p => p.Objects.Count)), (typeof(OrderPayment), pushes.Sum(p => PaymentsOf(p).Count))];

    /// <summary>The payments an order is created with: one per trade number (each payment without one counts alone).</summary>
    private static List<PaymentPush> PaymentsOf(OrderPush push) => push.Payments.DistinctBy(pay => pay.TradeNo ?? Guid.NewGuid().ToString()).ToList();

    /// <summary>A new order built from a push, not written yet: its rows and its log text.</summary>
    private sealed record NewOrder(Order Order, OrderPush Push, List<OrderObject> Objects, List<ObjectMatch> Matches, bool Failed, string Actor)
    {
        public IntakeResult Result => new(Order.Id, Failed ? IntakeStates.Failed : IntakeStates.Created);
    }

    private async Task<NewOrder> BuildAsync(NewOrderPush p, CancellationToken ct)
    {
        var (shop, push) = (p.Shop, p.Push);
        var now = Now;
        var matches = new List<ObjectMatch>(push.Objects.Count);
        foreach (var o in push.Objects)
            matches.Add(await matcher.MatchAsync(shop.Id, shop.ShopBn, o, ct).ConfigureAwait(false));
        var failed = matches.Any(m => !m.Matched);

        var order = new Order { ShopId = shop.Id, OrderBn = push.OrderBn, ArrivedAt = now, UpdatedAt = now, IsFail = failed, PlatformModified = push.Modified };
        ApplyHeader(order, push, [], now);
        order.Status = push.Status;
        order.ShipStatus = push.ShipStatus;
        if (push.Status == OrderStatus.Dead) order.ProcessStatus = ProcessStatus.Cancel;
        if (IsPaid(push.PayStatus)) order.PaidAt = now;
        var objects = NewObjects(order, push.Objects, matches);
        foreach (var pay in PaymentsOf(push)) order.Payments.Add(ToPayment(pay, now));
        return new NewOrder(order, push, objects, matches, failed, p.Actor);
    }

    /// <summary>
    /// The hot path of intake: new orders written without change tracking and one shop-freeze upsert for all of them. On
    /// PostgreSQL: the ids of orders, objects and payments taken from <paramref name="ids"/> (reserved by the caller, in
    /// <see cref="RowInserter.AppendReserveIds"/>'s layout) or else reserved here in one round trip, then one
    /// <c>INSERT … SELECT * FROM unnest(…)</c> per table (orders, objects, payments, items, log lines) and the shop-freeze
    /// upsert, appended to <paramref name="writes"/> when given (the caller runs them) or else run here as one command —
    /// so the statement-level triggers on <c>orders</c> fire once per batch. On SQLite (no sequences; inserts are
    /// in-process calls) in three, here: the orders with their ids returned; objects and payments; items and log lines.
    /// The rows stay untracked.
    /// </summary>
    private async Task WriteNewAsync(IReadOnlyList<NewOrder> created, long[][]? ids, SqlBatch? writes, CancellationToken ct)
    {
        if (created.Count == 0) return;
        var now = Now;
        var rows = new RowInserter(db);
        var postgres = db.Database.IsNpgsql();
        if (postgres)
        {
            ids ??= await rows.ReserveIdsAsync(IdsFor(created.Select(c => c.Push).ToList()), ct).ConfigureAwait(false);
            int o = 0, b = 0, p = 0;
            foreach (var c in created)
            {
                c.Order.Id = Take(ids[0], ref o);
                foreach (var x in c.Objects) x.Id = Take(ids[1], ref b);
                foreach (var x in c.Order.Payments) x.Id = Take(ids[2], ref p);
            }
            rows.AddRangeWithKeys(created.Select(c => c.Order));
        }
        else
        {
            await rows.AddRange(created.Select(c => c.Order)).ExecuteAsync(ct).ConfigureAwait(false);
        }
        foreach (var c in created)
        {
            foreach (var x in c.Objects) x.OrderId = c.Order.Id;
            foreach (var x in c.Order.Payments) x.OrderId = c.Order.Id;
        }
        var objects = created.SelectMany(c => c.Objects);
        var payments = created.SelectMany(c => c.Order.Payments);
        if (postgres) rows.AddRangeWithKeys(objects).AddRangeWithKeys(payments);
        else await rows.AddRange(objects).AddRange(payments).ExecuteAsync(ct).ConfigureAwait(false);

        var freeze = new List<ShopFreezeLine>();
        var allItems = new List<OrderItem>();
        var logs = new List<OrderLog>(created.Count);
        foreach (var c in created)
        {
            var order = c.Order;
            var items = c.Failed ? [] : Expand(order, c.Objects, c.Matches);
            var text = c.Failed
                ? "失败订单：" + string.Join("；", c.Matches.Where(m => !m.Matched).Select(m => m.Unmatched))
                : $"订单创建：{c.Objects.Count} 行，{items.Sum(i => i.Quantity)} 件，金额 {Money.ToText(order.TotalAmount)}";
            if (order.Status != OrderStatus.Active) text += order.Status == OrderStatus.Dead ? "（店铺推送时已作废）" : "（店铺推送时已完成）";
            allItems.AddRange(items);
            logs.Add(OrderLog.Create(order.Id, "create", text, c.Actor, now));
            if (order.Status == OrderStatus.Active)
                freeze.AddRange(Held(items).Select(kv => new ShopFreezeLine(order.ShopId, kv.Key, kv.Value)));
        }
        // one statement per table: the rows of a type queued together
        rows.AddRange(allItems).AddRange(logs);
        if (postgres)
        {
            // the rows and the shop freeze in one round trip: the caller's, or one of their own
            await using var own = writes is null ? new SqlBatch(db) : null;
            var batch = writes ?? own!;
            rows.AppendTo(batch);
            inventory.AppendFreezeShop(batch, freeze);
            if (own is not null) await own.ExecuteAsync(ct).ConfigureAwait(false);
            return;
        }
        await rows.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        if (freeze.Count > 0) await inventory.FreezeShopAsync(freeze, ct).ConfigureAwait(false);
    }

    /// <summary>The next of the reserved <paramref name="ids"/>.</summary>
    private static long Take(long[] ids, ref int next) =>
        next < ids.Length ? ids[next++] : throw new InvalidOperationException("fewer ids were reserved than the new orders take");

    /// <summary>SQLite (the transaction is the only writer, nothing to lock): which of the (shop, order_bn) keys have an order.</summary>
    private async Task<HashSet<(long ShopId, string OrderBn)>> FindExistingAsync(IReadOnlyList<(long ShopId, string OrderBn)> keys, CancellationToken ct)
    {
        var bns = keys.Select(k => k.OrderBn).Distinct().ToList();
        var found = await db.Set<Order>().AsNoTracking().Where(o => bns.Contains(o.OrderBn)).Select(o => new { o.ShopId, o.OrderBn })
            .ToListAsync(ct).ConfigureAwait(false);
        var wanted = keys.ToHashSet();
        return found.Select(f => (f.ShopId, f.OrderBn)).Where(wanted.Contains).ToHashSet();
    }

    private async Task<IntakeResult> UpdateAsync(ShopInfo shop, long orderId, OrderPush push, string actor, CancellationToken ct)
    {
        var order = await LoadByIdAsync(orderId, ct).ConfigureAwait(false);
        if (push.Modified <= order.PlatformModified) return new IntakeResult(order.Id, IntakeStates.Unchanged);
        if (order.Status == OrderStatus.Dead)
        {
            // a cancelled order stays cancelled; later pushes only move the stored time on
            order.PlatformModified = push.Modified;
            return new IntakeResult(order.Id, IntakeStates.Unchanged);
        }
        if (push.Status == OrderStatus.Dead)
        {
            await CancelAsync(order, push.PayStatus, actor, ct).ConfigureAwait(false);
            order.PlatformModified = push.Modified;
            SetPayment(order, push.PayStatus, push.Payed, push.PayTime ?? order.PayTime, [], Now);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return new IntakeResult(order.Id, IntakeStates.Updated);
        }

        var changes = new List<string>();
        var addressChanged = ApplyHeader(order, push, changes, Now);
        if (push.Status == OrderStatus.Finish && order.Status == OrderStatus.Active)
            changes.Add("店铺状态为已完成（订单由本系统发货后完成，状态未改）");
        foreach (var p in push.Payments)
            if (p.TradeNo is null ? !order.Payments.Any(x => x.TradeNo is null && x.Money == p.Money) : !order.Payments.Any(x => x.TradeNo == p.TradeNo))
            {
                order.Payments.Add(ToPayment(p, Now));
                changes.Add($"收款 {Money.ToText(p.Money)}");
            }

        var linesChanged = await ApplyLinesAsync(shop, order, push, changes, ct).ConfigureAwait(false);
        var reviewed = order.Confirmed || order.Items.Any(i => !i.Deleted && i.SplitNum > 0);
        if (reviewed && (addressChanged || linesChanged) && !order.Abnormal)
        {
            order.Abnormal = true;
            order.AbnormalReason = "审核后店铺修改了" + (addressChanged && linesChanged ? "地址和商品" : addressChanged ? "地址" : "商品");
            changes.Add("标记异常：" + order.AbnormalReason);
        }
        order.PlatformModified = push.Modified;
        // a newer modified with nothing new: the time is kept, the order did not change
        if (changes.Count == 0) return new IntakeResult(order.Id, order.IsFail ? IntakeStates.Failed : IntakeStates.Unchanged);
        order.UpdatedAt = Now;
        Log(order, "update", "店铺更新：" + string.Join("；", changes), actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new IntakeResult(order.Id, order.IsFail ? IntakeStates.Failed : IntakeStates.Updated);
    }

    /// <summary>
    /// Applies changed lines: objects equal to a stored one (same oid when both have one, code,
    /// quantity, price, amount, type) keep their rows and items; the others are marked deleted and new
    /// rows written, and shop freeze moves by the difference. A failed order has its lines replaced
    /// (nothing is frozen for it). A reviewed order keeps its lines (its deliveries hold them): the
    /// change is only logged. Answers whether the lines differ.
    /// </summary>
    private async Task<bool> ApplyLinesAsync(ShopInfo shop, Order order, OrderPush push, List<string> changes, CancellationToken ct)
    {
        // Lines the OMS added itself (CRM gifts of the preprocess chain) are not the shop's: they never
        // match a pushed object and are never dropped here. Their items stay live, so the freeze diff
        // below holds them on both sides; the next preprocess run decides whether they still apply.
        var stored = order.Objects.Where(o => !o.Deleted && !OrderLineSources.IsAddedByOms(o.Source)).OrderBy(o => o.Position).ToList();
        var kept = new OrderObject?[push.Objects.Count];
        var dropped = new List<OrderObject>(stored);
        for (var i = 0; i < push.Objects.Count; i++)
        {
            var same = dropped.FirstOrDefault(s => Same(s, push.Objects[i]));
            if (same is not null) dropped.Remove(same);
            kept[i] = same;
        }
        if (dropped.Count == 0 && kept.All(k => k is not null)) return false;

        var summary = $"商品变更：{Describe(stored)} → {Describe(push.Objects)}";
        if (order.Confirmed || order.Items.Any(i => !i.Deleted && i.SplitNum > 0))
        {
            changes.Add(summary + "（已审核，明细未改）");
            return true;
        }
        changes.Add(summary);

        var wasFailed = order.IsFail;
        if (wasFailed)
        {
            // nothing is frozen for a failed order: its lines are simply replaced and matched again
            Array.Clear(kept);
            dropped = stored;
        }
        var before = wasFailed || order.Status != OrderStatus.Active ? [] : Held(order.Items.Where(i => !i.Deleted));
        foreach (var s in dropped)
        {
            s.Deleted = true;
            foreach (var i in order.Items.Where(i => i.ObjectId == s.Id)) i.Deleted = true;
        }
        var newPushes = new List<ObjectPush>();
        var matches = new List<ObjectMatch>();
        for (var i = 0; i < push.Objects.Count; i++)
            if (kept[i] is null)
            {
                newPushes.Add(push.Objects[i]);
                matches.Add(await matcher.MatchAsync(shop.Id, shop.ShopBn, push.Objects[i], ct).ConfigureAwait(false));
            }
        var objects = NewObjects(order, newPushes, matches);
        for (int i = 0, n = 0; i < push.Objects.Count; i++)
            (kept[i] ?? objects[n++]).Position = i;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);

        if (matches.Any(m => !m.Matched))
        {
            if (!wasFailed) changes.Add("转为失败订单：" + string.Join("；", matches.Where(m => !m.Matched).Select(m => m.Unmatched)));
            order.IsFail = true;
            foreach (var i in order.Items) i.Deleted = true;
            await FreezeAsync(order.ShopId, before, [], ct).ConfigureAwait(false);
            return true;
        }
        if (wasFailed)
        {
            order.IsFail = false;
            changes.Add("全部商品已匹配，转为正常订单");
        }
        Expand(order, objects, matches);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (order.Status == OrderStatus.Active)
            await FreezeAsync(order.ShopId, before, Held(order.Items.Where(i => !i.Deleted)), ct).ConfigureAwait(false);
        return true;
    }

    private static bool Same(OrderObject s, ObjectPush p) =>
        (s.Oid is not null && p.Oid is not null ? s.Oid == p.Oid : true)
        && s.Bn == p.Bn && s.Quantity == p.Quantity && s.Amount == p.Amount && s.ObjType == p.ObjType && s.Price == p.Price;

    private static string Describe(IEnumerable<OrderObject> objects) => string.Join("，", objects.Select(o => $"{o.Bn}×{o.Quantity}"));

    private static string Describe(IEnumerable<ObjectPush> objects) => string.Join("，", objects.Select(o => $"{o.Bn}×{o.Quantity}"));

    /// <summary>Cancels (作废): refused unless unpaid or fully refunded, not shipped, and without delivery notices.</summary>
    private async Task CancelAsync(Order order, PayStatus payStatus, string actor, CancellationToken ct)
    {
        string? refusal = null;
        if (order.Status == OrderStatus.Finish) refusal = "it is finished";
        else if (order.ShipStatus != ShipStatus.NotShipped || order.Items.Any(i => i.SendNum > 0)) refusal = "it is shipped";
        else if (payStatus is not (PayStatus.Unpaid or PayStatus.Paying or PayStatus.FullyRefunded))
            refusal = $"it is paid (pay_status {(int)payStatus}): a paid order is cancelled through its refund";
        else if (order.Items.Any(i => !i.Deleted && i.SplitNum > 0)) refusal = "it has delivery notices: they must be cancelled first";
        if (refusal is not null) throw new DomainException($"order {order.OrderBn} cannot be cancelled: {refusal}");

        if (!order.IsFail) await FreezeAsync(order.ShopId, Held(order.Items.Where(i => !i.Deleted)), [], ct).ConfigureAwait(false);
        order.Status = OrderStatus.Dead;
        order.ProcessStatus = ProcessStatus.Cancel;
        order.UpdatedAt = Now;
        Log(order, "cancel", "订单作废（店铺取消）" + (order.IsFail ? "" : "，释放店铺冻结"), actor);
    }

    private async Task<IntakeResult> FinishChangeAsync(Order order, string action, List<string> changes, string actor, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return new IntakeResult(order.Id, IntakeStates.Unchanged);
        }
        order.UpdatedAt = Now;
        Log(order, action, string.Join("；", changes), actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new IntakeResult(order.Id, IntakeStates.Updated);
    }

    /// <summary>Copies the header fields of a push; answers whether the consignee changed. Each change is described in <paramref name="changes"/>.</summary>
    private static bool ApplyHeader(Order o, OrderPush p, List<string> changes, DateTime now)
    {
        var c = p.Consignee;
        var addressBefore = changes.Count;
        Set(changes, "收货人", o.ShipName, c.Name, v => o.ShipName = v);
        Set(changes, "省", o.ShipProvince, c.Province, v => o.ShipProvince = v);
        Set(changes, "市", o.ShipCity, c.City, v => o.ShipCity = v);
        Set(changes, "区", o.ShipDistrict, c.District, v => o.ShipDistrict = v);
        Set(changes, "街道", o.ShipStreet, c.Street, v => o.ShipStreet = v);
        Set(changes, "地址", o.ShipAddr, c.Addr, v => o.ShipAddr = v);
        Set(changes, "邮编", o.ShipZip, c.Zip, v => o.ShipZip = v);
        Set(changes, "电话", o.ShipTel, c.Telephone, v => o.ShipTel = v);
        Set(changes, "手机", o.ShipMobile, c.Mobile, v => o.ShipMobile = v);
        var addressChanged = changes.Count > addressBefore;
        Set(changes, "邮箱", o.ShipEmail, c.Email, v => o.ShipEmail = v);
        Set(changes, "送货时间", o.ShipTime, c.Time, v => o.ShipTime = v);

        var m = p.Member;
        Set(changes, "买家", o.BuyerId, p.BuyerId, v => o.BuyerId = v);
        Set(changes, "会员名", o.MemberUname, m.Uname, v => o.MemberUname = v);
        Set(changes, "会员姓名", o.MemberName, m.Name, v => o.MemberName = v);
        Set(changes, "会员手机", o.MemberMobile, m.Mobile, v => o.MemberMobile = v);
        Set(changes, "会员电话", o.MemberTel, m.Tel, v => o.MemberTel = v);
        Set(changes, "会员邮箱", o.MemberEmail, m.Email, v => o.MemberEmail = v);

        Set(changes, "买家留言", o.CustomMark, p.CustomMark, v => o.CustomMark = v);
        Set(changes, "卖家备注", o.MarkText, p.MarkText, v => o.MarkText = v);
        Set(changes, "旗帜", o.MarkType, p.MarkType, v => o.MarkType = v);
        Set(changes, "开票", o.IsTax, p.IsTax, v => o.IsTax = v);
        Set(changes, "发票抬头", o.TaxTitle, p.TaxTitle, v => o.TaxTitle = v);
        Set(changes, "税号", o.TaxNo, p.TaxNo, v => o.TaxNo = v);

        Set(changes, "商品金额", o.CostItem, p.CostItem, v => o.CostItem = v);
        Set(changes, "运费", o.CostFreight, p.CostFreight, v => o.CostFreight = v);
        Set(changes, "保价费", o.CostProtect, p.CostProtect, v => o.CostProtect = v);
        Set(changes, "支付手续费", o.CostPayment, p.CostPayment, v => o.CostPayment = v);
        Set(changes, "折扣", o.Discount, p.Discount, v => o.Discount = v);
        Set(changes, "商品优惠", o.PmtGoods, p.PmtGoods, v => o.PmtGoods = v);
        Set(changes, "订单优惠", o.PmtOrder, p.PmtOrder, v => o.PmtOrder = v);
        Set(changes, "订单总额", o.TotalAmount, p.TotalAmount, v => o.TotalAmount = v);
        Set(changes, "重量", o.Weight, p.Weight, v => o.Weight = v);
        Set(changes, "币种", o.Currency, p.Currency, v => o.Currency = v);
        Set(changes, "优惠明细", o.PromotionDetail, p.PromotionDetail, v => o.PromotionDetail = v);
        Set(changes, "配送方式", o.ShippingName, p.ShippingName, v => o.ShippingName = v);
        Set(changes, "货到付款", o.IsCod, p.IsCod, v => o.IsCod = v);
        Set(changes, "保价", o.IsProtect, p.IsProtect, v => o.IsProtect = v);
        Set(changes, "支付方式", o.PayName, p.PayName, v => o.PayName = v);
        if (o.CreateTime != p.CreateTime) o.CreateTime = p.CreateTime;
        SetPayment(o, p.PayStatus, p.Payed, p.PayTime, changes, now);
        return addressChanged;
    }

    private static void SetPayment(Order o, PayStatus status, decimal payed, DateTime? payTime, List<string> changes, DateTime now)
    {
        if (o.PayStatus != status)
        {
            changes.Add($"付款状态 {(int)o.PayStatus} → {(int)status}");
            if (IsPaid(status) && o.PaidAt is null) o.PaidAt = now;
            o.PayStatus = status;
        }
        Set(changes, "已付金额", o.Payed, payed, v => o.Payed = v);
        if (payTime is not null && o.PayTime != payTime) o.PayTime = payTime;
    }

    private static void Set<T>(List<string> changes, string label, T current, T value, Action<T> set)
    {
        if (EqualityComparer<T>.Default.Equals(current, value)) return;
        set(value);
        changes.Add($"{label}：{Show(current)} → {Show(value)}");
    }

    private static string Show<T>(T value) => value switch
    {
        null => "（空）",
        decimal d => Money.ToText(d),
        bool b => b ? "是" : "否",
        string { Length: > 60 } s => string.Concat(s.AsSpan(0, 60), "…"),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Paid (1) and processing (2) count as paid (PROTOCOL.md §2).</summary>
    public static bool IsPaid(PayStatus s) => s is PayStatus.Paid or PayStatus.Processing;

    private static List<OrderObject> NewObjects(Order order, IReadOnlyList<ObjectPush> pushes, IReadOnlyList<ObjectMatch> matches)
    {
        var result = new List<OrderObject>(pushes.Count);
        for (var i = 0; i < pushes.Count; i++)
        {
            var p = pushes[i];
            var o = new OrderObject
            {
                Oid = p.Oid, Bn = p.Bn, Name = p.Name, ObjType = p.ObjType, SalesMaterialId = matches[i].SalesMaterialId,
                Quantity = p.Quantity, Price = p.Price, Amount = p.Amount, PmtPrice = p.PmtPrice, SalePrice = p.SalePrice,
                Weight = p.Weight, ShopGoodsId = p.ShopGoodsId, ShopItems = p.ShopItems, Position = i,
            };
            order.Objects.Add(o);
            result.Add(o);
        }
        return result;
    }

    /// <summary>Adds the items of saved objects (their ids are known) to the order.</summary>
    private static List<OrderItem> Expand(Order order, IReadOnlyList<OrderObject> objects, IReadOnlyList<ObjectMatch> matches)
    {
        var items = new List<OrderItem>();
        for (var i = 0; i < objects.Count; i++)
            foreach (var e in matches[i].Items)
            {
                var item = new OrderItem
                {
                    OrderId = order.Id, ObjectId = objects[i].Id, BasicMaterialId = e.BasicMaterialId, Bn = e.Bn, Name = e.Name,
                    ItemType = e.ItemType, Quantity = e.Quantity, Price = e.Price, Amount = e.Amount,
                };
                order.Items.Add(item);
                items.Add(item);
            }
        return items;
    }

    private static ObjectPush ToPush(OrderObject o) =>
        new(o.Oid, o.Bn, o.Name, o.ObjType, o.Quantity, o.Price, o.Amount, o.PmtPrice, o.SalePrice, o.Weight, o.ShopGoodsId, o.ShopItems);

    private static OrderPayment ToPayment(PaymentPush p, DateTime now) => new()
    {
        TradeNo = p.TradeNo, Money = p.Money, PayMethod = p.PayMethod, PayTime = p.PayTime, Account = p.Account,
        PayAccount = p.PayAccount, Memo = p.Memo, CreatedAt = now,
    };

    /// <summary>Shop freeze held by items: Σ (quantity − quantity in deliveries) per basic material.</summary>
    private static Dictionary<long, int> Held(IEnumerable<OrderItem> items)
    {
        var held = new Dictionary<long, int>();
        foreach (var i in items)
        {
            var n = i.Quantity - i.SplitNum;
            if (n > 0) held[i.BasicMaterialId] = held.GetValueOrDefault(i.BasicMaterialId) + n;
        }
        return held;
    }

    /// <summary>
    /// Moves shop freeze from <paramref name="before"/> to <paramref name="after"/>, material by material
    /// in ascending id order (the inventory module's lock order), so two updates never deadlock.
    /// </summary>
    private async Task FreezeAsync(long shopId, Dictionary<long, int> before, Dictionary<long, int> after, CancellationToken ct)
    {
        if (before.Count == 0)
        {
            if (after.Count > 0)
                await inventory.FreezeShopAsync(after.Select(kv => new ShopFreezeLine(shopId, kv.Key, kv.Value)).ToList(), ct).ConfigureAwait(false);
            return;
        }
        foreach (var material in before.Keys.Union(after.Keys).Order())
        {
            var diff = after.GetValueOrDefault(material) - before.GetValueOrDefault(material);
            if (diff > 0) await inventory.FreezeShopAsync([new ShopFreezeLine(shopId, material, diff)], ct).ConfigureAwait(false);
            else if (diff < 0) await inventory.ReleaseShopFreezeAsync([new ShopFreezeLine(shopId, material, -diff)], ct).ConfigureAwait(false);
        }
    }

    private void Log(Order order, string action, string text, string actor) =>
        db.Add(OrderLog.Create(order.Id, action, text, actor, Now));

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Takes the order's lock (<see cref="OrderLocks"/>), then its row; answers its id, if any.</summary>
    private async Task<long?> LockAsync(long shopId, string orderBn, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
            return await OrderLocks.AcquireAndFindOrderAsync(db, shopId, orderBn, ct).ConfigureAwait(false);
        await OrderLocks.AcquireAsync(db, shopId, orderBn, ct).ConfigureAwait(false);
        return await db.Set<Order>().Where(o => o.ShopId == shopId && o.OrderBn == orderBn).Select(o => (long?)o.Id)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
    }

    private async Task<Order> LoadAsync(long shopId, string orderBn, CancellationToken ct)
    {
        var id = await LockAsync(shopId, orderBn, ct).ConfigureAwait(false)
                 ?? throw new DomainException($"order {orderBn} does not exist in this shop");
        return await LoadByIdAsync(id, ct).ConfigureAwait(false);
    }

    private Task<Order> LoadByIdAsync(long id, CancellationToken ct) =>
        db.Set<Order>().Include(o => o.Objects).Include(o => o.Items).Include(o => o.Payments).AsSplitQuery()
            .FirstAsync(o => o.Id == id, ct);

    private Task<string> ShopBnAsync(long shopId, CancellationToken ct) =>
        db.Set<Shop>().Where(s => s.Id == shopId).Select(s => s.ShopBn).FirstAsync(ct);
}

/// <summary>Which memo a memo push changes.</summary>
public enum MemoKind
{
    /// <summary>卖家备注 mark_text (and the flag mark_type).</summary>
    Seller,
    /// <summary>买家留言 custom_mark.</summary>
    Buyer,
}
