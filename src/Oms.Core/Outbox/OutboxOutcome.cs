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

    public async Task NotifyAsync(OutboxOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        foreach (var r in _all.Where(r => r.Method == outcome.Message.Method))
            await ((IOutboxOutcome)services.GetRequiredService(r.HandlerType)).OnCompletedAsync(outcome, ct).ConfigureAwait(false);
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
