using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Oms.Caching;

/// <summary>Registration of the cache chosen by <c>Oms:Cache:Provider</c>.</summary>
public static class CachingModule
{
    /// <summary>Registers <see cref="IOmsCache"/> and <see cref="CacheInvalidator"/> (singletons). The first call wins.</summary>
    public static IServiceCollection AddOmsCache(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(CacheOptions))) return services;
        var options = CacheOptions.Read(configuration);
        services.AddSingleton(options);
        if (options.Provider == CacheProvider.Redis)
            services.TryAddSingleton<IOmsCache>(sp => new RedisOmsCache(options,
                sp.GetService<ILogger<RedisOmsCache>>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisOmsCache>.Instance));
        else
            services.TryAddSingleton<IOmsCache, MemoryOmsCache>();
        services.TryAddSingleton<CacheInvalidator>();
        return services;
    }
}
