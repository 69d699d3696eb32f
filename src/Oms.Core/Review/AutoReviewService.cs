using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Dispatch;
using Oms.Preprocess;
using Oms.Rules;
using Oms.Warehouses;

namespace Oms.Review;

public enum AutoReviewOutcome
{
    /// <summary>Not (or no longer) eligible: confirmed meanwhile, paused, back in the staging area, gone.</summary>
    Skipped,
    /// <summary>Turned into a delivery notice (with its merge group).</summary>
    Reviewed,
    /// <summary>A blocking flag keeps it for manual review.</summary>
    Held,
}

public sealed record AutoReviewResult(long OrderId, AutoReviewOutcome Outcome, ReviewFlags Flags, ReviewFlags Blocking, string? DeliveryBn, IReadOnlyList<long> MergedOrderIds);

/// <summary>
/// 自动审单 (DOMAIN.md §5): for each order that left the staging area, finds its merge group (same shop, member and
/// address, all eligible), runs <see cref="AutoReviewChain"/>, and — when no flag blocks — creates the delivery (shop
/// freeze → branch freeze, conditionally: a unit is never reserved twice however many workers run). Otherwise the flags
/// and readable reasons are kept on the order (<c>auto_status</c>, the operation log, <see cref="OrderReviewState"/>).
/// A batch is one transaction: the batch path decides every group in memory and writes set-wise; the per-group path
/// (through <see cref="DeliveryService"/>) is its fallback and takes the groups it does not handle.
/// </summary>
public sealed partial class AutoReviewService(
    OmsDbContext db, DeliveryService deliveries, BranchAllocator allocator, StagingArea staging, TimeProvider clock, Admin.SettingsService settings,
    PreprocessChain preprocess, PreprocessFacts preprocessFacts, OrderFactsLoader factsLoader, OrderGroupMatcher groups,
    AutoReviewRules reviewRules, BranchRuleMatcher branchRules, DefaultBranchCandidates defaultBranches, DispatchService dispatch,
    Inventory.InventoryService inventory, IEnumerable<IThirdPartyWarehouse> thirdParty)
{
    public const string Actor = "system";
    /// <summary>
    /// Orders per <c>autorder</c> task: one batch, one transaction. 200 rather than 100: the batch's some twenty round
    /// trips, its statements' fixed costs and its durable commit are shared by twice the orders (client CPU per order
    /// about −20 % in <c>review mixed</c>); the hot-SKU race stays exact (a batch that loses the freeze move goes group by group).
    /// </summary>
    public const int BatchSize = 200;
    /// <summary>STORE / BRANCH: how long before an unchanged order is looked at again (stock may arrive meanwhile).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(5);
    /// <summary>How long an order queued for review (<see cref="MarkQueuedAsync"/>) is left to its task: one not reviewed by then (a lost task) is queued again by a later scan.</summary>
    public static readonly TimeSpan QueuedFor = TimeSpan.FromMinutes(2);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Reviews the orders (ascending id) as one batch in one transaction (<see cref="ReviewBatchAsync"/>); an order merged
    /// into an earlier one's delivery is not reviewed again.
    /// </summary>
    public async Task<IReadOnlyList<AutoReviewResult>> ReviewAsync(IReadOnlyList<long> orderIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        var ids = orderIds.Distinct().Order().ToList();
        if (ids.Count == 0) return [];
        var buffer = await staging.BufferAsync(ct).ConfigureAwait(false);
        var rules = new BatchRules(await groups.LoadAsync(ct).ConfigureAwait(false), await branchRules.LoadAsync(ct).ConfigureAwait(false));
        db.ChangeTracker.Clear();
        BatchOutcome batch;
        await using (var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            batch = await ReviewBatchAsync(ids, buffer, rules, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        // the groups the batch leaves to the per-group path: each in its own short transaction, as the stock rows and order
        // locks it takes must not wait for the rest of the batch
        var results = batch.Results;
        var seen = results.Values.SelectMany(r => r.MergedOrderIds).ToHashSet();
        foreach (var id in batch.Alone.Order())
        {
            if (seen.Contains(id)) continue;
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            var r = await ReviewOneAsync(id, buffer, rules, batch.Preprocessed, tx, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            seen.UnionWith(r.MergedOrderIds);
            results[id] = r;
        }
        return ids.Where(results.ContainsKey).Select(id => results[id]).ToList();
    }

    /// <summary>
    /// The orders automatic review should look at now, oldest first: dispatchable (out of the staging area), not taken
    /// over by an operator, not already queued, and either never looked at, changed since, or due for a retry.
    /// </summary>
    public async Task<List<long>> DueAsync(int max, CancellationToken ct = default)
    {
        var now = Now;
        var bufferStart = now - await staging.BufferAsync(ct).ConfigureAwait(false);
        return await db.Set<Order>().AsNoTracking().Where(StagingArea.Dispatchable(bufferStart))
            .Where(o => !db.Set<OrderReviewState>().Any(s => s.OrderId == o.Id
                && (s.ManualOnly || s.QueuedUntil > now || (s.SeenUpdatedAt >= o.UpdatedAt && (s.RetryAt == null || s.RetryAt > now)))))
            .OrderBy(o => o.Id).Select(o => o.Id).Take(max).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks orders as queued for review until <paramref name="until"/>, so the next scan does not queue them again: one
    /// statement in the caller's transaction (a scan marks up to 5,000), adding the state row of an order never looked at.
    /// </summary>
    public async Task MarkQueuedAsync(IReadOnlyCollection<long> orderIds, DateTime until, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        if (orderIds.Count == 0) return;
        await using var batch = new SqlBatch(db);
        var P = batch.P;
        var never = P(DateTime.MinValue);
        batch.Text.Append(CultureInfo.InvariantCulture,
            $"INSERT INTO order_review_state (order_id, seen_updated_at, attempted_at, flags, blocking, detail, retry_at, queued_until, manual_only) ")
            .Append(CultureInfo.InvariantCulture, $"SELECT id, {never}, {never}, 0, 0, NULL, NULL, {P(until)}, {P(false)} FROM orders WHERE {batch.IdIn(orderIds)} ")
            .Append("ON CONFLICT (order_id) DO UPDATE SET queued_until = excluded.queued_until;\n");
        await batch.ExecuteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>review.split_by_branch</c>: the group's remaining lines split over the candidates by weight (each branch takes what
    /// its free stock covers), one delivery per branch with its own carrier — all or none (a savepoint): a carrier flag that
    /// blocks, or a lost race for the stock, leaves the order held as before.
    /// </summary>
    private async Task<IReadOnlyList<Delivery>> SplitAcrossBranchesAsync(ReviewCase c, List<Order> orders, ReviewRuleSetting rule,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        var shares = await allocator.SplitAsync(c.Candidates, c.Need, ct).ConfigureAwait(false);
        if (shares is null) return [];
        var open = orders.SelectMany(o => o.Items).Where(i => i.Remaining > 0).OrderBy(i => i.Id)
            .Select(i => (Item: i, Left: i.Remaining)).ToList();
        var drafts = new List<DeliveryDraft>();
        foreach (var share in shares)
        {
            var weight = share.Lines.Sum(l => l.Quantity * c.MaterialWeights.GetValueOrDefault(l.BasicMaterialId));
            var carrier = await allocator.CarrierAsync(share.BranchId, orders[0].ShipProvince, weight, ct).ConfigureAwait(false);
            if (rule.BlockingOf(carrier.Flag) != 0) return [];
            var lines = new List<DeliveryLine>();
            foreach (var need in share.Lines)
            {
                var want = need.Quantity;
                for (var i = 0; i < open.Count && want > 0; i++)
                {
                    if (open[i].Item.BasicMaterialId != need.BasicMaterialId || open[i].Left == 0) continue;
                    var take = Math.Min(want, open[i].Left);
                    lines.Add(new DeliveryLine(open[i].Item.Id, take));
                    open[i] = (open[i].Item, open[i].Left - take);
                    want -= take;
                }
            }
            drafts.Add(new DeliveryDraft(share.BranchId, carrier.Company?.Id, lines.GroupBy(l => l.OrderItemId)
                .Select(g => new DeliveryLine(g.Key, g.Sum(l => l.Number))).ToList()));
        }
        await tx.CreateSavepointAsync(SplitSavepoint, ct).ConfigureAwait(false);
        try
        {
            var made = new List<Delivery>();
            foreach (var d in drafts) made.Add(await deliveries.CreateAsync(d, Actor, ct).ConfigureAwait(false));
            return made;
        }
        catch (InsufficientStockException)
        {
            await tx.RollbackToSavepointAsync(SplitSavepoint, ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            return [];
        }
    }

    public const string SplitSetting = "review.split_by_branch";
    private const string SplitSavepoint = "oms_review_split";

    /// <summary>The order groups and branch rules, read once per batch (both are cached and reloaded on change).</summary>
    private sealed record BatchRules(OrderGroupSet Groups, BranchRuleSet Branches);

    /// <summary>
    /// The per-group path (the batch's fallback, and what the batch hands over): the order with its merge group, in the
    /// caller's transaction under a savepoint of its own; orders in <paramref name="preprocessed"/> are not preprocessed again.
    /// </summary>
    private async Task<AutoReviewResult> ReviewOneAsync(long orderId, TimeSpan buffer, BatchRules batch, HashSet<long> preprocessed,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        await tx.CreateSavepointAsync(GroupSavepoint, ct).ConfigureAwait(false);
        AutoReviewResult result;
        try
        {
            result = await ReviewGroupAsync(orderId, buffer, batch, preprocessed, tx, ct).ConfigureAwait(false);
        }
        catch (DomainException e)
        {
            // a refusal of this group (e.g. its branch no longer supplies the shop) undoes this group only: the rest of the
            // batch goes on, the order says why and is looked at again later
            await tx.RollbackToSavepointAsync(GroupSavepoint, ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            result = await RefusedAsync(orderId, e.Message, ct).ConfigureAwait(false);
        }
        await tx.ReleaseSavepointAsync(GroupSavepoint, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// A group the delivery service refused: the head order keeps its flags, its state gets the refusal as its detail and a
    /// retry in <see cref="RetryAfter"/>, and — when the reason is new — a log line.
    /// </summary>
    private async Task<AutoReviewResult> RefusedAsync(long orderId, string reason, CancellationToken ct)
    {
        var now = Now;
        var order = await db.Set<Order>().AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, ct).ConfigureAwait(false);
        if (order is null) return Skipped(orderId);
        var detail = "生成发货单被拒绝：" + reason;
        var s = await db.Set<OrderReviewState>().FirstOrDefaultAsync(x => x.OrderId == orderId, ct).ConfigureAwait(false);
        if (s is null) db.Add(s = new OrderReviewState { OrderId = orderId });
        if (s.Detail != detail) db.Add(OrderLog.Create(orderId, "review.auto", "自动审单未通过：" + detail, Actor, now));
        s.SeenUpdatedAt = order.UpdatedAt;
        s.AttemptedAt = now;
        s.Detail = detail;
        s.QueuedUntil = null;
        s.RetryAt = now + RetryAfter;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new AutoReviewResult(orderId, AutoReviewOutcome.Held, (ReviewFlags)order.AutoStatus, 0, null, [orderId]);
    }

    private const string GroupSavepoint = "oms_review_group";

    private async Task<AutoReviewResult> ReviewGroupAsync(long orderId, TimeSpan buffer, BatchRules batch, HashSet<long> preprocessed,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var now = Now;
        var head = await db.Set<Order>().AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, ct).ConfigureAwait(false);
        if (head is null) return Skipped(orderId);
        var key = OrderMergeKey.Of(head);
        var groupIds = new List<long> { orderId };
        if (key.HasMember)
        {
            var same = await db.Set<Order>().AsNoTracking().Where(key.SameMember()).Where(StagingArea.Dispatchable(now - buffer))
                .Where(o => o.Id != orderId).ToListAsync(ct).ConfigureAwait(false);
            groupIds.AddRange(same.Where(o => OrderMergeKey.Of(o) == key).Select(o => o.Id));
        }

        await OrderLocks.LockOrdersAsync(db, groupIds, ct).ConfigureAwait(false);
        // 预处理 first (it may add gift lines), then the orders as they are now
        var fresh = groupIds.Where(id => !preprocessed.Contains(id)).ToList();
        if (fresh.Count > 0) await preprocess.RunManyAsync(fresh, Actor, ct).ConfigureAwait(false);
        preprocessed.UnionWith(fresh);
        db.ChangeTracker.Clear();
        var orders = await db.Set<Order>().Include(o => o.Objects).Include(o => o.Items).AsSplitQuery().Where(o => groupIds.Contains(o.Id))
            .OrderBy(o => o.Id).ToListAsync(ct).ConfigureAwait(false);
        orders = orders.Where(o => StagingArea.Evaluate(StagingFacts.Of(o), buffer, now).Dispatchable && OrderMergeKey.Of(o) == key).ToList();
        if (orders.All(o => o.Id != orderId)) return Skipped(orderId);

        var ids = orders.Select(o => o.Id).ToList();
        var facts = await factsLoader.LoadAsync(ids, ct).ConfigureAwait(false);
        var mainFacts = facts.First(f => f.OrderId == orderId);
        var group = batch.Groups.GroupFor(mainFacts);
        var rule = await reviewRules.BlockingForAsync(group, ct).ConfigureAwait(false);
        var candidates = batch.Branches.CandidatesFor(mainFacts) ?? await defaultBranches.ForShopAsync(key.ShopId, ct).ConfigureAwait(false);
        var c = await CaseAsync(orders, key, candidates, rule.CheckProduct, ct).ConfigureAwait(false);
        var flags = AutoReviewChain.Run(c);
        var blocking = rule.BlockingOf(flags);
        string? detail = await DetailAsync(c, ct).ConfigureAwait(false);
        var made = new List<Delivery>();
        if (blocking == 0 && c.Branch.BranchId is { } branchId)
        {
            var lines = orders.SelectMany(o => o.Items).Where(i => i.Remaining > 0).Select(i => new DeliveryLine(i.Id, i.Remaining)).ToList();
            try
            {
                made.Add(await deliveries.CreateAsync(new DeliveryDraft(branchId, c.Logistics?.Company?.Id, lines), Actor, ct).ConfigureAwait(false));
            }
            catch (InsufficientStockException e)
            {
                // another reviewer took the stock after the snapshot: nothing of this delivery was written
                flags |= ReviewFlags.Store;
                blocking = rule.BlockingOf(flags);
                detail = e.Message;
            }
        }
        else if (blocking == ReviewFlags.Store && await settings.GetBoolAsync(SplitSetting, ct).ConfigureAwait(false)
                 && await SplitAcrossBranchesAsync(c, orders, rule, tx, ct).ConfigureAwait(false) is { Count: > 0 } split)
        {
            made.AddRange(split);
            flags &= ~ReviewFlags.Store;
            blocking = 0;
            detail = $"拆分到 {split.Count} 个仓库发货";
        }
        var delivery = made.Count > 0 ? made[0] : null;
        // an order left for people goes to its group's reviewers (自动分派), when the group has a dispatch rule
        var dispatched = delivery is null
            ? (await dispatch.AutoDispatchAsync(facts, Actor, ct).ConfigureAwait(false)).Select(d => d.OrderId).ToHashSet()
            : [];

        // DeliveryService read the orders again under its locks: continue with the instances it tracks; dispatching
        // wrote behind the change tracker (updated_at): read those again
        if (dispatched.Count > 0) db.ChangeTracker.Clear();
        orders = await db.Set<Order>().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Id).ToListAsync(ct).ConfigureAwait(false);
        var states = await db.Set<OrderReviewState>().Where(s => groupIds.Contains(s.OrderId)).ToDictionaryAsync(s => s.OrderId, ct).ConfigureAwait(false);
        foreach (var o in orders)
        {
            o.AutoStatus = (long)flags;
            if (!states.TryGetValue(o.Id, out var s)) db.Add(s = new OrderReviewState { OrderId = o.Id });
            var changed = s.Flags != (long)flags || s.AttemptedAt == default;
            s.SeenUpdatedAt = o.UpdatedAt;
            s.AttemptedAt = now;
            s.Flags = (long)flags;
            s.Blocking = delivery is null ? (long)blocking : 0;
            s.Detail = detail;
            s.QueuedUntil = null;
            s.RetryAt = delivery is null ? RetryAtOf(flags, now) : null;
            if (delivery is null && changed) db.Add(OrderLog.Create(o.Id, "review.auto", HeldText(flags, blocking, detail), Actor, now));
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new AutoReviewResult(orderId, delivery is null ? AutoReviewOutcome.Held : AutoReviewOutcome.Reviewed, flags,
            delivery is null ? blocking : 0, delivery is null ? null : string.Join(",", made.Select(d => d.DeliveryBn)), ids);
    }

    private async Task<ReviewCase> CaseAsync(List<Order> orders, OrderMergeKey key, IReadOnlyList<BranchCandidate> candidates, bool checkProduct,
        CancellationToken ct)
    {
        var shopId = key.ShopId;
        var need = NeedLine.Of(orders.SelectMany(o => o.Items));
        var materialIds = need.Select(n => n.BasicMaterialId).ToList();
        var materials = await db.Set<BasicMaterial>().AsNoTracking().Where(m => materialIds.Contains(m.Id))
            .Select(m => new { m.Id, m.Weight, m.Sellable }).ToListAsync(ct).ConfigureAwait(false);
        var weights = materials.ToDictionary(m => m.Id, m => m.Weight);
        var weight = need.Sum(n => n.Quantity * weights.GetValueOrDefault(n.BasicMaterialId));

        var choice = await allocator.ChooseAsync(candidates, need, ct).ConfigureAwait(false);
        LogisticsChoice? logistics = null;
        if ((choice.BranchId ?? candidates.FirstOrDefault()?.BranchId) is { } logiBranch)
            logistics = await allocator.CarrierAsync(logiBranch, orders[0].ShipProvince, weight, ct).ConfigureAwait(false);

        var groupIds = orders.Select(o => o.Id).ToList();
        var otherAddress = 0;
        if (key.HasMember)
        {
            var sameMember = await db.Set<Order>().AsNoTracking().Where(key.SameMember())
                .Where(o => o.Status == OrderStatus.Active && !groupIds.Contains(o.Id) && o.ShipStatus == ShipStatus.NotShipped)
                .ToListAsync(ct).ConfigureAwait(false);
            otherAddress = sameMember.Count(o => OrderMergeKey.Of(o) is var k && k.Member == key.Member && k != key);
        }
        var name = key.Name;
        var mobile = key.Mobile;
        var otherShop = key.Name.Length == 0 || key.Mobile.Length == 0 ? 0
            : (await db.Set<Order>().AsNoTracking()
                .Where(o => o.ShopId != shopId && o.Status == OrderStatus.Active && o.ProcessStatus == ProcessStatus.Unconfirmed && !o.IsFail
                            && o.ShipName == name && o.ShipMobile == mobile)
                .ToListAsync(ct).ConfigureAwait(false))
              .Count(o => OrderMergeKey.Of(o) is var k && k.Province == key.Province && k.City == key.City && k.District == key.District && k.Addr == key.Addr);

        var marks = await preprocessFacts.ForAsync(groupIds, ct).ConfigureAwait(false);
        return new ReviewCase
        {
            Orders = orders, Candidates = candidates, Branch = choice, Logistics = logistics,
            OtherAddressOrders = otherAddress, OtherShopOrders = otherShop,
            PlatformGiftOrders = marks.Where(m => m.Value.HasPlatformGift).Select(m => m.Key).ToHashSet(),
            CrmGiftOrders = marks.Where(m => m.Value.HasCrmGift).Select(m => m.Key).ToHashSet(),
            UnsellableMaterials = materials.Where(m => !m.Sellable).Select(m => m.Id).ToHashSet(),
            CheckProduct = checkProduct,
            Need = need,
            MaterialWeights = weights,
        };
    }

    /// <summary>What the flags alone do not say: which material is short in which branch (codes, as operators know them).</summary>
    private async Task<string?> DetailAsync(ReviewCase c, CancellationToken ct)
    {
        if (ShortageToTell(c) is not { } s) return null;
        var branch = await db.Set<Branch>().AsNoTracking().Where(b => b.Id == s.BranchId).Select(b => b.Name).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var material = await db.Set<BasicMaterial>().AsNoTracking().Where(m => m.Id == s.BasicMaterialId).Select(m => m.MaterialBn).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return DetailText(s, branch, material);
    }

    /// <summary>The shortage the detail tells about: the first one, when candidates exist and none has everything.</summary>
    private static BranchShortage? ShortageToTell(ReviewCase c) =>
        c.Candidates.Count == 0 || c.Branch.BranchId is not null || c.Branch.Shortages.Count == 0 ? null : c.Branch.Shortages[0];

    private static string DetailText(BranchShortage s, string? branch, string? material) =>
        string.Create(CultureInfo.InvariantCulture, $"仓库 {branch} 物料 {material} 需要 {s.Needed}，可用 {s.Free}");

    /// <summary>The log line of an order automatic review leaves for people.</summary>
    private static string HeldText(ReviewFlags flags, ReviewFlags blocking, string? detail) =>
        "自动审单未通过：" + string.Join("；", ReviewFlagText.Reasons(blocking == 0 ? flags : blocking)) + (detail is null ? "" : "（" + detail + "）");

    /// <summary>STORE / BRANCH on an order left for people: look again after <see cref="RetryAfter"/>.</summary>
    private static DateTime? RetryAtOf(ReviewFlags flags, DateTime now) =>
        (flags & (ReviewFlags.Store | ReviewFlags.Branch)) != 0 ? now + RetryAfter : null;

    private static AutoReviewResult Skipped(long id) => new(id, AutoReviewOutcome.Skipped, 0, 0, null, [id]);
}
