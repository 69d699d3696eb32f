using Microsoft.Extensions.DependencyInjection;
using Oms.Integration.Matrix;
using Oms.Inventory;
using Oms.Tasks;

namespace Oms.Orders;

public static class OrdersModule
{
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddScoped<MaterialMatcher>();
        services.AddScoped<OrderIntakeService>();
        services.AddScoped<AfterSaleRequestService>();
        services.AddScoped<IFreezeSource, OrderFreezeSource>();
        services.AddSingleton(new MatrixPayloadReader(OrderAddMatrixMethod.MethodName, r => OrderAddMatrixMethod.PushOf(r)));
        services.AddTaskHandler<OrderIntakeTaskHandler>(OrderIntakeTaskHandler.Type, TaskKind.Task, maxConcurrency: 8, maxAttempts: 5);
        return services;
    }
}
