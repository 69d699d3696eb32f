using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>
/// 预处理插件 — one step of the preprocess chain (DOMAIN.md §3 step 3). It looks at the order as it is now and
/// brings what it owns to the state the order calls for (recompute, not append): running it again on an
/// unchanged order changes nothing. It changes the order only through <see cref="PreprocessContext"/>'s order
/// (after <see cref="PreprocessContext.Changing"/>) and the services it was built with, in the caller's transaction, and
/// says what it did.
/// A new plugin = a class implementing this + <see cref="PreprocessModule.AddOrderPreprocessor{T}"/>.
/// </summary>
public interface IOrderPreprocessor
{
    /// <summary>Stable code (settings, run records): platform_gift, invoice, crm_gift …</summary>
    string Code { get; }
    /// <summary>Chinese name shown to operators.</summary>
    string Name { get; }
    /// <summary>Place in the chain when no setting says otherwise (lower runs first).</summary>
    int DefaultPosition { get; }

    /// <summary>
    /// Called once per run with every order the run will process (objects and items loaded, untracked) before any
    /// <see cref="ProcessAsync"/>: read what the plugin needs for all of them at once (a run may hold a whole review batch).
    /// </summary>
    Task PrepareAsync(IReadOnlyList<Order> orders, CancellationToken ct) => Task.CompletedTask;

    Task<PreprocessStep> ProcessAsync(PreprocessContext context, CancellationToken ct);
}

/// <summary>What a plugin did on one order: whether it changed something, and a readable Chinese text.</summary>
public sealed record PreprocessStep(string Code, string Name, bool Changed, string Text);

/// <summary>
/// The order a plugin works on (objects and items loaded), its shop, the actor and the time. The chain reads the orders
/// untracked — most runs change nothing, and tracking a whole review batch's orders, lines and items cost more than the rest
/// of the run: a plugin calls <see cref="Changing"/> before it changes the order or its lines.
/// </summary>
public sealed class PreprocessContext(OmsDbContext db, Order order, string shopBn, string actor, DateTime now)
{
    public Order Order { get; } = order;
    public string ShopBn { get; } = shopBn;
    public string Actor { get; } = actor;
    public DateTime Now { get; } = now;

    /// <summary>Objects sent by the shop (not removed), in their order.</summary>
    public IEnumerable<OrderObject> ShopObjects =>
        Order.Objects.Where(o => !o.Deleted && !OrderLineSources.IsAddedByOms(o.Source)).OrderBy(o => o.Position);

    /// <summary>
    /// Before the first change of the order, its objects or items: the order is attached with them (unchanged), so what the
    /// plugin changes or adds from then on is saved. Once per order; later calls do nothing.
    /// </summary>
    public void Changing()
    {
        if (_tracked) return;
        db.Attach(Order);
        _tracked = true;
    }

    private bool _tracked;

    /// <summary>Writes an operation-log line on the order (every change of an order has one).</summary>
    public void Log(string text)
    {
        Changing();
        db.Add(OrderLog.Create(Order.Id, "preprocess", text, Actor, Now));
        Order.UpdatedAt = Now;
    }
}

/// <summary>The outcome of a run on one order.</summary>
public sealed record PreprocessRunResult(long OrderId, string? Skipped, IReadOnlyList<PreprocessStep> Steps)
{
    public bool Changed => Steps.Any(s => s.Changed);
}

/// <summary>A run's results and its orders as the run left them (objects and items loaded; those a plugin changed tracked).</summary>
internal sealed record PreprocessedOrders(IReadOnlyList<PreprocessRunResult> Results, IReadOnlyList<Order> Orders);

/// <summary>A plugin with its effective place and switch.</summary>
public sealed record PreprocessPluginInfo(string Code, string Name, int Position, bool Enabled, int DefaultPosition);

