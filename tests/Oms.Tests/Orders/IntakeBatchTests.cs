using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Orders;

/// <summary>
/// The batch writer of the tests: the same writer, with a commit that can be held back (so the calls sent
/// meanwhile all land in the next batch) or made to fail.
/// </summary>
public sealed class HeldBatchWriter(IServiceScopeFactory scopes, MatrixBatchOptions options, ILogger<MatrixBatchWriter> logger)
    : MatrixBatchWriter(scopes, options, logger)
{
    private TaskCompletionSource? _hold;
    private bool _failNext;

    /// <summary>Sizes of the batches that reached their commit.</summary>
    public List<int> Committed { get; } = [];

    /// <summary>The next commit waits until <see cref="ReleaseAsync"/>.</summary>
    public void HoldNextCommit() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits until <paramref name="waiting"/> calls queue behind the held batch, then lets it commit; the batch after it fails to commit if asked.</summary>
    public async Task ReleaseAsync(int waiting, bool failTheNextCommit = false)
    {
        // not a timed assertion: waits for the calls to arrive, however long that takes
        while (Waiting < waiting) await Task.Delay(10);
        _failNext = failTheNextCommit;
        _hold!.SetResult();
    }

    protected override async Task CommitAsync(IDbContextTransaction tx, int calls)
    {
        lock (Committed) Committed.Add(calls);
        if (_hold is { } hold)
        {
            await hold.Task;
            _hold = null;
            await base.CommitAsync(tx, calls);
            return;
        }
        if (_failNext)
        {
            _failNext = false;
            throw new InvalidOperationException("commit failed (test)");
        }
        await base.CommitAsync(tx, calls);
    }
}

/// <summary>
/// A set-wise method of the tests (<c>test.flaky_set</c>): the set writes an API log row (<c>flaky.set</c>) and then, as
/// the calls ask, fails (<c>set=throw</c>) or hands every call back (<c>set=alone</c>); alone, a call writes <c>flaky.alone</c>
/// and answers its <c>n</c> — or fails once when it carries <c>fail_once=1</c>.
/// </summary>
internal sealed class FlakySetMethod(OmsDbContext db) : IMatrixBatchMethod
{
    public const string MethodName = "test.flaky_set";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> FailedOnce = new();

    public string Name => MethodName;

    public async Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        if (request.Optional("fail_once") == "1" && FailedOnce.TryAdd(request.Task!, true))
            throw new InvalidOperationException("fails once (test)");
        await WriteAsync("flaky.alone", request, ct);
        return new { n = request.Required("n") };
    }

    /// <summary>PostgreSQL's <c>plan_cache_mode</c> as the last set saw it.</summary>
    public static string? PlanCacheMode { get; private set; }

    public async Task<IReadOnlyList<MatrixBatchOutcome>> InvokeManyAsync(IReadOnlyList<MatrixRequest> requests, object? prepared, SqlBatch writes, CancellationToken ct)
    {
        if (writes.IsNpgsql)
            PlanCacheMode = await db.Database.SqlQueryRaw<string>("SELECT current_setting('plan_cache_mode') AS \"Value\"").SingleAsync(ct);
        foreach (var r in requests) await WriteAsync("flaky.set", r, ct);
        if (requests.Any(r => r.Optional("set") == "throw")) throw new InvalidOperationException("the set fails (test)");
        return requests.Select(_ => MatrixBatchOutcome.Alone).ToList();
    }

    private async Task WriteAsync(string what, MatrixRequest r, CancellationToken ct)
    {
        db.Add(new Oms.Outbox.ApiLogEntry { Direction = "in", Method = what, Status = "succ", Attempt = 1, BusinessKey = r.Required("key"), CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync(ct);
    }
}

public abstract class BatchedServerFixture(DatabaseProvider provider) : ServerFixture(provider)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Oms:Matrix:Batch:Methods", "ome.order.add," + FlakySetMethod.MethodName)];

    protected override void ConfigureServices(IServiceCollection services)
    {
        // registered before the host's own, which then keeps it (TryAdd)
        services.AddSingleton<HeldBatchWriter>();
        services.AddSingleton<MatrixBatchWriter>(sp => sp.GetRequiredService<HeldBatchWriter>());
        services.AddScoped<IMatrixMethod, FlakySetMethod>();
    }

    public HeldBatchWriter Writer => Services.GetRequiredService<HeldBatchWriter>();
}

public sealed class SqliteBatchedServerFixture() : BatchedServerFixture(DatabaseProvider.Sqlite);

public sealed class PostgresBatchedServerFixture() : BatchedServerFixture(DatabaseProvider.Postgres);

