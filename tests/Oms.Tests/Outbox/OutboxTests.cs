using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Channels;
using Oms.Data;
using Oms.Integration;
using Oms.Outbox;
using Oms.Tasks;
using Oms.Tests.Tasks;

namespace Oms.Tests.Outbox;

public abstract class OutboxTests<TFixture>(TFixture fx) : IClassFixture<TFixture> where TFixture : OutboxFixture
{
    private async Task<string> SendAsync(Shop shop, string businessKey, JsonObject? parameters = null)
    {
        await using var scope = fx.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<Oms.Outbox.Outbox>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var m = outbox.Add(db, new OutboundRequest(MatrixPeer.ForShop(shop), "store.logistics.offline.send",
            parameters ?? new JsonObject { ["tid"] = businessKey, ["company_code"] = "SF", ["logistics_no"] = "SF100" }, businessKey));
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return m.Id;
    }

    private async Task<OutboxMessage?> MessageAsync(string id)
    {
        await using var scope = fx.Scope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<OutboxMessage>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id);
    }

    private async Task<List<ApiLogEntry>> LogAsync(string outboxId)
    {
        await using var scope = fx.Scope();
        return (await scope.ServiceProvider.GetRequiredService<ApiLogService>().ForMessageAsync(outboxId)).ToList();
    }

    private Task WaitStateAsync(string id, string state) =>
        TaskTestHost.EventuallyAsync(async () => (await MessageAsync(id))?.State == state, $"outbox {id} {state}");

    private async Task<JsonElement> CallbackAsync(Dictionary<string, string> form)
    {
        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        using var content = new FormUrlEncodedContent(form);
        using var resp = await http.PostAsync(new Uri("/api/callback", UriKind.Relative), content);
        Assert.Equal(200, (int)resp.StatusCode);
        using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static Dictionary<string, string> SignedCallback(Shop shop, string task, string rsp, string token)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["task"] = task, ["rsp"] = rsp, ["res"] = rsp == "succ" ? "" : "w02", ["msg"] = rsp == "succ" ? "" : "refused by platform",
            ["data"] = """{"tid":"T1","ok":true}""", ["node_id"] = shop.NodeId!,
            ["date"] = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
        form["sign"] = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), token);
        return form;
    }

    [Fact]
    public async Task A_failing_send_is_retried_with_the_same_task_id_until_it_succeeds_and_every_attempt_is_logged()
    {
        var shop = await fx.AddShopAsync("retry");
        fx.Peer.Script(shop.NodeId!, "fail", "fail", "succ");
        var id = await SendAsync(shop, "ORD-RETRY-1", new JsonObject
        {
            ["tid"] = "ORD-RETRY-1",
            ["list_quantity"] = new JsonArray(new JsonObject { ["bn"] = "A1", ["quantity"] = 5 }, new JsonObject { ["bn"] = "商品B", ["quantity"] = 0, ["price"] = 12.50m }),
            ["is_split"] = false,
            ["memo"] = "请尽快 &=+%",
        });
        await WaitStateAsync(id, OutboxState.Succeeded);

        var requests = fx.Peer.For(shop.NodeId!);
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.True(r.SignOk, "signature checked by the peer with the shop's token"));
        Assert.All(requests, r => Assert.Equal(id, r.Task));
        var first = requests[0].Form;
        Assert.Equal("ecos.ome", first["app_id"]);
        Assert.Equal("store.logistics.offline.send", first["method"]);
        Assert.Equal("json", first["format"]);
        Assert.Equal("1", first["v"]);
        Assert.Equal("1100000000", first["from_node_id"]);
        Assert.Equal("taobao", first["node_type"]);
        Assert.Equal(new Uri(fx.BaseAddress, "/api/callback").ToString(), first["callback_url"]);
        Assert.Equal("0", first["is_split"]);
        Assert.True(DateTime.TryParseExact(first["date"], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        using (var list = JsonDocument.Parse(first["list_quantity"]))
            Assert.Equal("商品B", list.RootElement[1].GetProperty("bn").GetString());

        var message = (await MessageAsync(id))!;
        Assert.Equal(3, message.Attempts);
        Assert.NotNull(message.CompletedAt);
        var log = await LogAsync(id);
        Assert.Equal(["fail", "fail", "succ"], log.Select(e => e.Status));
        Assert.Equal([1, 2, 3], log.Select(e => e.Attempt));
        Assert.All(log, e => Assert.Equal(ApiLogDirection.Out, e.Direction));
        Assert.All(log, e => Assert.Equal("ORD-RETRY-1", e.BusinessKey));
        Assert.Equal("w01", log[0].ErrorCode);
        Assert.Contains("platform busy", log[0].Message, StringComparison.Ordinal);

        // a redelivered task for the succeeded message sends nothing again
        await using (var scope = fx.Scope())
        {
            var registry = scope.ServiceProvider.GetRequiredService<TaskRegistry>();
            await scope.ServiceProvider.GetRequiredService<ITaskQueue>().EnqueueAsync([registry.Message(MatrixSendHandler.Type, JsonSerializer.Serialize(new { id }))]);
        }
        var marker = await SendAsync(shop, "ORD-RETRY-MARK");
        await WaitStateAsync(marker, OutboxState.Succeeded);
        await TaskTestHost.EventuallyAsync(async () =>
        {
            await using var scope = fx.Scope();
            return !await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<TaskQueueRow>().AnyAsync(r => r.Type == MatrixSendHandler.Type);
        }, "matrix.send queue drained");
        Assert.Equal(3, fx.Peer.For(shop.NodeId!).Count(r => r.Task == id));
    }

    [Fact]
    public async Task A_running_answer_waits_for_the_signed_callback_which_settles_it_once()
    {
        var shop = await fx.AddShopAsync("async");
        fx.Peer.Script(shop.NodeId!, "running");
        var id = await SendAsync(shop, "ORD-ASYNC-1");
        await WaitStateAsync(id, OutboxState.Running);

        var answer = await CallbackAsync(SignedCallback(shop, id, "succ", shop.Token!));
        Assert.Equal("succ", answer.GetProperty("rsp").GetString());
        Assert.Equal("", answer.GetProperty("res").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("data").ValueKind);
        var m = (await MessageAsync(id))!;
        Assert.Equal(OutboxState.Succeeded, m.State);
        Assert.Contains("\"ok\":true", m.Response, StringComparison.Ordinal);

        // the same callback again (and a late contrary one) changes nothing
        Assert.Equal("succ", (await CallbackAsync(SignedCallback(shop, id, "succ", shop.Token!))).GetProperty("rsp").GetString());
        Assert.Equal("succ", (await CallbackAsync(SignedCallback(shop, id, "fail", shop.Token!))).GetProperty("rsp").GetString());
        Assert.Equal(OutboxState.Succeeded, (await MessageAsync(id))!.State);
        Assert.Single(fx.Peer.For(shop.NodeId!));
        var log = await LogAsync(id);
        Assert.Equal("running", log[0].Status);
        Assert.Equal(3, log.Count(e => e.Direction == ApiLogDirection.In && e.Status == ApiLogStatus.Succ));
    }

    [Fact]
    public async Task A_running_request_without_a_callback_fails_after_the_timeout_and_shows_a_retry()
    {
        var shop = await fx.AddShopAsync("silent");
        fx.Peer.Script(shop.NodeId!, "running");
        var stale = await SendAsync(shop, "ORD-SILENT-1");
        await WaitStateAsync(stale, OutboxState.Running);
        var fresh = await SendAsync(shop, "ORD-SILENT-2");
        await WaitStateAsync(fresh, OutboxState.Succeeded);

        // the first one has waited two hours for its callback; the shop's other requests are settled
        var recent = await SendAsync(shop, "ORD-SILENT-3");
        await using (var scope = fx.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var old = DateTime.UtcNow.AddHours(-2);
            await db.Set<OutboxMessage>().Where(m => m.Id == stale).ExecuteUpdateAsync(s => s.SetProperty(m => m.UpdatedAt, old));
        }
        await WaitStateAsync(recent, OutboxState.Succeeded);

        await using (var scope = fx.Scope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<OutboxCallbackTimeout>().ExpireAsync(TimeSpan.FromMinutes(60)));
        var m = (await MessageAsync(stale))!;
        Assert.Equal(OutboxState.Failed, m.State);
        Assert.Contains("no callback within 60 minutes", m.LastError, StringComparison.Ordinal);
        var log = await LogAsync(stale);
        Assert.Contains(log, e => e.ErrorCode == "callback_timeout" && e.Status == ApiLogStatus.Fail);

        Assert.True(await CanRetryAsync(log.Single(e => e.ErrorCode == "callback_timeout")));

        // the peer's word is the truth: a callback that finally arrives settles it after all
        Assert.Equal("succ", (await CallbackAsync(SignedCallback(shop, stale, "succ", shop.Token!))).GetProperty("rsp").GetString());
        Assert.Equal(OutboxState.Succeeded, (await MessageAsync(stale))!.State);
        await using (var scope = fx.Scope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<OutboxCallbackTimeout>().ExpireAsync(TimeSpan.FromMinutes(60)));
    }

    [Fact]
    public async Task A_failing_callback_fails_the_request_and_bad_signs_or_unknown_tasks_are_refused()
    {
        var shop = await fx.AddShopAsync("cbfail");
        fx.Peer.Script(shop.NodeId!, "running", "running");
        var id = await SendAsync(shop, "ORD-CB-1");
        await WaitStateAsync(id, OutboxState.Running);

        var bad = await CallbackAsync(SignedCallback(shop, id, "succ", "not-the-token"));
        Assert.Equal("fail", bad.GetProperty("rsp").GetString());
        Assert.Equal("4003", bad.GetProperty("res").GetString());
        var tampered = SignedCallback(shop, id, "succ", shop.Token!);
        tampered["rsp"] = "fail";
        Assert.Equal("4003", (await CallbackAsync(tampered)).GetProperty("res").GetString());
        var unknown = await CallbackAsync(SignedCallback(shop, Guid.NewGuid().ToString("N"), "succ", shop.Token!));
        Assert.Equal("4003", unknown.GetProperty("res").GetString());
        Assert.Equal(OutboxState.Running, (await MessageAsync(id))!.State);

        var ok = await CallbackAsync(SignedCallback(shop, id, "fail", shop.Token!));
        Assert.Equal("succ", ok.GetProperty("rsp").GetString());
        var m = (await MessageAsync(id))!;
        Assert.Equal(OutboxState.Failed, m.State);
        Assert.Equal("w02: refused by platform", m.LastError);

        // a person retries it: same task id, sent again
        await using (var scope = fx.Scope())
            await scope.ServiceProvider.GetRequiredService<ApiLogService>().RetryMessageAsync(id, "tester");
        await WaitStateAsync(id, OutboxState.Running);
        Assert.All(fx.Peer.For(shop.NodeId!), r => Assert.Equal(id, r.Task));
        Assert.Equal(2, fx.Peer.For(shop.NodeId!).Count);
    }

    [Fact]
    public async Task Without_an_address_the_request_fails_with_the_reason_and_a_manual_retry_after_setting_matrix_url_succeeds()
    {
        await fx.SetAsync("matrix.url", "");
        var shop = await fx.AddShopAsync("nourl", withUrl: false);
        var id = await SendAsync(shop, "ORD-NOURL-1");
        await WaitStateAsync(id, OutboxState.Failed);
        var m = (await MessageAsync(id))!;
        Assert.Equal(OutboxModule.DefaultMaxAttempts, m.Attempts);
        Assert.Contains("matrix.url", m.LastError, StringComparison.Ordinal);
        var log = await LogAsync(id);
        Assert.Equal(OutboxModule.DefaultMaxAttempts, log.Count);
        Assert.All(log, e => Assert.Equal("config", e.ErrorCode));
        Assert.Empty(fx.Peer.For(shop.NodeId!));
        // the worker files the task on the failed list just after the handler marked the message failed
        await TaskTestHost.EventuallyAsync(async () =>
        {
            await using var s = fx.Scope();
            return await s.ServiceProvider.GetRequiredService<OmsDbContext>().Set<FailedTask>().AnyAsync(f => f.Id == m.TaskMessageId);
        }, "task on the failed list");
        await using (var scope = fx.Scope())
        {
            var failed = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<FailedTask>().AsNoTracking().SingleAsync(f => f.Id == m.TaskMessageId);
            Assert.Contains("matrix.url", failed.LastError, StringComparison.Ordinal);
            var service = scope.ServiceProvider.GetRequiredService<ApiLogService>();
            Assert.True(await service.CanRetryAsync(log[^1]));
        }

        await fx.SetAsync("matrix.url", fx.Peer.Url.ToString());
        try
        {
            await using (var scope = fx.Scope())
                await scope.ServiceProvider.GetRequiredService<ApiLogService>().RetryAsync(log[^1].Id, "tester");
            await WaitStateAsync(id, OutboxState.Succeeded);
        }
        finally
        {
            await fx.SetAsync("matrix.url", "");
        }
        var sent = Assert.Single(fx.Peer.For(shop.NodeId!));
        Assert.Equal(id, sent.Task);
        Assert.True(sent.SignOk);
        m = (await MessageAsync(id))!;
        Assert.Equal(1, m.Attempts);
        await using (var scope = fx.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            Assert.False(await db.Set<FailedTask>().AnyAsync(f => f.Payload.Contains(id)));
            Assert.True(await db.Set<AuditEntry>().AnyAsync(a => a.Action == "apilog.retry" && a.Target == "outbox:" + id && a.UserName == "tester"));
            var service = scope.ServiceProvider.GetRequiredService<ApiLogService>();
            await Assert.ThrowsAsync<Oms.Common.DomainException>(() => service.RetryMessageAsync(id, "tester"));
        }
    }

    [Fact]
    public async Task A_request_added_in_a_rolled_back_transaction_is_never_sent()
    {
        var shop = await fx.AddShopAsync("rollback");
        string lost;
        await using (var scope = fx.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            lost = scope.ServiceProvider.GetRequiredService<Oms.Outbox.Outbox>()
                .Add(db, OutboundRequest.Create(MatrixPeer.ForShop(shop), "store.trade.memo.update", new { tid = "ORD-RB-1", memo = "x" }, "ORD-RB-1")).Id;
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }
        var marker = await SendAsync(shop, "ORD-RB-MARK");
        await WaitStateAsync(marker, OutboxState.Succeeded);
        Assert.Null(await MessageAsync(lost));
        await using (var scope = fx.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            Assert.False(await db.Set<TaskQueueRow>().AnyAsync(r => r.Payload.Contains(lost)));
            Assert.False(await db.Set<FailedTask>().AnyAsync(r => r.Payload.Contains(lost)));
        }
        Assert.DoesNotContain(fx.Peer.Requests, r => r.Task == lost);
        Assert.Single(fx.Peer.For(shop.NodeId!));
    }

    [Fact]
    public async Task Requests_to_one_peer_are_paced_to_the_configured_rate()
    {
        const int rate = 4;
        const int n = 14;
        var shop = await fx.AddShopAsync("rate");
        await fx.SetAsync("matrix.rate_per_second", rate.ToString(CultureInfo.InvariantCulture));
        var ids = new List<string>();
        try
        {
            await using (var scope = fx.Scope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
                var outbox = scope.ServiceProvider.GetRequiredService<Oms.Outbox.Outbox>();
                for (var i = 0; i < n; i++)
                    ids.Add(outbox.Add(db, OutboundRequest.Create(MatrixPeer.ForShop(shop), "store.items.quantity.list.update",
                        new { list_quantity = new[] { new { bn = "A" + i, quantity = i } } }, "RATE-" + i)).Id);
                await db.SaveChangesAsync();
            }
            foreach (var id in ids) await WaitStateAsync(id, OutboxState.Succeeded);
        }
        finally
        {
            await fx.SetAsync("matrix.rate_per_second", "20");
        }
        var requests = fx.Peer.For(shop.NodeId!);
        Assert.Equal(n, requests.Count);
        // per second of the request's own date (its granted send slot): at most rate + 1
        var bySlot = requests.GroupBy(r => r.Form["date"]).Max(g => g.Count());
        Assert.True(bySlot <= rate + 1, $"{bySlot} requests carried the same second");
        // per second of arrival at the peer: 14 unpaced requests would land together; paced ones spread out
        var byArrival = requests.GroupBy(r => r.ArrivedUtc.Ticks / TimeSpan.TicksPerSecond).Max(g => g.Count());
        Assert.True(byArrival <= 2 * rate, $"{byArrival} requests arrived within one second");
    }

    [Fact]
    public async Task Tokens_and_signs_are_never_stored_in_clear()
    {
        var shop = await fx.AddShopAsync("mask");
        var id = await SendAsync(shop, "ORD-MASK-1", new JsonObject
        {
            ["tid"] = "ORD-MASK-1",
            ["login"] = new JsonObject { ["password"] = "p@ss-secret-1", ["session_key"] = "sess-xyz-1", ["user"] = "bob" },
            ["app_secret"] = "app-secret-value-1",
        });
        await WaitStateAsync(id, OutboxState.Succeeded);
        var sent = Assert.Single(fx.Peer.For(shop.NodeId!));
        var entry = Assert.Single(await LogAsync(id));
        foreach (var secret in new[] { shop.Token!, sent.Form["sign"], "p@ss-secret-1", "sess-xyz-1", "app-secret-value-1" })
        {
            Assert.DoesNotContain(secret, entry.Parameters, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, entry.Response ?? "", StringComparison.Ordinal);
        }
        using var p = JsonDocument.Parse(entry.Parameters!);
        Assert.Equal(ApiLogMasking.Mask, p.RootElement.GetProperty("sign").GetString());
        Assert.Equal("ORD-MASK-1", p.RootElement.GetProperty("tid").GetString());
        Assert.Contains("bob", p.RootElement.GetProperty("login").GetString(), StringComparison.Ordinal);

        var answer = await fx.OpenApiAsync("shop.getList", new() { ["token"] = "clear-token-9", ["shop_bn"] = "MASK-SHOP" });
        Assert.Contains("response", answer, StringComparison.Ordinal);
        ApiLogEntry? inbound = null;
        await TaskTestHost.EventuallyAsync(async () =>
        {
            await using var scope = fx.Scope();
            var page = await scope.ServiceProvider.GetRequiredService<ApiLogService>().SearchAsync(new ApiLogFilter(BusinessKey: "MASK-SHOP", Direction: "in"), null);
            inbound = page.Items.FirstOrDefault();
            return inbound is not null;
        }, "inbound entry");
        Assert.DoesNotContain("clear-token-9", inbound!.Parameters, StringComparison.Ordinal);
        Assert.DoesNotContain(OutboxFixture.OpenApiKey, inbound.Parameters, StringComparison.Ordinal);
        using var ip = JsonDocument.Parse(inbound.Parameters!);
        Assert.Equal(ApiLogMasking.Mask, ip.RootElement.GetProperty("sign").GetString());
    }

    [Fact]
    public async Task OpenApi_calls_are_logged_with_their_business_key_status_and_error_code()
    {
        var bn = "LOGSHOP-" + Guid.NewGuid().ToString("N")[..6];
        var ok = await fx.OpenApiAsync("shop.add", new() { ["shop_bn"] = bn, ["shop_name"] = "日志店铺", ["shop_type"] = "taobao" });
        Assert.Contains("response", ok, StringComparison.Ordinal);
        var refused = await fx.OpenApiAsync("shop.add", new() { ["shop_bn"] = bn, ["shop_name"] = "again" });
        Assert.Contains("error_response", refused, StringComparison.Ordinal);

        IReadOnlyList<ApiLogEntry> rows = [];
        await TaskTestHost.EventuallyAsync(async () =>
        {
            await using var scope = fx.Scope();
            rows = (await scope.ServiceProvider.GetRequiredService<ApiLogService>().SearchAsync(new ApiLogFilter(BusinessKey: bn, Method: "shop.add"), null)).Items;
            return rows.Count == 2;
        }, "two inbound entries");
        var (second, first) = (rows[0], rows[1]);
        Assert.Equal(ApiLogDirection.In, first.Direction);
        Assert.Equal(ApiLogStatus.Succ, first.Status);
        Assert.Equal("openapi:" + OutboxFixture.OpenApiFlag, first.Peer);
        Assert.Contains(bn, first.Response, StringComparison.Ordinal);
        Assert.Equal(ApiLogStatus.Fail, second.Status);
        Assert.Equal("e000006", second.ErrorCode);

        await using (var scope = fx.Scope())
        {
            var service = scope.ServiceProvider.GetRequiredService<ApiLogService>();
            Assert.Single((await service.SearchAsync(new ApiLogFilter(BusinessKey: bn, Status: "fail"), null)).Items);
            Assert.Empty((await service.SearchAsync(new ApiLogFilter(BusinessKey: bn, Direction: "out"), null)).Items);
            Assert.Empty((await service.SearchAsync(new ApiLogFilter(BusinessKey: bn, From: DateTime.UtcNow.AddMinutes(5)), null)).Items);
            var page1 = await service.SearchAsync(new ApiLogFilter(BusinessKey: bn), null, pageSize: 1);
            Assert.Equal(second.Id, Assert.Single(page1.Items).Id);
            var page2 = await service.SearchAsync(new ApiLogFilter(BusinessKey: bn), page1.NextBefore, pageSize: 1);
            Assert.Equal(first.Id, Assert.Single(page2.Items).Id);
            Assert.False(await service.CanRetryAsync(first));
            await Assert.ThrowsAsync<Oms.Common.DomainException>(() => service.RetryAsync(first.Id, "tester"));
        }
    }

    [Fact]
    public async Task Trimming_removes_entries_older_than_max_days_then_the_oldest_beyond_max_rows()
    {
        await using var scope = fx.Scope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var now = DateTime.UtcNow;
        for (var i = 0; i < 30; i++)
            db.Add(new ApiLogEntry { Direction = "out", Method = "trim.old", Status = "succ", CreatedAt = now.AddDays(-20).AddMinutes(i), BusinessKey = "TRIM" });
        for (var i = 0; i < 40; i++)
            db.Add(new ApiLogEntry { Direction = "out", Method = "trim.new", Status = "succ", CreatedAt = now.AddMinutes(-i), BusinessKey = "TRIM" });
        await db.SaveChangesAsync();
        var all = await db.Set<ApiLogEntry>().CountAsync();
        var newestIds = await db.Set<ApiLogEntry>().OrderByDescending(e => e.Id).Take(25).Select(e => e.Id).ToListAsync();

        var service = scope.ServiceProvider.GetRequiredService<ApiLogService>();
        var deleted = await service.TrimAsync(maxRows: 25, maxDays: 15, batch: 7);

        Assert.Equal(all - 25, deleted);
        Assert.False(await db.Set<ApiLogEntry>().AnyAsync(e => e.Method == "trim.old"));
        var left = await db.Set<ApiLogEntry>().OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
        Assert.Equal(newestIds, left);
        Assert.Equal(0, await service.TrimAsync(maxRows: 25, maxDays: 15, batch: 7));

        // the timer handler reads the settings (defaults keep everything recent)
        var handler = ActivatorUtilities.CreateInstance<ApiLogTrimHandler>(scope.ServiceProvider);
        var result = await handler.HandleAsync(new TaskContext(TaskMessage.Create("timer." + ApiLogTrimHandler.TimerName, TaskKind.Timer), scope.ServiceProvider), CancellationToken.None);
        Assert.True(result.Succeeded);
        Assert.Equal(25, await db.Set<ApiLogEntry>().CountAsync());
    }

    [Fact]
    public async Task Posted_inbound_entries_are_written_in_batches_and_flushed_at_shutdown()
    {
        var key = "post-" + Guid.NewGuid().ToString("N")[..8];
        var scopes = fx.Services.GetRequiredService<IServiceScopeFactory>();
        var writer = new ApiLogWriter(scopes, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiLogWriter>.Instance);
        // more than one insert's worth, with the same masking and cuts as a single write
        for (var i = 0; i < ApiLogWriter.MaxBatch + 120; i++)
            writer.Post(new ApiLogEntry
            {
                Direction = ApiLogDirection.In, Method = "ome.order.add", Status = ApiLogStatus.Succ, Attempt = 1, BusinessKey = key,
                Peer = "node:1", Message = new string('m', 1200), Parameters = "{\"n\":" + i.ToString(CultureInfo.InvariantCulture) + "}",
            });
        await writer.DisposeAsync();

        await using var scope = fx.Scope();
        var rows = await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<ApiLogEntry>().AsNoTracking()
            .Where(e => e.BusinessKey == key).ToListAsync();
        Assert.Equal(ApiLogWriter.MaxBatch + 120, rows.Count);
        Assert.Equal(Enumerable.Range(0, ApiLogWriter.MaxBatch + 120).ToHashSet(),
            rows.Select(r => JsonDocument.Parse(r.Parameters!).RootElement.GetProperty("n").GetInt32()).ToHashSet());
        Assert.All(rows, r => Assert.Equal((1000, ApiLogDirection.In, "node:1"), (r.Message!.Length, r.Direction, r.Peer)));
        Assert.All(rows, r => Assert.True(r.CreatedAt > DateTime.UtcNow.AddMinutes(-5)));

        // a stopped writer refuses quietly: the call it describes is not disturbed
        writer.Post(new ApiLogEntry { Direction = ApiLogDirection.In, Method = "late", Status = ApiLogStatus.Succ, Attempt = 1, BusinessKey = key });
    }

    private async Task<bool> CanRetryAsync(ApiLogEntry entry)
    {
        await using var scope = fx.Scope();
        return await scope.ServiceProvider.GetRequiredService<ApiLogService>().CanRetryAsync(entry);
    }
}

public sealed class SqliteOutboxTests(SqliteOutboxFixture f) : OutboxTests<SqliteOutboxFixture>(f);

public sealed class PostgresOutboxTests(PostgresOutboxFixture f) : OutboxTests<PostgresOutboxFixture>(f);
