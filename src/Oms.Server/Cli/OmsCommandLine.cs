using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Server.Cli;

/// <summary>The <c>oms</c> executable's commands (PROTOCOL.md §6). Each exits non-zero with a readable message on error.</summary>
public static class OmsCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("oms — order management system (ONEX OMS compatible). Without a command: serve.");
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((pr, ct) => ServeAsync(pr.UnmatchedTokens.ToArray(), ct));

        var serve = new Command("serve", "Run the web UI, the APIs and the workers (the default).") { TreatUnmatchedTokensAsErrors = false };
        serve.SetAction((pr, ct) => ServeAsync(pr.UnmatchedTokens.ToArray(), ct));
        root.Subcommands.Add(serve);

        var migrate = new Command("migrate", "Apply database migrations and exit.");
        migrate.SetAction((_, ct) => Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await OmsCoreServices.MigrateAsync(sp, ct).ConfigureAwait(false);
            Console.WriteLine("database is up to date");
        }));
        root.Subcommands.Add(migrate);

        root.Subcommands.Add(OpenApiCommands());
        root.Subcommands.Add(SettingsCommands());
        foreach (var extra in ExtraCommands) root.Subcommands.Add(extra());
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>Commands contributed by other parts of the host (users, demo, ...).</summary>
    private static readonly List<Func<Command>> ExtraCommands = [UserCommands.Build, DemoCommands.Build, TaskCommands.BuildTasks, TaskCommands.BuildWorker, OrderCommands.Build];

    private static async Task<int> ServeAsync(string[] args, CancellationToken ct)
    {
        return await Guard(async () =>
        {
            var app = OmsWebHost.Build(args);
            await OmsWebHost.PrepareAsync(app, ct).ConfigureAwait(false);
            await app.RunAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static Command OpenApiCommands()
    {
        var openapi = new Command("openapi", "OpenAPI clients.");
        var add = new Command("add-client", "Add (or update) a client allowed to call /openapi.");
        var flag = new Option<string>("--flag") { Description = "The client's id (flag)", Required = true };
        var key = new Option<string>("--key") { Description = "The client's interfacekey (signing token)", Required = true };
        var methods = new Option<string>("--methods") { Description = "all, or comma separated class.action names", DefaultValueFactory = _ => "all" };
        var name = new Option<string?>("--name") { Description = "A readable name" };
        add.Options.Add(flag); add.Options.Add(key); add.Options.Add(methods); add.Options.Add(name);
        add.SetAction((pr, ct) => Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            var clients = scope.ServiceProvider.GetRequiredService<OpenApiClientService>();
            var c = await clients.SaveAsync(pr.GetValue(flag)!, pr.GetValue(key)!, pr.GetValue(methods)!, pr.GetValue(name), "cli", ct).ConfigureAwait(false);
            Console.WriteLine($"client '{c.Flag}' may call: {string.Join(",", c.Methods)}");
        }));
        openapi.Subcommands.Add(add);
        return openapi;
    }

    private static Command SettingsCommands()
    {
        var settings = new Command("settings", "Read and change settings.");
        var keyArg = new Argument<string>("key") { Description = "Setting key, e.g. order.buffer_minutes" };
        var get = new Command("get", "Print a setting's value.") { keyArg };
        get.SetAction((pr, ct) => Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            Console.WriteLine(await scope.ServiceProvider.GetRequiredService<SettingsService>().GetTextAsync(pr.GetValue(keyArg)!, ct).ConfigureAwait(false));
        }));
        var keyArg2 = new Argument<string>("key") { Description = "Setting key" };
        var valueArg = new Argument<string>("value") { Description = "New value" };
        var set = new Command("set", "Change a setting.") { keyArg2, valueArg };
        set.SetAction((pr, ct) => Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            var v = await scope.ServiceProvider.GetRequiredService<SettingsService>().SetAsync(pr.GetValue(keyArg2)!, pr.GetValue(valueArg), "cli", ct).ConfigureAwait(false);
            Console.WriteLine($"{pr.GetValue(keyArg2)} = {v}");
        }));
        var list = new Command("list", "Print every setting with its value.");
        list.SetAction((_, ct) => Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            foreach (var (d, v, isDefault) in await scope.ServiceProvider.GetRequiredService<SettingsService>().ListAsync(ct).ConfigureAwait(false))
                Console.WriteLine($"{d.Key} = {v}{(isDefault ? " (default)" : "")}");
        }));
        settings.Subcommands.Add(get); settings.Subcommands.Add(set); settings.Subcommands.Add(list);
        return settings;
    }

    /// <summary>Runs a command body; any refusal becomes a message on stderr and exit code 1.</summary>
    internal static async Task<int> Guard(Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is ValidationException or DomainException or InvalidOperationException or DbUpdateException or OpenApiException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
