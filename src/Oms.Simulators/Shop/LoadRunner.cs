using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Oms.Simulators.Shop;

/// <summary>What <see cref="LoadRunner"/> does. Fractions are per order.</summary>
public sealed record LoadOptions
{
    public int Orders { get; init; } = 1000;
    public int Concurrency { get; init; } = 16;
    /// <summary>New orders per second at most (0 = unlimited); re-pushes follow their order at once.</summary>
    public double Rate { get; init; }
    /// <summary>Re-send of the first push with the same <c>task</c>: the same answer is expected.</summary>
    public double DuplicateTaskRate { get; init; }
    /// <summary>Re-send of the same fields with a new <c>task</c>: <c>state: unchanged</c> is expected.</summary>
    public double DuplicateContentRate { get; init; }
    /// <summary>A newer version (<see cref="OrderGenerator.Update"/>).</summary>
    public double UpdateRate { get; init; }
    /// <summary>Orders generated unpaid and then cancelled by the shop (<c>status=dead</c>, newer modified).</summary>
    public double CancelRate { get; init; }
    /// <summary>Orders pushed first and not counted (prefix + "W").</summary>
    public int Warmup { get; init; }
    public int Seed { get; init; } = 1;
    public OrderGeneratorOptions Generator { get; init; } = new();
    /// <summary>Order numbers answered succ on their first push are appended here, one per line, flushed each.</summary>
    public string? SuccFile { get; init; }
}

/// <summary>Latency of a set of requests, in milliseconds (nearest-rank percentiles).</summary>
public sealed record LatencySummary(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0);

    /// <summary>From Stopwatch ticks; sorts <paramref name="ticks"/> in place.</summary>
    public static LatencySummary FromTicks(long[] ticks, int count)
    {
        ArgumentNullException.ThrowIfNull(ticks);
        if (count == 0) return Empty;
        Array.Sort(ticks, 0, count);
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency;
        double sum = 0;
        for (var i = 0; i < count; i++) sum += ticks[i];
        long Rank(double p) => ticks[Math.Clamp((int)Math.Ceiling(p * count) - 1, 0, count - 1)];
        return new LatencySummary(count, Math.Round(Ms((long)(sum / count)), 3), Math.Round(Ms(Rank(0.50)), 3), Math.Round(Ms(Rank(0.90)), 3),
            Math.Round(Ms(Rank(0.99)), 3), Math.Round(Ms(ticks[count - 1]), 3));
    }
}

/// <summary>The kinds of request a load run sends.</summary>
public static class PushKinds
{
    public const string First = "first";
    public const string DuplicateTask = "duplicate_task";
    public const string DuplicateContent = "duplicate_content";
    public const string Update = "update";
    public const string Cancel = "cancel";
    internal static readonly string[] All = [First, DuplicateTask, DuplicateContent, Update, Cancel];
}

/// <summary>The result of a load run.</summary>
public sealed record LoadReport
{
    public int Orders { get; init; }
    public int Concurrency { get; init; }
    public double Rate { get; init; }
    public double ElapsedSeconds { get; init; }
    public long Requests { get; init; }
    /// <summary>Answers <c>rsp=succ</c> (every kind).</summary>
    public long SuccAnswers { get; init; }
    public double SuccPerSecond { get; init; }
    public double RequestsPerSecond { get; init; }
    /// <summary>First pushes answered succ per second.</summary>
    public double OrdersPerSecond { get; init; }
    public long TransportErrors { get; init; }
    /// <summary>Per kind (<see cref="PushKinds"/>), per outcome (<c>succ:created</c>, <c>fail:4006</c>, <c>error:transport</c>…): counts.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Outcomes { get; init; }
    public required LatencySummary Latency { get; init; }
    public required LatencySummary FirstLatency { get; init; }
    /// <summary>Duplicate-task re-sends whose answer was not byte-identical to the first.</summary>
    public long DuplicateTaskMismatches { get; init; }
    /// <summary>Duplicate-content re-sends answered anything but <c>succ</c> with <c>state: unchanged</c>.</summary>
    public long DuplicateContentNotUnchanged { get; init; }
    /// <summary>Up to 10 examples of fail answers: <c>kind order_bn res msg</c>.</summary>
    public required IReadOnlyList<string> FailExamples { get; init; }
    /// <summary>Order numbers answered succ on their first push (the order their answers came in).</summary>
    public required IReadOnlyList<string> SuccOrderBns { get; init; }

