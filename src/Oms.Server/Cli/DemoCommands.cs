using System.CommandLine;

namespace Oms.Server.Cli;

/// <summary><c>oms demo seed</c>.</summary>
internal static class DemoCommands
{
    public static Command Build() => new("demo", "Demo data.");
}
