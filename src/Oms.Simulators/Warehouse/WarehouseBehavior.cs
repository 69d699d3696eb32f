using System.Globalization;
using System.Text.RegularExpressions;

namespace Oms.Simulators.Warehouse;

/// <summary>The delivery statuses of PROTOCOL.md §2 (<c>wms.delivery.status_update</c>).</summary>
public static class WmsStatus
{
    public const string Accept = "ACCEPT";
    public const string Print = "PRINT";
    public const string Pick = "PICK";
    public const string Check = "CHECK";
    public const string Package = "PACKAGE";
    public const string Delivery = "DELIVERY";
    public const string Update = "UPDATE";
    public const string Close = "CLOSE";
    public const string Failed = "FAILED";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Accept, Print, Pick, Check, Package, Delivery, Update, Close, Failed };
    public static readonly IReadOnlyList<string> DefaultSequence = [Accept, Pick, Package, Delivery];
}

/// <summary>
/// How the virtual warehouse treats an order: normal by default; the failure modes refuse, delay or garble what a
/// real warehouse might. Chosen when the order is created (per warehouse, or by the first <see cref="WarehouseRule"/>
/// whose pattern matches the order code) and kept with the order.
/// </summary>
public sealed record WarehouseBehavior
{
    /// <summary>Answer <c>saleorder.create</c> / <c>deliveryorder.create</c> with a refusal (nothing is created).</summary>
    public bool RefuseCreate { get; init; }
    /// <summary>Refuse every cancel (a shipped order's cancel is refused anyway).</summary>
    public bool RefuseCancel { get; init; }
    /// <summary>
    /// Answer after this long (the request is processed at once, only the answer is late); null = at once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> = never (until the caller gives up).
    /// </summary>
    public TimeSpan? AnswerDelay { get; init; }
    /// <summary>Send the final status (DELIVERY; a Qimen confirm) twice, each with its own task.</summary>
    public bool DuplicateCallbacks { get; init; }
    /// <summary>Send the final status first, then the others (DELIVERY before ACCEPT).</summary>
    public bool OutOfOrder { get; init; }
    /// <summary>Never call back: the order still moves through its statuses, visible to <c>saleorder.get</c> / <c>deliveryorder.query</c>.</summary>
    public bool CallbacksOff { get; init; }
    /// <summary>The statuses to go through, one per delay.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = WmsStatus.DefaultSequence;
    /// <summary>The wait before each status; null = the warehouse's delay.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>
    /// Applies one <c>--fail</c> mode: <c>refuse-create</c>, <c>refuse-cancel</c>, <c>timeout[=MS|never]</c> (default never),
    /// <c>duplicate</c>, <c>out-of-order</c>, <c>no-callbacks</c>, <c>statuses=ACCEPT,PICK,…</c>, <c>delay=MS</c>.
    /// </summary>
    public WarehouseBehavior With(string mode, string? value)
    {
        ArgumentNullException.ThrowIfNull(mode);
        return mode switch
        {
            "refuse-create" => this with { RefuseCreate = true },
            "refuse-cancel" => this with { RefuseCancel = true },
            "timeout" => this with { AnswerDelay = value is null or "never" ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Milliseconds(mode, value)) },
            "duplicate" => this with { DuplicateCallbacks = true },
            "out-of-order" => this with { OutOfOrder = true },
            "no-callbacks" => this with { CallbacksOff = true },
            "delay" => this with { Delay = TimeSpan.FromMilliseconds(Milliseconds(mode, value)) },
            "statuses" => this with { Statuses = ParseStatuses(value ?? "") },
            _ => throw new FormatException($"unknown failure mode '{mode}' (refuse-create, refuse-cancel, timeout[=MS|never], duplicate, out-of-order, no-callbacks, statuses=A,B,…, delay=MS)"),
        };
    }

    public static IReadOnlyList<string> ParseStatuses(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()).ToList();
        if (list.Count == 0) throw new FormatException("statuses: at least one status is needed");
        foreach (var s in list)
            if (!WmsStatus.All.Contains(s)) throw new FormatException($"statuses: '{s}' is not one of {string.Join(", ", WmsStatus.All)}");
        return list;
    }

    private static int Milliseconds(string mode, string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : throw new FormatException($"{mode}: '{value}' is not a number of milliseconds");
}

/// <summary>A behaviour for the order codes matching <see cref="Pattern"/> (<c>*</c> any text, <c>?</c> one character).</summary>
public sealed record WarehouseRule(string Pattern, WarehouseBehavior Behavior)
{
    public bool Matches(string orderCode)
    {
        ArgumentNullException.ThrowIfNull(orderCode);
        var regex = "^" + Regex.Escape(Pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(orderCode, regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Reads <c>--fail</c> values (<c>MODE[=VALUE][@PATTERN]</c>, repeatable): those without a pattern change
    /// <paramref name="basis"/>, the others build one rule per pattern (on top of <paramref name="basis"/>'s defaults).
    /// </summary>
    public static (WarehouseBehavior Behavior, IReadOnlyList<WarehouseRule> Rules) ParseFailModes(IEnumerable<string> modes, WarehouseBehavior basis)
    {
        ArgumentNullException.ThrowIfNull(modes);
        ArgumentNullException.ThrowIfNull(basis);
        var perPattern = new List<(string Pattern, List<(string Mode, string? Value)> Modes)>();
        var global = new List<(string Mode, string? Value)>();
        foreach (var raw in modes)
        {
            var at = raw.LastIndexOf('@');
            var pattern = at >= 0 ? raw[(at + 1)..].Trim() : null;
            var spec = (at >= 0 ? raw[..at] : raw).Trim();
            if (pattern is { Length: 0 }) throw new FormatException($"--fail '{raw}': empty pattern after @");
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            var mode = (eq >= 0 ? spec[..eq] : spec).Trim();
            var value = eq >= 0 ? spec[(eq + 1)..].Trim() : null;
            if (pattern is null) global.Add((mode, value));
            else
            {
                var entry = perPattern.FirstOrDefault(p => p.Pattern == pattern);
                if (entry.Modes is null) perPattern.Add(entry = (pattern, []));
                entry.Modes.Add((mode, value));
            }
        }
        var behavior = global.Aggregate(basis, (b, m) => b.With(m.Mode, m.Value));
        var rules = perPattern.Select(p => new WarehouseRule(p.Pattern, p.Modes.Aggregate(behavior, (b, m) => b.With(m.Mode, m.Value)))).ToList();
        return (behavior, rules);
    }
}
