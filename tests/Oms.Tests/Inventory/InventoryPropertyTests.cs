using CsCheck;
using Oms.Common;
using Oms.Inventory;
using Oms.Tests.Infrastructure;
using static Oms.Tests.Inventory.StockData;

namespace Oms.Tests.Inventory;

/// <summary>
/// Random sequences of stock moves, refusals allowed, against a simple in-memory model: every
/// success and every refusal is the one the model predicts, the counters equal the model's, and
/// the invariants hold after each sequence.
/// </summary>
public abstract class InventoryPropertyTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    private enum Op { Receive, Issue, Freeze, Release, Ship, ShopFreeze, ShopRelease, ToBranch, ToShop, ArriveAdd, ArriveRelease, ArriveReceive }

    private sealed record Step(Op Op, int Branch, int Shop, int Material, int N)
    {
        public override string ToString() => $"{Op}(b{Branch},s{Shop},m{Material},{N})";
    }

    private static readonly Gen<Step> StepGen =
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 7], Gen.Int[1, 6], (op, who, n) => new Step(op, who & 1, (who >> 1) & 1, (who >> 2) & 1, n));

    [Fact]
    public async Task Random_moves_match_the_model_and_keep_the_invariants()
    {
        var book = FreezeBook.For(fixture);
        await StepGen.Array[1, 30].SampleAsync(async steps => await RunAsync(steps, book), iter: 12, threads: 1,
            print: steps => string.Join(" ", steps.Select(s => s.ToString())));
    }

    private async Task RunAsync(Step[] steps, FreezeBook book)
    {
        var services = fixture.Services;
        var shops = new[] { await ShopAsync(services), await ShopAsync(services) };
        var branches = new[] { await BranchAsync(services, true, shops), await BranchAsync(services, true, shops[0]) };
        var materials = new[] { await MaterialAsync(services), await MaterialAsync(services) };

        var store = new int[2, 2];
        var freeze = new int[2, 2];
        var arrive = new int[2, 2];
        var shopFreeze = new int[2, 2];

        foreach (var s in steps)
        {
            var (b, sh, m, n) = (s.Branch, s.Shop, s.Material, s.N);
            var line = new StockMoveLine(branches[b].Id, materials[m].Id, n);
            var shopLine = new ShopFreezeLine(shops[sh].Id, materials[m].Id, n);
            var move = new FreezeMoveLine(shops[sh].Id, branches[b].Id, materials[m].Id, n);
            var ledger = new LedgerEntry(StockMoveType.DirectIn, "P");
            var expectOk = s.Op switch
            {
                Op.Issue => store[b, m] - freeze[b, m] >= n,
                Op.Freeze or Op.ToBranch when store[b, m] - freeze[b, m] < n => false,
                Op.ToBranch => shopFreeze[sh, m] >= n,
                Op.Freeze => true,
                Op.Release => freeze[b, m] >= n,
                Op.ToShop => freeze[b, m] >= n,
                Op.Ship => freeze[b, m] >= n && store[b, m] >= n,
                Op.ShopRelease => shopFreeze[sh, m] >= n,
                Op.ArriveRelease or Op.ArriveReceive => arrive[b, m] >= n,
                _ => true,
            };
            bool ok;
            try
            {
                await StockAsync(services, inv => s.Op switch
                {
                    Op.Receive => inv.ReceiveAsync([line], ledger),
                    Op.Issue => inv.IssueAsync([line], ledger with { Type = StockMoveType.DirectOut }),
                    Op.Freeze => inv.FreezeBranchAsync([line]),
                    Op.Release => inv.ReleaseBranchFreezeAsync([line]),
                    Op.Ship => inv.ShipFromFreezeAsync([line], ledger with { Type = StockMoveType.SalesOut }),
                    Op.ShopFreeze => inv.FreezeShopAsync([shopLine]),
                    Op.ShopRelease => inv.ReleaseShopFreezeAsync([shopLine]),
                    Op.ToBranch => inv.MoveShopFreezeToBranchAsync([move]),
                    Op.ToShop => inv.MoveBranchFreezeToShopAsync([move]),
                    Op.ArriveAdd => inv.AddArrivingAsync([line]),
                    Op.ArriveRelease => inv.ReleaseArrivingAsync([line]),
                    Op.ArriveReceive => inv.ReceiveArrivalAsync([line], ledger with { Type = StockMoveType.PurchaseIn }),
                    _ => throw new InvalidOperationException(),
                });
                ok = true;
            }
            catch (InsufficientStockException)
            {
                ok = false;
            }
            Assert.True(expectOk == ok, $"{s}: model expected {(expectOk ? "success" : "refusal")}");
            if (!ok) continue;

            switch (s.Op)
            {
                case Op.Receive: store[b, m] += n; break;
                case Op.Issue: store[b, m] -= n; break;
                case Op.Freeze: freeze[b, m] += n; book.Branch(line.BranchId, line.BasicMaterialId, n); break;
                case Op.Release: freeze[b, m] -= n; book.Branch(line.BranchId, line.BasicMaterialId, -n); break;
                case Op.Ship: freeze[b, m] -= n; store[b, m] -= n; book.Branch(line.BranchId, line.BasicMaterialId, -n); break;
                case Op.ShopFreeze: shopFreeze[sh, m] += n; book.Shop(shopLine.ShopId, shopLine.BasicMaterialId, n); break;
                case Op.ShopRelease: shopFreeze[sh, m] -= n; book.Shop(shopLine.ShopId, shopLine.BasicMaterialId, -n); break;
                case Op.ToBranch:
                    shopFreeze[sh, m] -= n; freeze[b, m] += n;
                    book.Shop(shopLine.ShopId, shopLine.BasicMaterialId, -n); book.Branch(line.BranchId, line.BasicMaterialId, n);
                    break;
                case Op.ToShop:
                    shopFreeze[sh, m] += n; freeze[b, m] -= n;
                    book.Shop(shopLine.ShopId, shopLine.BasicMaterialId, n); book.Branch(line.BranchId, line.BasicMaterialId, -n);
                    break;
                case Op.ArriveAdd: arrive[b, m] += n; break;
                case Op.ArriveRelease: arrive[b, m] -= n; break;
                case Op.ArriveReceive: arrive[b, m] -= n; store[b, m] += n; break;
            }
        }

        for (var b = 0; b < 2; b++)
            for (var m = 0; m < 2; m++)
            {
                Assert.Equal((store[b, m], freeze[b, m], arrive[b, m], 0), await CountersAsync(services, branches[b].Id, materials[m].Id));
                var ledger = await LedgerAsync(services, branches[b].Id, materials[m].Id);
                Assert.Equal(store[b, m], ledger.Sum(l => l.Quantity));
                if (ledger.Count > 0) Assert.Equal(store[b, m], ledger[^1].BalanceAfter);
            }
        for (var sh = 0; sh < 2; sh++)
            for (var m = 0; m < 2; m++)
                Assert.Equal(shopFreeze[sh, m], await ShopFreezeAsync(services, shops[sh].Id, materials[m].Id));
        await AssertInvariantsAsync(services, book);
    }
}

public sealed class SqliteInventoryPropertyTests(SqliteCoreFixture f) : InventoryPropertyTests<SqliteCoreFixture>(f);

public sealed class PostgresInventoryPropertyTests(PostgresCoreFixture f) : InventoryPropertyTests<PostgresCoreFixture>(f);
