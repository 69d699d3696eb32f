using Microsoft.EntityFrameworkCore;
using Oms.Common;
using Oms.Data;

namespace Oms.Orders;

/// <summary>
/// Stores refund and after-sale requests pushed by shops (<c>ome.refund.*</c>, <c>ome.aftersale*.add</c>)
/// as they came, keyed by shop + kind + request number, and notes each on its order's operation log
/// when the order is known. Their processing belongs to the after-sales module.
/// </summary>
public sealed class AfterSaleRequestService(OmsDbContext db, TimeProvider clock)
{
    public async Task<IntakeResult> UpsertAsync(long shopId, string kind, string requestBn, string orderBn, string? status, decimal? money,
        string? reason, string payload, string actor, CancellationToken ct = default)
    {
        await OrderLocks.AcquireAsync(db, shopId, kind + ":" + requestBn, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.Set<AfterSaleRequest>().FirstOrDefaultAsync(r => r.ShopId == shopId && r.Kind == kind && r.RequestBn == requestBn, ct).ConfigureAwait(false);
        string state;
        if (row is null)
        {
            row = new AfterSaleRequest { ShopId = shopId, Kind = kind, RequestBn = requestBn, OrderBn = orderBn, Payload = payload, CreatedAt = now };
            db.Add(row);
            state = IntakeStates.Created;
        }
        else if (row.Payload == payload && row.OrderBn == orderBn)
        {
            return new IntakeResult(row.Id, IntakeStates.Unchanged);
        }
        else
        {
            if (row.OrderBn != orderBn) throw new DomainException($"{kind} {requestBn} belongs to order {row.OrderBn}, not {orderBn}");
            state = IntakeStates.Updated;
        }
        row.Status = status;
        row.Money = money;
        row.Reason = reason;
        row.Payload = payload;
        row.UpdatedAt = now;
        await NoteOnOrderAsync(shopId, orderBn, kind,
            $"{Label(kind)} {requestBn}{(state == IntakeStates.Created ? "" : " 更新")}：状态 {status ?? "（空）"}" + (money is { } m ? $"，金额 {Money.ToText(m)}" : "") + (reason is null ? "" : $"，原因 {reason}"),
            actor, now, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new IntakeResult(row.Id, state);
    }

    /// <summary>A status change of a stored request (<c>ome.refund.status_update</c>).</summary>
    public async Task<IntakeResult> SetStatusAsync(long shopId, string kind, string requestBn, string status, string actor, CancellationToken ct = default)
    {
        await OrderLocks.AcquireAsync(db, shopId, kind + ":" + requestBn, ct).ConfigureAwait(false);
        var row = await db.Set<AfterSaleRequest>().FirstOrDefaultAsync(r => r.ShopId == shopId && r.Kind == kind && r.RequestBn == requestBn, ct).ConfigureAwait(false)
                  ?? throw new DomainException($"{kind} {requestBn} does not exist in this shop");
        if (row.Status == status) return new IntakeResult(row.Id, IntakeStates.Unchanged);
        var now = clock.GetUtcNow().UtcDateTime;
        await NoteOnOrderAsync(shopId, row.OrderBn, kind, $"{Label(kind)} {requestBn} 状态：{row.Status ?? "（空）"} → {status}", actor, now, ct).ConfigureAwait(false);
        row.Status = status;
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new IntakeResult(row.Id, IntakeStates.Updated);
    }

    private static string Label(string kind) => kind == AfterSaleKinds.Refund ? "退款申请" : "售后申请";

    private async Task NoteOnOrderAsync(long shopId, string orderBn, string kind, string text, string actor, DateTime now, CancellationToken ct)
    {
        var orderId = await db.Set<Order>().Where(o => o.ShopId == shopId && o.OrderBn == orderBn).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (orderId is { } id)
            db.Add(OrderLog.Create(id, kind, text, actor, now));
    }
}
