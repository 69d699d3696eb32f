using System.CommandLine;
using Oms.Admin;

namespace Oms.Server.Cli;

/// <summary><c>oms users add --name N --password P [--role R]</c>.</summary>
internal static class UserCommands
{
    public static Command Build()
    {
        var users = new Command("users", "Admin users.");
        var add = new Command("add", "Create an admin user.");
        var name = new Option<string>("--name") { Description = "Login name", Required = true };
        var password = new Option<string>("--password") { Description = $"Password (at least {UserService.MinPasswordLength} characters)", Required = true };
        var role = new Option<string[]>("--role") { Description = "A role to give (repeatable); it must exist", AllowMultipleArgumentsPerToken = false };
        var super = new Option<bool>("--super-admin") { Description = "Give every permission" };
        add.Options.Add(name); add.Options.Add(password); add.Options.Add(role); add.Options.Add(super);
        add.SetAction((pr, ct) => OmsCommandLine.Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            var user = await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(
                pr.GetValue(name)!, pr.GetValue(password)!, pr.GetValue(role) ?? [], superAdmin: pr.GetValue(super), actor: "cli", ct: ct).ConfigureAwait(false);
            Console.WriteLine($"user '{user.Name}' created");
        }));
        users.Subcommands.Add(add);
        return users;
    }
}
