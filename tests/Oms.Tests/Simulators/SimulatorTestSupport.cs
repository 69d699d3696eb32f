using Oms.Simulators.Shop;

namespace Oms.Tests.Simulators;

/// <summary>A clock that stands still, so generated times are reproducible.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

public static class SimulatorTestSupport
{
    public static readonly DateTimeOffset Noon = new(2025, 6, 18, 4, 0, 0, TimeSpan.Zero); // 12:00 China time

    public static OrderGenerator Generator(int seed = 7, OrderGeneratorOptions? options = null, SimCatalog? catalog = null) =>
        new(catalog ?? SimCatalog.Demo, (options ?? new OrderGeneratorOptions()) with { Clock = new FixedClock(Noon) }, seed);
}
