using Microsoft.Extensions.DependencyInjection;

namespace Oms.Orders;

/// <summary>The order list and its tab counts (the intake registers its own services).</summary>
public static class OrderListModule
{
    public static IServiceCollection AddOrderList(this IServiceCollection services)
    {
        services.AddScoped<OrderTabCounts>();
        services.AddScoped<OrderListQuery>();
        return services;
    }
}
