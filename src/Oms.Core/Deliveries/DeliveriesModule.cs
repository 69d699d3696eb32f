using Microsoft.Extensions.DependencyInjection;
using Oms.Inventory;

namespace Oms.Deliveries;

public static class DeliveriesModule
{
    public static IServiceCollection AddDeliveries(this IServiceCollection services)
    {
        services.AddScoped<DeliveryService>();
        services.AddScoped<DeliveryQuery>();
        services.AddScoped<IFreezeSource, DeliveryFreezeSource>();
        return services;
    }
}
