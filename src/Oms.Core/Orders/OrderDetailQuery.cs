using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Outbox;

namespace Oms.Orders;

/// <summary>An object of the order with its expanded items; unmatched objects have none.</summary>
public sealed record OrderObjectDetail(OrderObject Object, IReadOnlyList<OrderItem> Items)
{
    /// <summary>False when the object's code matched no sales material (未匹配).</summary>
    public bool Matched => Object.SalesMaterialId is not null;
}

/// <summary>Everything the order detail page shows, read in a few queries.</summary>
public sealed record OrderDetail(
    Order Order, string ShopBn, string ShopName,
    IReadOnlyList<OrderObjectDetail> Objects,
    IReadOnlyList<OrderPayment> Payments,
    IReadOnlyList<AfterSaleRequest> AfterSales,
    IReadOnlyList<OrderLog> Log,
    bool LogTruncated);

/// <summary>A shop for filter drop-downs.</summary>
public sealed record ShopOption(long Id, string ShopBn, string Name);

/// <summary>Reads for the order screens: one order in full, its API log entries, the shops to filter by.</summary>
public sealed class OrderDetailQuery(OmsDbContext db, ApiLogService apiLog)
{
    /// <summary>At most this many operation log lines are shown (newest first).</summary>
    public const int MaxLogLines = 500;

    /// <summary>The order with objects (deleted ones too, for the record), items, payments, after-sale requests and log; null when absent.</summary>
    public async Task<OrderDetail?> GetAsync(long id, CancellationToken ct = default)
    {
        var order = await db.Set<Order>().AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct).ConfigureAwait(false);
        if (order is null) return null;
        var shop = await db.Set<Shop>().AsNoTracking().Where(s => s.Id == order.ShopId)
            .Select(s => new { s.ShopBn, s.Name }).FirstAsync(ct).ConfigureAwait(false);
        var objects = await db.Set<OrderObject>().AsNoTracking().Where(x => x.OrderId == id)
            .OrderBy(x => x.Deleted).ThenBy(x => x.Position).ThenBy(x => x.Id).ToListAsync(ct).ConfigureAwait(false);
        var items = (await db.Set<OrderItem>().AsNoTracking().Where(x => x.OrderId == id)
            .OrderBy(x => x.Id).ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.ObjectId);
        var payments = await db.Set<OrderPayment>().AsNoTracking().Where(x => x.OrderId == id)
            .OrderBy(x => x.Id).ToListAsync(ct).ConfigureAwait(false);
        var afterSales = await db.Set<AfterSaleRequest>().AsNoTracking()
            .Where(x => x.ShopId == order.ShopId && x.OrderBn == order.OrderBn)
            .OrderByDescending(x => x.Id).ToListAsync(ct).ConfigureAwait(false);
        var log = await db.Set<OrderLog>().AsNoTracking().Where(x => x.OrderId == id)
            .OrderByDescending(x => x.Id).Take(MaxLogLines + 1).ToListAsync(ct).ConfigureAwait(false);
        var truncated = log.Count > MaxLogLines;
        if (truncated) log.RemoveAt(MaxLogLines);
        return new OrderDetail(order, shop.ShopBn, shop.Name,
            objects.Select(o => new OrderObjectDetail(o, items[o.Id].ToList())).ToList(),
            payments, afterSales, log, truncated);
    }

    /// <summary>The newest API log entries whose business key is <paramref name="orderBn"/> (同步日志 of this order).</summary>
    public Task<KeysetPage<ApiLogEntry>> ApiLogAsync(string orderBn, int take = 20, CancellationToken ct = default) =>
        apiLog.SearchAsync(new ApiLogFilter(BusinessKey: orderBn), null, take, ct);

    /// <summary>Every shop, by code, for the filters of the order screens.</summary>
    public async Task<IReadOnlyList<ShopOption>> ShopsAsync(CancellationToken ct = default) =>
        await db.Set<Shop>().AsNoTracking().OrderBy(s => s.ShopBn).Select(s => new ShopOption(s.Id, s.ShopBn, s.Name))
            .ToListAsync(ct).ConfigureAwait(false);
}

/// <summary>Registers the order screens' reads and the staging rule.</summary>
public static class OrderScreensModule
{
    public static IServiceCollection AddOrderScreens(this IServiceCollection services)
    {
        services.AddScoped<OrderDetailQuery>();
        services.AddScoped<FailedOrderQuery>();
        services.AddScoped<FailedOrderRematch>();
        services.AddScoped<StagingArea>();
        return services;
    }
}
