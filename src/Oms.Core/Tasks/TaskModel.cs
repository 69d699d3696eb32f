using System.Security.Cryptography;
using System.Text;

namespace Oms.Tasks;

/// <summary>
/// The five kinds of background work (DOMAIN.md §9); each kind has its own consumer loop
/// and can be stopped and started on its own.
/// </summary>
public enum TaskKind
{
    /// <summary>定时任务: firings of cron timers.</summary>
    Timer,
    /// <summary>初始化任务: puts timer rows in place at start.</summary>
    Init,
    /// <summary>业务任务: batch verify, batch consign, auto review, API retry.</summary>
    Task,
    /// <summary>导出任务.</summary>
    Export,
    /// <summary>请求任务: outbound requests and inbound callbacks.</summary>
    Rpc,
}

public static class TaskKinds
{
    public static readonly IReadOnlyList<TaskKind> All = Enum.GetValues<TaskKind>();

    /// <summary>The lower-case name used in tables, queue names and on the command line.</summary>
    public static string Name(this TaskKind kind) => kind switch
    {
        TaskKind.Timer => "timer",
        TaskKind.Init => "init",
        TaskKind.Task => "task",
        TaskKind.Export => "export",
        TaskKind.Rpc => "rpc",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static TaskKind Parse(string? text)
    {
        foreach (var k in All)
            if (string.Equals(k.Name(), text?.Trim(), StringComparison.OrdinalIgnoreCase)) return k;
        throw new InvalidOperationException($"Unknown task kind '{text}': use one of {string.Join(", ", All.Select(k => k.Name()))}.");
    }
}

/// <summary>
/// One unit of background work. <see cref="Id"/> is a GUID string and the idempotency key:
/// a message may be delivered more than once (at-least-once), always with the same id.
/// <see cref="Attempt"/> is 1 for the first delivery and grows with each retry.
/// </summary>
public sealed record TaskMessage(string Id, string Type, TaskKind Kind, string Payload, int Attempt, DateTime NotBefore)
{
    /// <summary>A new message to run as soon as possible (or at <paramref name="notBefore"/>, UTC).</summary>
    public static TaskMessage Create(string type, TaskKind kind, string payload = "{}", DateTime? notBefore = null) =>
        new(Guid.NewGuid().ToString(), type, kind, payload, 1, notBefore ?? DateTime.MinValue);

    /// <summary>A GUID-shaped id derived from a name, so the same logical message always gets the same id.</summary>
    public static string StableId(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        return new Guid(hash[..16]).ToString();
    }
}

/// <summary>A message handed to a worker: the message plus what the backend needs to ack or fail it.</summary>
public sealed class LeasedTask(TaskMessage message, int maxAttempts, string? lastError, ulong deliveryTag = 0)
{
    public TaskMessage Message { get; } = message;
    /// <summary>The limit stored with the message (the database backend) or 0 when the registry decides.</summary>
    public int MaxAttempts { get; } = maxAttempts;
    /// <summary>The reason the previous attempt failed, if any.</summary>
    public string? LastError { get; } = lastError;
    internal ulong DeliveryTag { get; } = deliveryTag;
}

/// <summary>What a handler answers: success, or failure with a readable reason (retried, then the failed list).</summary>
public readonly record struct TaskResult(bool Succeeded, string? Message)
{
    public static TaskResult Success(string? message = null) => new(true, message);
    public static TaskResult Failure(string message) => new(false, message);
}

/// <summary>What a handler gets: the message, and a service scope of its own (one unit of work).</summary>
public sealed class TaskContext(TaskMessage message, IServiceProvider services)
{
    public TaskMessage Message { get; } = message;
    public string MessageId => Message.Id;
    public int Attempt => Message.Attempt;
    public string Payload => Message.Payload;
    /// <summary>Scoped to this one task: an <c>OmsDbContext</c> resolved here is this task's unit of work.</summary>
    public IServiceProvider Services { get; } = services;
}

/// <summary>
/// Runs one task type. Must be idempotent by <see cref="TaskContext.MessageId"/> (see
/// <see cref="TaskReceipts"/>). An exception counts as a failure with the exception's message.
/// </summary>
public interface ITaskHandler
{
    Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken);
}
