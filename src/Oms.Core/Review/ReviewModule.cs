using Microsoft.Extensions.DependencyInjection;
using Oms.Tasks;

namespace Oms.Review;

public static class ReviewModule
{
    public static IServiceCollection AddReview(this IServiceCollection services)
    {
        services.AddScoped<BranchAllocator>();
        services.AddScoped<AutoReviewService>();
        services.AddScoped<ReviewService>();
        services.AddScoped<ReviewQueue>();
        services.AddTimer<AutoReviewScanHandler>(AutoReviewScanHandler.TimerName, "*/2 * * * * *");
        services.AddTaskHandler<AutoReviewTaskHandler>(AutoReviewTaskHandler.Type, TaskKind.Task, maxConcurrency: 2, maxAttempts: 5);
        return services;
    }
}
