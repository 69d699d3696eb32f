using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Outbox;
using Oms.Tasks;
using Oms.Tests.Tasks;

namespace Oms.Tests.Outbox;

/// <summary>
/// <see cref="Oms.Outbox.Outbox.AddManyAsync"/> and the untracked enqueue it uses (<c>ITaskQueue.Enqueue(RowInserter, …)</c>):
/// the same rows as the tracked <see cref="Oms.Outbox.Outbox.Add"/>, in the caller's transaction, on every queue backend
/// (with RabbitMQ the rows are the relay's outbox, published after commit).
/// </summary>
public abstract class OutboxAddManyTests(QueueBackend backend)
{
    private static OutboundRequest Request(string key) => new(
        new MatrixPeer(MatrixPeerKinds.Shop, 42, "node-42", "secret-token", null, "taobao"), "store.logistics.offline.send",
        new JsonObject
        {
            ["tid"] = key, ["company_code"] = "SF", ["logistics_no"] = "SF100",
            ["items"] = new JsonArray(new JsonObject { ["bn"] = "商品A", ["num"] = 2, ["price"] = 12.50m }),
            ["memo"] = "请尽快 &=+%",
        }, key);

    /// <summary>Every property of the two rows is equal, but the ones named.</summary>
    private static void AssertSameColumns<T>(T expected, T actual, params string[] except)
    {
        foreach (var p in typeof(T).GetProperties().Where(p => !except.Contains(p.Name)))
            Assert.True(Equals(p.GetValue(expected), p.GetValue(actual)), $"{typeof(T).Name}.{p.Name}: {p.GetValue(expected)} ≠ {p.GetValue(actual)}");
    }

    [Fact]
    public async Task AddManyAsync_writes_the_rows_Add_writes_and_they_roll_back_with_the_caller()
    {
        await using var host = await TaskTestHost.CreateAsync(backend);
        string trackedId;
        IReadOnlyList<OutboxMessage> many;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<Oms.Outbox.Outbox>();
            await using var tx = await db.Database.BeginTransactionAsync();
            trackedId = outbox.Add(db, Request("ORD-1")).Id;
            await db.SaveChangesAsync();
            many = await outbox.AddManyAsync(db, [Request("ORD-1"), Request("ORD-2")]);
            // untracked: the context still knows only the tracked path's message and task
            Assert.Equal([trackedId], db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity.Id));
            Assert.Single(db.ChangeTracker.Entries<TaskQueueRow>());
            await tx.CommitAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var messages = await db.Set<OutboxMessage>().AsNoTracking().ToDictionaryAsync(m => m.Id);
            var tasks = await db.Set<TaskQueueRow>().AsNoTracking().ToDictionaryAsync(t => t.Id);
            Assert.Equal(3, messages.Count);
            Assert.Equal(3, tasks.Count);
            var tracked = messages[trackedId];
            var trackedTask = tasks[tracked.TaskMessageId!];
            Assert.Equal(["ORD-1", "ORD-2"], many.Select(m => m.BusinessKey));
            foreach (var m in many)
            {
                var row = messages[m.Id];
                Assert.Equal(m.TaskMessageId, row.TaskMessageId);
                var task = tasks[row.TaskMessageId!];
                // every column as the tracked path writes it, but the ids, times and what the request itself differs in
                AssertSameColumns(tracked, row, nameof(OutboxMessage.Id), nameof(OutboxMessage.TaskMessageId), nameof(OutboxMessage.BusinessKey),
                    nameof(OutboxMessage.Parameters), nameof(OutboxMessage.CreatedAt), nameof(OutboxMessage.UpdatedAt));
                Assert.Equal(tracked.Parameters.Replace("ORD-1", m.BusinessKey, StringComparison.Ordinal), row.Parameters);
                Assert.Equal(row.CreatedAt, row.UpdatedAt);
                Assert.InRange(row.CreatedAt - tracked.CreatedAt, TimeSpan.Zero, TimeSpan.FromMinutes(1));
                Assert.Equal(m.Id, JsonDocument.Parse(task.Payload).RootElement.GetProperty("id").GetString());
                AssertSameColumns(trackedTask, task, nameof(TaskQueueRow.Id), nameof(TaskQueueRow.Payload), nameof(TaskQueueRow.VisibleAt),
                    nameof(TaskQueueRow.CreatedAt), nameof(TaskQueueRow.UpdatedAt));
                Assert.Equal(task.CreatedAt, task.VisibleAt);
            }
            Assert.Equal(["ORD-1", "ORD-1", "ORD-2"], messages.Values.Select(m => m.BusinessKey).Order());
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<Oms.Outbox.Outbox>().AddManyAsync(db, [Request("ORD-3")]);
            await tx.RollbackAsync();
            Assert.Equal(3, await db.Set<OutboxMessage>().CountAsync());
            Assert.Equal(3, await db.Set<TaskQueueRow>().CountAsync());
        }
    }

    [Fact]
    public async Task Tasks_enqueued_untracked_in_a_transaction_are_delivered_once_after_commit()
    {
        await using var host = await TaskTestHost.CreateAsync(backend);
        var messages = Enumerable.Range(0, 5).Select(i => host.Message(RecordingHandler.Type, new { i })).ToList();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var rows = new RowInserter(db);
            host.Queue.Enqueue(rows, messages);
            await rows.ExecuteWithoutIdsAsync(CancellationToken.None);
            await tx.CommitAsync();
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var rows = new RowInserter(db);
            host.Queue.Enqueue(rows, [host.Message(RecordingHandler.Type, new { rolledBack = true })]);
            await rows.ExecuteWithoutIdsAsync(CancellationToken.None);
            await tx.RollbackAsync();
        }
        await host.StartWorkersAsync();
        await TaskTestHost.EventuallyAsync(() => host.Probe.Handled.Count == 5, "5 tasks handled");
        await TaskTestHost.EventuallyAsync(async () => (await host.Queue.DepthAsync())[TaskKind.Task].Waiting == 0, "queue empty");
        await host.StopWorkersAsync();
        Assert.All(messages, m => Assert.Equal(1, host.Probe.Handled[m.Id]));
        Assert.Equal(5, host.Probe.Handled.Count);
    }
}

public sealed class SqliteOutboxAddManyTests() : OutboxAddManyTests(QueueBackend.SqliteDatabase);

public sealed class PostgresOutboxAddManyTests() : OutboxAddManyTests(QueueBackend.PostgresDatabase);

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqOutboxAddManyTests() : OutboxAddManyTests(QueueBackend.RabbitMq);
