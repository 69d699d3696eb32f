using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Deliveries;
using Oms.Fulfillment;
using Oms.Inventory;
using Oms.Outbox;

/// <summary>
/// Batch consign (发货, <c>autodly</c>) of the own floor: the <c>mixed</c> review installation (<see cref="ReviewBench"/>),
/// every order reviewed into a delivery (not timed), each delivery given a waybill number and the floor's print/verify
/// requirements switched off; then W workers (each its own scope and transaction per batch, as <c>autodly</c> tasks run)
/// consign batches of B deliveries until none is left. Reports deliveries/second, checks that every delivery shipped once,
/// that each order got one write-back request, and the invariants.
/// </summary>
internal static class ConsignBench
{
    public sealed record Row(string Backend, int Workers, int Batch, int Deliveries, double Seconds, int Shipped, int Writebacks, string Invariants);

    public static Task<Row> RunAsync(string backend, int orders, int workers, int batch) =>
        ReviewBench.WithInstallationAsync(backend, "mixed", orders, async (sp, due) =>
        {
            await ReviewBench.ReviewAllAsync(sp, due, 2);
            List<long> ids;
            await using (var scope = sp.CreateAsyncScope())
            {
                var s = scope.ServiceProvider;
                var settings = s.GetRequiredService<Oms.Admin.SettingsService>();
                await settings.SetAsync("print.required", "", "bench");
                await settings.SetAsync("verify.required", "false", "bench");
                var db = s.GetRequiredService<OmsDbContext>();
                await db.Set<Delivery>().Where(d => d.Status == DeliveryStatus.Ready).ExecuteUpdateAsync(u => u.SetProperty(d => d.LogiNo, d => "YT" + d.Id));
                ids = await db.Set<Delivery>().Where(d => d.Status == DeliveryStatus.Ready).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync();
                await BenchPostgres.AnalyzeAsync(db);
            }

            var batches = Channel.CreateUnbounded<long[]>();
            foreach (var chunk in ids.Chunk(batch)) batches.Writer.TryWrite(chunk);
            batches.Writer.Complete();
            var shipped = 0;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                await foreach (var chunk in batches.Reader.ReadAllAsync())
                {
                    await using var scope = sp.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
                    await using var tx = await db.Database.BeginTransactionAsync();
                    var outcomes = await scope.ServiceProvider.GetRequiredService<ConsignService>().ConsignBatchAsync(
                        chunk.Select(id => (id, new ConsignInput(null))).ToList(), ConsignSource.Floor, "bench");
                    await tx.CommitAsync();
                    Interlocked.Add(ref shipped, outcomes.Count(o => o.Shipped));
                }
            })));
            var seconds = sw.Elapsed.TotalSeconds;

            await using var check = sp.CreateAsyncScope();
            var cdb = check.ServiceProvider.GetRequiredService<OmsDbContext>();
            var violations = await check.ServiceProvider.GetRequiredService<InventoryInvariants>().CheckAsync();
            var writebacks = await cdb.Set<OutboxMessage>().CountAsync(m => m.Method == "store.logistics.offline.send" || m.Method == "store.trade.shipping.add");
            var stillReady = await cdb.Set<Delivery>().CountAsync(d => d.Status == DeliveryStatus.Ready);
            var invariants = violations.Count == 0 && stillReady == 0 ? "hold" : $"{violations.Count} violated, {stillReady} not shipped";
            return new Row(backend, workers, batch, ids.Count, seconds, shipped, writebacks, invariants);
        });

    public static string Format(Row r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Backend} | {r.Workers} | {r.Batch} | {r.Deliveries} | {r.Deliveries / r.Seconds:F0} | {r.Shipped} | {r.Writebacks} | {r.Invariants} |");
}
