using System.Collections.Concurrent;

namespace Oms.Outbox;

/// <summary>
/// Paces outbound requests per peer (<c>to_node_id</c>) so a platform cannot be flooded
/// (DOMAIN.md §9): requests to one peer are granted send slots at least 1/rate apart (a token
/// bucket of depth one), so any one-second window holds at most rate + 1 of them. Per process:
/// with several worker processes each paces on its own.
/// </summary>
public sealed class PeerRateLimiter(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    private sealed class Gate
    {
        public readonly Lock Sync = new();
        public long NextTicks;
    }

    /// <summary>Waits for the peer's next free slot and returns it (UTC).</summary>
    public async Task<DateTime> AcquireAsync(string peerKey, int perSecond, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peerKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        var interval = TimeSpan.TicksPerSecond / perSecond;
        var gate = _gates.GetOrAdd(peerKey, _ => new Gate());
        long now, slot;
        lock (gate.Sync)
        {
            now = clock.GetUtcNow().UtcTicks;
            slot = Math.Max(now, gate.NextTicks);
            gate.NextTicks = slot + interval;
        }
        if (slot > now) await Task.Delay(TimeSpan.FromTicks(slot - now), clock, ct).ConfigureAwait(false);
        return new DateTime(slot, DateTimeKind.Utc);
    }
}
