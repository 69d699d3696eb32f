using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Orders;
using Oms.Preprocess;
using Oms.Rules;
using Oms.Warehouses;

namespace Oms.Review;

/// <summary>The batch path of <see cref="AutoReviewService"/>: a whole <c>autorder</c> batch in a handful of round trips.</summary>
public sealed partial class AutoReviewService
{
    /// <summary>A merge group of the batch: its first order (the one the result is for), the orders (ascending id), the key.</summary>
    private sealed record BatchGroup(long HeadId, List<Order> Orders, OrderMergeKey Key);

    /// <summary>What the batch knows of a candidate branch: enough for <see cref="DeliveryService.CreateAsync"/>'s checks.</summary>
    private sealed record BranchInfo(Branch Branch, List<long> ShopIds)
    {
        public string Name => Branch.Name;
    }

    /// <summary>A group the batch turns into a delivery itself.</summary>
    private sealed record BatchDelivery(BatchGroup Group, ReviewFlags Flags, BranchInfo Branch, LogisticsCompany? Logistics, Delivery Delivery);

    /// <summary>
    /// What the batch did: the results of the groups it decided, the orders it leaves to the per-group path (each in a
    /// transaction of its own, after the batch's commit), and the orders it preprocessed.
    /// </summary>
    private sealed record BatchOutcome(Dictionary<long, AutoReviewResult> Results, List<long> Alone, HashSet<long> Preprocessed);

    private const string BatchSavepoint = "oms_review_batch";

    /// <summary>A group the batch leaves for people.</summary>
    private sealed record BatchHeld(BatchGroup Group, ReviewFlags Flags, ReviewFlags Blocking, string? Detail);

