using Microsoft.Extensions.DependencyInjection;

namespace Oms.Fulfillment;

public static class FulfillmentModule
{
    public static IServiceCollection AddFulfillment(this IServiceCollection services)
    {
        services.AddScoped<ConsignService>();
        services.AddScoped<ShipmentWriteback>();
        return services;
    }
}