/// <summary>Group commit of <c>ome.order.add</c>: several calls in one transaction, each answered after its commit, each undone alone.</summary>
public abstract class IntakeBatchTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : BatchedServerFixture
{
    private static readonly DateTime T0 = new(2026, 3, 1, 2, 0, 0, DateTimeKind.Utc);

    /// <summary>Holds a batch (one order) at its commit, sends <paramref name="forms"/> meanwhile, releases: they form the next batch.</summary>
    private async Task<List<(string Text, JsonElement Answer)>> OneBatchAsync(OrderIntakeKit k, IReadOnlyList<Dictionary<string, string>> forms, bool failCommit = false)
    {
        var writer = server.Writer;
        var before = writer.Committed.Count;
        writer.HoldNextCommit();
        var held = k.Matrix.PostAsync(k.Form("ome.order.add", OrderIntakeKit.OrderFields(k.NewBn(), [new Line(k.SA, 1)], T0)));
        while (writer.Committed.Count == before && !held.IsCompleted) await Task.Delay(10);
        Assert.False(held.IsCompleted, held.IsCompleted ? (await held).Text : "");
        var calls = forms.Select(f => k.Matrix.PostAsync(f)).ToList();
        await writer.ReleaseAsync(forms.Count, failCommit);
        Assert.Equal("succ", (await held).Answer.GetProperty("rsp").GetString());
        var answers = (await Task.WhenAll(calls)).ToList();
        Assert.Equal(forms.Count, writer.Committed[before + 1]);
        return answers;
    }

    private static string Rsp((string Text, JsonElement Answer) a) => a.Answer.GetProperty("rsp").GetString()!;

    private static string? State((string Text, JsonElement Answer) a) =>
        a.Answer.GetProperty("data").ValueKind == JsonValueKind.Object ? a.Answer.GetProperty("data").GetProperty("state").GetString() : null;

    [Fact]
    public async Task A_refused_order_in_a_batch_is_undone_alone_and_its_refusal_remembered()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var paid = k.NewBn();
        Assert.Equal("created", await k.PushOrderAsync(paid, [new Line(k.SB, 2)], T0));
        var good = Enumerable.Range(0, 4).Select(_ => k.NewBn()).ToList();
        var bad = OrderIntakeKit.OrderFields(k.NewBn(), [new Line(k.SA, 1)], T0);
        bad["pay_status"] = "9";
        var cancelPaid = OrderIntakeKit.OrderFields(paid, [new Line(k.SB, 2)], T0.AddMinutes(1), status: "dead");
        var forms = good.Select(bn => k.Form("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SA, 1), new Line(k.SAB, 1)], T0))).ToList();
        forms.Insert(1, k.Form("ome.order.add", bad, "bad-" + Guid.NewGuid().ToString("N")));
        forms.Insert(3, k.Form("ome.order.add", cancelPaid, "cancel-" + Guid.NewGuid().ToString("N")));

        var answers = await OneBatchAsync(k, forms);

        Assert.Equal(["succ", "fail", "succ", "fail", "succ", "succ"], answers.Select(Rsp));
        Assert.Equal(MatrixCodes.InvalidParameters, answers[1].Answer.GetProperty("res").GetString());
        Assert.Equal(MatrixCodes.BusinessRefused, answers[3].Answer.GetProperty("res").GetString());
        foreach (var bn in good) Assert.Equal(1, await k.OrderCountAsync(bn));
        Assert.Equal(0, await k.OrderCountAsync(bad["order_bn"]));
        Assert.Equal(Oms.Orders.OrderStatus.Active, (await k.OrderAsync(paid)).Status);
        // the refusals were committed with the batch: a repeat gets the first answer
        var (_, again) = await k.Matrix.PostAsync(forms[3]);
        Assert.Equal(answers[3].Answer.GetProperty("msg").GetString(), again.GetProperty("msg").GetString());
        // A: 4 good × (SA 1 + SAB 1) + the held order's 1; B: SAB 2 each + the paid order's 2
        Assert.Equal((9, 10), (await k.ShopFreezeAsync(k.A), await k.ShopFreezeAsync(k.B)));
        await k.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Repeats_of_one_order_in_one_batch_create_it_once_and_freeze_once()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bn = k.NewBn();
        var fields = OrderIntakeKit.OrderFields(bn, [new Line(k.SB, 3)], T0);
        var sameTask = k.Form("ome.order.add", fields);
        var forms = new List<Dictionary<string, string>> { sameTask, sameTask };
        forms.AddRange(Enumerable.Range(0, 6).Select(_ => k.Form("ome.order.add", fields)));

        var answers = await OneBatchAsync(k, forms);

        Assert.All(answers, a => Assert.Equal("succ", Rsp(a)));
        // the calls arrive in any order: one of them created the order, every other saw it
        // (answers[1] repeats answers[0]'s task: the same answer, whichever it was)
        Assert.Equal(answers[0].Text, answers[1].Text);
        var distinct = answers.Where((_, i) => i != 1).Select(State).ToList();
        Assert.Single(distinct, s => s == "created");
        Assert.Equal(distinct.Count - 1, distinct.Count(s => s == "unchanged"));
        Assert.Equal(1, await k.OrderCountAsync(bn));
        Assert.Equal(3, await k.ShopFreezeAsync(k.B));
        await k.AssertInvariantsAsync();
    }

    private async Task<int> FlakyRowsAsync(string method, string key)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Outbox.ApiLogEntry>()
            .CountAsync(e => e.Method == method && e.BusinessKey == key);
    }

