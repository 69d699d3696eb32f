using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Integration.Matrix;
using Oms.Outbox;
using Oms.Tasks;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Matrix;

/// <summary>The <c>/api</c> envelope of PROTOCOL.md §2 through real HTTP: codes, precedence, de-duplication, API log.</summary>
public abstract class MatrixApiTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static string Bn() => "T" + Guid.NewGuid().ToString("N")[..12];
    private static string NewTask() => "task-" + Guid.NewGuid().ToString("N");

    private Task<int> Effects(string bn) => MatrixTestClient.EffectsAsync(server, bn);

    [Fact]
    public async Task A_signed_call_answers_succ_with_data_in_utf8_and_has_one_effect()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var (text, answer) = await c.PostAsync(c.Probe(bn, extra: new Dictionary<string, string> { ["qty"] = "3" }));
        Assert.StartsWith("""{"rsp":"succ","res":"","data":{""", text);
        Assert.Contains("已创建", text);
        Assert.DoesNotContain("\\u", text);
        var data = answer.GetProperty("data");
        Assert.Equal(bn, data.GetProperty("order_bn").GetString());
        Assert.Equal(3, data.GetProperty("qty").GetInt32());
        Assert.Equal(c.NodeId, data.GetProperty("node").GetString());
        Assert.Equal(MatrixNodeKinds.Shop, data.GetProperty("kind").GetString());
        Assert.Equal(1, await Effects(bn));
    }

    [Fact]
    public async Task The_alias_path_answers_the_same()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var (_, answer) = await c.PostAsync(c.Probe(bn), "/index.php/api");
        Assert.Equal("succ", answer.GetProperty("rsp").GetString());
        Assert.Equal(1, await Effects(bn));
    }

    [Fact]
    public async Task Unknown_node_is_4004_even_with_a_bad_sign_and_an_old_date()
    {
        using var c = new MatrixTestClient(server, "nobody-" + Guid.NewGuid().ToString("N")[..8], "whatever");
        var bn = Bn();
        var form = c.Probe(bn, dateUtc: DateTime.UtcNow.AddHours(-2));
        form["sign"] = "0123456789ABCDEF0123456789ABCDEF";
        await c.FailAsync(form, MatrixCodes.NodeNotBound);
        var missing = c.Probe(bn);
        missing.Remove("node_id");
        await c.FailAsync(missing, MatrixCodes.NodeNotBound);
        Assert.Equal(0, await Effects(bn));
    }

    [Fact]
    public async Task Bad_or_missing_sign_is_4003_even_with_an_old_date_and_unknown_method()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var form = c.Form("no.such.method", new Dictionary<string, string> { ["order_bn"] = bn }, dateUtc: DateTime.UtcNow.AddHours(-1));
        form["sign"] = "0123456789ABCDEF0123456789ABCDEF";
        await c.FailAsync(form, MatrixCodes.SignError);
        var tampered = c.Probe(bn);
        tampered["order_bn"] = bn + "x";
        await c.FailAsync(tampered, MatrixCodes.SignError);
        var unsigned = c.Probe(bn);
        unsigned.Remove("sign");
        await c.FailAsync(unsigned, MatrixCodes.SignError);
        // signed with another shop's token
        using var other = await MatrixTestClient.ForNewShopAsync(server);
        await c.FailAsync(c.Probe(bn, signWith: other.Token), MatrixCodes.SignError);
        Assert.Equal(0, await Effects(bn));
        Assert.Equal(0, await Effects(bn + "x"));
    }

    [Fact]
    public async Task Date_outside_the_window_missing_or_unparseable_is_4005()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        await c.FailAsync(c.Probe(bn, dateUtc: DateTime.UtcNow.AddMinutes(-11)), MatrixCodes.DateOutOfWindow);
        await c.FailAsync(c.Probe(bn, dateUtc: DateTime.UtcNow.AddMinutes(11)), MatrixCodes.DateOutOfWindow);
        // an old date beats an unknown method
        await c.FailAsync(c.Form("no.such.method", dateUtc: DateTime.UtcNow.AddMinutes(-30)), MatrixCodes.DateOutOfWindow);
        foreach (var bad in new[] { "", "yesterday", "2024/01/01 10:00:00" })
        {
            var form = c.Form(ProbeMatrixMethod.MethodName, new Dictionary<string, string> { ["order_bn"] = bn, ["date"] = bad });
            await c.FailAsync(form, MatrixCodes.DateOutOfWindow);
        }
        var none = c.Probe(bn);
        none.Remove("date");
        none["sign"] = Oms.Integration.MatrixSignature.Sign(none.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), c.Token);
        await c.FailAsync(none, MatrixCodes.DateOutOfWindow);
        Assert.Equal(0, await Effects(bn));
    }

    [Fact]
    public async Task Unknown_or_missing_method_is_4001()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var msg = await c.FailAsync(c.Form("ome.nothing.here"), MatrixCodes.UnknownMethod);
        Assert.Contains("ome.nothing.here", msg);
        await c.FailAsync(c.Form(""), MatrixCodes.UnknownMethod);
    }

    [Fact]
    public async Task Invalid_parameters_are_4006_naming_the_field_and_write_nothing()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var missing = c.Form(ProbeMatrixMethod.MethodName, new Dictionary<string, string> { ["order_bn"] = "" });
        Assert.Contains("order_bn", await c.FailAsync(missing, MatrixCodes.InvalidParameters));
        // the probe has saved its row when it reads qty: the refusal must roll it back
        var bn = Bn();
        var msg = await c.FailAsync(c.Probe(bn, extra: new Dictionary<string, string> { ["qty"] = "many" }), MatrixCodes.InvalidParameters);
        Assert.Contains("qty", msg);
        Assert.Equal(0, await Effects(bn));
    }

    [Fact]
    public async Task A_business_refusal_is_4007_with_the_reason_and_writes_nothing()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var msg = await c.FailAsync(c.Probe(bn, extra: new Dictionary<string, string> { ["refuse"] = "订单已发货" }), MatrixCodes.BusinessRefused);
        Assert.Equal("订单已发货", msg);
        Assert.Equal(0, await Effects(bn));
    }

    [Fact]
    public async Task An_internal_error_is_5000_writes_nothing_and_is_not_remembered()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var task = NewTask();
        await c.FailAsync(c.Probe(bn, task, new Dictionary<string, string> { ["crash"] = "1" }), MatrixCodes.InternalError);
        Assert.Equal(0, await Effects(bn));
        Assert.Equal(0, await MatrixTestClient.RememberedAsync(server, c.NodeId, task));
        // the retry of the same task runs again
        var (_, answer) = await c.PostAsync(c.Probe(bn, task));
        Assert.Equal("succ", answer.GetProperty("rsp").GetString());
        Assert.Equal(1, await Effects(bn));
    }

    [Fact]
    public async Task The_system_token_signs_too_when_set()
    {
        const string system = "system-token-for-tests";
        using var own = await MatrixTestClient.ForNewShopAsync(server);
        using var tokenless = await MatrixTestClient.ForNewShopAsync(server, token: "");
        var bn1 = Bn();
        var bn2 = Bn();
        // not set: nothing but the shop's own token signs, and an empty token never does
        await own.FailAsync(own.Probe(bn1, signWith: system), MatrixCodes.SignError);
        await tokenless.FailAsync(tokenless.Probe(bn2, signWith: ""), MatrixCodes.SignError);
        await SetSystemTokenAsync(system);
        try
        {
            Assert.Equal("succ", (await own.PostAsync(own.Probe(bn1, signWith: system))).Answer.GetProperty("rsp").GetString());
            Assert.Equal("succ", (await own.PostAsync(own.Probe(bn1))).Answer.GetProperty("rsp").GetString());
            Assert.Equal("succ", (await tokenless.PostAsync(tokenless.Probe(bn2, signWith: system))).Answer.GetProperty("rsp").GetString());
            await tokenless.FailAsync(tokenless.Probe(bn2, signWith: ""), MatrixCodes.SignError);
        }
        finally
        {
            await SetSystemTokenAsync("");
        }
        Assert.Equal(2, await Effects(bn1));
        Assert.Equal(1, await Effects(bn2));
    }

    private async Task SetSystemTokenAsync(string value)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SettingsService>().SetAsync(MatrixGateway.SystemTokenSetting, value, "test");
    }

    [Fact]
    public async Task A_repeated_task_answers_the_first_answer_byte_for_byte_and_has_no_second_effect()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var task = NewTask();
        var first = await c.PostAsync(c.Probe(bn, task, new Dictionary<string, string> { ["qty"] = "1" }));
        Assert.Equal("succ", first.Answer.GetProperty("rsp").GetString());
        // a later push with the same task, another date and other content: still the first answer
        var again = await c.PostAsync(c.Probe(bn, task, new Dictionary<string, string> { ["qty"] = "2" }, DateTime.UtcNow.AddMinutes(-5)));
        Assert.Equal(first.Text, again.Text);
        var refused = await c.PostAsync(c.Probe(bn, task, new Dictionary<string, string> { ["refuse"] = "no" }));
        Assert.Equal(first.Text, refused.Text);
        Assert.Equal(1, await Effects(bn));
        Assert.Equal(1, await MatrixTestClient.RememberedAsync(server, c.NodeId, task));

        // the same task from another node is another request
        using var other = await MatrixTestClient.ForNewShopAsync(server);
        var fromOther = await other.PostAsync(other.Probe(bn, task));
        Assert.Equal("succ", fromOther.Answer.GetProperty("rsp").GetString());
        Assert.NotEqual(first.Text, fromOther.Text);
        Assert.Equal(2, await Effects(bn));
    }

    [Fact]
    public async Task A_refused_first_answer_is_remembered_and_its_change_rolled_back()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var task = NewTask();
        var first = await c.PostAsync(c.Probe(bn, task, new Dictionary<string, string> { ["refuse"] = "库存不足" }));
        Assert.Equal("4007", first.Answer.GetProperty("res").GetString());
        Assert.Equal(0, await Effects(bn));
        var retry = await c.PostAsync(c.Probe(bn, task));
        Assert.Equal(first.Text, retry.Text);
        Assert.Equal(0, await Effects(bn));

        var task2 = NewTask();
        var bad = await c.PostAsync(c.Probe(bn, task2, new Dictionary<string, string> { ["qty"] = "0" }));
        Assert.Equal("4006", bad.Answer.GetProperty("res").GetString());
        Assert.Equal(bad.Text, (await c.PostAsync(c.Probe(bn, task2))).Text);
        Assert.Equal(0, await Effects(bn));
    }

    [Fact]
    public async Task Ten_concurrent_identical_pushes_have_exactly_one_effect_and_one_answer()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var form = c.Probe(bn, NewTask(), new Dictionary<string, string> { ["delay_ms"] = "200" });
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => c.PostAsync(form)));
        Assert.All(answers, a => Assert.Equal("succ", a.Answer.GetProperty("rsp").GetString()));
        Assert.Single(answers.Select(a => a.Text).Distinct());
        Assert.Equal(1, await Effects(bn));
    }

    [Fact]
    public async Task A_request_that_failed_the_signature_is_not_remembered()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var task = NewTask();
        var bad = c.Probe(bn, task);
        bad["sign"] = "0123456789ABCDEF0123456789ABCDEF";
        await c.FailAsync(bad, MatrixCodes.SignError);
        await c.FailAsync(bad, MatrixCodes.SignError);
        Assert.Equal(0, await MatrixTestClient.RememberedAsync(server, c.NodeId, task));
        var good = await c.PostAsync(c.Probe(bn, task));
        Assert.Equal("succ", good.Answer.GetProperty("rsp").GetString());
        Assert.Equal(1, await Effects(bn));
        // and a bad sign with a remembered task is refused, not answered from memory
        await c.FailAsync(bad, MatrixCodes.SignError);
        // an out-of-window first request is not remembered either: the retry with a fresh date runs
        var task2 = NewTask();
        await c.FailAsync(c.Probe(bn, task2, dateUtc: DateTime.UtcNow.AddMinutes(-20)), MatrixCodes.DateOutOfWindow);
        Assert.Equal(0, await MatrixTestClient.RememberedAsync(server, c.NodeId, task2));
        Assert.Equal("succ", (await c.PostAsync(c.Probe(bn, task2))).Answer.GetProperty("rsp").GetString());
        Assert.Equal(2, await Effects(bn));
    }

    [Fact]
    public async Task An_empty_task_is_never_deduplicated()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var form = c.Probe(bn, task: "");
        Assert.Equal("succ", (await c.PostAsync(form)).Answer.GetProperty("rsp").GetString());
        Assert.Equal("succ", (await c.PostAsync(form)).Answer.GetProperty("rsp").GetString());
        Assert.Equal(2, await Effects(bn));
        Assert.Equal(0, await MatrixTestClient.RememberedAsync(server, c.NodeId, ""));
    }

    [Fact]
    public async Task Every_call_is_in_the_api_log_with_sign_and_tokens_masked()
    {
        using var c = await MatrixTestClient.ForNewShopAsync(server);
        var bn = Bn();
        var ok = c.Probe(bn, extra: new Dictionary<string, string> { ["consignee"] = """{"name":"张三","token":"inner-secret-1"}""" });
        var (text, _) = await c.PostAsync(ok);
        var refused = c.Probe(bn, extra: new Dictionary<string, string> { ["refuse"] = "no" });
        await c.FailAsync(refused, MatrixCodes.BusinessRefused);

        var entries = await WaitForLogAsync(bn, 2);
        var succ = Assert.Single(entries, e => e.Status == ApiLogStatus.Succ);
        Assert.Equal(ApiLogDirection.In, succ.Direction);
        Assert.Equal(ProbeMatrixMethod.MethodName, succ.Method);
        Assert.Equal("node:" + c.NodeId, succ.Peer);
        Assert.Equal(text, succ.Response);
        Assert.Null(succ.ErrorCode);
        Assert.DoesNotContain(ok["sign"], succ.Parameters, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("inner-secret-1", succ.Parameters);
        Assert.Contains(ApiLogMasking.Mask, succ.Parameters);
        Assert.Contains("张三", succ.Parameters);
        var fail = Assert.Single(entries, e => e.Status == ApiLogStatus.Fail);
        Assert.Equal("4007", fail.ErrorCode);
        Assert.DoesNotContain(refused["sign"], fail.Parameters, StringComparison.OrdinalIgnoreCase);

        // an unknown node's call is logged too
        using var stranger = new MatrixTestClient(server, "ghost-" + Guid.NewGuid().ToString("N")[..8], "x");
        var bn2 = Bn();
        await stranger.FailAsync(stranger.Probe(bn2), MatrixCodes.NodeNotBound);
        Assert.Equal("4004", Assert.Single(await WaitForLogAsync(bn2, 1)).ErrorCode);
    }

    private async Task<List<ApiLogEntry>> WaitForLogAsync(string businessKey, int count)
    {
        for (var i = 0; ; i++)
        {
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var entries = await db.Set<ApiLogEntry>().AsNoTracking().Where(e => e.BusinessKey == businessKey).ToListAsync();
            if (entries.Count >= count || i >= 100) return entries;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_trim_timer_forgets_answers_older_than_24_hours()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var node = "trim-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTime.UtcNow;
        db.AddRange(
            new MatrixRequestRecord { NodeId = node, Task = "old", Method = "m", Answer = "{}", CreatedAt = now.AddHours(-25) },
            new MatrixRequestRecord { NodeId = node, Task = "new", Method = "m", Answer = "{}", CreatedAt = now.AddHours(-23) });
        await db.SaveChangesAsync();
        var handler = scope.ServiceProvider.GetRequiredService<MatrixRequestTrimHandler>();
        var result = await handler.HandleAsync(new TaskContext(TaskMessage.Create("timer." + MatrixRequestTrimHandler.TimerName, TaskKind.Timer), scope.ServiceProvider), CancellationToken.None);
        Assert.True(result.Succeeded);
        Assert.Equal(["new"], await db.Set<MatrixRequestRecord>().AsNoTracking().Where(r => r.NodeId == node).Select(r => r.Task).ToListAsync());
    }
}

public sealed class SqliteMatrixApiTests(MatrixSqliteServerFixture f) : MatrixApiTests<MatrixSqliteServerFixture>(f);

public sealed class PostgresMatrixApiTests(MatrixPostgresServerFixture f) : MatrixApiTests<MatrixPostgresServerFixture>(f);
