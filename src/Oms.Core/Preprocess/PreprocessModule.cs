using Microsoft.Extensions.DependencyInjection;

namespace Oms.Preprocess;

public static class PreprocessModule
{
    public static IServiceCollection AddPreprocess(this IServiceCollection services)
    {
        services.AddScoped<PreprocessChain>();
        services.AddScoped<PreprocessFacts>();
        services.AddScoped<CrmGiftService>();
        services.AddOrderPreprocessor<PlatformGiftPreprocessor>();
        services.AddOrderPreprocessor<InvoicePreprocessor>();
        services.AddOrderPreprocessor<CrmGiftPreprocessor>();
        return services;
    }

    /// <summary>Registers a plugin of the preprocess chain (its place and switch come from its defaults and 预处理配置).</summary>
    public static IServiceCollection AddOrderPreprocessor<T>(this IServiceCollection services) where T : class, IOrderPreprocessor =>
        services.AddScoped<IOrderPreprocessor, T>();
}