    public long Count(string kind, string outcome) =>
        Outcomes.TryGetValue(kind, out var k) && k.TryGetValue(outcome, out var n) ? n : 0;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        WriteIndented = true,
    };

    /// <summary>Everything but the order list, as JSON (snake_case).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        orders = Orders, concurrency = Concurrency, rate = Rate, elapsed_seconds = ElapsedSeconds, requests = Requests,
        succ_answers = SuccAnswers, succ_per_second = SuccPerSecond, requests_per_second = RequestsPerSecond,
        orders_per_second = OrdersPerSecond, transport_errors = TransportErrors, outcomes = Outcomes,
        latency = Latency, first_latency = FirstLatency, duplicate_task_mismatches = DuplicateTaskMismatches,
        duplicate_content_not_unchanged = DuplicateContentNotUnchanged, fail_examples = FailExamples,
        succ_orders = SuccOrderBns.Count,
    }, JsonOptions);

    public string ToText()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"orders {Orders}, concurrency {Concurrency}, rate {(Rate > 0 ? Rate.ToString(c) + "/s" : "unlimited")}");
        sb.AppendLine(c, $"elapsed {ElapsedSeconds:0.000} s: {Requests} requests ({RequestsPerSecond:0.0}/s), {SuccAnswers} succ ({SuccPerSecond:0.0}/s), new orders {OrdersPerSecond:0.0}/s");
        sb.AppendLine(c, $"latency all   (ms): n={Latency.Count} mean {Latency.MeanMs:0.00} p50 {Latency.P50Ms:0.00} p90 {Latency.P90Ms:0.00} p99 {Latency.P99Ms:0.00} max {Latency.MaxMs:0.00}");
        sb.AppendLine(c, $"latency first (ms): n={FirstLatency.Count} mean {FirstLatency.MeanMs:0.00} p50 {FirstLatency.P50Ms:0.00} p90 {FirstLatency.P90Ms:0.00} p99 {FirstLatency.P99Ms:0.00} max {FirstLatency.MaxMs:0.00}");
        foreach (var (kind, outcomes) in Outcomes)
        {
            if (outcomes.Count == 0) continue;
            sb.Append(c, $"{kind,-18}");
            foreach (var (o, n) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal)) sb.Append(c, $" {o}={n}");
            sb.AppendLine();
        }
        if (TransportErrors > 0) sb.AppendLine(c, $"transport errors: {TransportErrors}");
        if (DuplicateTaskMismatches > 0) sb.AppendLine(c, $"duplicate task answered differently: {DuplicateTaskMismatches}");
        if (DuplicateContentNotUnchanged > 0) sb.AppendLine(c, $"duplicate content not answered 'unchanged': {DuplicateContentNotUnchanged}");
        foreach (var f in FailExamples) sb.AppendLine("  " + f);
        return sb.ToString();
    }
}

/// <summary>
/// Pushes generated orders at a given concurrency and rate, with re-pushes (duplicate task, duplicate
/// content, update, cancel) sent by the same worker right after their order's first push succeeded.
/// Orders come from one <see cref="OrderGenerator"/> under a lock, so the i-th order of a seed is
/// always the same; statistics are kept per worker and merged at the end.
/// </summary>
public sealed class LoadRunner
{
    private readonly MatrixPushClient _client;
    private readonly SimCatalog _catalog;
    private readonly LoadOptions _o;

