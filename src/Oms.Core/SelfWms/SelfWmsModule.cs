using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Oms.Tasks;

namespace Oms.SelfWms;

public static class SelfWmsModule
{
    public static IServiceCollection AddSelfWms(this IServiceCollection services)
    {
        services.AddScoped<PrintService>();
        services.AddScoped<PrintSheets>();
        // Oms:Print:LayoutDirectory, else print-layouts/ beside the executable
        services.AddSingleton(sp => new PrintLayouts(sp.GetService<IConfiguration>()?["Oms:Print:LayoutDirectory"] is { Length: > 0 } dir
            ? dir : PrintLayouts.DefaultDirectory));
        services.AddScoped<VerifyService>();
        services.AddScoped<FloorQuery>();
        services.AddScoped<FloorJobService>();
        services.AddScoped<FloorConsign>();
        services.AddScoped<IFloorJobStep, AutoCheckStep>();
        services.AddTaskHandler<FloorJobHandler>(FloorJobTypes.AutoCheck, TaskKind.Task, maxConcurrency: 1, maxAttempts: 5);
        services.AddTaskHandler<FloorJobHandler>(FloorJobTypes.AutoConsign, TaskKind.Task, maxConcurrency: 1, maxAttempts: 5);
        return services;
    }
}
