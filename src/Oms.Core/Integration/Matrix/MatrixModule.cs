using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Oms.Tasks;

namespace Oms.Integration.Matrix;

/// <summary>Registration of the <c>/api</c> gateway (and its group-commit writer, <c>Oms:Matrix:Batch</c>), the node resolvers, every <see cref="IMatrixMethod"/> and the trim timer.</summary>
public static class MatrixModule
{
    public static IServiceCollection AddMatrixInbound(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MatrixGateway))) return services;
        services.AddScoped<MatrixGateway>();
        // read when first used: a host adds configuration sources after the registrations
        services.TryAddSingleton(_ => MatrixBatchOptions.Read(configuration));
        services.TryAddSingleton<MatrixBatchWriter>();
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
