using Cronos;
using Microsoft.Extensions.Configuration;
using Oms.Common;

namespace Oms.Tasks;

public enum QueueProvider { Database, RabbitMq }

/// <summary>
/// Configuration of the task system: <c>Oms:Queue:Provider</c> (<c>database</c> | <c>rabbitmq</c>),
/// <c>ConnectionStrings:RabbitMq</c>, <c>Oms:Queue:Prefix</c> (default <c>OMS</c>), and tuning under
/// <c>Oms:Tasks</c>.
/// </summary>
public sealed class TaskOptions
{
    public QueueProvider Provider { get; init; } = QueueProvider.Database;
    public string? RabbitMqUri { get; init; }
    public string Prefix { get; init; } = "OMS";
    /// <summary>Visibility timeout of a database lease; running tasks keep extending it.</summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How long an idle consumer waits before asking the database again.</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How often a worker process reads the kind switches and writes its heartbeat.</summary>
    public TimeSpan ControlPoll { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long shutdown waits for running tasks before cancelling them.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Cron overrides by timer name (<c>Oms:Tasks:Timers:NAME</c>).</summary>
    public IReadOnlyDictionary<string, string> TimerCron { get; init; } = new Dictionary<string, string>();

    public static TaskOptions Read(IConfiguration? config)
    {
        if (config is null) return new TaskOptions();
        var provider = (config["Oms:Queue:Provider"] ?? "database").Trim().ToLowerInvariant() switch
        {
            "" or "database" or "db" => QueueProvider.Database,
            "rabbitmq" or "rabbit" => QueueProvider.RabbitMq,
            var other => throw new InvalidOperationException($"Oms:Queue:Provider '{other}' is not known: use database or rabbitmq."),
        };
        var uri = config.GetConnectionString("RabbitMq");
        if (provider == QueueProvider.RabbitMq && string.IsNullOrWhiteSpace(uri))
            throw new InvalidOperationException("Oms:Queue:Provider is rabbitmq but ConnectionStrings:RabbitMq is not set.");
        var prefix = config["Oms:Queue:Prefix"];
        var t = config.GetSection("Oms:Tasks");
        return new TaskOptions
        {
            Provider = provider,
            RabbitMqUri = uri,
            Prefix = string.IsNullOrWhiteSpace(prefix) ? "OMS" : prefix.Trim(),
            LeaseTime = TimeSpan.FromSeconds(Number(t, "LeaseSeconds", 300)),
            IdlePoll = TimeSpan.FromMilliseconds(Number(t, "IdlePollMilliseconds", 500)),
            ControlPoll = TimeSpan.FromMilliseconds(Number(t, "ControlPollMilliseconds", 1000)),
            ShutdownGrace = TimeSpan.FromSeconds(Number(t, "ShutdownGraceSeconds", 20)),
            TimerCron = t.GetSection("Timers").GetChildren().Where(c => !string.IsNullOrWhiteSpace(c.Value))
                .ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal),
        };
    }

    private static double Number(IConfigurationSection section, string key, double fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new InvalidOperationException($"Oms:Tasks:{key} must be a positive number, not '{text}'.");
    }
}

/// <summary>How a task type is run: its kind, concurrency, attempts and back-off.</summary>
public sealed record TaskTypeRegistration(string Type, TaskKind Kind, Type HandlerType, int MaxConcurrency, int MaxAttempts, TimeSpan BaseBackoff, TimeSpan MaxBackoff)
{
    /// <summary>Exponential back-off: base, 2×base, 4×base, … capped at the maximum.</summary>
    public TimeSpan Backoff(int failedAttempt)
    {
        var factor = Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        var ms = Math.Min(BaseBackoff.TotalMilliseconds * factor, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}

/// <summary>A cron timer: every firing enqueues one <see cref="TaskKind.Timer"/> task of <see cref="Type"/>.</summary>
public sealed record TimerDefinition(string Name, string Cron, string Type)
{
    public static string TypeFor(string timerName) => "timer." + timerName;

    /// <summary>Cron is read in China time (UTC+8); five fields, or six with seconds first.</summary>
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.CreateCustomTimeZone("China", ChinaTime.Offset, "China", "China");

    public static CronExpression Parse(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    public static DateTime Next(string cron, DateTime fromUtc) =>
        Parse(cron).GetNextOccurrence(DateTime.SpecifyKind(fromUtc, DateTimeKind.Utc), Zone)
        ?? throw new InvalidOperationException($"Cron '{cron}' never fires again.");
}

/// <summary>Every registered task type and timer, built from the registrations in DI.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskTypeRegistration> _types;

    public TaskRegistry(IEnumerable<TaskTypeRegistration> types, IEnumerable<TimerDefinition> timers, TaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _types = new Dictionary<string, TaskTypeRegistration>(StringComparer.Ordinal);
        foreach (var t in types)
            if (!_types.TryAdd(t.Type, t))
                throw new InvalidOperationException($"Task type '{t.Type}' is registered twice.");
        var list = new List<TimerDefinition>();
        foreach (var timer in timers)
        {
            var cron = options.TimerCron.TryGetValue(timer.Name, out var over) ? over : timer.Cron;
            TimerDefinition.Parse(cron);
            if (!_types.ContainsKey(timer.Type))
                throw new InvalidOperationException($"Timer '{timer.Name}' runs type '{timer.Type}', which has no handler.");
            list.Add(timer with { Cron = cron });
        }
        Timers = list;
    }

    public IReadOnlyCollection<TaskTypeRegistration> Types => _types.Values;
    public IReadOnlyList<TimerDefinition> Timers { get; }

    public TaskTypeRegistration? Find(string type) => _types.GetValueOrDefault(type);

    public TaskTypeRegistration Get(string type) =>
        Find(type) ?? throw new InvalidOperationException($"Task type '{type}' is not registered.");

    /// <summary>The concurrency of a kind's consumer loop: the sum of its types' limits.</summary>
    public int Concurrency(TaskKind kind) => _types.Values.Where(t => t.Kind == kind).Sum(t => t.MaxConcurrency);

    /// <summary>A new message of a registered type (kind taken from the registration).</summary>
    public TaskMessage Message(string type, string payload = "{}", DateTime? notBefore = null) =>
        TaskMessage.Create(type, Get(type).Kind, payload, notBefore);
}
