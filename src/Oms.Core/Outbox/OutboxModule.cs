using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Oms.Tasks;

namespace Oms.Outbox;

/// <summary>Registration of the outbox, the dispatcher, the callback service and the API log.</summary>
public static class OutboxModule
{
    public const int DefaultMaxAttempts = 5;

    /// <summary>
    /// Reads <c>Oms:Outbox:MaxAttempts</c> (default 5), <c>Oms:Outbox:BackoffMilliseconds</c> (default
    /// 10 000; doubles per attempt, capped at 1 h) and <c>Oms:Outbox:Concurrency</c> (default 16).
    /// </summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(Outbox))) return services;
        var section = configuration?.GetSection("Oms:Outbox");
        var attempts = Number(section, "MaxAttempts", DefaultMaxAttempts);
        var backoff = Number(section, "BackoffMilliseconds", 10_000);
        var concurrency = Number(section, "Concurrency", 16);

        services.AddScoped<Outbox>();
        services.AddScoped<IMatrixPeerResolver, ShopPeerResolver>();
        services.AddScoped<MatrixPeers>();
        services.AddSingleton<MatrixTransport>();
        services.AddSingleton<PeerRateLimiter>();
        services.AddSingleton<ApiLogWriter>();
        services.AddScoped<ApiLogService>();
        services.AddScoped<MatrixCallbackService>();
        services.AddScoped<OutboxOutcomes>();
        services.AddTaskHandler<MatrixSendHandler>(MatrixSendHandler.Type, TaskKind.Rpc, maxConcurrency: concurrency,
            maxAttempts: attempts, backoff: TimeSpan.FromMilliseconds(backoff));
        services.AddTimer<ApiLogTrimHandler>(ApiLogTrimHandler.TimerName, "30 * * * *");
        services.AddScoped<OutboxCallbackTimeout>();
        services.AddTimer<OutboxCallbackTimeoutHandler>(OutboxCallbackTimeoutHandler.TimerName, "*/5 * * * *");
        return services;
    }

    /// <summary>
    /// Registers the send task of another transport (e.g. <c>qimen.send</c>) with the outbox's attempts, back-off and
    /// concurrency (<c>Oms:Outbox:*</c>, as <c>matrix.send</c>); <see cref="AddOutbox"/> must have run.
    /// </summary>
    public static IServiceCollection AddOutboxSender<THandler>(this IServiceCollection services, string type) where THandler : class, ITaskHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        var matrix = services.Select(d => d.IsKeyedService ? null : d.ImplementationInstance).OfType<TaskTypeRegistration>()
                         .FirstOrDefault(r => r.Type == MatrixSendHandler.Type)
                     ?? throw new InvalidOperationException("AddOutbox must be called before AddOutboxSender.");
        return services.AddTaskHandler<THandler>(type, TaskKind.Rpc, matrix.MaxConcurrency, matrix.MaxAttempts, matrix.BaseBackoff, matrix.MaxBackoff);
    }

    private static int Number(IConfigurationSection? section, string key, int fallback)
    {
        var text = section?[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new InvalidOperationException($"Oms:Outbox:{key} must be a positive whole number, not '{text}'.");
    }
}
