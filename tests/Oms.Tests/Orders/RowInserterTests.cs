using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Orders;
using Oms.Tests.Infrastructure;
using Oms.Tests.Inventory;

namespace Oms.Tests.Orders;

/// <summary>
/// The intake's rows written without change tracking (<see cref="RowInserter"/>) read back through EF
/// exactly like the same rows written by <c>SaveChanges</c> — decimals, times (SQLite's converters),
/// enums, flags, nulls and quotes included.
/// </summary>
public abstract class RowInserterTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTime Time = new(2026, 11, 26, 3, 4, 5, DateTimeKind.Utc);

    /// <summary>Every settable scalar that is not a key or a foreign key gets a distinct, non-default value.</summary>
    private static T Fill<T>(T entity, int seed)
    {
        var i = seed;
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanWrite || p.Name == "Id" || p.Name.EndsWith("Id", StringComparison.Ordinal)) continue;
            i++;
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            object? v = t == typeof(string) ? $"v'\"{i}"
                : t == typeof(decimal) ? -1234.5678m + i
                : t == typeof(DateTime) ? Time.AddTicks(123_450 + i * 10L).AddDays(i)
                : t == typeof(bool) ? true
                : t == typeof(int) ? 1 + i
                : t == typeof(long) ? 100L + i
                : t.IsEnum ? Enum.GetValues(t).GetValue(1)
                : null;
            if (v is not null) p.SetValue(entity, v);
        }
        return entity;
    }

    private static T With<T>(T entity, Action<T> change)
    {
        change(entity);
        return entity;
    }

    private async Task<(T ByEf, T ByInserter)> WriteBothAsync<T>(Func<T> make, string? unique = null) where T : class
    {
        var (a, b) = (make(), make());
        await using (var scope = fixture.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            db.Add(a);
            await db.SaveChangesAsync(Ct);
            await new RowInserter(db).Add(b).ExecuteAsync(Ct);
            await tx.CommitAsync(Ct);
        }
        await using (var scope = fixture.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var entityType = db.Model.FindEntityType(typeof(T))!;
            var keys = entityType.FindPrimaryKey()!.Properties;
            // each row found by its key as written (a fresh context: read from the database)
            async Task<T> Read(T written) =>
                (await db.Set<T>().FindAsync(keys.Select(k => k.GetGetter().GetClrValue(written)).ToArray(), Ct))!;
            var (ra, rb) = (await Read(a), await Read(b));
            foreach (var p in entityType.GetProperties())
            {
                if (keys.Contains(p)) continue;
                Assert.True(p.Name == unique || Equals(p.GetGetter().GetClrValue(ra), p.GetGetter().GetClrValue(rb)),
                    $"{typeof(T).Name}.{p.Name}: EF wrote {p.GetGetter().GetClrValue(ra)}, the inserter {p.GetGetter().GetClrValue(rb)}");
                Assert.True(Equals(p.GetGetter().GetClrValue(b), p.GetGetter().GetClrValue(rb)) || p.ClrType == typeof(DateTime) || p.ClrType == typeof(DateTime?),
                    $"{typeof(T).Name}.{p.Name}: written {p.GetGetter().GetClrValue(b)}, read {p.GetGetter().GetClrValue(rb)}");
            }
            return (ra, rb);
        }
    }

    [Fact]
    public async Task Order_rows_written_without_tracking_read_back_like_rows_saved_by_EF()
    {
        var shop = await StockData.ShopAsync(fixture.Services);
        var material = await StockData.MaterialAsync(fixture.Services);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var n = 0;
        var (order, fastOrder) = await WriteBothAsync(() => With(Fill(new Order { ShopId = shop.Id, OrderBn = "" }, 0), o => o.OrderBn = $"RI-{tag}-{++n}"), nameof(Order.OrderBn));
        Assert.NotEqual(order.Id, fastOrder.Id);
        // the null side of nullable columns too
        await WriteBothAsync(() => new Order { ShopId = shop.Id, OrderBn = $"RI-{tag}-{++n}", CreateTime = Time, PlatformModified = Time, ArrivedAt = Time, UpdatedAt = Time }, nameof(Order.OrderBn));

        var (obj, _) = await WriteBothAsync(() => Fill(new OrderObject { OrderId = order.Id, Bn = "x", ObjType = "goods" }, 100));
        await WriteBothAsync(() => With(Fill(new OrderItem { OrderId = order.Id, ObjectId = obj.Id, BasicMaterialId = material.Id, Bn = "x", ItemType = "product" }, 200), i => { i.Quantity = 30; i.SplitNum = 2; }));
        await WriteBothAsync(() => With(Fill(new OrderPayment { OrderId = order.Id }, 300), p => p.TradeNo = "T-" + Guid.NewGuid().ToString("N")), nameof(OrderPayment.TradeNo));
        await WriteBothAsync(() => OrderLog.Create(order.Id, "create", "订单创建：3 行 'quoted' \"text\"", "node:n1", Time.AddTicks(7)));
        await WriteBothAsync(() => new MatrixRequestRecord { NodeId = "n-" + tag, Task = "t-" + Guid.NewGuid().ToString("N"), Method = "ome.order.add", Answer = "", CreatedAt = Time.AddTicks(99) }, nameof(MatrixRequestRecord.Task));
    }

    [Fact]
    public async Task Rows_of_several_tables_are_written_in_one_execution_and_get_their_ids_in_order()
    {
        var shop = await StockData.ShopAsync(fixture.Services);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        var orders = Enumerable.Range(0, 5).Select(i => new Order { ShopId = shop.Id, OrderBn = $"RJ-{tag}-{i}", CreateTime = Time, PlatformModified = Time, ArrivedAt = Time, UpdatedAt = Time }).ToList();
        var rows = new RowInserter(db);
        await rows.AddRange(orders).ExecuteAsync(Ct);
        Assert.Equal(0, rows.Count);
        var logs = orders.Select(o => OrderLog.Create(o.Id, "create", o.OrderBn, "test", Time)).ToList();
        await rows.AddRange(logs).AddRange(orders.Select(o => new OrderPayment { OrderId = o.Id, TradeNo = o.OrderBn, Money = 1m, CreatedAt = Time })).ExecuteAsync(Ct);
        await tx.CommitAsync(Ct);

        Assert.Equal(5, orders.Select(o => o.Id).Distinct().Count());
        var stored = await db.Set<Order>().AsNoTracking().Where(o => o.OrderBn.StartsWith($"RJ-{tag}-")).ToDictionaryAsync(o => o.Id, o => o.OrderBn, Ct);
        Assert.Equal(orders.ToDictionary(o => o.Id, o => o.OrderBn), stored);
        var storedLogs = await db.Set<OrderLog>().AsNoTracking().Where(l => stored.Keys.Contains(l.OrderId)).ToDictionaryAsync(l => l.Id, l => l.Text, Ct);
        Assert.Equal(logs.ToDictionary(l => l.Id, l => l.Text), storedLogs);
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task Rows_without_ids_go_row_by_row_or_from_arrays_and_read_back_exactly()
    {
        var shop = await StockData.ShopAsync(fixture.Services);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        var order = new Order { ShopId = shop.Id, OrderBn = $"RK-{tag}", CreateTime = Time, PlatformModified = Time, ArrivedAt = Time, UpdatedAt = Time };
        await new RowInserter(db).Add(order).ExecuteAsync(Ct);
        // more than one statement's worth (500 rows), two tables interleaved in runs, quotes and Chinese text, sub-tick-free times
        var logs = Enumerable.Range(0, 1203).Select(i => OrderLog.Create(order.Id, "a" + i, $"第 {i} 行 'q' \"d\"", "test", Time.AddSeconds(i))).ToList();
        var payments = Enumerable.Range(0, 3).Select(i => new OrderPayment { OrderId = order.Id, TradeNo = $"{tag}-{i}", Money = 1.2345m + i, CreatedAt = Time }).ToList();
        var rows = new RowInserter(db).AddRange(logs.Take(700)).AddRange(payments).AddRange(logs.Skip(700));
        await rows.ExecuteWithoutIdsAsync(Ct);
        Assert.Equal(0, rows.Count);
        await tx.CommitAsync(Ct);

        var stored = await db.Set<OrderLog>().AsNoTracking().Where(l => l.OrderId == order.Id).OrderBy(l => l.Id).ToListAsync(Ct);
        Assert.Equal(logs.Select(l => (l.Action, l.Text, l.CreatedAt)), stored.Select(l => (l.Action, l.Text, l.CreatedAt)));
        var storedPayments = await db.Set<OrderPayment>().AsNoTracking().Where(p => p.OrderId == order.Id).OrderBy(p => p.TradeNo).ToListAsync(Ct);
        Assert.Equal(payments.Select(p => (p.TradeNo, p.Money)), storedPayments.Select(p => (p.TradeNo, p.Money)));
    }

    [Fact]
    public async Task Ids_of_several_types_are_reserved_at_once_and_rows_written_with_them_keep_them()
    {
        var shop = await StockData.ShopAsync(fixture.Services);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        // SQLite reserves past the highest id: the transaction must hold the write lock first
        await new RowInserter(db).Add(new MatrixRequestRecord { NodeId = "n-" + tag, Task = "lock", Method = "m", Answer = "", CreatedAt = Time }).ExecuteAsync(Ct);
        var rows = new RowInserter(db);
        var ids = await rows.ReserveIdsAsync([(typeof(Order), 3), (typeof(OrderLog), 0), (typeof(OrderPayment), 2)], Ct);
        Assert.Equal([3, 0, 2], ids.Select(i => i.Length));
        Assert.All(ids, i => Assert.Equal(i.Distinct().Order(), i));
        var orders = ids[0].Select((id, i) => new Order { Id = id, ShopId = shop.Id, OrderBn = $"RR-{tag}-{i}", CreateTime = Time, PlatformModified = Time, ArrivedAt = Time, UpdatedAt = Time }).ToList();
        var payments = ids[2].Select((id, i) => new OrderPayment { Id = id, OrderId = orders[i].Id, TradeNo = $"{tag}-{i}", Money = 2m, CreatedAt = Time }).ToList();
        await rows.AddRangeWithKeys(orders).AddRangeWithKeys(payments).ExecuteWithoutIdsAsync(Ct);
        await tx.CommitAsync(Ct);

        var stored = await db.Set<Order>().AsNoTracking().Where(o => o.OrderBn.StartsWith($"RR-{tag}-")).ToDictionaryAsync(o => o.Id, o => o.OrderBn, Ct);
        Assert.Equal(orders.ToDictionary(o => o.Id, o => o.OrderBn), stored);
        var storedPayments = await db.Set<OrderPayment>().AsNoTracking().Where(p => stored.Keys.Contains(p.OrderId)).ToDictionaryAsync(p => p.Id, p => p.OrderId, Ct);
        Assert.Equal(payments.ToDictionary(p => p.Id, p => p.OrderId), storedPayments);
    }

    [Fact]
    public async Task Rows_that_would_break_a_unique_key_are_skipped_and_reported_row_by_row()
    {
        var node = "n-" + Guid.NewGuid().ToString("N")[..8];
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        MatrixRequestRecord Claim(string task) => new() { NodeId = node, Task = task, Method = "m", Answer = "", CreatedAt = Time };
        await using (var tx = await db.Database.BeginTransactionAsync(Ct))
        {
            await new RowInserter(db).Add(Claim("taken")).ExecuteAsync(Ct);
            await tx.CommitAsync(Ct);
        }
        await using (var tx = await db.Database.BeginTransactionAsync(Ct))
        {
            // one already stored, one repeated inside the same execution
            var rows = new RowInserter(db).AddRange([Claim("a"), Claim("taken"), Claim("b"), Claim("a")]);
            var inserted = await rows.ExecuteSkippingConflictsAsync(Ct);
            Assert.Equal(new[] { true, false, true, false }, inserted);
            Assert.Equal(0, rows.Count);
            await tx.CommitAsync(Ct);
        }
        var stored = await db.Set<MatrixRequestRecord>().AsNoTracking().Where(r => r.NodeId == node).Select(r => new { r.Task, r.CreatedAt }).ToListAsync(Ct);
        Assert.Equal(["a", "b", "taken"], stored.Select(r => r.Task).Order());
        Assert.All(stored, r => Assert.Equal(Time, r.CreatedAt));
    }

    [Fact]
    public async Task Rows_of_several_types_skipping_conflicts_are_reported_row_by_row_too()
    {
        var shop = await StockData.ShopAsync(fixture.Services);
        var node = "n-" + Guid.NewGuid().ToString("N")[..8];
        await using var scope = fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        MatrixRequestRecord Claim(string task) => new() { NodeId = node, Task = task, Method = "m", Answer = "", CreatedAt = Time };
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        var order = new Order { ShopId = shop.Id, OrderBn = "RS-" + node, CreateTime = Time, PlatformModified = Time, ArrivedAt = Time, UpdatedAt = Time };
        await new RowInserter(db).Add(order).ExecuteAsync(Ct);
        await new RowInserter(db).Add(Claim("taken")).ExecuteSkippingConflictsAsync(Ct);
        // two types in one execution: not the one-type array path
        var rows = new RowInserter(db).Add(Claim("a")).Add(OrderLog.Create(order.Id, "x", "log", "test", Time)).Add(Claim("taken")).Add(Claim("a"));
        Assert.Equal(new[] { true, true, false, false }, await rows.ExecuteSkippingConflictsAsync(Ct));
        await tx.CommitAsync(Ct);
        Assert.Equal(["a", "taken"], (await db.Set<MatrixRequestRecord>().AsNoTracking().Where(r => r.NodeId == node).Select(r => r.Task).ToListAsync(Ct)).Order());
        Assert.Equal(1, await db.Set<OrderLog>().CountAsync(l => l.OrderId == order.Id, Ct));
    }
}

public sealed class SqliteRowInserterTests(SqliteCoreFixture f) : RowInserterTests<SqliteCoreFixture>(f);

public sealed class PostgresRowInserterTests(PostgresCoreFixture f) : RowInserterTests<PostgresCoreFixture>(f);
