using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Oms.Data;

/// <summary>
/// The one DbContext. Each module keeps its entity configurations beside its entities
/// (<see cref="IEntityTypeConfiguration{TEntity}"/>, found by assembly scan) and reaches its
/// tables with <c>db.Set&lt;T&gt;()</c>, so adding a module does not touch this file.
/// </summary>
public class OmsDbContext(DbContextOptions<OmsDbContext> options) : DbContext(options)
{
    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<string>().HaveMaxLength(255);
        if (IsSqlite)
        {
            // SQLite has no decimal and no timestamp: integers keep filters and sorting in SQL exact.
            configurationBuilder.Properties<decimal>().HaveConversion<DecimalToScaledLong>();
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeToTicks>();
        }
        else
        {
            configurationBuilder.Properties<decimal>().HavePrecision(18, 4);
        }
        configurationBuilder.Properties<List<string>>().HaveConversion<StringListConverter, StringListComparer>().HaveMaxLength(4000);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OmsDbContext).Assembly);
    }

    private sealed class DecimalToScaledLong() : ValueConverter<decimal, long>(
        v => (long)decimal.Round(v * 10000m, 0, MidpointRounding.AwayFromZero),
        v => v / 10000m);

    private sealed class UtcDateTimeToTicks() : ValueConverter<DateTime, long>(
        v => (v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v).Ticks,
        v => new DateTime(v, DateTimeKind.Utc));

    private sealed class StringListConverter() : ValueConverter<List<string>, string>(
        v => string.Join(',', v),
        v => v.Length == 0 ? new List<string>() : v.Split(',', StringSplitOptions.None).ToList());

    private sealed class StringListComparer() : ValueComparer<List<string>>(
        (a, b) => (a == null && b == null) || (a != null && b != null && a.SequenceEqual(b)),
        v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode(StringComparison.Ordinal))),
        v => v.ToList());
}

/// <summary>Keeps one model per provider: the conventions differ between SQLite and PostgreSQL.</summary>
internal sealed class ProviderAwareModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), context.Database.ProviderName, designTime);
}
