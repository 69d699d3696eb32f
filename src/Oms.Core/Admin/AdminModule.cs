using Microsoft.Extensions.DependencyInjection;

namespace Oms.Admin;

public static class AdminModule
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        return services;
    }
}
