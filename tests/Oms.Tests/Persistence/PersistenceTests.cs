using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Persistence;

/// <summary>The persistence rules of DESIGN.md that every module relies on, on both providers.</summary>
public abstract class PersistenceTests<TFixture>(TFixture fx) : IClassFixture<TFixture> where TFixture : CoreFixture
{
    protected TFixture Fixture => fx;

    [Fact]
    public async Task Migrations_match_the_model()
    {
        await using var scope = fx.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration: run scripts/migrations.sh add NAME");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Money_and_time_filter_and_sort_in_sql_exactly()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var t0 = new DateTime(2026, 11, 11, 0, 0, 0, DateTimeKind.Utc);
        decimal[] costs = [0.0001m, 9.99m, 10m, 10.0001m, 123456789.1234m, 0m];
        await using (var scope = fx.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            for (var i = 0; i < costs.Length; i++)
                db.Add(new BasicMaterial
                {
                    MaterialBn = $"{tag}-{i}", Name = "m", Cost = costs[i],
                    CreatedAt = t0.AddSeconds(i * 90), UpdatedAt = t0.AddSeconds(i * 90),
                });
            await db.SaveChangesAsync();
        }
        await using (var scope = fx.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var mine = db.Set<BasicMaterial>().Where(m => m.MaterialBn.StartsWith(tag));

            var overTen = await mine.Where(m => m.Cost > 10m).OrderByDescending(m => m.Cost).Select(m => m.Cost).ToListAsync();
            Assert.Equal([123456789.1234m, 10.0001m], overTen);

            var sorted = await mine.OrderBy(m => m.Cost).Select(m => m.Cost).ToListAsync();
            Assert.Equal(costs.Order().ToList(), sorted);

            Assert.Equal(123456819.1136m, await mine.SumAsync(m => m.Cost));

            var window = await mine.Where(m => m.CreatedAt >= t0.AddSeconds(90) && m.CreatedAt < t0.AddSeconds(270))
                .OrderByDescending(m => m.CreatedAt).Select(m => m.MaterialBn).ToListAsync();
            Assert.Equal([$"{tag}-2", $"{tag}-1"], window);

            var back = await mine.SingleAsync(m => m.MaterialBn == $"{tag}-4");
            Assert.Equal(DateTimeKind.Utc, back.CreatedAt.Kind);
            Assert.Equal(t0.AddSeconds(360), back.CreatedAt);
        }
    }

    [Fact]
    public async Task The_database_refuses_a_negative_stock_counter_even_without_the_service()
    {
        await using var scope = fx.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var sql = db.IsSqlite
            ? "INSERT INTO branch_stock (branch_id, basic_material_id, store, store_freeze, arrive_store, defective_store, updated_at) VALUES (1, 1, -1, 0, 0, 0, 0)"
            : "INSERT INTO branch_stock (branch_id, basic_material_id, store, store_freeze, arrive_store, defective_store, updated_at) VALUES (1, 1, -1, 0, 0, 0, now())";
        var e = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(sql));
        Assert.Contains("ck_branch_stock", e.Message + e.InnerException?.Message, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class SqlitePersistenceTests(SqliteCoreFixture f) : PersistenceTests<SqliteCoreFixture>(f);

public sealed class PostgresPersistenceTests(PostgresCoreFixture f) : PersistenceTests<PostgresCoreFixture>(f)
{
    [Fact]
    public async Task The_API_log_compresses_what_it_stores_with_lz4_and_reads_it_back()
    {
        await using var scope = Fixture.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var methods = await db.Database.SqlQueryRaw<string>(
            "SELECT attname || '=' || attcompression::text AS \"Value\" FROM pg_attribute WHERE attrelid = 'api_log'::regclass AND attname IN ('parameters', 'response') ORDER BY attname").ToListAsync();
        Assert.Equal(["parameters=l", "response=l"], methods);

        // a form big enough to be compressed (TOAST starts at 2 KB) comes back as stored
        var parameters = "{\"order_bn\":\"" + string.Concat(Enumerable.Repeat("订单明细-0123456789", 400)) + "\"}";
        var entry = new Oms.Outbox.ApiLogEntry { Direction = "in", Method = "test.lz4", Status = "succ", Attempt = 1, Parameters = parameters, Response = parameters, CreatedAt = DateTime.UtcNow };
        db.Add(entry);
        await db.SaveChangesAsync();
        var stored = await db.Database.SqlQueryRaw<string>(
            "SELECT pg_column_compression(parameters) AS \"Value\" FROM api_log WHERE id = {0}", entry.Id).SingleAsync();
        Assert.Equal("lz4", stored);
        db.ChangeTracker.Clear();
        Assert.Equal(parameters, (await db.Set<Oms.Outbox.ApiLogEntry>().SingleAsync(e => e.Id == entry.Id)).Parameters);
    }
}
