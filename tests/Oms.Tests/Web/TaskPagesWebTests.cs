using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Tasks;
using Oms.Tests.Infrastructure;
using Oms.Tests.Tasks;

namespace Oms.Tests.Web;

/// <summary>集成 › 任务队列 over real HTTP, with the real workers of the web host running.</summary>
public abstract partial class TaskPagesWebTests<TFixture>(TFixture server) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<T> WithManagerAsync<T>(Func<TaskManager, Task<T>> body)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await body(scope.ServiceProvider.GetRequiredService<TaskManager>());
    }

    private Task SwitchAsync(TaskKind kind, bool stop) => WithManagerAsync(async m =>
    {
        if (stop) await m.StopAsync(kind, "test", Ct);
        else await m.StartAsync(kind, "test", Ct);
        return true;
    });

    private Task<KindStatus> StatusAsync(TaskKind kind) => WithManagerAsync(async m => (await m.StatusAsync(Ct)).Single(s => s.Kind == kind));

    private Task<bool> IsFailedAsync(string id) => WithManagerAsync(async m => (await m.FailedAsync(ct: Ct, take: 1000)).Any(f => f.Id == id));

    private async Task<T> WithDbAsync<T>(Func<OmsDbContext, Task<T>> body)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await body(scope.ServiceProvider.GetRequiredService<OmsDbContext>());
    }

    /// <summary>A task whose type has no handler: the worker puts it on the failed list at once, with that reason.</summary>
    private async Task<TaskMessage> FailingTaskAsync()
    {
        var message = TaskMessage.Create("test.no-handler-" + Guid.NewGuid().ToString("N")[..8], TaskKind.Task);
        await server.Services.GetRequiredService<ITaskQueue>().EnqueueAsync([message], Ct);
        await TaskTestHost.EventuallyAsync(() => IsFailedAsync(message.Id), "the task on the failed list");
        return message;
    }

    /// <summary>A form post as htmx sends it (HX-Request header, token from the page), on the session's cookies.</summary>
    private static async Task<WebSession.Answer> HtmxPostAsync(WebSession web, string path, IEnumerable<KeyValuePair<string, string>> fields, string tokenFrom)
    {
        var page = await web.GetAsync(tokenFrom);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = web.Cookies, AllowAutoRedirect = false }) { BaseAddress = web.BaseAddress };
        using var content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", WebSession.TokenIn(page.Html))));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add("HX-Request", "true");
        using var resp = await http.SendAsync(request, Ct);
        return new(resp.StatusCode, await resp.Content.ReadAsStringAsync(Ct), resp.Headers.Location?.ToString());
    }

    /// <summary>The number in column <paramref name="col"/> of a kind's row on the queue page.</summary>
    private static long Cell(string html, TaskKind kind, string col)
    {
        var row = Regex.Match(html, $"<tr id=\"kind-{kind.Name()}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"no row for kind {kind.Name()}");
        var cell = Regex.Match(row.Groups[1].Value, $"data-col=\"{col}\">(?:<a [^>]*>)?(\\d+)");
        Assert.True(cell.Success, $"no {col} cell for kind {kind.Name()}");
        return long.Parse(cell.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Row(string html, TaskKind kind) =>
        Regex.Match(html, $"<tr id=\"kind-{kind.Name()}\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;

    [Fact]
    public async Task The_queue_page_shows_waiting_tasks_of_a_stopped_kind_throughput_and_timers()
    {
        await SwitchAsync(TaskKind.Export, stop: true);
        try
        {
            var queue = server.Services.GetRequiredService<ITaskQueue>();
            await queue.EnqueueAsync([.. Enumerable.Range(0, 3).Select(_ => TaskMessage.Create(PingHandler.Type, TaskKind.Export))], Ct);
            var registry = server.Services.GetRequiredService<TaskRegistry>();
            await queue.EnqueueAsync([.. Enumerable.Range(0, 4).Select(_ => registry.Message(PingHandler.Type))], Ct);

            using var web = new WebSession(server);
            await web.LoginAsAdminAsync();
            var page = await web.GetAsync("/integration/tasks");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(3, Cell(page.Html, TaskKind.Export, "waiting"));
            Assert.Equal((await StatusAsync(TaskKind.Export)).Waiting, Cell(page.Html, TaskKind.Export, "waiting"));
            Assert.Contains("已停止", Row(page.Html, TaskKind.Export), StringComparison.Ordinal);
            Assert.Contains("handler=Start", Row(page.Html, TaskKind.Export), StringComparison.Ordinal);
            Assert.Contains("handler=Stop", Row(page.Html, TaskKind.Task), StringComparison.Ordinal);

            // the pings run on the real workers; their throughput reaches the page
            await TaskTestHost.EventuallyAsync(async () =>
                Cell((await web.GetAsync("/integration/tasks")).Html, TaskKind.Task, "done-hour") >= 4, "four pings counted as done");
            page = await web.GetAsync("/integration/tasks");
            Assert.True(Cell(page.Html, TaskKind.Task, "done-hour") >= Cell(page.Html, TaskKind.Task, "done-minute"));

            // timers: cron and next run in China time
            var timer = Regex.Match(page.Html, "<tr id=\"timer-cleanup-task-history\">(.*?)</tr>", RegexOptions.Singleline);
            Assert.True(timer.Success, "no row for the built-in timer");
            Assert.Contains("0 3 * * *", timer.Groups[1].Value, StringComparison.Ordinal);
            Assert.Matches(@"\d{4}-\d{2}-\d{2} 03:00:00", timer.Groups[1].Value);
            Assert.Contains("href=\"/integration/tasks\"", (await web.GetAsync("/")).Html, StringComparison.Ordinal);
        }
        finally
        {
            await SwitchAsync(TaskKind.Export, stop: false);
        }
    }

    [Fact]
    public async Task Stop_and_start_buttons_switch_the_kind_and_are_audited()
    {
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        Assert.False((await StatusAsync(TaskKind.Rpc)).Stopped);

        var stopped = await HtmxPostAsync(web, "/integration/tasks?handler=Stop", [new("kind", "rpc")], tokenFrom: "/integration/tasks");
        Assert.Equal(HttpStatusCode.OK, stopped.Status);
        Assert.True((await StatusAsync(TaskKind.Rpc)).Stopped);
        Assert.Contains("已停止", Row(stopped.Html, TaskKind.Rpc), StringComparison.Ordinal);
        Assert.Contains("handler=Start", Row(stopped.Html, TaskKind.Rpc), StringComparison.Ordinal);

        // without htmx: a redirect back to the page
        var started = await web.PostAsync("/integration/tasks?handler=Start", [new("kind", "rpc")], tokenFrom: "/integration/tasks");
        Assert.Equal(HttpStatusCode.Redirect, started.Status);
        Assert.Equal("/integration/tasks", started.Location);
        Assert.False((await StatusAsync(TaskKind.Rpc)).Stopped);

        var audit = await WithDbAsync(db => db.Set<AuditEntry>().AsNoTracking().Where(e => e.Target == "task-kind:rpc").OrderBy(e => e.Id)
            .Select(e => new { e.Action, e.UserName }).ToListAsync(Ct));
        Assert.Equal(["tasks.stop", "tasks.start"], audit.TakeLast(2).Select(a => a.Action));
        Assert.All(audit.TakeLast(2), a => Assert.Equal(ServerFixture.AdminUser, a.UserName));
    }

    [Fact]
    public async Task A_failed_task_shows_every_reason_and_retry_puts_it_back_on_the_queue()
    {
        var message = await FailingTaskAsync();
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();

        var list = await web.GetAsync("/integration/tasks/failed?kind=task");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        var row = Regex.Match(list.Html, $"<tr id=\"failed-{message.Id}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, "the failed task is not listed");
        Assert.Contains(message.Type, row.Groups[1].Value, StringComparison.Ordinal);
        Assert.Contains("No handler is registered for task type", row.Groups[1].Value, StringComparison.Ordinal);

        var detail = await web.GetAsync("/integration/tasks/failed/" + message.Id);
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        var attempts = Regex.Match(detail.Html, "<table class=\"grid\" id=\"task-attempts\">(.*?)</table>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("No handler is registered for task type &#x27;" + message.Type, attempts, StringComparison.Ordinal);

        // with the kind stopped (and its consumer closed), the retried task waits on the queue
        await SwitchAsync(TaskKind.Task, stop: true);
        try
        {
            var worker = server.Services.GetRequiredService<TaskWorkerHost>();
            await TaskTestHost.EventuallyAsync(() => !worker.IsConsuming(TaskKind.Task), "the task consumer to close");
            var retried = await HtmxPostAsync(web, "/integration/tasks/failed?handler=Retry", [new("id", message.Id)], tokenFrom: "/integration/tasks/failed");
            Assert.Equal(HttpStatusCode.OK, retried.Status);
            Assert.DoesNotContain($"id=\"failed-{message.Id}\"", retried.Html, StringComparison.Ordinal);
            Assert.False(await IsFailedAsync(message.Id));
            var queued = await WithDbAsync(db => db.Set<TaskQueueRow>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == message.Id, Ct));
            Assert.NotNull(queued);
            Assert.Equal((message.Type, 0), (queued.Type, queued.Attempts));
            var page = await web.GetAsync("/integration/tasks");
            Assert.True(Cell(page.Html, TaskKind.Task, "waiting") >= 1);
        }
        finally
        {
            await SwitchAsync(TaskKind.Task, stop: false);
        }
    }

    [Fact]
    public async Task Discard_removes_a_failed_task_for_good()
    {
        var message = await FailingTaskAsync();
        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var answer = await web.PostAsync("/integration/tasks/failed?handler=Discard", [new("id", message.Id)], tokenFrom: "/integration/tasks/failed/" + message.Id);
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Equal("/integration/tasks/failed", answer.Location);
        Assert.False(await IsFailedAsync(message.Id));
        Assert.False(await WithDbAsync(db => db.Set<TaskQueueRow>().AnyAsync(r => r.Id == message.Id, Ct)));
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/integration/tasks/failed/" + message.Id)).Status);
        Assert.True(await WithDbAsync(db => db.Set<AuditEntry>().AnyAsync(e => e.Action == "tasks.discard" && e.Target == "task:" + message.Id, Ct)));
        // a second discard is refused with a message, not an error page
        var again = await web.PostAsync("/integration/tasks/failed?handler=Discard", [new("id", message.Id)], tokenFrom: "/integration/tasks");
        Assert.Equal(HttpStatusCode.Redirect, again.Status);
        Assert.Contains("not on the failed list", (await web.GetAsync("/integration/tasks/failed")).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_failed_list_pages_by_keyset_without_losing_rows_that_failed_in_the_same_tick()
    {
        var type = "test.paging-" + Guid.NewGuid().ToString("N")[..8];
        var at = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await WithDbAsync(async db =>
        {
            // 40 rows share one failed-at time, across the page boundary (50)
            for (var i = 0; i < 70; i++)
                db.Add(new FailedTask
                {
                    Id = Guid.NewGuid().ToString(), Type = type, Kind = "export", Payload = "{}", Attempts = 3, LastError = "boom " + i,
                    CreatedAt = at, FailedAt = i < 40 ? at : at.AddSeconds(-i),
                });
            return await db.SaveChangesAsync(Ct);
        });
        var all = await WithDbAsync(db => db.Set<FailedTask>().Where(f => f.Type == type).Select(f => f.Id).ToListAsync(Ct));

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var seen = new List<string>();
        string? url = "/integration/tasks/failed?type=" + type;
        var pages = 0;
        while (url is not null)
        {
            var page = await web.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            seen.AddRange(FailedRowId().Matches(page.Html).Select(m => m.Groups[1].Value));
            var next = NextLink().Match(page.Html);
            url = next.Success ? WebUtility.HtmlDecode(next.Groups[1].Value) : null;
            Assert.True(++pages <= 3, "more pages than rows allow");
            Assert.DoesNotContain("OFFSET", url ?? "", StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(2, pages);
        Assert.Equal(70, seen.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_tasks_view_the_pages_are_403_and_without_tasks_manage_nothing_can_be_switched()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleService>();
            var users = scope.ServiceProvider.GetRequiredService<UserService>();
            await roles.CreateAsync("auditor-" + suffix, null, [Permissions.AuditView], ct: Ct);
            await roles.CreateAsync("watcher-" + suffix, null, [Permissions.TasksView], ct: Ct);
            await users.CreateAsync("auditor" + suffix, "password-123", ["auditor-" + suffix], ct: Ct);
            await users.CreateAsync("watcher" + suffix, "password-123", ["watcher-" + suffix], ct: Ct);
        }

        using (var auditor = new WebSession(server))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await auditor.LoginAsync("auditor" + suffix, "password-123")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("/integration/tasks")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("/integration/tasks/failed")).Status);
            Assert.DoesNotContain("href=\"/integration/tasks\"", (await auditor.GetAsync("/")).Html, StringComparison.Ordinal);
        }

        using var watcher = new WebSession(server);
        Assert.Equal(HttpStatusCode.Redirect, (await watcher.LoginAsync("watcher" + suffix, "password-123")).Status);
        var page = await watcher.GetAsync("/integration/tasks");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain("handler=Stop", page.Html, StringComparison.Ordinal);
        // the watcher's pages have no forms: the token comes from the password page
        var refused = await watcher.PostAsync("/integration/tasks?handler=Stop", [new("kind", "init")], tokenFrom: "/account/password");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.False((await StatusAsync(TaskKind.Init)).Stopped);
        var message = await FailingTaskAsync();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await watcher.PostAsync("/integration/tasks/failed?handler=Discard", [new("id", message.Id)], tokenFrom: "/account/password")).Status);
        Assert.True(await IsFailedAsync(message.Id));
    }

    [GeneratedRegex("<tr id=\"failed-([0-9a-f-]{36})\">")]
    private static partial Regex FailedRowId();

    [GeneratedRegex("href=\"([^\"]+)\" rel=\"next\"")]
    private static partial Regex NextLink();
}

public sealed class SqliteTaskPagesWebTests(SqliteServerFixture f) : TaskPagesWebTests<SqliteServerFixture>(f);

public sealed class PostgresTaskPagesWebTests(PostgresServerFixture f) : TaskPagesWebTests<PostgresServerFixture>(f);
