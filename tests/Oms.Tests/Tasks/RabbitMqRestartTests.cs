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

        var ctl = BrokerControl.Find(new Uri(TaskTestHost.RabbitUri!).Port);
        try
        {
            await ctl.RunAsync("stop_app");
        }
        finally
        {
            await ctl.RunAsync("start_app");
        }
        await ctl.RunAsync("await_startup");

        // published while the client may still be reconnecting: the outbox takes them if the broker is not back yet
        var after = Enumerable.Range(0, 10).Select(i => host.Message(RecordingHandler.Type, new { i })).ToList();
        await host.Queue.EnqueueAsync(after);
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => before.Concat(after).All(m => host.Probe.Handled.ContainsKey(m.Id)), "all 40 delivered after the restart", 120);
    }

    /// <summary>rabbitmqctl with the environment the dev/test broker was started with (scripts/services.sh).</summary>
    private sealed class BrokerControl(Dictionary<string, string> env, string node)
    {
        public static BrokerControl Find(int amqpPort)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
                string text;
                try { text = File.ReadAllText(Path.Combine(dir, "environ")); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                var vars = text.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).Where(v => v.Length == 2)
                    .GroupBy(v => v[0]).ToDictionary(g => g.Key, g => g.First()[1]);
                if (vars.TryGetValue("RABBITMQ_NODE_PORT", out var port) && port == amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    && vars.TryGetValue("RABBITMQ_NODENAME", out var node) && vars.ContainsKey("HOME"))
                {
                    var env = vars.Where(kv => kv.Key.StartsWith("RABBITMQ_", StringComparison.Ordinal) || kv.Key.StartsWith("ERL_", StringComparison.Ordinal) || kv.Key == "HOME")
                        .ToDictionary(kv => kv.Key, kv => kv.Value);
                    return new BrokerControl(env, node);
                }
            }
            throw new InvalidOperationException($"No RabbitMQ node listening on {amqpPort} was found (start it with scripts/services.sh).");
        }

        public async Task RunAsync(string command)
        {
            var psi = new ProcessStartInfo("/usr/lib/rabbitmq/bin/rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-n", node, command }) psi.ArgumentList.Add(a);
            if (command == "await_startup") { psi.ArgumentList.Add("--timeout"); psi.ArgumentList.Add("120"); }
            foreach (var (k, v) in env) psi.Environment[k] = v;
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"rabbitmqctl {command}: {await stdout} {await stderr}");
        }
    }
}
