using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Data;
using Oms.Deliveries;
using Oms.SelfWms;
using Oms.Tests.Infrastructure;
using Oms.Tests.Orders;
using Oms.Tests.Review;
using Oms.Warehouses;

namespace Oms.Tests.SelfWms;

/// <summary>
/// A <see cref="ReviewKit"/> with one own-warehouse branch (stock of A, B, C), carrier SF, material A with a barcode
/// (<see cref="BarcodeA"/>), and shortcuts to make deliveries and call the floor services.
/// </summary>
public sealed class FloorKit : IDisposable
{
    public required ReviewKit Review { get; init; }
    public required Branch Branch { get; init; }
    public required LogisticsCompany Sf { get; init; }
    public string BarcodeA => Review.Orders.Prefix + "690A";
    public string A => Review.Orders.A;
    public string B => Review.Orders.B;
    public ServerFixture Server => Review.Server;

    public static async Task<FloorKit> CreateAsync(ServerFixture server, string printRequired = "stock,delivery,express", bool verifyRequired = true)
    {
        var r = await ReviewKit.CreateAsync(server);
        await r.Orders.SetSettingAsync("print.required", printRequired);
        await r.Orders.SetSettingAsync("verify.required", verifyRequired ? "true" : "false");
        var branch = await r.BranchAsync(stock: new Dictionary<string, int> { [r.Orders.A] = 50, [r.Orders.B] = 50, [r.Orders.C] = 50 });
        var sf = await r.LogisticsAsync(branch, "SF");
        var k = new FloorKit { Review = r, Branch = branch, Sf = sf };
        await k.Review.DoAsync(async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            var id = r.Orders.Basic[r.Orders.A];
            await db.Set<BasicMaterial>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Barcode, k.BarcodeA));
        });
        return k;
    }

    /// <summary>A delivery for a new paid order of these lines (sales codes SA, SB, SAB …).</summary>
    public async Task<Delivery> DeliveryAsync(params Line[] lines)
    {
        var o = await Review.PushAsync(lines, member: "m" + Guid.NewGuid().ToString("N")[..8]);
        return await Review.ConfirmAsync([o.Id], Branch.Id, Sf.Id);
    }

    public Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> body) => Review.WithAsync(body);

    public Task<T> With<TService, T>(Func<TService, Task<T>> body) where TService : notnull =>
        Review.WithAsync(sp => body(sp.GetRequiredService<TService>()));

    public Task<Delivery> GetAsync(long id) =>
        Review.WithAsync(sp => sp.GetRequiredService<OmsDbContext>().Set<Delivery>().AsNoTracking().Include(d => d.Items.OrderBy(i => i.Id)).SingleAsync(d => d.Id == id));

    /// <summary>What a refusal must leave untouched.</summary>
    public async Task<string> SnapshotAsync(long id)
    {
        var d = await GetAsync(id);
        return $"{d.Status}|{d.ProcessStatus}|{(int)d.PrintStatus}|{d.LogiNo}|{d.UpdatedAt.Ticks}|" + string.Join(",", d.Items.Select(i => $"{i.Bn}:{i.VerifyNum}/{i.Number}"));
    }

    public Task<PrintOutcome> PrintAsync(long id, PrintDoc doc, string? logiNo = null) =>
        With<PrintService, PrintOutcome>(p => p.PrintAsync([id], doc, "printer", logiNo is null ? null : new Dictionary<long, string> { [id] = logiNo }));

    public async Task PrintAllAsync(long id, string logiNo)
    {
        await PrintAsync(id, PrintDoc.Stock);
        await PrintAsync(id, PrintDoc.Delivery);
        await PrintAsync(id, PrintDoc.Express, logiNo);
    }

    public static string NewLogiNo() => "SF" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    public Task AssertInvariantsAsync() => Review.AssertInvariantsAsync();

    public void Dispose() => Review.Dispose();
}
