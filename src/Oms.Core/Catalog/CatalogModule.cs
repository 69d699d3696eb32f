using Microsoft.Extensions.DependencyInjection;

namespace Oms.Catalog;

public static class CatalogModule
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddScoped<BasicMaterialService>();
        services.AddScoped<SalesMaterialService>();
        services.AddScoped<SupplierService>();
        return services;
    }
}
