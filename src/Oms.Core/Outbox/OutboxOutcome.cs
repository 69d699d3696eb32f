using Microsoft.Extensions.DependencyInjection;

namespace Oms.Outbox;

/// <summary>
/// The final outcome of one outbound request: <see cref="Succeeded"/> (the peer answered <c>succ</c>, directly or by
/// callback) or finally failed (last attempt, a <c>fail</c> callback, or no callback in time). <see cref="Answer"/> is
/// the peer's whole answer (<c>{"rsp","res","msg","data"}</c>) when there is one, so a module can read <c>data</c>.
/// </summary>
public sealed record OutboxOutcome(OutboxMessage Message, bool Succeeded, string? Error, string? Answer);

/// <summary>
/// A module's reaction to the final outcome of its requests (e.g. the WMS module learning that a warehouse took a
/// delivery). Registered per method with <see cref="OutboxOutcomeRegistrationExtensions.AddOutboxOutcome{T}"/>; called once per outcome,
/// inside the same database transaction as the state change of the message, so the two commit together (an exception
/// rolls both back: the send task is retried, a callback is answered 5000 and comes again).
/// </summary>
public interface IOutboxOutcome
{
    Task OnCompletedAsync(OutboxOutcome outcome, CancellationToken ct);
}

/// <summary>Which handler type wants the outcomes of which method.</summary>
public sealed record OutboxOutcomeRegistration(string Method, Type HandlerType);

/// <summary>Finds and calls the <see cref="IOutboxOutcome"/> handlers of a method (resolved only when one is registered).</summary>
public sealed class OutboxOutcomes(IEnumerable<OutboxOutcomeRegistration> registrations, IServiceProvider services)
{
    private readonly List<OutboxOutcomeRegistration> _all = registrations.ToList();

    public bool Handles(string method) => _all.Exists(r => r.Method == method);

    /// <summary>
    /// A send task's conditional state update of <paramref name="message"/>; when it is final (<paramref name="outcome"/>
    /// set) and a module listens to the method, the update and the module's reaction share one transaction, and the
    /// reaction runs only when this update is the one that settled the message.
    /// </summary>
    public async Task SettleAsync(Data.OmsDbContext db, OutboxMessage message, OutboxOutcome? outcome, Func<Task<int>> update, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(update);
        if (outcome is null || !Handles(message.Method))
        {
            await update().ConfigureAwait(false);
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (await update().ConfigureAwait(false) > 0) await NotifyAsync(outcome, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    public async Task NotifyAsync(OutboxOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        foreach (var r in _all.Where(r => r.Method == outcome.Message.Method))
            await ((IOutboxOutcome)services.GetRequiredService(r.HandlerType)).OnCompletedAsync(outcome, ct).ConfigureAwait(false);
    }
}

/// <summary>What every send task (one per transport: <c>matrix.send</c>, <c>qimen.send</c>) does first.</summary>
public static class OutboxSend
{
    /// <summary>
    /// The message a send task's payload names, or the task's answer when there is nothing to send: the message is gone,
    /// or already succeeded or accepted as running (a redelivered task does nothing).
    /// </summary>
    public static async Task<(OutboxMessage? Message, Tasks.TaskResult? Done)> OpenAsync(Data.OmsDbContext db, string payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        string id;
        using (var doc = System.Text.Json.JsonDocument.Parse(payload))
            id = doc.RootElement.GetProperty("id").GetString() ?? "";
        var message = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.Set<OutboxMessage>()), m => m.Id == id, ct).ConfigureAwait(false);
        if (message is null) return (null, Tasks.TaskResult.Success($"outbound request {id} does not exist"));
        if (message.State is OutboxState.Succeeded or OutboxState.Running)
            return (null, Tasks.TaskResult.Success($"outbound request {id} is already {message.State}"));
        return (message, null);
    }
}

public static class OutboxOutcomeRegistrationExtensions
{
    /// <summary>Registers <typeparamref name="T"/> (scoped) for the outcomes of <paramref name="methods"/>.</summary>
    public static IServiceCollection AddOutboxOutcome<T>(this IServiceCollection services, params string[] methods) where T : class, IOutboxOutcome
    {
        ArgumentNullException.ThrowIfNull(methods);
        services.AddScoped<T>();
        foreach (var m in methods) services.AddSingleton(new OutboxOutcomeRegistration(m, typeof(T)));
        return services;
    }
}