    [Fact]
    public async Task A_single_call_runs_as_a_set_and_on_PostgreSQL_with_generic_plans()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var key = "one-" + Guid.NewGuid().ToString("N")[..8];
        var form = k.Form(FlakySetMethod.MethodName, new Dictionary<string, string> { ["key"] = key, ["n"] = "7", ["set"] = "alone" });

        var answer = await k.Matrix.PostAsync(form);

        Assert.Equal("7", answer.Answer.GetProperty("data").GetProperty("n").GetString());
        // the set ran (and handed the call back), then the call ran alone
        Assert.Equal((1, 1), (await FlakyRowsAsync("flaky.set", key), await FlakyRowsAsync("flaky.alone", key)));
        if (server.Provider == DatabaseProvider.Postgres) Assert.Equal("force_generic_plan", FlakySetMethod.PlanCacheMode);
    }

    [Fact]
    public async Task A_set_that_fails_is_undone_and_each_of_its_calls_runs_alone()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var key = "set-" + Guid.NewGuid().ToString("N")[..8];
        var forms = Enumerable.Range(0, 3).Select(i => k.Form(FlakySetMethod.MethodName, new Dictionary<string, string>
            { ["key"] = key, ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["set"] = "throw" })).ToList();

        var answers = await OneBatchAsync(k, forms);

        Assert.Equal(["0", "1", "2"], answers.Select(a => a.Answer.GetProperty("data").GetProperty("n").GetString()));
        Assert.Equal((0, 3), (await FlakyRowsAsync("flaky.set", key), await FlakyRowsAsync("flaky.alone", key)));
        // each call is in the API log once: whatever the undone set wrote of it went with the set
        await FlushApiLogAsync();
        await using (var scope = server.Services.CreateAsyncScope())
            Assert.Equal(3, await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Outbox.ApiLogEntry>()
                .CountAsync(e => e.Method == FlakySetMethod.MethodName && e.Status == "succ" && e.Parameters!.Contains(key)));
        // the alone runs claimed their tasks: a repeat gets the stored answer and runs nothing
        Assert.Equal(answers[1].Text, (await k.Matrix.PostAsync(forms[1])).Text);
        Assert.Equal(3, await FlakyRowsAsync("flaky.alone", key));
    }

    [Fact]
    public async Task A_call_handed_back_by_its_set_that_fails_alone_keeps_nothing_and_its_task_can_be_sent_again()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var key = "alone-" + Guid.NewGuid().ToString("N")[..8];
        var ok = k.Form(FlakySetMethod.MethodName, new Dictionary<string, string> { ["key"] = key, ["n"] = "1", ["set"] = "alone" });
        var flaky = k.Form(FlakySetMethod.MethodName, new Dictionary<string, string> { ["key"] = key, ["n"] = "2", ["set"] = "alone", ["fail_once"] = "1" });

        var answers = await OneBatchAsync(k, [ok, flaky]);

        Assert.Equal("succ", Rsp(answers[0]));
        Assert.Equal(MatrixCodes.InternalError, answers[1].Answer.GetProperty("res").GetString());
        // the set's rows stay (it handed its calls back without failing); the failed call wrote nothing
        Assert.Equal((2, 1), (await FlakyRowsAsync("flaky.set", key), await FlakyRowsAsync("flaky.alone", key)));
        // its task was not left claimed without an answer: sent again, it runs
        var again = await k.Matrix.PostAsync(flaky);
        Assert.Equal("2", again.Answer.GetProperty("data").GetProperty("n").GetString());
        Assert.Equal(2, await FlakyRowsAsync("flaky.alone", key));
    }

    [Fact]
    public async Task A_failed_commit_answers_every_caller_5000_and_stores_nothing_of_the_batch()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        var bns = Enumerable.Range(0, 5).Select(_ => k.NewBn()).ToList();
        var forms = bns.Select(bn => k.Form("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SB, 1)], T0))).ToList();

        var answers = await OneBatchAsync(k, forms, failCommit: true);

        Assert.All(answers, a => Assert.Equal(MatrixCodes.InternalError, a.Answer.GetProperty("res").GetString()));
        foreach (var bn in bns) Assert.Equal(0, await k.OrderCountAsync(bn));
        Assert.Equal(0, await k.ShopFreezeAsync(k.B));
        // nothing was remembered either: the same tasks sent again are stored now
        foreach (var f in forms) Assert.Equal("created", State(await k.Matrix.PostAsync(f)));
        Assert.Equal(5, await k.ShopFreezeAsync(k.B));
        await k.AssertInvariantsAsync();
    }

    /// <summary>Waits until every entry posted so far is written (the API log writer takes its queue in order).</summary>
    private async Task FlushApiLogAsync()
    {
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        server.Services.GetRequiredService<Oms.Outbox.ApiLogWriter>().Post(new Oms.Outbox.ApiLogEntry { Direction = "in", Method = "test.marker", Status = "succ", Attempt = 1, BusinessKey = marker });
        await using var scope = server.Services.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Outbox.ApiLogEntry>().AsNoTracking();
        // not a timed assertion: waits for the writer, however long that takes
        while (!await log.AnyAsync(e => e.BusinessKey == marker)) await Task.Delay(10);
    }

    /// <summary>Waits until every entry posted so far is written, then answers <paramref name="key"/>'s entries.</summary>
    private async Task<List<(string Status, string? ErrorCode)>> ApiLogOfAsync(string key)
    {
        await FlushApiLogAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Outbox.ApiLogEntry>().AsNoTracking();
        return (await log.Where(e => e.BusinessKey == key && e.Method == "ome.order.add").Select(e => new { e.Status, e.ErrorCode }).ToListAsync())
            .Select(e => (e.Status, e.ErrorCode)).ToList();
    }

    [Fact]
    public async Task Every_call_of_a_batch_is_in_the_API_log_once_with_its_answer_also_when_the_commit_fails()
    {
        using var k = await OrderIntakeKit.CreateAsync(server);
        Dictionary<string, string> Push(string bn) => k.Form("ome.order.add", OrderIntakeKit.OrderFields(bn, [new Line(k.SB, 1)], T0));
        var stored = Enumerable.Range(0, 3).Select(_ => k.NewBn()).ToList();
        var lost = Enumerable.Range(0, 3).Select(_ => k.NewBn()).ToList();

        await OneBatchAsync(k, stored.Select(Push).ToList());
        {
            // the entries were committed with their calls (SQLite: every call's; PostgreSQL: those a set answered, in the
            // set's last command), so they are there when the answers arrive
            await using var scope = server.Services.CreateAsyncScope();
            var log = scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Oms.Outbox.ApiLogEntry>();
            foreach (var bn in stored) Assert.Equal(1, await log.CountAsync(e => e.BusinessKey == bn && e.Status == "succ"));
        }
        await OneBatchAsync(k, lost.Select(Push).ToList(), failCommit: true);

        foreach (var bn in stored) Assert.Equal([("succ", null)], await ApiLogOfAsync(bn));
        // the entries written in the failed transaction went with it: the endpoints posted the answers the callers got
        foreach (var bn in lost) Assert.Equal([("fail", MatrixCodes.InternalError)], await ApiLogOfAsync(bn));
    }
}

public sealed class SqliteIntakeBatchTests(SqliteBatchedServerFixture server) : IntakeBatchTests<SqliteBatchedServerFixture>(server);

public sealed class PostgresIntakeBatchTests(PostgresBatchedServerFixture server) : IntakeBatchTests<PostgresBatchedServerFixture>(server);

/// <summary>Every intake behaviour again with group commit on.</summary>
public sealed class SqliteBatchedOrderIntakeTests(SqliteBatchedServerFixture server) : OrderIntakeTests<SqliteBatchedServerFixture>(server);

public sealed class PostgresBatchedOrderIntakeTests(PostgresBatchedServerFixture server) : OrderIntakeTests<PostgresBatchedServerFixture>(server);

public sealed class SqliteBatchedIntakeLoadTests(SqliteBatchedServerFixture server) : IntakeLoadTests<SqliteBatchedServerFixture>(server);

public sealed class PostgresBatchedIntakeLoadTests(PostgresBatchedServerFixture server) : IntakeLoadTests<PostgresBatchedServerFixture>(server);
