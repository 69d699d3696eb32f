using Microsoft.Extensions.DependencyInjection;

namespace Oms.Inventory;

public static class InventoryModule
{
    public static IServiceCollection AddInventory(this IServiceCollection services)
    {
        services.AddScoped<InventoryService>();
        services.AddScoped<StockQueries>();
        services.AddScoped<InventoryInvariants>();
        services.AddScoped<StockDocumentService>();
        services.AddScoped<StockBrowser>();
        services.AddScoped<StockDocumentForm>();
        return services;
    }
}
