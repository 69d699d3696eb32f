using Microsoft.Extensions.DependencyInjection;

namespace Oms.Inventory;

public static class InventoryModule
{
    public static IServiceCollection AddInventory(this IServiceCollection services)
    {
        return services;
    }
}
