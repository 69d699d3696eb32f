using Microsoft.Extensions.DependencyInjection;
using Oms.Tasks;

namespace Oms.Integration.Matrix;

/// <summary>Registration of the <c>/api</c> gateway, the node resolvers, every <see cref="IMatrixMethod"/> and the trim timer.</summary>
public static class MatrixModule
{
    public static IServiceCollection AddMatrixInbound(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MatrixGateway))) return services;
        services.AddScoped<MatrixGateway>();
        services.AddSingleton(new NamedMethods<IMatrixMethod>(m => m.Name));
        services.AddScoped<MatrixNodes>();
        services.AddScoped<IMatrixNodeResolver, ShopNodeResolver>();
        foreach (var type in typeof(MatrixModule).Assembly.GetTypes())
            if (type is { IsClass: true, IsAbstract: false } && typeof(IMatrixMethod).IsAssignableFrom(type))
                services.AddScoped(typeof(IMatrixMethod), type);
        services.AddTimer<MatrixRequestTrimHandler>(MatrixRequestTrimHandler.TimerName, "15 * * * *");
        return services;
    }
}
