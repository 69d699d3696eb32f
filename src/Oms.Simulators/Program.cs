using Oms.Simulators.Cli;

namespace Oms.Simulators;

/// <summary>The <c>oms-sim</c> executable.</summary>
public static class SimProgram
{
    public static Task<int> Main(string[] args) => SimCommandLine.RunAsync(args);
}
