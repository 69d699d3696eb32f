using Microsoft.Extensions.DependencyInjection;

namespace Oms.Warehouses;

public static class WarehousesModule
{
    public static IServiceCollection AddWarehouses(this IServiceCollection services)
    {
        services.AddScoped<BranchService>();
        services.AddScoped<LogisticsService>();
        return services;
    }
}
