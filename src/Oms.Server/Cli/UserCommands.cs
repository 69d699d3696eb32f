using System.CommandLine;

namespace Oms.Server.Cli;

/// <summary><c>oms users add</c>.</summary>
internal static class UserCommands
{
    public static Command Build() => new("users", "Admin users.");
}