    /// <summary>
    /// The batch path (DOMAIN.md §5, <c>README.md</c> of this module): merge groups of the whole batch found in one query,
    /// every order locked once (one statement), preprocessed together, never read again; rules, branch choice
    /// (<see cref="BranchAllocator.Choose"/> on a running copy of the free stock, groups by ascending id), carriers and the
    /// chain decided in memory; then written set-wise under a savepoint, on PostgreSQL in one command after the ids are
    /// reserved (<see cref="WriteContendedAsync"/>) — deliveries with their lines and logs (third-party pushes between them
    /// and the rest), then the contended rows last: order items, orders, review states, then the conditional freeze moves —
    /// orders before stock, as intake and consign lock them. A short freeze
    /// move (another reviewer took stock since the read) rolls back to the savepoint and sends every group through the
    /// per-group path (<see cref="ReviewOneAsync"/>); groups the batch does not handle (a split over branches, a draft
    /// <see cref="DeliveryService.CreateAsync"/> would refuse) go through it after the batch's commit, each group in a
    /// transaction of its own — so the batch never holds stock rows while those slower groups run.
    /// </summary>
    private async Task<BatchOutcome> ReviewBatchAsync(List<long> ids, TimeSpan buffer, BatchRules rules, CancellationToken ct)
    {
        var now = Now;
        // merge groups: the batch's orders and every dispatchable order of the same shop, member and address (keys only)
        var heads = await Probes(db.Set<Order>().Where(o => ids.Contains(o.Id))).ToListAsync(ct).ConfigureAwait(false);
        var locks = heads.ToDictionary(o => o.Id, o => new OrderLockKey(o.Id, o.ShopId, o.OrderBn));
        var keys = heads.Select(o => o.Key).Where(k => k.HasMember).ToHashSet();
        if (keys.Count > 0)
        {
            var same = await Probes(SameMembers(keys).Where(StagingArea.Dispatchable(now - buffer)).Where(o => !ids.Contains(o.Id)))
                .ToListAsync(ct).ConfigureAwait(false);
            foreach (var o in same.Where(o => keys.Contains(o.Key))) locks.TryAdd(o.Id, new OrderLockKey(o.Id, o.ShopId, o.OrderBn));
        }
        // locked once, for preprocess and review: 预处理 first (it may add gift lines); its orders are the orders as they are now
        await OrderLocks.LockKnownOrdersAsync(db, locks.Values, ct).ConfigureAwait(false);
        var all = locks.Keys.Order().ToList();
        var orders = (await preprocess.RunLockedAsync(all, Actor, ct).ConfigureAwait(false)).Orders.ToList();
        db.ChangeTracker.Clear();
        var preprocessed = all.ToHashSet();
        var byId = orders.ToDictionary(o => o.Id);
        var dispatchable = orders.Where(o => StagingArea.Evaluate(StagingFacts.Of(o), buffer, now).Dispatchable).ToList();
        var dispatchableIds = dispatchable.Select(o => o.Id).ToHashSet();
        var keyOf = orders.ToDictionary(o => o.Id, OrderMergeKey.Of);

        var results = new Dictionary<long, AutoReviewResult>();
        var batchGroups = new List<BatchGroup>();
        var done = new HashSet<long>();
        foreach (var id in ids)
        {
            if (!done.Add(id)) continue;
            if (!dispatchableIds.Contains(id))
            {
                results[id] = Skipped(id);
                continue;
            }
            var key = keyOf[id];
            var members = key.HasMember ? dispatchable.Where(o => keyOf[o.Id] == key).ToList() : [byId[id]];
            done.UnionWith(members.Select(o => o.Id));
            batchGroups.Add(new BatchGroup(id, members, key));
        }
        if (batchGroups.Count == 0) return new BatchOutcome(results, [], preprocessed);

        // everything the decisions need, read once: the groups' surroundings in one command, then the candidates' stock, carriers, branches
        // the rules' facts from the orders in hand: only the shops' platforms and the materials are read
        var groupOrders = batchGroups.SelectMany(g => g.Orders).ToList();
        var (materials, shopTypes, sameMember, sameConsignee) = await SurroundingsAsync(batchGroups, ct).ConfigureAwait(false);
        var materialWeights = materials.ToDictionary(m => m.Key, m => m.Value.Weight);
        var facts = groupOrders.ToDictionary(o => o.Id, o => OrderFacts.From(o, shopTypes[o.ShopId], materialWeights));
        var reviewRuleOf = new Dictionary<long, ReviewRuleSetting>();
        var shopCandidates = new Dictionary<long, IReadOnlyList<BranchCandidate>>();
        var plans = new List<(BatchGroup Group, ReviewRuleSetting Rule, IReadOnlyList<BranchCandidate> Candidates, List<NeedLine> Need)>(batchGroups.Count);
        foreach (var g in batchGroups)
        {
            var mainFacts = facts[g.HeadId];
            var group = rules.Groups.GroupFor(mainFacts);
            var ruleKey = group.ReviewRuleId ?? 0;
            if (!reviewRuleOf.TryGetValue(ruleKey, out var rule))
                reviewRuleOf[ruleKey] = rule = await reviewRules.BlockingForAsync(group, ct).ConfigureAwait(false);
            var candidates = rules.Branches.CandidatesFor(mainFacts);
            if (candidates is null && !shopCandidates.TryGetValue(g.Key.ShopId, out candidates))
                shopCandidates[g.Key.ShopId] = candidates = await defaultBranches.ForShopAsync(g.Key.ShopId, ct).ConfigureAwait(false);
            plans.Add((g, rule, candidates, NeedLine.Of(g.Orders.SelectMany(o => o.Items))));
        }
        var materialIds = plans.SelectMany(p => p.Need).Select(n => n.BasicMaterialId).Distinct().ToList();
        var branchIds = plans.SelectMany(p => p.Candidates).Select(c => c.BranchId).Distinct().ToList();
        var allowNegative = await allocator.AllowNegativeAsync(ct).ConfigureAwait(false);
        var free = allowNegative ? [] : await allocator.FreeStockAsync(branchIds, materialIds, ct).ConfigureAwait(false);
        var carriers = (await db.Set<LogisticsCompany>().AsNoTracking().Where(l => branchIds.Contains(l.BranchId)).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(l => l.BranchId);
        var branches = (await db.Set<Branch>().AsNoTracking().Include(b => b.Shops).Where(b => branchIds.Contains(b.Id)).ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(b => b.Id, b => new BranchInfo(b, b.Shops.Select(s => s.ShopId).ToList()));
        // third-party branches: each checked once (its WMS channel), when a group chooses it; refused → the per-group path says why
        var warehouseAccepts = new Dictionary<long, bool>();
        // by shop and member / by consignee: each group compares only its own few, not every probe of the batch
        var otherAddress = sameMember.ToLookup(o => (o.ShopId, o.Key.Member));
        var otherShop = sameConsignee.ToLookup(o => (o.ShipName, o.ShipMobile));
        var split = await settings.GetBoolAsync(SplitSetting, ct).ConfigureAwait(false);

        // the decisions, in memory, ascending id: what one group reserves is gone for the next
        var running = new Dictionary<(long BranchId, long BasicMaterialId), int>(free);
        var reviewedIds = new HashSet<long>();
        var made = new List<BatchDelivery>();
        var held = new List<BatchHeld>();
        var handOver = new List<long>();
        foreach (var (g, rule, candidates, need) in plans)
        {
            var groupIds = g.Orders.Select(o => o.Id).ToHashSet();
            var weights = need.Where(n => materials.ContainsKey(n.BasicMaterialId)).ToDictionary(n => n.BasicMaterialId, n => materials[n.BasicMaterialId].Weight);
            var weight = need.Sum(n => n.Quantity * weights.GetValueOrDefault(n.BasicMaterialId));
            var choice = BranchAllocator.Choose(candidates, need, allowNegative, running);
            var logistics = (choice.BranchId ?? candidates.FirstOrDefault()?.BranchId) is { } logiBranch
                ? LogisticsChooser.Choose(carriers[logiBranch], g.Orders[0].ShipProvince, weight) : null;
            var c = new ReviewCase
            {
                Orders = g.Orders, Candidates = candidates, Branch = choice, Logistics = logistics,
                OtherAddressOrders = g.Key.HasMember
                    ? otherAddress[(g.Key.ShopId, g.Key.Member)].Count(o => (o.MemberUname == g.Key.Member || o.BuyerId == g.Key.Member) && !groupIds.Contains(o.Id)
                                              && o.Key != g.Key)
                    : 0,
                // an order this batch already turned into a delivery is no longer unconfirmed
                OtherShopOrders = g.Key.Name.Length == 0 || g.Key.Mobile.Length == 0 ? 0
                    : otherShop[(g.Key.Name, g.Key.Mobile)].Count(o => o.ShopId != g.Key.ShopId && !reviewedIds.Contains(o.Id)
                                           && o.Key.Province == g.Key.Province && o.Key.City == g.Key.City
                                           && o.Key.District == g.Key.District && o.Key.Addr == g.Key.Addr),
                // the preprocess chain's marks, on the orders as it left them
                PlatformGiftOrders = g.Orders.Where(o => PreprocessFacts.HasLine(o, OrderLineSources.PlatformGift)).Select(o => o.Id).ToHashSet(),
                CrmGiftOrders = g.Orders.Where(o => PreprocessFacts.HasLine(o, OrderLineSources.CrmGift)).Select(o => o.Id).ToHashSet(),
                UnsellableMaterials = need.Where(n => materials.TryGetValue(n.BasicMaterialId, out var m) && !m.Sellable).Select(n => n.BasicMaterialId).ToHashSet(),
                CheckProduct = rule.CheckProduct,
                Need = need,
                MaterialWeights = weights,
            };
            var flags = AutoReviewChain.Run(c);
            var blocking = rule.BlockingOf(flags);
            if (blocking == 0 && choice.BranchId is { } branchId)
            {
                if (!branches.TryGetValue(branchId, out var branch) || !Batchable(g, branch)
                    || (branch.Branch.IsThirdParty && !await WarehouseAcceptsAsync(branch.Branch, warehouseAccepts, ct).ConfigureAwait(false)))
                {
                    handOver.Add(g.HeadId);
                    continue;
                }
                foreach (var n in need) running[(branchId, n.BasicMaterialId)] = running.GetValueOrDefault((branchId, n.BasicMaterialId)) - n.Quantity;
                var items = g.Orders.SelectMany(o => o.Items).ToDictionary(i => i.Id);
                var lines = items.Values.Where(i => i.Remaining > 0).OrderBy(i => i.Id).Select(i => new DeliveryLine(i.Id, i.Remaining)).ToList();
                var logi = logistics?.Company;
                made.Add(new BatchDelivery(g, flags, branch, logi,
                    DeliveryService.Compose(g.Orders, g.Key, branchId, logi, lines, items, weights, Actor, now, null)));
                reviewedIds.UnionWith(groupIds);
            }
            else if (blocking == ReviewFlags.Store && split) handOver.Add(g.HeadId);
            else
            {
                var s = ShortageToTell(c);
                held.Add(new BatchHeld(g, flags, blocking, s is null ? null
                    : DetailText(s, branches.GetValueOrDefault(s.BranchId)?.Name, materials.TryGetValue(s.BasicMaterialId, out var m) ? m.MaterialBn : null)));
            }
        }

        // the rows nobody else writes first, under a savepoint; the contended ones last: the orders (and their list
        // counters), then the stock rows — the order intake and consign keep too (orders before stock), so two of them
        // never wait for each other in a cycle — and the stock rows stay locked only for the last round trip and the commit
        var tx = db.Database.CurrentTransaction!;
        if (made.Count > 0) await tx.CreateSavepointAsync(BatchSavepoint, ct).ConfigureAwait(false);
        var (rows, stateRows) = await InsertAsync(made, held, facts, now, ct).ConfigureAwait(false);
        // 第三方仓库: the pushes to the warehouses (outbox), in the batch's transaction — written with the deliveries or not at all
        var pushed = made.Where(d => d.Branch.Branch.IsThirdParty).Select(d => (d.Delivery, d.Branch.Branch)).ToList();
        if (pushed.Count > 0)
        {
            // their outbox rows come after the deliveries
            await rows.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
            foreach (var w in thirdParty) await w.OnCreatedAsync(pushed, Actor, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        // the contended writes with the batch's one conditional freeze move; short (another reviewer was faster) → nothing of
        // the batch's decisions stays, every order goes group by group (its preprocessing, before the savepoint, stays)
        try
        {
            await WriteContendedAsync(rows, made, held, stateRows, now, ct).ConfigureAwait(false);
        }
        catch (InsufficientStockException)
        {
            await tx.RollbackToSavepointAsync(BatchSavepoint, ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            return new BatchOutcome([], ids, preprocessed);
        }
        foreach (var d in made)
            results[d.Group.HeadId] = new AutoReviewResult(d.Group.HeadId, AutoReviewOutcome.Reviewed, d.Flags, 0, d.Delivery.DeliveryBn,
                d.Group.Orders.Select(o => o.Id).ToList());
        foreach (var h in held)
            results[h.Group.HeadId] = new AutoReviewResult(h.Group.HeadId, AutoReviewOutcome.Held, h.Flags, h.Blocking, null, h.Group.Orders.Select(o => o.Id).ToList());
        return new BatchOutcome(results, handOver, preprocessed);
    }

    /// <summary>
    /// Whether the batch may write this group's delivery itself: an own-warehouse delivery branch supplying the shop, and
    /// orders <see cref="DeliveryService.CreateAsync"/> would take — else the per-group path does it (and says no as before).
    /// </summary>
    private static bool Batchable(BatchGroup g, BranchInfo branch)
    {
        if (branch.Branch.Type != BranchType.Delivery || !branch.ShopIds.Contains(g.Key.ShopId)) return false;
        if (!g.Orders.SelectMany(o => o.Items).Any(i => i.Remaining > 0)) return false;
        try
        {
            foreach (var o in g.Orders) DeliveryService.CheckReviewable(o);
            return true;
        }
        catch (DomainException)
        {
            return false;
        }
    }

    /// <summary>What the batch reads of orders it only compares (merge candidates, MEMBER, COMBINE): keys, not whole orders.</summary>
    private sealed record OrderProbe(long Id, long ShopId, string OrderBn, string? MemberUname, string? BuyerId, string? ShipName, string? ShipMobile,
        OrderMergeKey Key);

    private static IQueryable<OrderProbe> Probes(IQueryable<Order> orders) =>
        orders.AsNoTracking().Select(o => new OrderProbe(o.Id, o.ShopId, o.OrderBn, o.MemberUname, o.BuyerId, o.ShipName, o.ShipMobile,
            OrderMergeKey.Of(o.ShopId, o.MemberUname, o.BuyerId, o.ShipName, o.ShipMobile, o.ShipProvince, o.ShipCity, o.ShipDistrict, o.ShipAddr)));

    /// <summary>
    /// Orders of the keys' shops and members, any address — the SQL superset; compare keys in memory. A parameter list
    /// compared by EF with the nullable member columns costs a NULL check that no index serves, so: on PostgreSQL one array
    /// parameter per list in a raw <c>= ANY</c> the indexes serve — the query's shape and text stay the same from batch to
    /// batch (compiled once, prepared); on SQLite the members as constants.
    /// </summary>
    private IQueryable<Order> SameMembers(IEnumerable<OrderMergeKey> keys)
    {
        var shopIds = keys.Select(k => k.ShopId).Distinct().ToArray();
        var members = keys.Select(k => k.Member).Distinct().ToArray();
        if (db.Database.IsNpgsql())
            return db.Set<Order>().FromSql(
                $"SELECT * FROM orders WHERE shop_id = ANY({shopIds}) AND (member_uname = ANY({members}) OR buyer_id = ANY({members}))");
        return db.Set<Order>().Where(o => shopIds.Contains(o.ShopId)
                                          && (EF.Constant(members).Contains(o.MemberUname!) || EF.Constant(members).Contains(o.BuyerId!)));
    }

    /// <summary>Whether the third-party warehouse of <paramref name="branch"/> can be worked with (its channel), asked once per branch.</summary>
    private async Task<bool> WarehouseAcceptsAsync(Branch branch, Dictionary<long, bool> known, CancellationToken ct)
    {
        if (known.TryGetValue(branch.Id, out var ok)) return ok;
        try
        {
            foreach (var w in thirdParty) await w.CheckAsync(branch, ct).ConfigureAwait(false);
            ok = true;
        }
        catch (DomainException)
        {
            ok = false;
        }
        return known[branch.Id] = ok;
    }

    /// <summary>What the batch knows of a material: weight (kg), sellable (PRODUCT), code (the shortage detail).</summary>
    private sealed record MaterialFacts(decimal Weight, bool Sellable, string MaterialBn);

    /// <summary>
    /// Step 2's reads around the groups, in one command (<see cref="SqlBatch"/>, one round trip): the materials of their lines,
    /// their shops' platforms, the open unshipped orders of their shops and members at any address (MEMBER; the superset of
    /// <see cref="SameMembers"/>, keys compared in memory) and the active unconfirmed orders of their consignees' mobiles, any
    /// shop (COMBINE) — the last two as key probes. On PostgreSQL every list is one array parameter: the same text for any batch.
    /// </summary>
    private async Task<(Dictionary<long, MaterialFacts> Materials, Dictionary<long, string> ShopTypes, List<OrderProbe> SameMember,
        List<OrderProbe> SameConsignee)> SurroundingsAsync(List<BatchGroup> groups, CancellationToken ct)
    {
        var orders = groups.SelectMany(g => g.Orders).ToList();
        var materialIds = orders.SelectMany(o => o.Items).Where(i => !i.Deleted).Select(i => i.BasicMaterialId).Distinct().ToList();
        var memberKeys = groups.Where(g => g.Key.HasMember).Select(g => g.Key).ToList();
        var mobiles = groups.Where(g => g.Key.Name.Length > 0 && g.Key.Mobile.Length > 0).Select(g => g.Key.Mobile).Distinct().ToList();
        await using var batch = new SqlBatch(db);
        const string probe = "SELECT id, shop_id, order_bn, member_uname, buyer_id, ship_name, ship_mobile, ship_province, ship_city, ship_district, ship_addr FROM orders WHERE ";
        var text = batch.Text;
        text.Append("SELECT id, shop_type FROM shop WHERE ").Append(batch.IdIn(orders.Select(o => o.ShopId).Distinct())).Append(";\n");
        if (materialIds.Count > 0)
            text.Append("SELECT id, weight, sellable, material_bn FROM basic_material WHERE ").Append(batch.IdIn(materialIds)).Append(";\n");
        if (memberKeys.Count > 0)
        {
            var members = memberKeys.Select(k => k.Member).Distinct().ToList();
            text.Append(probe).Append(batch.In("shop_id", memberKeys.Select(k => k.ShopId).Distinct()))
                .Append(" AND (").Append(batch.In("member_uname", members)).Append(" OR ").Append(batch.In("buyer_id", members)).Append(')')
                .Append(CultureInfo.InvariantCulture, $" AND status = {batch.P((int)OrderStatus.Active)} AND ship_status = {batch.P((int)ShipStatus.NotShipped)};\n");
        }
        if (mobiles.Count > 0)
            text.Append(probe).Append(batch.In("ship_mobile", mobiles))
                .Append(CultureInfo.InvariantCulture, $" AND status = {batch.P((int)OrderStatus.Active)} AND process_status = {batch.P((int)ProcessStatus.Unconfirmed)}")
                .Append(CultureInfo.InvariantCulture, $" AND is_fail = {batch.P(false)};\n");

        var shopTypes = new Dictionary<long, string>();
        var materials = new Dictionary<long, MaterialFacts>(materialIds.Count);
        List<OrderProbe> sameMember = [], sameConsignee = [];
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) shopTypes.Add(r.GetInt64(0), r.GetString(1));
        if (materialIds.Count > 0)
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                materials.Add(r.GetInt64(0), new MaterialFacts(batch.Decimal(r, 1), r.GetBoolean(2), r.GetString(3)));
        }
        async Task<List<OrderProbe>> ProbesAsync()
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var found = new List<OrderProbe>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                found.Add(new OrderProbe(r.GetInt64(0), r.GetInt64(1), r.GetString(2), Text(3), Text(4), Text(5), Text(6),
                    OrderMergeKey.Of(r.GetInt64(1), Text(3), Text(4), Text(5), Text(6), Text(7), Text(8), Text(9), Text(10))));
            return found;
        }
        if (memberKeys.Count > 0) sameMember = await ProbesAsync().ConfigureAwait(false);
        if (mobiles.Count > 0) sameConsignee = await ProbesAsync().ConfigureAwait(false);
        return (materials, shopTypes, sameMember, sameConsignee);
    }

    /// <summary>
    /// The batch's rows nobody else writes, without the change tracker: held orders dispatched (one call), deliveries with
    /// reserved ids and their numbers, their lines and every log line queued (one multi-row insert per table, written with
    /// the contended rows by <see cref="WriteContendedAsync"/> unless written before). Answers them and the review states.
    /// </summary>
    private async Task<(RowInserter Rows, List<OrderReviewState> States)> InsertAsync(List<BatchDelivery> made, List<BatchHeld> held, Dictionary<long, OrderFacts> facts, DateTime now,
        CancellationToken ct)
    {
        // an order left for people goes to its group's reviewers (自动分派), when the group has a dispatch rule
        var heldFacts = held.SelectMany(h => h.Group.Orders).Select(o => facts[o.Id]).ToList();
        var dispatched = heldFacts.Count == 0 ? []
            : (await dispatch.AutoDispatchAsync(heldFacts, Actor, ct).ConfigureAwait(false)).Select(d => d.OrderId).ToList();
        var seenUpdatedAt = dispatched.Count == 0 ? []
            : await db.Set<Order>().AsNoTracking().Where(o => dispatched.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.UpdatedAt, ct).ConfigureAwait(false);
        var stateIds = made.SelectMany(d => d.Group.Orders).Concat(held.SelectMany(h => h.Group.Orders)).Select(o => o.Id).ToList();
        // what a held order's state said before: a log line only when its flags changed
        var heldIds = held.SelectMany(h => h.Group.Orders).Select(o => o.Id).ToList();
        var states = heldIds.Count == 0 ? []
            : await db.Set<OrderReviewState>().AsNoTracking().Where(s => heldIds.Contains(s.OrderId)).ToDictionaryAsync(s => s.OrderId, ct).ConfigureAwait(false);

        // the deliveries with their ids and numbers, their lines and every log line: one multi-row insert per table
        var rows = new RowInserter(db);
        await DeliveryService.AddManyAsync(rows, made.Select(d => d.Delivery).ToList(), now, ct).ConfigureAwait(false);
        var logs = new List<OrderLog>();
        foreach (var d in made)
        {
            var items = d.Group.Orders.SelectMany(o => o.Items).ToDictionary(i => i.Id);
            foreach (var x in d.Delivery.OrderItems) items[x.OrderItemId].SplitNum += x.Number;
            var what = DeliveryService.CreatedText(d.Delivery.DeliveryBn, d.Branch.Name, d.Logistics, d.Group.Orders);
            logs.AddRange(d.Group.Orders.Select(o => OrderLog.Create(o.Id, "delivery.create", what, Actor, now)));
        }
        var stateRows = new List<OrderReviewState>(stateIds.Count);
        foreach (var d in made)
            stateRows.AddRange(d.Group.Orders.Select(o => new OrderReviewState
            {
                OrderId = o.Id, SeenUpdatedAt = now, AttemptedAt = now, Flags = (long)d.Flags, Blocking = 0,
            }));
        foreach (var h in held)
            foreach (var o in h.Group.Orders)
            {
                var before = states.GetValueOrDefault(o.Id);
                if (before is null || before.Flags != (long)h.Flags || before.AttemptedAt == default)
                    logs.Add(OrderLog.Create(o.Id, "review.auto", HeldText(h.Flags, h.Blocking, h.Detail), Actor, now));
                stateRows.Add(new OrderReviewState
                {
                    OrderId = o.Id, SeenUpdatedAt = seenUpdatedAt.TryGetValue(o.Id, out var at) ? at : o.UpdatedAt, AttemptedAt = now,
                    Flags = (long)h.Flags, Blocking = (long)h.Blocking, Detail = h.Detail, RetryAt = RetryAtOf(h.Flags, now),
                });
            }
        rows.AddRange(logs);
        return (rows, stateRows);
    }

    /// <summary>
    /// The batch's writes, the contended ones last (<c>split_num</c>, the orders — confirmed, or the held ones'
    /// <c>auto_status</c> —, the review states, then the freeze move). On PostgreSQL one command, one round trip: the rows
    /// still queued on <paramref name="rows"/> first, the freeze move last
    /// (<see cref="InventoryService.AppendMoveShopFreezeToBranchManyAsync"/>; short → <see cref="InsufficientStockException"/>,
    /// the caller rolls back to its savepoint). On SQLite the queued rows, the statements one by one, then
    /// <see cref="InventoryService.MoveShopFreezeToBranchManyAsync"/>.
    /// </summary>
    private async Task WriteContendedAsync(RowInserter rows, List<BatchDelivery> made, List<BatchHeld> held, List<OrderReviewState> stateRows, DateTime now,
        CancellationToken ct)
    {
        var freeze = made.SelectMany(d => d.Delivery.Items
            .Select(i => new FreezeMoveLine(d.Delivery.ShopId, d.Delivery.BranchId, i.BasicMaterialId, i.Number))).ToList();
        await using var batch = new SqlBatch(db);
        if (batch.IsNpgsql) rows.AppendTo(batch);
        else await rows.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        var text = batch.Text;
        var P = batch.P;
        batch.Add("@now", now);
        batch.Add("@yes", true);
        if (made.Count > 0)
        {
            // every remaining line went into the delivery: split_num = quantity
            text.Append(CultureInfo.InvariantCulture,
                $"UPDATE order_item SET split_num = quantity WHERE {batch.IdIn(made.SelectMany(d => d.Delivery.OrderItems).Select(x => x.OrderItemId))};\n");
            foreach (var g in made.SelectMany(d => d.Group.Orders.Select(o => (Order: o, d.Flags))).GroupBy(x => (Status: DeliveryService.StatusAfterDelivery(x.Order), x.Flags)))
                text.Append(CultureInfo.InvariantCulture,
                    $"UPDATE orders SET confirmed = @yes, process_status = {P((int)g.Key.Status)}, updated_at = @now, auto_status = {P((long)g.Key.Flags)} WHERE {batch.IdIn(g.Select(x => x.Order.Id))};\n");
        }
        // writing auto_status is not a change of the order: updated_at stays
        foreach (var g in held.GroupBy(h => h.Flags))
            text.Append(CultureInfo.InvariantCulture, $"UPDATE orders SET auto_status = {P((long)g.Key)} WHERE {batch.IdIn(g.SelectMany(h => h.Group.Orders).Select(o => o.Id))};\n");
        if (stateRows.Count > 0)
        {
            text.Append("INSERT INTO order_review_state (order_id, seen_updated_at, attempted_at, flags, blocking, detail, retry_at, queued_until, manual_only) ");
            if (batch.IsNpgsql)
            {
                // from arrays: one prepared text whatever the batch's size (a VALUES list per row count is parsed and planned anew)
                static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
                text.Append("SELECT v.o, v.s, v.a, v.f, v.b, v.d, v.r, NULL, FALSE FROM unnest(")
                    .Append(P(stateRows.Select(s => s.OrderId).ToArray())).Append("::bigint[], ")
                    .Append(P(stateRows.Select(s => Utc(s.SeenUpdatedAt)).ToArray())).Append("::timestamptz[], ")
                    .Append(P(stateRows.Select(s => Utc(s.AttemptedAt)).ToArray())).Append("::timestamptz[], ")
                    .Append(P(stateRows.Select(s => s.Flags).ToArray())).Append("::bigint[], ")
                    .Append(P(stateRows.Select(s => s.Blocking).ToArray())).Append("::bigint[], ")
                    .Append(P(stateRows.Select(s => s.Detail).ToArray())).Append("::text[], ")
                    .Append(P(stateRows.Select(s => s.RetryAt is { } r ? Utc(r) : (DateTime?)null).ToArray())).Append("::timestamptz[]) AS v(o, s, a, f, b, d, r)");
            }
            else
            {
                text.Append("VALUES ").AppendJoin(", ", stateRows.Select(s =>
                    $"({P(s.OrderId)}, {P(s.SeenUpdatedAt)}, {P(s.AttemptedAt)}, {P(s.Flags)}, {P(s.Blocking)}, {P(s.Detail)}, {P(s.RetryAt)}, NULL, {P(false)})"));
            }
            text.Append(" ON CONFLICT (order_id) DO UPDATE SET seen_updated_at = excluded.seen_updated_at, attempted_at = excluded.attempted_at, ")
                .Append("flags = excluded.flags, blocking = excluded.blocking, detail = excluded.detail, retry_at = excluded.retry_at, queued_until = NULL;\n");
        }
        if (!batch.IsNpgsql)
        {
            await batch.ExecuteAsync(ct).ConfigureAwait(false);
            await inventory.MoveShopFreezeToBranchManyAsync(freeze, ct).ConfigureAwait(false);
            return;
        }
        if (freeze.Count == 0)
        {
            await batch.ExecuteAsync(ct).ConfigureAwait(false);
            return;
        }
        var check = await inventory.AppendMoveShopFreezeToBranchManyAsync(batch, freeze, ct).ConfigureAwait(false);
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await check(r, ct).ConfigureAwait(false);
    }

}
