using Microsoft.Extensions.DependencyInjection;
using Oms.Tasks;

namespace Oms.SelfWms;

public static class SelfWmsModule
{
    public static IServiceCollection AddSelfWms(this IServiceCollection services)
    {
        services.AddScoped<PrintService>();
        services.AddScoped<PrintSheets>();
        services.AddScoped<VerifyService>();
        services.AddScoped<FloorQuery>();
        services.AddScoped<FloorJobService>();
        services.AddScoped<FloorConsign>();
        services.AddScoped<IFloorJobStep, AutoCheckStep>();
        services.AddScoped<IFloorJobStep, AutoConsignStep>();
        services.AddTaskHandler<FloorJobHandler>(FloorJobTypes.AutoCheck, TaskKind.Task, maxConcurrency: 1, maxAttempts: 5);
        services.AddTaskHandler<FloorJobHandler>(FloorJobTypes.AutoConsign, TaskKind.Task, maxConcurrency: 1, maxAttempts: 5);
        return services;
    }
}
