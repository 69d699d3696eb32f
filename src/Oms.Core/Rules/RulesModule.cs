using Microsoft.Extensions.DependencyInjection;
using Oms.Dispatch;

namespace Oms.Rules;

public static class RulesModule
{
    /// <summary>Rule filters, order groups, review rules, branch rules (Rules/) and confirm groups and dispatch (Dispatch/).</summary>
    public static IServiceCollection AddRules(this IServiceCollection services)
    {
        services.AddScoped<OrderFactsLoader>();
        services.AddScoped<OrderGroupService>();
        services.AddScoped<OrderGroupMatcher>();
        services.AddScoped<ReviewRuleService>();
        services.AddScoped<AutoReviewRules>();
        services.AddScoped<BranchRuleService>();
        services.AddScoped<BranchRuleMatcher>();
        services.AddScoped<DefaultBranchCandidates>();
        services.AddScoped<ConfirmGroupService>();
        services.AddScoped<DispatchService>();
        return services;
    }
}