    public LoadRunner(MatrixPushClient client, SimCatalog catalog, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Orders < 0 || options.Concurrency < 1 || options.Rate < 0 || options.Warmup < 0)
            throw new ArgumentException("Orders ≥ 0, Concurrency ≥ 1, Rate ≥ 0, Warmup ≥ 0.", nameof(options));
        foreach (var r in new[] { options.DuplicateTaskRate, options.DuplicateContentRate, options.UpdateRate, options.CancelRate })
            if (r is < 0 or > 1) throw new ArgumentException("Re-push fractions are between 0 and 1.", nameof(options));
        _client = client;
        _catalog = catalog;
        _o = options;
    }

    /// <summary>Runs the warm-up (not counted), then the measured run. Cancellation stops issuing and reports what was done.</summary>
    public async Task<LoadReport> RunAsync(CancellationToken ct = default)
    {
        if (_o.Warmup > 0)
        {
            var warm = _o with { Orders = _o.Warmup, Rate = 0, SuccFile = null, Seed = unchecked(_o.Seed * 31 + 7), Generator = _o.Generator with { Prefix = _o.Generator.Prefix + "W" } };
            await new Run(_client, _catalog, warm).ExecuteAsync(ct).ConfigureAwait(false);
        }
        return await new Run(_client, _catalog, _o).ExecuteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One order and what follows it.</summary>
    private readonly record struct Plan(OrderPush First, bool DuplicateTask, bool DuplicateContent, OrderPush? Update, OrderPush? Cancel);

    private sealed class Run
    {
        private readonly MatrixPushClient _client;
        private readonly LoadOptions _o;
        private readonly OrderGenerator _generator;
        private readonly Random _plan;
        private readonly object _lock = new();
        private readonly StreamWriter? _succFile;
        private readonly object _succLock = new();
        private int _issued;
        private long _nextSlot;
        private readonly long _interval;

        public Run(MatrixPushClient client, SimCatalog catalog, LoadOptions o)
        {
            _client = client;
            _o = o;
            _generator = new OrderGenerator(catalog, o.Generator, o.Seed);
            _plan = new Random(unchecked(o.Seed * 7919 + 17));
            _interval = o.Rate > 0 ? (long)(Stopwatch.Frequency / o.Rate) : 0;
            if (o.SuccFile is { } path)
                _succFile = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        }

        private bool TryTake(out Plan plan)
        {
            lock (_lock)
            {
                if (_issued >= _o.Orders) { plan = default; return false; }
                _issued++;
                var cancel = _plan.NextDouble() < _o.CancelRate;
                var first = _generator.Next(cancel ? false : null);
                var dupTask = _plan.NextDouble() < _o.DuplicateTaskRate;
                var dupContent = _plan.NextDouble() < _o.DuplicateContentRate;
                var update = _plan.NextDouble() < _o.UpdateRate ? _generator.Update(first) : null;
                // an update of an unpaid order leaves it unpaid and active: the cancel is newer than both
                var cancelled = cancel ? _generator.Cancel(update ?? first) : null;
                plan = new Plan(first, dupTask, dupContent, update, cancelled);
                return true;
            }
        }

        public async Task<LoadReport> ExecuteAsync(CancellationToken ct)
        {
            try
            {
                var workers = new Worker[Math.Max(1, Math.Min(_o.Concurrency, Math.Max(1, _o.Orders)))];
                var perWorker = (_o.Orders / workers.Length) + 2;
                var expected = 1 + _o.DuplicateTaskRate + _o.DuplicateContentRate + _o.UpdateRate + _o.CancelRate;
                for (var i = 0; i < workers.Length; i++) workers[i] = new Worker(this, perWorker, (int)(perWorker * expected) + 8);
                var started = Stopwatch.GetTimestamp();
                _nextSlot = started;
                var tasks = new Task[workers.Length];
                for (var i = 0; i < workers.Length; i++)
                {
                    var w = workers[i];
                    tasks[i] = Task.Run(() => w.RunAsync(ct), CancellationToken.None);
                }
                await Task.WhenAll(tasks).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                return Merge(workers, elapsed);
            }
            finally
            {
                if (_succFile is not null) await _succFile.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async ValueTask PaceAsync(CancellationToken ct)
        {
            if (_interval == 0) return;
            var slot = Interlocked.Add(ref _nextSlot, _interval) - _interval;
            var wait = slot - Stopwatch.GetTimestamp();
            if (wait * 1000 >= Stopwatch.Frequency) // at least a millisecond ahead
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct).ConfigureAwait(false);
        }

        private void RecordSucc(string orderBn)
        {
            if (_succFile is null) return;
            lock (_succLock)
            {
                _succFile.WriteLine(orderBn);
                _succFile.Flush();
            }
        }

        private LoadReport Merge(Worker[] workers, TimeSpan elapsed)
        {
            var outcomes = new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);
            long requests = 0, succ = 0, firstSucc = 0, transport = 0, dupTaskMismatch = 0, dupContentOff = 0;
            int allCount = 0, firstCount = 0;
            foreach (var w in workers) { allCount += w.AllCount; firstCount += w.FirstCount; }
            var all = new long[allCount];
            var first = new long[firstCount];
            int ai = 0, fi = 0;
            var bns = new List<string>();
            var fails = new List<string>();
            for (var k = 0; k < PushKinds.All.Length; k++)
            {
                var merged = new SortedDictionary<string, long>(StringComparer.Ordinal);
                foreach (var w in workers)
                    foreach (var (o, n) in w.Outcomes[k])
                        merged[o] = merged.GetValueOrDefault(o) + n;
                outcomes[PushKinds.All[k]] = merged;
            }
            foreach (var w in workers)
            {
                Array.Copy(w.All, 0, all, ai, w.AllCount); ai += w.AllCount;
                Array.Copy(w.First, 0, first, fi, w.FirstCount); fi += w.FirstCount;
                requests += w.Requests; succ += w.Succ; firstSucc += w.FirstSucc; transport += w.TransportErrors;
                dupTaskMismatch += w.DuplicateTaskMismatches; dupContentOff += w.DuplicateContentNotUnchanged;
                bns.AddRange(w.SuccBns);
                foreach (var f in w.FailExamples) if (fails.Count < 10) fails.Add(f);
            }
            var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
            return new LoadReport
            {
                Orders = _issued, Concurrency = workers.Length, Rate = _o.Rate, ElapsedSeconds = Math.Round(elapsed.TotalSeconds, 3),
                Requests = requests, SuccAnswers = succ, SuccPerSecond = Math.Round(succ / seconds, 1),
                RequestsPerSecond = Math.Round(requests / seconds, 1), OrdersPerSecond = Math.Round(firstSucc / seconds, 1),
                TransportErrors = transport, Outcomes = outcomes,
                Latency = LatencySummary.FromTicks(all, all.Length), FirstLatency = LatencySummary.FromTicks(first, first.Length),
                DuplicateTaskMismatches = dupTaskMismatch, DuplicateContentNotUnchanged = dupContentOff,
                FailExamples = fails, SuccOrderBns = bns,
            };
        }

        /// <summary>One worker's loop and its own statistics (no sharing in the hot path).</summary>
        private sealed class Worker(Run run, int firstCapacity, int allCapacity)
        {
            public long[] All = new long[allCapacity];
            public int AllCount;
            public long[] First = new long[firstCapacity];
            public int FirstCount;
            public readonly Dictionary<string, long>[] Outcomes = [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
            public long Requests, Succ, FirstSucc, TransportErrors, DuplicateTaskMismatches, DuplicateContentNotUnchanged;
            public readonly List<string> SuccBns = new(firstCapacity);
            public readonly List<string> FailExamples = [];

            public async Task RunAsync(CancellationToken ct)
            {
                try
                {
                    while (!ct.IsCancellationRequested && run.TryTake(out var plan))
                    {
                        await run.PaceAsync(ct).ConfigureAwait(false);
                        var first = await SendAsync(0, plan.First, null, ct).ConfigureAwait(false);
                        if (first.IsSucc)
                        {
                            FirstSucc++;
                            SuccBns.Add(plan.First.Order.OrderBn);
                            run.RecordSucc(plan.First.Order.OrderBn);
                        }
                        if (plan.DuplicateTask && first.Answer is { IsProtocolAnswer: true })
                        {
                            var again = await SendAsync(1, plan.First, first.Task, ct).ConfigureAwait(false);
                            if (again.Answer is not null && again.Answer.Text != first.Answer.Text) DuplicateTaskMismatches++;
                        }
                        if (!first.IsSucc) continue;
                        if (plan.DuplicateContent)
                        {
                            var again = await SendAsync(2, plan.First, null, ct).ConfigureAwait(false);
                            if (again.Answer is not null && !(again.IsSucc && again.Answer.State == "unchanged")) DuplicateContentNotUnchanged++;
                        }
                        if (plan.Update is { } update) await SendAsync(3, update, null, ct).ConfigureAwait(false);
                        if (plan.Cancel is { } cancel) await SendAsync(4, cancel, null, ct).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // stop issuing; what was answered is reported
                }
            }

            private async Task<PushResult> SendAsync(int kind, MatrixPush push, string? task, CancellationToken ct)
            {
                var r = await run._client.SendAsync(push, task ?? run._client.NewTask(), ct).ConfigureAwait(false);
                Requests++;
                var ticks = (long)(r.Latency.TotalSeconds * Stopwatch.Frequency);
                if (AllCount == All.Length) Array.Resize(ref All, All.Length * 2);
                All[AllCount++] = ticks;
                if (kind == 0)
                {
                    if (FirstCount == First.Length) Array.Resize(ref First, First.Length * 2);
                    First[FirstCount++] = ticks;
                }
                var outcome = r.Outcome;
                var counts = Outcomes[kind];
                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                if (r.IsSucc) Succ++;
                else if (r.Answer is null || !r.Answer.IsProtocolAnswer) TransportErrors++;
                if (r.Answer is { IsProtocolAnswer: true, IsSucc: false } a && FailExamples.Count < 10)
                    FailExamples.Add($"{PushKinds.All[kind]} {push.OrderBn} {a.Res} {a.Msg}");
                return r;
            }
        }
    }
}
