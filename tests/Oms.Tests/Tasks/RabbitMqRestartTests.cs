using System.Diagnostics;
using Oms.Tasks;

namespace Oms.Tests.Tasks;

/// <summary>Durable queues, persistent messages and publisher confirms: a broker restart loses nothing.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqRestartTests
{
    [Fact]
    public async Task Messages_confirmed_before_a_broker_restart_are_delivered_after_it()
    {
        await using var host = await TaskTestHost.CreateAsync(QueueBackend.RabbitMq);
        var before = Enumerable.Range(0, 30).Select(i => host.Message(RecordingHandler.Type, new { i })).ToList();
        await host.Queue.EnqueueAsync(before);

        // a real restart: the broker's process stops and starts again on its own data folder
        try
        {
            await Services("rabbit-stop");
        }
        finally
        {
            await Services("rabbit-start");
        }

        // published while the client may still be reconnecting: the outbox takes them if the broker is not back yet
        var after = Enumerable.Range(0, 10).Select(i => host.Message(RecordingHandler.Type, new { i })).ToList();
        await host.Queue.EnqueueAsync(after);
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => before.Concat(after).All(m => host.Probe.Handled.ContainsKey(m.Id)), "all 40 delivered after the restart", 120);
    }

    /// <summary>scripts/services.sh, which started the broker for this run (its path and folder are in the env file).</summary>
    private static async Task Services(string command)
    {
        var script = Environment.GetEnvironmentVariable("OMS_TEST_SERVICES_SCRIPT");
        var dir = Environment.GetEnvironmentVariable("OMS_TEST_SERVICES_DIR");
        Assert.False(string.IsNullOrEmpty(script) || string.IsNullOrEmpty(dir), "OMS_TEST_SERVICES_SCRIPT/DIR are not set: run ./test.sh or source the env file of scripts/services.sh");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script!, command, dir! }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"services.sh {command}: {await stdout} {await stderr}");
    }
}
