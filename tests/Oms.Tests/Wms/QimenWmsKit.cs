using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Deliveries;
using Oms.Integration.Qimen;
using Oms.Outbox;
using Oms.Review;
using Oms.Simulators.Warehouse;
using Oms.Tests.Orders;
using Oms.Tests.Outbox;
using Oms.Tests.Review;
using Oms.Tests.Tasks;
using Oms.Warehouses;
using Oms.Wms;

namespace Oms.Tests.Wms;

/// <summary>
/// A <see cref="ReviewKit"/> shop plus a Qimen WMS channel added through <c>wmschannel.add</c> (its own app_key, secret,
/// customerId) whose warehouse is a <see cref="VirtualWarehouse"/> on its Qimen side calling back the real host's
/// <c>/qimen</c>, and a branch of that channel (added through <c>branch.add</c>) with stock.
/// </summary>
public sealed class QimenWmsKit : IAsyncDisposable
{
    public required OutboxFixture Fx { get; init; }
    public required ReviewKit Review { get; init; }
    public required VirtualWarehouse Wh { get; init; }
    public required string ChannelBn { get; init; }
    public required string AppKey { get; init; }
    public required string Secret { get; init; }
    public required string CustomerId { get; init; }
    public required Branch Branch { get; init; }
    public long LogisticsId { get; init; }
    public OrderIntakeKit Orders => Review.Orders;

    /// <summary>A warehouse that takes orders and never moves them (until cancelled).</summary>
    public static readonly WarehouseBehavior Hold = new() { Delay = TimeSpan.FromHours(1) };

    public static async Task<QimenWmsKit> CreateAsync(OutboxFixture fx, WarehouseBehavior? behavior = null, bool poll = false, int stockA = 10)
    {
        var review = await ReviewKit.CreateAsync(fx);
        var appKey = "qm-" + Guid.NewGuid().ToString("N")[..10];
        var secret = "qs-" + Guid.NewGuid().ToString("N");
        var customerId = "qc-" + Guid.NewGuid().ToString("N")[..8];
        var wh = await VirtualWarehouse.StartAsync(new VirtualWarehouseOptions
        {
            OmsUrl = fx.BaseAddress, QimenAppKey = appKey, QimenSecret = secret, QimenCustomerId = customerId,
            Delay = TimeSpan.FromMilliseconds(20), Behavior = behavior ?? new WarehouseBehavior(),
        });
        var bn = review.Orders.Prefix + "QM";
        await fx.OpenApi.CallAsync("wmschannel.add", new Dictionary<string, string>
        {
            ["channel_bn"] = bn, ["name"] = "奇门仓储 " + bn, ["adapter"] = "qimen", ["app_key"] = appKey, ["secret"] = secret,
            ["customer_id"] = customerId, ["api_url"] = wh.QimenUrl.ToString(), ["poll"] = poll ? "true" : "false",
        });
        var branchBn = review.Orders.Prefix + "QWH";
        await fx.OpenApi.CallAsync("branch.add", new Dictionary<string, string>
        {
            ["branch_bn"] = branchBn, ["name"] = "奇门仓 " + branchBn, ["wms"] = bn, ["shops"] = "S" + review.Orders.Matrix.NodeId,
        });
        Branch branch;
        await using (var scope = fx.Scope())
            branch = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Branch>().AsNoTracking().SingleAsync(b => b.BranchBn == branchBn);
        await review.ReceiveAsync(branch.Id, review.Orders.A, stockA);
        var sf = await review.LogisticsAsync(branch, "SF");
        return new QimenWmsKit
        {
            Fx = fx, Review = review, Wh = wh, ChannelBn = bn, AppKey = appKey, Secret = secret, CustomerId = customerId, Branch = branch,
            LogisticsId = sf.Id,
        };
    }

    /// <summary>The channel's credentials toward the OMS's <c>/qimen</c> (as the warehouse calls it).</summary>
    public QimenEndpoint OmsEndpoint(string? secret = null, string? appKey = null) =>
        new(new Uri(Fx.BaseAddress, "/qimen").ToString(), appKey ?? AppKey, secret ?? Secret, CustomerId);

    /// <summary>A paid order of <paramref name="n"/> × A, confirmed into a delivery at the channel's branch.</summary>
    public async Task<(Oms.Orders.Order Order, Delivery Delivery)> DeliveryAsync(int n = 2)
    {
        var o = await Review.PushAsync([new Line(Orders.SA, n)]);
        var d = await Review.ConfirmAsync([o.Id], Branch.Id, LogisticsId);
        return (o, d);
    }

    public Task<T> WithDbAsync<T>(Func<OmsDbContext, Task<T>> body) => Review.WithAsync(sp => body(sp.GetRequiredService<OmsDbContext>()));

    public Task<DeliveryWms> SyncAsync(long deliveryId) => WithDbAsync(db => db.Set<DeliveryWms>().AsNoTracking().SingleAsync(x => x.DeliveryId == deliveryId));

    public Task<Delivery> ReadAsync(long deliveryId) => WithDbAsync(db => db.Set<Delivery>().AsNoTracking().SingleAsync(x => x.Id == deliveryId));

    public Task WaitPushAsync(long deliveryId, string state = WmsPushState.Pushed) =>
        TaskTestHost.EventuallyAsync(async () => (await SyncAsync(deliveryId)).PushState == state, $"delivery {deliveryId} push {state}");

    public Task WaitCancelAsync(long deliveryId, string state) =>
        TaskTestHost.EventuallyAsync(async () => (await SyncAsync(deliveryId)).CancelState == state, $"delivery {deliveryId} cancel {state}");

    public Task WaitStatusAsync(long deliveryId, DeliveryStatus status) =>
        TaskTestHost.EventuallyAsync(async () => (await ReadAsync(deliveryId)).Status == status, $"delivery {deliveryId} {status}");

    /// <summary>What the warehouse received of one method for one order code, oldest first.</summary>
    public IReadOnlyList<WarehouseReceived> Received(string method, string code) =>
        Wh.Received.Where(r => r.Method == method && r.OrderCode == code).ToList();

    /// <summary>API log entries of a business key, oldest first.</summary>
    public Task<List<ApiLogEntry>> ApiLogAsync(string businessKey, string method) =>
        WithDbAsync(db => db.Set<ApiLogEntry>().AsNoTracking().Where(e => e.BusinessKey == businessKey && e.Method == method).OrderBy(e => e.Id).ToListAsync());

    public Task RevokeAsync(long deliveryId) => Review.DoAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(deliveryId, "客户改地址", "reviewer"));

    public Task PauseAsync(long orderId) => Review.DoAsync(sp => sp.GetRequiredService<ReviewService>().PauseAsync(orderId, "买家要求暂缓", "reviewer"));

    public Task WithWmsAsync(Func<WmsDeliveryService, Task> body) => Review.DoAsync(sp => body(sp.GetRequiredService<WmsDeliveryService>()));

    public Task<(int Store, int Freeze, int Arrive, int Defective)> CountersAsync() => Review.CountersAsync(Branch.Id, Orders.A);

    public async ValueTask DisposeAsync()
    {
        await Wh.DisposeAsync();
        Review.Dispose();
    }
}