/// <summary>
/// 订单预处理 — runs the enabled plugins in order on an order leaving the staging area (before grouping,
/// dispatch and auto review), inside the caller's transaction, serialized with the intake on the order's lock.
/// Only an active, not failed, unconfirmed order with nothing in deliveries is processed; otherwise the run
/// is recorded as skipped. Every run is recorded (<see cref="PreprocessRun"/>).
/// </summary>
public sealed class PreprocessChain(OmsDbContext db, IEnumerable<IOrderPreprocessor> plugins, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs the chain on one order; the caller commits.</summary>
    public async Task<PreprocessRunResult> RunAsync(long orderId, string actor, CancellationToken ct = default) =>
        (await RunManyAsync([orderId], actor, ct).ConfigureAwait(false))[0];

    /// <summary>
    /// Runs the chain on each order (ascending id), in the caller's transaction, in a few round trips whatever the number
    /// of orders: all orders locked at once (ascending id, so two batches cannot deadlock), read once, each plugin prepared
    /// once for all (<see cref="IOrderPreprocessor.PrepareAsync"/>), the run records written together.
    /// </summary>
    public async Task<IReadOnlyList<PreprocessRunResult>> RunManyAsync(IEnumerable<long> orderIds, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("the preprocess chain runs in the caller's transaction");
        var ids = orderIds.Distinct().Order().ToList();
        if (ids.Count == 0) return [];
        var existing = (await OrderLocks.LockOrdersAsync(db, ids, ct).ConfigureAwait(false)).ToHashSet();
        if (ids.FirstOrDefault(id => !existing.Contains(id)) is var missing and not 0) throw new DomainException($"order {missing} does not exist");
        return (await RunLockedAsync(ids, actor, ct).ConfigureAwait(false)).Results;
    }

    /// <summary>
    /// <see cref="RunManyAsync"/> for a caller that holds the orders' locks already (the automatic review batch locks its
    /// orders once for preprocess and review): answers also the orders as the run left them — objects and items loaded (ids
    /// of added lines set; the orders a plugin changed tracked by the caller's context, the others not) — so the caller need
    /// not read them again.
    /// </summary>
    internal async Task<PreprocessedOrders> RunLockedAsync(IReadOnlyCollection<long> orderIds, string actor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("the preprocess chain runs in the caller's transaction");
        var ids = orderIds.Distinct().Order().ToList();
        if (ids.Count == 0) return new PreprocessedOrders([], []);
        var orders = await LoadAsync(ids, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var todo = orders.Where(o => SkipReason(o) is null).ToList();
        var chain = todo.Count == 0 ? [] : await OrderedAsync(ct).ConfigureAwait(false);
        var shopIds = todo.Select(o => o.ShopId).Distinct().ToList();
        var shopBns = todo.Count == 0 ? []
            : await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.ShopBn, ct).ConfigureAwait(false);
        foreach (var (plugin, _) in chain) await plugin.PrepareAsync(todo, ct).ConfigureAwait(false);

        var results = new List<PreprocessRunResult>(orders.Count);
        var runs = new RowInserter(db);
        foreach (var order in orders)
        {
            var steps = new List<PreprocessStep>();
            var skipped = SkipReason(order);
            if (skipped is null)
            {
                var context = new PreprocessContext(db, order, shopBns[order.ShopId], actor, now);
                foreach (var (plugin, _) in chain)
                {
                    var step = await plugin.ProcessAsync(context, ct).ConfigureAwait(false);
                    steps.Add(step);
                    // a plugin that changed nothing left nothing to save (and saving looks at every tracked row of the run)
                    if (step.Changed) await db.SaveChangesAsync(ct).ConfigureAwait(false);
                }
            }
            runs.Add(new PreprocessRun
            {
                OrderId = order.Id, Operator = actor.Length <= 100 ? actor : actor[..100], CreatedAt = now, Changed = steps.Any(s => s.Changed), Skipped = skipped,
                Steps = JsonSerializer.Serialize(steps.Select(s => new StepRecord(s.Code, s.Name, s.Changed, s.Text)), Json),
            });
            results.Add(new PreprocessRunResult(order.Id, skipped, steps));
        }
        // the run records: one multi-row insert, untracked
        await runs.ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
        return new PreprocessedOrders(results, orders);
    }

    /// <summary>
    /// The orders with their objects and items, untracked (a plugin attaches what it changes, <see cref="PreprocessContext.Changing"/>):
    /// three plain reads by order id, the lines put on their orders here. Instances of these orders the context tracks from
    /// before the locks may be stale, and would clash with the ones read now: they are forgotten first.
    /// </summary>
    private async Task<List<Order>> LoadAsync(List<long> ids, CancellationToken ct)
    {
        if (db.ChangeTracker.Entries().Any())
        {
            var asked = ids.ToHashSet();
            foreach (var e in db.ChangeTracker.Entries().Where(e => e.Entity switch
                     {
                         Order o => asked.Contains(o.Id),
                         OrderObject o => asked.Contains(o.OrderId),
                         OrderItem i => asked.Contains(i.OrderId),
                         _ => false,
                     }).ToList())
                e.State = EntityState.Detached;
        }
        var orders = await db.Set<Order>().AsNoTracking().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Id).ToListAsync(ct).ConfigureAwait(false);
        var objects = (await db.Set<OrderObject>().AsNoTracking().Where(o => ids.Contains(o.OrderId)).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(o => o.OrderId);
        var items = (await db.Set<OrderItem>().AsNoTracking().Where(i => ids.Contains(i.OrderId)).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(i => i.OrderId);
        foreach (var o in orders)
        {
            o.Objects.AddRange(objects[o.Id].OrderBy(x => x.Id));
            o.Items.AddRange(items[o.Id].OrderBy(x => x.Id));
        }
        return orders;
    }

    /// <summary>Every registered plugin with its effective position and switch, in chain order.</summary>
    public async Task<IReadOnlyList<PreprocessPluginInfo>> PluginsAsync(CancellationToken ct = default) =>
        (await OrderedAsync(ct, includeDisabled: true).ConfigureAwait(false))
        .Select(p => new PreprocessPluginInfo(p.Plugin.Code, p.Plugin.Name, p.Setting.Position, p.Setting.Enabled, p.Plugin.DefaultPosition)).ToList();

    /// <summary>Sets a plugin's switch and position (预处理配置); unknown codes and negative positions are refused.</summary>
    public async Task SetPluginAsync(string code, bool enabled, int position, string actor, CancellationToken ct = default)
    {
        if (!plugins.Any(p => p.Code == code)) throw new ValidationException("code", $"没有预处理插件 '{code}'");
        if (position is < 0 or > 10000) throw new ValidationException("position", $"顺序须在 0 到 10000 之间（现为 {position}）");
        var row = await db.Set<PreprocessPluginSetting>().FirstOrDefaultAsync(s => s.Code == code, ct).ConfigureAwait(false);
        if (row is null) db.Add(row = new PreprocessPluginSetting { Code = code });
        row.Enabled = enabled;
        row.Position = position;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The runs recorded for an order, newest first.</summary>
    public async Task<IReadOnlyList<PreprocessRunView>> RunsAsync(long orderId, int take = 20, CancellationToken ct = default)
    {
        var runs = await db.Set<PreprocessRun>().AsNoTracking().Where(r => r.OrderId == orderId).OrderByDescending(r => r.Id).Take(take)
            .ToListAsync(ct).ConfigureAwait(false);
        return runs.Select(r => new PreprocessRunView(r.Id, r.Operator, r.CreatedAt, r.Changed, r.Skipped,
            (JsonSerializer.Deserialize<List<StepRecord>>(r.Steps, Json) ?? []).Select(s => new PreprocessStep(s.Code, s.Name, s.Changed, s.Text)).ToList())).ToList();
    }

    private static string? SkipReason(Order o) =>
        o.Status != OrderStatus.Active ? "订单不是活动状态"
        : o.IsFail ? "失败订单（有未匹配的商品）"
        : o.Confirmed || o.ProcessStatus != ProcessStatus.Unconfirmed || o.Items.Any(i => !i.Deleted && i.SplitNum > 0) ? "订单已审核"
        : null;

    private async Task<List<(IOrderPreprocessor Plugin, PreprocessPluginSetting Setting)>> OrderedAsync(CancellationToken ct, bool includeDisabled = false)
    {
        var settings = await db.Set<PreprocessPluginSetting>().AsNoTracking().ToDictionaryAsync(s => s.Code, ct).ConfigureAwait(false);
        return plugins
            .Select(p => (Plugin: p, Setting: settings.GetValueOrDefault(p.Code) ?? new PreprocessPluginSetting { Code = p.Code, Position = p.DefaultPosition, Enabled = true }))
            .Where(p => includeDisabled || p.Setting.Enabled)
            .OrderBy(p => p.Setting.Position).ThenBy(p => p.Plugin.DefaultPosition).ThenBy(p => p.Plugin.Code, StringComparer.Ordinal)
            .ToList();
    }

    private sealed record StepRecord(string Code, string Name, bool Changed, string Text);
}

/// <summary>A recorded run, for the order detail page.</summary>
public sealed record PreprocessRunView(long Id, string Operator, DateTime CreatedAt, bool Changed, string? Skipped, IReadOnlyList<PreprocessStep> Steps);
