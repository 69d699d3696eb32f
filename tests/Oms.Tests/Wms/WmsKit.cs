using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Integration;
using Oms.Outbox;
using Oms.Review;
using Oms.Simulators.Matrix;
using Oms.Tests.Matrix;
using Oms.Tests.Orders;
using Oms.Tests.Outbox;
using Oms.Tests.Review;
using Oms.Tests.Tasks;
using Oms.Warehouses;
using Oms.Wms;

namespace Oms.Tests.Wms;

/// <summary>
/// A <see cref="ReviewKit"/> shop plus a matrix WMS channel added through <c>wmschannel.add</c> whose warehouse is the
/// fixture's <see cref="FakeMatrixRecorder"/> (its own node id and token), a branch of that channel added through
/// <c>branch.add</c> with stock, and the warehouse's side of <c>/api</c> (<see cref="Warehouse"/>).
/// </summary>
public sealed class WmsKit : IDisposable
{
    public required OutboxFixture Fx { get; init; }
    public required ReviewKit Review { get; init; }
    public required string ChannelBn { get; init; }
    public required string Node { get; init; }
    public required string Token { get; init; }
    public required Branch Branch { get; init; }
    public long LogisticsId { get; init; }
    /// <summary>Signs and posts <c>/api</c> calls as the warehouse (the channel's node id and token).</summary>
    public required MatrixTestClient Warehouse { get; init; }
    public OrderIntakeKit Orders => Review.Orders;
    public FakeMatrixRecorder Peer => Fx.Peer;

    public static async Task<WmsKit> CreateAsync(OutboxFixture fx, bool poll = false, int stockA = 10)
    {
        var review = await ReviewKit.CreateAsync(fx);
        var node = "wms" + Guid.NewGuid().ToString("N")[..10];
        var token = "wtok-" + Guid.NewGuid().ToString("N");
        var bn = review.Orders.Prefix + "WMS";
        fx.Peer.Tokens[node] = token;
        await fx.OpenApi.CallAsync("wmschannel.add", new Dictionary<string, string>
        {
            ["channel_bn"] = bn, ["name"] = "测试仓储 " + bn, ["adapter"] = "matrix", ["node_id"] = node, ["token"] = token,
            ["api_url"] = fx.Peer.Url.ToString(), ["poll"] = poll ? "true" : "false",
        });
        var branchBn = review.Orders.Prefix + "TPL";
        await fx.OpenApi.CallAsync("branch.add", new Dictionary<string, string>
        {
            ["branch_bn"] = branchBn, ["name"] = "第三方仓 " + branchBn, ["wms"] = bn, ["shops"] = "S" + review.Orders.Matrix.NodeId,
        });
        Branch branch;
        await using (var scope = fx.Scope())
            branch = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Branch>().AsNoTracking().SingleAsync(b => b.BranchBn == branchBn);
        await review.ReceiveAsync(branch.Id, review.Orders.A, stockA);
        var sf = await review.LogisticsAsync(branch, "SF");
        return new WmsKit
        {
            Fx = fx, Review = review, ChannelBn = bn, Node = node, Token = token, Branch = branch, LogisticsId = sf.Id,
            Warehouse = new MatrixTestClient(fx, node, token),
        };
    }

    /// <summary>A paid order of <paramref name="n"/> × A, confirmed into a delivery at the channel's branch.</summary>
    public async Task<(Oms.Orders.Order Order, Delivery Delivery)> DeliveryAsync(int n = 2)
    {
        var o = await Review.PushAsync([new Line(Orders.SA, n)]);
        var d = await Review.ConfirmAsync([o.Id], Branch.Id, LogisticsId);
        return (o, d);
    }

    public async Task<DeliveryWms> SyncAsync(long deliveryId)
    {
        await using var scope = Fx.Scope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<DeliveryWms>().AsNoTracking().SingleAsync(x => x.DeliveryId == deliveryId);
    }

    public async Task<Delivery> ReadAsync(long deliveryId)
    {
        await using var scope = Fx.Scope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Delivery>().AsNoTracking().SingleAsync(x => x.Id == deliveryId);
    }

    public Task WaitPushAsync(long deliveryId, string state = WmsPushState.Pushed) =>
        TaskTestHost.EventuallyAsync(async () => (await SyncAsync(deliveryId)).PushState == state, $"delivery {deliveryId} push {state}");

