using Microsoft.Extensions.DependencyInjection;
using Oms.Tasks;

namespace Oms.SelfWms;

public static class SelfWmsModule
{
    public static IServiceCollection AddSelfWms(this IServiceCollection services)
    {
        services.AddScoped<PrintService>();
        services.AddScoped<PrintDocuments>();
        services.AddScoped<VerifyService>();
        services.AddScoped<FloorQuery>();
        services.AddScoped<FloorJobService>();
        services.AddScoped<IFloorJobStep, AutoCheckStep>();
        services.AddTaskHandler<FloorJobHandler>(FloorJobTypes.AutoCheck, TaskKind.Task, maxConcurrency: 1, maxAttempts: 5);
        return services;
    }
}
