using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Caching;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;

namespace Oms.Tests.Caching;

/// <summary>
/// Settings, shops and materials read through the cache: a change is seen by the next read — in the
/// same process on the memory cache, in every process on Redis — and never before its commit.
/// </summary>
public abstract class CachedLookupTests(CacheProvider provider) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private CacheTestEnvironment _env = null!;
    /// <summary>The process that writes.</summary>
    protected ServiceProvider Writer { get; private set; } = null!;
    /// <summary>The process that reads: the writer itself on the memory cache, another process on Redis.</summary>
    protected ServiceProvider Reader { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _env = await CacheTestEnvironment.CreateAsync();
        Writer = await _env.AddProcessAsync(provider);
        Reader = provider == CacheProvider.Redis ? await _env.AddProcessAsync(provider) : Writer;
    }

    public async ValueTask DisposeAsync() => await _env.DisposeAsync();

    protected static async Task<T> In<T>(IServiceProvider process, Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = process.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    protected static Task In(IServiceProvider process, Func<IServiceProvider, Task> body) =>
        In<bool>(process, async sp => { await body(sp); return true; });

    private static Task<int> BufferMinutes(IServiceProvider p) =>
        In(p, sp => sp.GetRequiredService<SettingsService>().GetIntAsync("order.buffer_minutes", Ct));

    [Fact]
    public async Task A_setting_changed_through_SetAsync_is_read_at_once()
    {
        Assert.Equal(10, await BufferMinutes(Reader));
        Assert.Equal(10, await BufferMinutes(Writer));
        await In(Writer, sp => sp.GetRequiredService<SettingsService>().SetAsync("order.buffer_minutes", "25", "tester", Ct));
        Assert.Equal(25, await BufferMinutes(Reader));
        Assert.Equal(25, await BufferMinutes(Writer));
    }

    [Fact]
    public async Task A_setting_is_served_from_the_cache_until_it_is_changed_through_the_service()
    {
        Assert.Equal(10, await BufferMinutes(Reader));
        // a change behind the service's back (no invalidation) is not seen: the value really is cached
        await In(Writer, async sp =>
        {
            var db = sp.GetRequiredService<OmsDbContext>();
            db.Add(new SettingValue { Key = "order.buffer_minutes", Value = "99", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(Ct);
        });
        Assert.Equal(10, await BufferMinutes(Reader));
        await In(Writer, sp => sp.GetRequiredService<SettingsService>().SetAsync("order.buffer_minutes", "30", "tester", Ct));
        Assert.Equal(30, await BufferMinutes(Reader));
    }

    [Fact]
    public async Task A_shop_update_is_seen_by_code_and_by_old_and_new_node_id()
    {
        var bn = "S" + Guid.NewGuid().ToString("N")[..8];
        // "no such shop" is cached first, and must not survive the create
        Assert.Null(await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupByNodeIdAsync("node-" + bn, Ct)));
        Assert.Null(await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)));
        await In(Writer, sp => sp.GetRequiredService<ShopService>().CreateAsync(new ShopInput(bn, "旧名", "tmall") { NodeId = "node-" + bn }, "tester", Ct));
        var created = await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupByNodeIdAsync("node-" + bn, Ct));
        Assert.Equal("旧名", created?.Name);
        Assert.Equal("旧名", (await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);

        await In(Writer, sp => sp.GetRequiredService<ShopService>().UpdateAsync(new ShopInput(bn, "新名", "tmall") { NodeId = "node2-" + bn }, "tester", Ct));
        Assert.Equal("新名", (await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);
        Assert.Null(await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupByNodeIdAsync("node-" + bn, Ct)));
        var moved = await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupByNodeIdAsync("node2-" + bn, Ct));
        Assert.Equal(bn, moved?.ShopBn);
        Assert.Equal("新名", moved?.Name);
    }

    [Fact]
    public async Task A_change_inside_a_transaction_is_invalidated_when_it_commits_not_before()
    {
        var bn = "S" + Guid.NewGuid().ToString("N")[..8];
        await In(Writer, sp => sp.GetRequiredService<ShopService>().CreateAsync(new ShopInput(bn, "提交前", "taobao"), "tester", Ct));
        Assert.Equal("提交前", (await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);

        await using (var scope = Writer.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await scope.ServiceProvider.GetRequiredService<ShopService>().UpdateAsync(new ShopInput(bn, "提交后", "taobao"), "tester", Ct);
            // not committed yet: a reader still gets (and may cache) the committed row
            Assert.Equal("提交前", (await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);
            await tx.CommitAsync(Ct);
        }
        Assert.Equal("提交后", (await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);
    }

    [Fact]
    public async Task A_rolled_back_change_leaves_the_cached_value_valid()
    {
        var bn = "S" + Guid.NewGuid().ToString("N")[..8];
        await In(Writer, sp => sp.GetRequiredService<ShopService>().CreateAsync(new ShopInput(bn, "原名", "taobao"), "tester", Ct));
        await using (var scope = Writer.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await scope.ServiceProvider.GetRequiredService<ShopService>().UpdateAsync(new ShopInput(bn, "回滚", "taobao"), "tester", Ct);
            await tx.RollbackAsync(Ct);
        }
        Assert.Equal("原名", (await In(Reader, sp => sp.GetRequiredService<ShopService>().LookupAsync(bn, Ct)))?.Name);
    }

    [Fact]
    public async Task Material_updates_are_seen_by_code_and_barcode()
    {
        var bn = "M" + Guid.NewGuid().ToString("N")[..8];
        Assert.Null(await In(Reader, sp => sp.GetRequiredService<BasicMaterialService>().LookupAsync(bn, Ct)));
        await In(Writer, sp => sp.GetRequiredService<BasicMaterialService>().CreateAsync(
            new BasicMaterialInput(bn, "杯子") { Barcode = "690" + bn, RetailPrice = 9.9m }, "tester", Ct));
        Assert.Equal(9.9m, (await In(Reader, sp => sp.GetRequiredService<BasicMaterialService>().LookupAsync(bn, Ct)))?.RetailPrice);
        Assert.Equal(bn, (await In(Reader, sp => sp.GetRequiredService<BasicMaterialService>().LookupByBarcodeAsync("690" + bn, Ct)))?.MaterialBn);

        var sm = "SM" + bn;
        await In(Writer, sp => sp.GetRequiredService<SalesMaterialService>().CreateAsync(
            new SalesMaterialInput(sm, "单杯", SalesMaterialType.Normal, [new BindingPart(bn, 1, null)]) { RetailPrice = 12m }, "tester", Ct));
        var sales = await In(Reader, sp => sp.GetRequiredService<SalesMaterialService>().LookupAsync(sm, Ct));
        Assert.Equal("单杯", sales?.Name);
        Assert.Equal(bn, Assert.Single(sales!.Bindings).Bn);

        await In(Writer, sp => sp.GetRequiredService<BasicMaterialService>().UpdateAsync(
            new BasicMaterialInput(bn, "马克杯") { Barcode = "691" + bn, RetailPrice = 19.9m }, "tester", Ct));
        await In(Writer, sp => sp.GetRequiredService<BasicMaterialService>().CreateAsync(new BasicMaterialInput(bn + "B", "碗"), "tester", Ct));
        await In(Writer, sp => sp.GetRequiredService<SalesMaterialService>().UpdateAsync(
            new SalesMaterialInput(sm, "单碗", SalesMaterialType.Normal, [new BindingPart(bn + "B", 1, null)]) { RetailPrice = 20m }, "tester", Ct));

        var basic = await In(Reader, sp => sp.GetRequiredService<BasicMaterialService>().LookupAsync(bn, Ct));
        Assert.Equal(("马克杯", 19.9m), (basic?.Name, basic?.RetailPrice));
        Assert.Null(await In(Reader, sp => sp.GetRequiredService<BasicMaterialService>().LookupByBarcodeAsync("690" + bn, Ct)));
        Assert.Equal(bn, (await In(Reader, sp => sp.GetRequiredService<BasicMaterialService>().LookupByBarcodeAsync("691" + bn, Ct)))?.MaterialBn);
        sales = await In(Reader, sp => sp.GetRequiredService<SalesMaterialService>().LookupAsync(sm, Ct));
        Assert.Equal(("单碗", 20m, bn + "B"), (sales?.Name, sales?.RetailPrice, sales?.Bindings.Single().Bn));
    }
}

public sealed class MemoryCachedLookupTests() : CachedLookupTests(CacheProvider.Memory);

/// <summary>Two separate service providers ("processes") sharing one Redis: the writer is one, the reader the other.</summary>
public sealed class RedisCachedLookupTests() : CachedLookupTests(CacheProvider.Redis);