    public Task WaitCancelAsync(long deliveryId, string state) =>
        TaskTestHost.EventuallyAsync(async () => (await SyncAsync(deliveryId)).CancelState == state, $"delivery {deliveryId} cancel {state}");

    /// <summary>Waits until the outbox message <paramref name="task"/> is running (the warehouse took it and will call back).</summary>
    public Task WaitRunningAsync(string task) =>
        TaskTestHost.EventuallyAsync(async () =>
        {
            await using var scope = Fx.Scope();
            return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<OutboxMessage>().AnyAsync(m => m.Id == task && m.State == OutboxState.Running);
        }, $"outbox {task} running");

    /// <summary>The first cancel request sent to the warehouse, once it is running.</summary>
    public async Task<string> RunningCancelAsync()
    {
        await TaskTestHost.EventuallyAsync(() => Sent(WmsMethods.SaleOrderCancel).Count >= 1, "cancel sent");
        var task = Sent(WmsMethods.SaleOrderCancel)[0].Task;
        await WaitRunningAsync(task);
        return task;
    }

    /// <summary>The warehouse's requests of one method, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Sent(string method) => Peer.Filter(method, Node, null);

    /// <summary><c>wms.delivery.status_update</c> from the warehouse; returns the raw answer.</summary>
    public async Task<JsonElement> StatusAsync(string deliveryBn, string status, IReadOnlyDictionary<string, string>? extra = null, MatrixTestClient? as_ = null)
    {
        var f = new Dictionary<string, string>(StringComparer.Ordinal) { ["status"] = status, ["operate_time"] = ChinaTime.ToText(DateTime.UtcNow) };
        if (deliveryBn.Length > 0) f["delivery_bn"] = deliveryBn;
        if (extra is not null) foreach (var (k, v) in extra) f[k] = v;
        var (_, answer) = await (as_ ?? Warehouse).PostAsync((as_ ?? Warehouse).Form("wms.delivery.status_update", f, "t-" + Guid.NewGuid().ToString("N")));
        return answer;
    }

    public async Task StatusSuccAsync(string deliveryBn, string status, IReadOnlyDictionary<string, string>? extra = null, string? state = null)
    {
        var a = await StatusAsync(deliveryBn, status, extra);
        Assert.True(a.GetProperty("rsp").GetString() == "succ", a.GetRawText());
        if (state is not null) Assert.Equal(state, a.GetProperty("data").GetProperty("state").GetString());
    }

    public async Task<string> StatusFailAsync(string deliveryBn, string status, string code, IReadOnlyDictionary<string, string>? extra = null, MatrixTestClient? as_ = null)
    {
        var a = await StatusAsync(deliveryBn, status, extra, as_);
        Assert.True(a.GetProperty("rsp").GetString() == "fail" && a.GetProperty("res").GetString() == code, a.GetRawText());
        return a.GetProperty("msg").GetString()!;
    }

    /// <summary>The warehouse's asynchronous answer to a request it took with <c>running</c> (<c>POST /api/callback</c>).</summary>
    public async Task<JsonElement> CallbackAsync(string task, string rsp, string? data = null)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["task"] = task, ["rsp"] = rsp, ["res"] = rsp == "succ" ? "" : "W404", ["msg"] = rsp == "succ" ? "" : "仓库已拣货，不能取消",
            ["data"] = data ?? "{}", ["node_id"] = Node, ["date"] = ChinaTime.ToText(DateTime.UtcNow),
        };
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), Token);
        using var http = Fx.CreateHttpClient();
        using var content = new FormUrlEncodedContent(form);
        using var resp = await http.PostAsync(new Uri("/api/callback", UriKind.Relative), content);
        using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    public Task RevokeAsync(long deliveryId) => Review.DoAsync(sp => sp.GetRequiredService<ReviewService>().RevokeAsync(deliveryId, "客户改地址", "reviewer"));

    public Task PauseAsync(long orderId) => Review.DoAsync(sp => sp.GetRequiredService<ReviewService>().PauseAsync(orderId, "买家要求暂缓", "reviewer"));

    public Task WithWmsAsync(Func<WmsDeliveryService, Task> body) => Review.DoAsync(sp => body(sp.GetRequiredService<WmsDeliveryService>()));

    public Task<(int Store, int Freeze, int Arrive, int Defective)> CountersAsync() => Review.CountersAsync(Branch.Id, Orders.A);

    public void Dispose()
    {
        Warehouse.Dispose();
        Review.Dispose();
    }
}
