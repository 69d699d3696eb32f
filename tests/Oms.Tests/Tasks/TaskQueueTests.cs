using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Tests.Tasks;

/// <summary>The one queue suite: the same behaviour on the database queue (SQLite, PostgreSQL) and on RabbitMQ.</summary>
public abstract class TaskQueueTests(QueueBackend backend)
{
    private Task<TaskTestHost> HostAsync(Dictionary<string, string?>? extra = null) => TaskTestHost.CreateAsync(backend, extra);

    [Fact]
    public async Task Enqueued_tasks_are_handled_once_and_acknowledged()
    {
        await using var host = await HostAsync();
        var messages = Enumerable.Range(0, 25).Select(i => host.Message(RecordingHandler.Type, new { i })).ToList();
        await host.Queue.EnqueueAsync(messages);
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.Count == 25, "25 tasks handled");
        await TaskTestHost.EventuallyAsync(async () => (await host.Queue.DepthAsync())[TaskKind.Task].Waiting == 0, "queue empty");
        await host.StopWorkersAsync();
        Assert.All(messages, m => Assert.Equal(1, host.Probe.Handled[m.Id]));
        Assert.All(messages, m => Assert.Equal(1, host.Probe.Attempts(m.Id)));
        Assert.Empty(await host.WithManagerAsync(m => m.FailedAsync()));
        var status = await host.WithManagerAsync(m => m.StatusAsync());
        Assert.Equal(25, status.Single(s => s.Kind == TaskKind.Task).DoneLastMinute);
    }

    [Fact]
    public async Task Failing_task_is_retried_with_backoff_then_lands_on_the_failed_list_with_its_reason()
    {
        await using var host = await HostAsync();
        var broken = host.Message(RecordingHandler.Type, new { fail = true });
        var flaky = host.Message(RecordingHandler.Type, new { failUntil = 2 });
        await host.Queue.EnqueueAsync([broken, flaky]);
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(async () => (await host.WithManagerAsync(m => m.FailedAsync())).Count == 1, "the broken task on the failed list");
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.ContainsKey(flaky.Id), "the flaky task done on its second attempt");
        await host.StopWorkersAsync();

        Assert.Equal([1, 2, 3], host.Probe.Deliveries.Where(d => d.Id == broken.Id).Select(d => d.Attempt).Order());
        var failed = Assert.Single(await host.WithManagerAsync(m => m.FailedAsync()));
        Assert.Equal(broken.Id, failed.Id);
        Assert.Equal("always broken", failed.LastError);
        Assert.Equal(3, failed.Attempts);
        var attempts = await host.WithManagerAsync(m => m.AttemptsAsync(broken.Id));
        Assert.Equal(["retry", "retry", "failed"], attempts.Select(a => a.Outcome));
        Assert.All(attempts, a => Assert.Equal("always broken", a.Error));

        Assert.Equal([1, 2], host.Probe.Deliveries.Where(d => d.Id == flaky.Id).Select(d => d.Attempt).Order());
        Assert.Equal("not yet (attempt 1)", Assert.Single(await host.WithManagerAsync(m => m.AttemptsAsync(flaky.Id))).Error);
    }

    [Fact]
    public async Task Failed_tasks_can_be_retried_with_attempts_reset_or_discarded()
    {
        await using var host = await HostAsync();
        var retried = host.Message(RecordingHandler.Type, new { fail = true });
        var discarded = host.Message(RecordingHandler.Type, new { fail = true });
        await host.Queue.EnqueueAsync([retried, discarded]);
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(async () => (await host.WithManagerAsync(m => m.FailedAsync())).Count == 2, "both on the failed list");

        host.Probe.Healed = true;
        await host.WithManagerAsync(async m => { await m.RetryFailedAsync(retried.Id, "tester"); await m.DiscardFailedAsync(discarded.Id, "tester"); return 0; });
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.ContainsKey(retried.Id), "the retried task done");
        // a marker enqueued after the discard: once it is handled, anything still queued before it would have been too
        var marker = host.Message(RecordingHandler.Type);
        await host.Queue.EnqueueAsync([marker]);
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.ContainsKey(marker.Id), "the marker done");
        await host.StopWorkersAsync();

        Assert.Equal([1, 1, 2, 3], host.Probe.Deliveries.Where(d => d.Id == retried.Id).Select(d => d.Attempt).Order());
        Assert.Equal(3, host.Probe.Attempts(discarded.Id));
        Assert.False(host.Probe.Handled.ContainsKey(discarded.Id));
        Assert.Empty(await host.WithManagerAsync(m => m.FailedAsync()));
        await using var scope = host.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Admin.AuditEntry>().Select(a => a.Action).ToListAsync();
        Assert.Contains("tasks.retry", audit);
        Assert.Contains("tasks.discard", audit);
    }

    [Fact]
    public async Task An_unacknowledged_delivery_comes_back_with_the_same_message_id()
    {
        await using var host = await HostAsync(new() { ["Oms:Tasks:LeaseSeconds"] = "1" });
        var m = host.Message(RecordingHandler.Type);
        await host.Queue.EnqueueAsync([m]);

        var first = await host.Queue.OpenConsumerAsync(TaskKind.Task, 4);
        IReadOnlyList<LeasedTask> got = [];
        await TaskTestHost.EventuallyAsync(async () => (got = await first.ReceiveAsync(4, null, TimeSpan.FromMilliseconds(100), null, CancellationToken.None)).Count > 0, "first delivery");
        Assert.Equal(m.Id, Assert.Single(got).Message.Id);
        // the worker dies without acknowledging: the lease expires (database) or the channel closes (RabbitMQ)
        await first.DisposeAsync();

        await using var second = await host.Queue.OpenConsumerAsync(TaskKind.Task, 4);
        await TaskTestHost.EventuallyAsync(async () => (got = await second.ReceiveAsync(4, null, TimeSpan.FromMilliseconds(100), null, CancellationToken.None)).Count > 0, "redelivery");
        var again = Assert.Single(got);
        Assert.Equal(m.Id, again.Message.Id);
        Assert.Equal(m.Payload, again.Message.Payload);
        Assert.Equal(RecordingHandler.Type, again.Message.Type);
        if (backend != QueueBackend.RabbitMq) Assert.Equal(2, again.Message.Attempt);
        await second.AckAsync([again], CancellationToken.None);
        await TaskTestHost.EventuallyAsync(async () => (await host.Queue.DepthAsync())[TaskKind.Task].Waiting == 0, "acknowledged");
    }

    [Fact]
    public async Task A_task_type_never_runs_more_than_its_maximum_concurrency()
    {
        await using var host = await HostAsync();
        var messages = Enumerable.Range(0, 12).Select(_ => host.Message(SlowHandler.Type)).ToList();
        await host.Queue.EnqueueAsync(messages);
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.Count == 12, "12 slow tasks done");
        await host.StopWorkersAsync();
        Assert.Equal(2, host.Probe.MaxRunning);
    }

    [Fact]
    public async Task Enqueue_inside_a_rolled_back_business_transaction_delivers_nothing()
    {
        await using var host = await HostAsync();
        var rolledBack = host.Message(RecordingHandler.Type);
        var committed = host.Message(RecordingHandler.Type);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var queue = scope.ServiceProvider.GetRequiredService<ITaskQueue>();
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                queue.Enqueue(db, [rolledBack]);
                scope.ServiceProvider.GetRequiredService<Oms.Admin.AuditLog>().Record("test.change", "x");
                await db.SaveChangesAsync();
                await tx.RollbackAsync();
            }
            db.ChangeTracker.Clear();
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                queue.Enqueue(db, [committed]);
                await db.SaveChangesAsync();
                await tx.CommitAsync();
            }
        }
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.ContainsKey(committed.Id), "the committed task done");
        await TaskTestHost.EventuallyAsync(async () => (await host.Queue.DepthAsync())[TaskKind.Task].Waiting == 0, "nothing else waiting");
        await host.StopWorkersAsync();
        Assert.Equal(0, host.Probe.Attempts(rolledBack.Id));
    }

    [Fact]
    public async Task A_stopped_kind_takes_no_new_tasks_until_started_again()
    {
        await using var host = await HostAsync();
        await host.StartWorkersAsync();
        await host.WithManagerAsync(async m => { await m.StopAsync(TaskKind.Task, "tester"); return 0; });
        await TaskTestHost.EventuallyAsync(() => !host.Worker.IsConsuming(TaskKind.Task) && host.Worker.IsConsuming(TaskKind.Export), "the task kind's consumer closed");

        var waiting = Enumerable.Range(0, 3).Select(_ => host.Message(RecordingHandler.Type)).ToList();
        var other = host.Message(SlowHandler.Type);
        await host.Queue.EnqueueAsync([.. waiting, other]);
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.ContainsKey(other.Id), "another kind still runs");
        var ticks = host.Worker.ControlTicks;
        await TaskTestHost.EventuallyAsync(() => host.Worker.ControlTicks >= ticks + 3, "three more control rounds");
        Assert.Empty(host.Probe.Deliveries);
        var status = await host.WithManagerAsync(m => m.StatusAsync());
        var task = status.Single(s => s.Kind == TaskKind.Task);
        Assert.True(task.Stopped);
        Assert.Equal(3, task.Waiting);
        Assert.False(status.Single(s => s.Kind == TaskKind.Export).Stopped);

        await host.WithManagerAsync(async m => { await m.StartAsync(TaskKind.Task, "tester"); return 0; });
        await TaskTestHost.EventuallyAsync(() => waiting.All(w => host.Probe.Handled.ContainsKey(w.Id)), "the waiting tasks done after start");
    }
}

public sealed class SqliteTaskQueueTests() : TaskQueueTests(QueueBackend.SqliteDatabase);

public sealed class PostgresTaskQueueTests() : TaskQueueTests(QueueBackend.PostgresDatabase);

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqTaskQueueTests() : TaskQueueTests(QueueBackend.RabbitMq);

/// <summary>RabbitMQ tests share one broker, and one of them restarts it: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RabbitMqCollection
{
    public const string Name = "rabbitmq";
}
