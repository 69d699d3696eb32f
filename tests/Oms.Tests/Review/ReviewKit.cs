using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Deliveries;
using Oms.Inventory;
using Oms.Orders;
using Oms.Review;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Warehouses;

namespace Oms.Tests.Review;

/// <summary>
/// An <see cref="OrderIntakeKit"/> shop (orders pushed through the real <c>/api</c>) plus what review needs: branches that
/// supply the shop, stock, logistics companies; and shortcuts to the review services, each in its own scope.
/// </summary>
public sealed class ReviewKit : IDisposable
{
    public required OrderIntakeKit Orders { get; init; }
    /// <summary>This kit's consignee mobile: other kits' orders in the same database must not look like the same buyer (COMBINE).</summary>
    public string Mobile { get; } = "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
    public ServerFixture Server => Orders.Server;
    private int _seq;

    public static async Task<ReviewKit> CreateAsync(ServerFixture server)
    {
        var k = new ReviewKit { Orders = await OrderIntakeKit.CreateAsync(server) };
        await k.Orders.SetSettingAsync("order.buffer_minutes", "0");
        return k;
    }

    /// <summary>A delivery branch supplying the kit's shop, with <paramref name="stock"/> received (basic code → units).</summary>
    public async Task<Branch> BranchAsync(int weight = 0, IReadOnlyDictionary<string, int>? stock = null, bool online = true,
        BranchType type = BranchType.Delivery, bool suppliesShop = true)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var branch = new Branch
        {
            BranchBn = Orders.Prefix + "BR" + Interlocked.Increment(ref _seq), Name = "仓库" + _seq, Online = online, Type = type, Weight = weight,
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            Shops = suppliesShop ? [new BranchShop { ShopId = Orders.ShopId }] : [],
        };
        db.Add(branch);
        await db.SaveChangesAsync();
        if (stock is not null)
            foreach (var (bn, n) in stock) await ReceiveAsync(branch.Id, bn, n);
        return branch;
    }

    public async Task ReceiveAsync(long branchId, string basicBn, int n)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        await scope.ServiceProvider.GetRequiredService<InventoryService>().ReceiveAsync(
            [new StockMoveLine(branchId, Orders.Basic[basicBn], n)], new LedgerEntry(StockMoveType.DirectIn, "TEST"));
        await tx.CommitAsync();
    }

    public async Task<LogisticsCompany> LogisticsAsync(Branch branch, string code, int priority = 0, decimal? maxWeight = null, params string[] areas)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LogisticsService>().CreateAsync(
            new LogisticsInput(branch.BranchBn, code, code + " 快递") { Priority = priority, MaxWeight = maxWeight, Areas = areas }, "test");
    }

    /// <summary>Pushes a paid order; <paramref name="member"/> and <paramref name="address"/> decide what merges.</summary>
    public async Task<Order> PushAsync(IReadOnlyList<Line> lines, string? member = null, string address = "文三路 1 号",
        Action<Dictionary<string, string>>? change = null)
    {
        var bn = Orders.NewBn();
        var f = OrderIntakeKit.OrderFields(bn, lines, DateTime.UtcNow.AddMinutes(-1), address: address);
        f["consignee"] = System.Text.Json.JsonSerializer.Serialize(new
        {
            name = "李四", area_state = "浙江省", area_city = "杭州市", area_district = "西湖区", addr = address, mobile = Mobile, zip = "310000",
        });
        if (member is not null)
        {
            f["buyer_id"] = member;
            f["member_info"] = System.Text.Json.JsonSerializer.Serialize(new { uname = member, name = "李四" });
        }
        change?.Invoke(f);
        await Orders.SuccAsync("ome.order.add", f);
        return await Orders.OrderAsync(bn);
    }

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    public async Task DoAsync(Func<IServiceProvider, Task> body)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        await body(scope.ServiceProvider);
    }

    public Task<IReadOnlyList<AutoReviewResult>> AutoReviewAsync(params long[] ids) =>
        WithAsync(sp => sp.GetRequiredService<AutoReviewService>().ReviewAsync(ids));

    public Task<Delivery> ConfirmAsync(IReadOnlyList<long> orderIds, long branchId, long? logisticsId = null) =>
        WithAsync(sp => sp.GetRequiredService<ReviewService>().ConfirmAsync(orderIds, branchId, logisticsId, "reviewer"));

    public Task<Order> OrderAsync(long id) =>
        WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Order>().AsNoTracking().Include(o => o.Items).SingleAsync(o => o.Id == id));

    public Task<List<Delivery>> DeliveriesOfAsync(long orderId) =>
        WithAsync(sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            return db.Set<Delivery>().AsNoTracking().Include(d => d.Items).Include(d => d.OrderItems)
                .Where(d => d.OrderItems.Any(x => x.OrderId == orderId)).OrderBy(d => d.Id).ToListAsync();
        });

    public Task<(int Store, int Freeze, int Arrive, int Defective)> CountersAsync(long branchId, string basicBn) =>
        Oms.Tests.Inventory.StockData.CountersAsync(Server.Services, branchId, Orders.Basic[basicBn]);

    public Task<int> ShopFreezeAsync(string basicBn) => Orders.ShopFreezeAsync(basicBn);

    public Task AssertInvariantsAsync() => Orders.AssertInvariantsAsync();

    public void Dispose() => Orders.Dispose();
}
