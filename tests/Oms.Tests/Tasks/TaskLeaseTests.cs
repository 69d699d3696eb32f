using Oms.Tasks;

namespace Oms.Tests.Tasks;

/// <summary>
/// The database queue leases per type: a process takes only the tasks its type slots can start now (the rest stay for
/// other processes and other types), and a slot freed wakes its kind's loop at once instead of after the idle poll.
/// </summary>
public abstract class TaskLeaseTests(QueueBackend backend)
{
    [Fact]
    public async Task A_process_holds_no_more_tasks_of_a_type_than_it_can_run()
    {
        // test.hold runs one at a time, in kind task whose other types leave plenty of kind slots free
        await using var host = await TaskTestHost.CreateAsync(backend);
        await host.Queue.EnqueueAsync(Enumerable.Range(0, 6).Select(_ => host.Message(HoldingHandler.Type, new { ms = 200 })).ToList());
        await host.StartWorkersAsync();
        var most = 0;
        await TaskTestHost.EventuallyAsync(() =>
        {
            most = Math.Max(most, host.Worker.Running(TaskKind.Task));
            return host.Probe.Handled.Count == 6;
        }, "6 held tasks done");
        Assert.Equal(1, most);
    }

    [Fact]
    public async Task A_freed_slot_takes_the_next_task_without_waiting_for_the_idle_poll()
    {
        // with a 5-minute idle poll, only the wake on a settled task can start the second and the third
        await using var host = await TaskTestHost.CreateAsync(backend, new() { ["Oms:Tasks:IdlePollMilliseconds"] = "300000" });
        await host.Queue.EnqueueAsync(Enumerable.Range(0, 3).Select(_ => host.Message(HoldingHandler.Type, new { ms = 50 })).ToList());
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.Count == 3, "3 tasks done one after the other", seconds: 60);
    }
}

public sealed class SqliteTaskLeaseTests() : TaskLeaseTests(QueueBackend.SqliteDatabase);

public sealed class PostgresTaskLeaseTests() : TaskLeaseTests(QueueBackend.PostgresDatabase);
