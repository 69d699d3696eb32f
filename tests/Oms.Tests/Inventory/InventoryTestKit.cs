using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Inventory;
using Oms.Warehouses;

namespace Oms.Tests.Inventory;

/// <summary>
/// Master data for inventory tests, written straight through the DbContext (the master-data
/// services belong to another module): every call makes rows with fresh codes, so tests sharing
/// a database never see each other's stock.
/// </summary>
internal static class StockData
{
    private static int _seq;

    public static string Code(string prefix) =>
        $"{prefix}{Interlocked.Increment(ref _seq)}-{Guid.NewGuid().ToString("N")[..6]}".ToUpperInvariant();

    public static async Task<Shop> ShopAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var shop = new Shop { ShopBn = Code("S"), Name = "测试店铺", ShopType = "taobao", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
        db.Add(shop);
        await db.SaveChangesAsync();
        return shop;
    }

    public static async Task<Branch> BranchAsync(IServiceProvider services, bool online = true, params Shop[] supplies)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var branch = new Branch
        {
            BranchBn = Code("B"), Name = "测试仓", Online = online, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            Shops = supplies.Select(s => new BranchShop { ShopId = s.Id }).ToList(),
        };
        db.Add(branch);
        await db.SaveChangesAsync();
        return branch;
    }

    public static async Task<BasicMaterial> MaterialAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var code = Code("M");
        var material = new BasicMaterial { MaterialBn = code, Name = "物料 " + code, Barcode = "69" + code, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
        db.Add(material);
        await db.SaveChangesAsync();
        return material;
    }

    public static async Task<SalesMaterial> SalesMaterialAsync(IServiceProvider services, SalesMaterialType type, params (BasicMaterial Material, int Quantity)[] parts)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var sm = new SalesMaterial
        {
            SalesMaterialBn = Code("SM"), Name = "销售物料", Type = type, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            Bindings = parts.Select((p, i) => new SalesMaterialBinding { BasicMaterialId = p.Material.Id, Quantity = p.Quantity, Position = i, PriceShare = 100m / parts.Length }).ToList(),
        };
        db.Add(sm);
        await db.SaveChangesAsync();
        return sm;
    }

    /// <summary>Runs <paramref name="body"/> in a new scope and transaction and commits; an exception rolls everything back.</summary>
    public static async Task InTransactionAsync(IServiceProvider services, Func<IServiceProvider, Task> body)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        await body(scope.ServiceProvider);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }

    public static Task StockAsync(IServiceProvider services, Func<InventoryService, Task> body) =>
        InTransactionAsync(services, sp => body(sp.GetRequiredService<InventoryService>()));

    public static async Task<BranchStock?> RowAsync(IServiceProvider services, long branchId, long materialId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<BranchStock>().AsNoTracking()
            .FirstOrDefaultAsync(s => s.BranchId == branchId && s.BasicMaterialId == materialId);
    }

    public static async Task<(int Store, int Freeze, int Arrive, int Defective)> CountersAsync(IServiceProvider services, long branchId, long materialId)
    {
        var row = await RowAsync(services, branchId, materialId);
        return row is null ? (0, 0, 0, 0) : (row.Store, row.StoreFreeze, row.ArriveStore, row.DefectiveStore);
    }

    public static async Task<int> ShopFreezeAsync(IServiceProvider services, long shopId, long materialId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<ShopFreeze>().AsNoTracking()
            .Where(f => f.ShopId == shopId && f.BasicMaterialId == materialId).Select(f => f.Quantity).FirstOrDefaultAsync();
    }

    public static async Task<List<StockLedgerLine>> LedgerAsync(IServiceProvider services, long branchId, long materialId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<StockLedgerLine>().AsNoTracking()
            .Where(l => l.BranchId == branchId && l.BasicMaterialId == materialId).OrderBy(l => l.Id).ToListAsync();
    }

    /// <summary>Asserts the five invariants over the whole database, with the freezes the tests of this database hold on purpose.</summary>
    public static async Task AssertInvariantsAsync(IServiceProvider services, FreezeBook book)
    {
        await using var scope = services.CreateAsyncScope();
        var violations = await scope.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync([book]);
        Assert.True(violations.Count == 0, "inventory invariants violated:\n" + string.Join("\n", violations));
    }

    public static async Task<InsufficientStockException> RefusedAsync(Func<Task> action) =>
        await Assert.ThrowsAsync<InsufficientStockException>(action);
}

/// <summary>
/// Stands in for orders and deliveries (which do not exist yet) as the freeze source of
/// invariants 3 and 4: tests record here the freezes they take on purpose. One per database.
/// </summary>
public sealed class FreezeBook : IFreezeSource
{
    private static readonly ConditionalWeakTable<object, FreezeBook> Books = new();
    private readonly ConcurrentDictionary<(long, long), int> _shop = new();
    private readonly ConcurrentDictionary<(long, long), int> _branch = new();

    /// <summary>The book of the database behind a fixture.</summary>
    public static FreezeBook For(object fixture) => Books.GetValue(fixture, _ => new FreezeBook());

    public string Name => "test freeze book";

    public void Shop(long shopId, long materialId, int delta) => _shop.AddOrUpdate((shopId, materialId), delta, (_, v) => v + delta);
    public void Branch(long branchId, long materialId, int delta) => _branch.AddOrUpdate((branchId, materialId), delta, (_, v) => v + delta);

    public Task<IReadOnlyList<ExpectedFreeze>> ExpectedShopFreezeAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ExpectedFreeze>>(_shop.Select(kv => new ExpectedFreeze(kv.Key.Item1, kv.Key.Item2, kv.Value)).ToList());

    public Task<IReadOnlyList<ExpectedFreeze>> ExpectedBranchFreezeAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ExpectedFreeze>>(_branch.Select(kv => new ExpectedFreeze(kv.Key.Item1, kv.Key.Item2, kv.Value)).ToList());
}
