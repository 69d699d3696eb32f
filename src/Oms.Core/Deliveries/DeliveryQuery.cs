using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.Deliveries;

/// <summary>Filters of the delivery list (发货单); every one optional.</summary>
public sealed record DeliveryFilter(DeliveryStatus? Status = null, long? BranchId = null, string? DeliveryBn = null, string? OrderBn = null);

/// <summary>An order a delivery carries (id and number, for links).</summary>
public sealed record DeliveryOrderRef(long Id, string OrderBn);

/// <summary>One row of the delivery list, and of an order's deliveries.</summary>
public sealed record DeliveryRow
{
    public long Id { get; init; }
    public required string DeliveryBn { get; init; }
    public long BranchId { get; init; }
    public string BranchName { get; set; } = "";
    public string? LogiName { get; init; }
    public string? LogiNo { get; init; }
    public int ItemNum { get; init; }
    public int SkuNum { get; init; }
    public DeliveryStatus Status { get; init; }
    public int ProcessStatus { get; init; }
    public PrintStatus PrintStatus { get; init; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public IReadOnlyList<DeliveryOrderRef> Orders { get; set; } = [];

    public bool IsOpen => Status is DeliveryStatus.Ready or DeliveryStatus.Pause;
}

/// <summary>A line of a delivery's detail: which order line, how many.</summary>
public sealed record DeliveryOrderLine(long OrderId, string OrderBn, long OrderItemId, string Bn, string? Name, int Number);

/// <summary>Everything the delivery detail page shows.</summary>
public sealed record DeliveryDetail(Delivery Delivery, string ShopName, string BranchBn, string BranchName,
    IReadOnlyList<DeliveryOrderRef> Orders, IReadOnlyList<DeliveryOrderLine> OrderLines)
{
    public bool IsOpen => Delivery.IsOpen;
}

/// <summary>
/// Reads of the delivery screens (发货单): the list by status, branch, delivery_bn and order_bn (keyset-paged, newest
/// first; index <c>(status, branch_id, id)</c> serves the status tabs), one delivery in full, an order's deliveries.
/// </summary>
public sealed class DeliveryQuery(OmsDbContext db)
{
    public async Task<KeysetPage<DeliveryRow>> ListAsync(DeliveryFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Set<Delivery>().AsNoTracking();
        if (filter.Status is { } status) q = q.Where(d => d.Status == status);
        if (filter.BranchId is { } branchId) q = q.Where(d => d.BranchId == branchId);
        if (!string.IsNullOrWhiteSpace(filter.DeliveryBn)) { var bn = filter.DeliveryBn.Trim(); q = q.Where(d => d.DeliveryBn == bn); }
        if (!string.IsNullOrWhiteSpace(filter.OrderBn))
        {
            var bn = filter.OrderBn.Trim();
            q = q.Where(d => db.Set<DeliveryOrderItem>().Any(x => x.DeliveryId == d.Id && db.Set<Order>().Any(o => o.Id == x.OrderId && o.OrderBn == bn)));
        }
        var page = await Rows(q).ToKeysetPageAsync(r => r.Id, before, pageSize, ct).ConfigureAwait(false);
        await FillAsync(page.Items, ct).ConfigureAwait(false);
        return page;
    }

    /// <summary>Every delivery that carries lines of <paramref name="orderId"/>, newest first.</summary>
    public async Task<IReadOnlyList<DeliveryRow>> OfOrderAsync(long orderId, CancellationToken ct = default)
    {
        var rows = await Rows(db.Set<Delivery>().AsNoTracking().Where(d => db.Set<DeliveryOrderItem>().Any(x => x.DeliveryId == d.Id && x.OrderId == orderId)))
            .OrderByDescending(r => r.Id).ToListAsync(ct).ConfigureAwait(false);
        await FillAsync(rows, ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>One delivery with its items, orders and order lines; null when absent.</summary>
    public async Task<DeliveryDetail?> GetAsync(long id, CancellationToken ct = default)
    {
        var d = await db.Set<Delivery>().AsNoTracking().Include(x => x.Items.OrderBy(i => i.Id)).FirstOrDefaultAsync(x => x.Id == id, ct).ConfigureAwait(false);
        if (d is null) return null;
        var shop = await db.Set<Shop>().AsNoTracking().Where(s => s.Id == d.ShopId).Select(s => s.Name).FirstAsync(ct).ConfigureAwait(false);
        var branch = await db.Set<Branch>().AsNoTracking().Where(b => b.Id == d.BranchId).Select(b => new { b.BranchBn, b.Name }).FirstAsync(ct).ConfigureAwait(false);
        var lines = await db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => x.DeliveryId == id)
            .Join(db.Set<OrderItem>(), x => x.OrderItemId, i => i.Id, (x, i) => new { x, i })
            .Join(db.Set<Order>(), y => y.x.OrderId, o => o.Id, (y, o) => new DeliveryOrderLine(o.Id, o.OrderBn, y.i.Id, y.i.Bn, y.i.Name, y.x.Number))
            .ToListAsync(ct).ConfigureAwait(false);
        lines = lines.OrderBy(l => l.OrderId).ThenBy(l => l.OrderItemId).ToList();
        var orders = lines.Select(l => new DeliveryOrderRef(l.OrderId, l.OrderBn)).Distinct().ToList();
        return new DeliveryDetail(d, shop, branch.BranchBn, branch.Name, orders, lines);
    }

    /// <summary>Delivery branches, for the filter.</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> BranchesAsync(CancellationToken ct = default) =>
        (await db.Set<Branch>().AsNoTracking().Where(b => b.Type == BranchType.Delivery).OrderBy(b => b.Name).ThenBy(b => b.Id)
            .Select(b => new { b.Id, b.Name }).ToListAsync(ct).ConfigureAwait(false)).Select(b => (b.Id, b.Name)).ToList();

    private static IQueryable<DeliveryRow> Rows(IQueryable<Delivery> q) => q.Select(d => new DeliveryRow
    {
        Id = d.Id, DeliveryBn = d.DeliveryBn, BranchId = d.BranchId, LogiName = d.LogiName, LogiNo = d.LogiNo,
        ItemNum = d.ItemNum, SkuNum = d.SkuNum, Status = d.Status, ProcessStatus = d.ProcessStatus, PrintStatus = d.PrintStatus,
        CreatedBy = d.CreatedBy, CreatedAt = d.CreatedAt,
    });

    /// <summary>Branch names and orders of a page of rows: one query each.</summary>
    private async Task FillAsync(IReadOnlyList<DeliveryRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var ids = rows.Select(r => r.Id).ToList();
        var branchIds = rows.Select(r => r.BranchId).Distinct().ToList();
        var branches = await db.Set<Branch>().AsNoTracking().Where(b => branchIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Name, ct).ConfigureAwait(false);
        var orders = (await db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId))
            .Join(db.Set<Order>(), x => x.OrderId, o => o.Id, (x, o) => new { x.DeliveryId, o.Id, o.OrderBn })
            .Distinct().ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.DeliveryId);
        foreach (var r in rows)
        {
            r.BranchName = branches.GetValueOrDefault(r.BranchId) ?? "";
            r.Orders = orders[r.Id].OrderBy(x => x.Id).Select(x => new DeliveryOrderRef(x.Id, x.OrderBn)).ToList();
        }
    }
}
