namespace Oms.Server.Cli;

/// <summary>Services for one-off commands: configuration as the server reads it, the core, no web.</summary>
internal static class CliServices
{
    public static ServiceProvider Build()
    {
        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b => b.AddConfiguration(config.GetSection("Logging")).AddSimpleConsole());
        services.AddOmsCore(OmsCoreServices.ReadDatabaseOptions(config), config);
        return services.BuildServiceProvider();
    }
}
