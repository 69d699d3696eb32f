using Microsoft.Extensions.DependencyInjection;

namespace Oms.Channels;

public static class ChannelsModule
{
    public static IServiceCollection AddChannels(this IServiceCollection services)
    {
        services.AddScoped<ShopService>();
        return services;
    }
}
