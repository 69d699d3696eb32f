using Microsoft.Extensions.DependencyInjection;

namespace Oms.Admin;

public static class AdminModule
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<UserAccessCache>();
        services.AddScoped<UserService>();
        services.AddScoped<RoleService>();
        services.AddScoped<AuditSearch>();
        return services;
    }
}
