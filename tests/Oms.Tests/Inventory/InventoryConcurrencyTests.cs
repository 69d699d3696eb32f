using Oms.Common;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Inventory;

/// <summary>Real parallel connections, each in its own scope and transaction, racing for the same stock row.</summary>
public abstract class InventoryConcurrencyTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    [Fact]
    public async Task Fifty_parallel_freezes_on_twenty_sellable_units_freeze_exactly_twenty()
    {
        var services = fixture.Services;
        var book = FreezeBook.For(fixture);
        var shop = await ShopAsync(services);
        var branch = await BranchAsync(services, true, shop);
        var material = await MaterialAsync(services);
        await StockAsync(services, inv => inv.ReceiveAsync([new StockMoveLine(branch.Id, material.Id, 20)], new LedgerEntry(StockMoveType.DirectIn, "IN")));

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await StockAsync(services, inv => inv.FreezeBranchAsync([new StockMoveLine(branch.Id, material.Id, 1)]));
                return true;
            }
            catch (InsufficientStockException)
            {
                return false;
            }
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(20, results.Count(r => r));
        Assert.Equal(30, results.Count(r => !r));
        book.Branch(branch.Id, material.Id, 20);
        Assert.Equal((20, 20, 0, 0), await CountersAsync(services, branch.Id, material.Id));
        await AssertInvariantsAsync(services, book);
    }

    [Fact]
    public async Task Parallel_batches_over_the_same_rows_in_opposite_orders_do_not_deadlock()
    {
        var services = fixture.Services;
        var book = FreezeBook.For(fixture);
        var branch = await BranchAsync(services);
        var a = await MaterialAsync(services);
        var b = await MaterialAsync(services);
        var entry = new LedgerEntry(StockMoveType.DirectIn, "IN");
        await StockAsync(services, inv => inv.ReceiveAsync([new StockMoveLine(branch.Id, a.Id, 100), new StockMoveLine(branch.Id, b.Id, 100)], entry));

        // half the callers list (a, b), half (b, a): the service locks rows in key order regardless
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(() => StockAsync(services, inv => inv.IssueAsync(
            i % 2 == 0
                ? [new StockMoveLine(branch.Id, a.Id, 1), new StockMoveLine(branch.Id, b.Id, 1)]
                : [new StockMoveLine(branch.Id, b.Id, 1), new StockMoveLine(branch.Id, a.Id, 1)],
            entry with { Type = StockMoveType.DirectOut })))).ToList();
        await Task.WhenAll(tasks);

        Assert.Equal((60, 0, 0, 0), await CountersAsync(services, branch.Id, a.Id));
        Assert.Equal((60, 0, 0, 0), await CountersAsync(services, branch.Id, b.Id));
        await AssertInvariantsAsync(services, book);
    }
}

public sealed class SqliteInventoryConcurrencyTests(SqliteCoreFixture f) : InventoryConcurrencyTests<SqliteCoreFixture>(f);

public sealed class PostgresInventoryConcurrencyTests(PostgresCoreFixture f) : InventoryConcurrencyTests<PostgresCoreFixture>(f);
