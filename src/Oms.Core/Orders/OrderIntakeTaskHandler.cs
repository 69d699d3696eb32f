using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Orders;

/// <summary>
/// <c>order.intake</c> (订单收订进队列): stores an <c>ome.order.add</c> push that was answered
/// <c>queued</c>. The upsert is idempotent by <c>modified</c>, so a redelivered or out-of-order task
/// changes nothing twice. A business refusal (e.g. <c>dead</c> for a paid order) cannot be answered
/// to the shop any more: it is written on the order's operation log and the task succeeds; for an
/// order that does not exist it fails and stays on the failed list.
/// </summary>
internal sealed class OrderIntakeTaskHandler(OmsDbContext db, OrderIntakeService intake, ShopService shops, TimeProvider clock) : ITaskHandler
{
    public const string Type = "order.intake";

    private sealed record Body(long ShopId, string Actor, OrderPush Push);

    public static string Payload(long shopId, string actor, OrderPush push) => JsonSerializer.Serialize(new Body(shopId, actor, push));

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = JsonSerializer.Deserialize<Body>(context.Payload) ?? throw new InvalidOperationException("empty order.intake payload");
        var shopBn = await db.Set<Shop>().Where(s => s.Id == body.ShopId).Select(s => s.ShopBn).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                     ?? throw new InvalidOperationException($"shop {body.ShopId} no longer exists");
        var shop = await shops.LookupAsync(shopBn, cancellationToken).ConfigureAwait(false)
                   ?? throw new InvalidOperationException($"shop {shopBn} no longer exists");
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            db.Database.AutoSavepointsEnabled = false; // a refusal rolls the whole transaction back
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var r = await intake.UpsertAsync(shop, body.Push, body.Actor, cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return TaskResult.Success($"{body.Push.OrderBn}: {r.State}");
            }
            catch (DomainException e)
            {
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                db.ChangeTracker.Clear();
                return await NoteRefusalAsync(shop.Id, body, e.Message, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private async Task<TaskResult> NoteRefusalAsync(long shopId, Body body, string why, CancellationToken ct)
    {
        var orderId = await db.Set<Order>().Where(o => o.ShopId == shopId && o.OrderBn == body.Push.OrderBn).Select(o => (long?)o.Id)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (orderId is null) return TaskResult.Failure($"{body.Push.OrderBn}: {why}");
        db.Add(OrderLog.Create(orderId.Value, "refused", "店铺推送被拒绝（异步收订）：" + why, body.Actor, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TaskResult.Success($"{body.Push.OrderBn}: refused: {why}");
    }
}
