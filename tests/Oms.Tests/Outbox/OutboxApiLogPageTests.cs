using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Outbox;
using Oms.Tests.Infrastructure;
using Oms.Tests.Web;

namespace Oms.Tests.Outbox;

/// <summary>The 同步日志 pages over HTTP: list filters, detail with masked parameters, the retry button.</summary>
public sealed class OutboxApiLogPageTests(SqliteServerFixture server) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task The_list_filters_the_detail_masks_and_a_failed_outbound_request_can_be_retried()
    {
        long failedId, okId;
        const string outboxId = "0123456789abcdef0123456789abcdef";
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var now = DateTime.UtcNow;
            db.Add(new OutboxMessage
            {
                Id = outboxId, PeerKind = MatrixPeerKinds.Shop, PeerId = 999_999, PeerNodeId = "node-page", PeerNodeType = "taobao",
                Method = "store.logistics.offline.send", Parameters = "{}", BusinessKey = "PAGE-ORD-1", State = OutboxState.Failed,
                Attempts = 5, LastError = "config: no address", TaskMessageId = "old-task", CreatedAt = now, UpdatedAt = now,
            });
            var failed = new ApiLogEntry
            {
                Direction = "out", Method = "store.logistics.offline.send", Peer = "node-page", Status = "fail", ErrorCode = "config",
                Message = "no address", Parameters = ApiLogMasking.MaskForm([new("tid", "PAGE-ORD-1"), new("sign", "ABCDEF0123SIGN")]),
                Attempt = 5, BusinessKey = "PAGE-ORD-1", OutboxId = outboxId, CreatedAt = now,
            };
            var ok = new ApiLogEntry { Direction = "in", Method = "shop.add", Peer = "openapi:x", Status = "succ", Attempt = 1, BusinessKey = "PAGE-SHOP-1", CreatedAt = now };
            db.AddRange(failed, ok);
            await db.SaveChangesAsync();
            (failedId, okId) = (failed.Id, ok.Id);
        }

        using var web = new WebSession(server);
        await web.LoginAsAdminAsync();
        var list = await web.GetAsync("/integration/api-logs?direction=out&key=PAGE-ORD-1");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains($"/integration/api-logs/{failedId}", list.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"/integration/api-logs/{okId}\"", list.Html, StringComparison.Ordinal);
        var byStatus = await web.GetAsync("/integration/api-logs?status=succ&key=PAGE-SHOP-1");
        Assert.Contains($"/integration/api-logs/{okId}", byStatus.Html, StringComparison.Ordinal);

        var detail = await web.GetAsync($"/integration/api-logs/{failedId}");
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.DoesNotContain("ABCDEF0123SIGN", detail.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"retry\"", detail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"retry\"", (await web.GetAsync($"/integration/api-logs/{okId}")).Html, StringComparison.Ordinal);

        var retried = await web.PostAsync($"/integration/api-logs/{failedId}?handler=Retry", [], tokenFrom: $"/integration/api-logs/{failedId}");
        Assert.Equal(HttpStatusCode.Redirect, retried.Status);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var m = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(x => x.Id == outboxId);
            Assert.NotEqual("old-task", m.TaskMessageId);
            Assert.True(await db.Set<AuditEntry>().AnyAsync(a => a.Action == "apilog.retry" && a.UserName == ServerFixture.AdminUser));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/integration/api-logs/987654321")).Status);
    }
}
