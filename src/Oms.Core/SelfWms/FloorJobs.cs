using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Common;
using Oms.Data;
using Oms.Tasks;

namespace Oms.SelfWms;

/// <summary>
/// Batch verification (批量校验, task <c>autochk</c>) and batch consign (批量发货, task <c>autodly</c>) of a pasted list of
/// waybill numbers or delivery numbers: a <see cref="FloorJob"/> with one line per number, enqueued in the same
/// transaction; the task works the pending lines one by one, each in its own transaction, and records the answer per
/// line — the progress the jobs page shows.
/// </summary>
public sealed class FloorJobService(OmsDbContext db, ITaskQueue queue, TaskRegistry registry, TimeProvider clock)
{
    public const int MaxLines = 2000;

    /// <summary>Splits a pasted list (new lines, commas, semicolons, blanks); duplicates kept once, in order.</summary>
    public static IReadOnlyList<string> ParseCodes(string? text) =>
        (text ?? "").Split(['\n', '\r', ',', ';', ' ', '\t', '，', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();

    public async Task<FloorJob> CreateAsync(string type, IReadOnlyList<string> codes, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (type is not (FloorJobTypes.AutoCheck or FloorJobTypes.AutoConsign)) throw new ValidationException("type", $"'{type}' is not autochk or autodly");
        if (codes.Count == 0) throw new ValidationException("codes", "请输入运单号或发货单号，每行一个");
        if (codes.Count > MaxLines) throw new ValidationException("codes", $"一次最多 {MaxLines} 个单号");
        var tooLong = codes.FirstOrDefault(c => c.Length > 64);
        if (tooLong is not null) throw new ValidationException("codes", $"单号 {tooLong} 太长");
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new FloorJob
        {
            Type = type, Status = FloorJobStatus.Queued, Total = codes.Count, CreatedBy = actor, CreatedAt = now, UpdatedAt = now,
            Lines = codes.Select((c, i) => new FloorJobLine { Seq = i + 1, Code = c }).ToList(),
        };
        await FloorDeliveries.InTransactionAsync(db, async () =>
        {
            db.Add(job);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            queue.Enqueue(db, [registry.Message(type, FloorJobHandler.Payload(job.Id))]);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return job;
        }, ct).ConfigureAwait(false);
        return job;
    }

    public Task<FloorJob?> GetAsync(long id, CancellationToken ct = default) =>
        db.Set<FloorJob>().AsNoTracking().Include(j => j.Lines.OrderBy(l => l.Seq)).FirstOrDefaultAsync(j => j.Id == id, ct);

    public Task<KeysetPage<FloorJob>> ListAsync(long? before, CancellationToken ct = default) =>
        db.Set<FloorJob>().AsNoTracking().ToKeysetPageAsync(j => j.Id, before, 20, ct);
}

/// <summary>What a job line does to one delivery (verify all, or consign), in the caller's transaction.</summary>
public interface IFloorJobStep
{
    string Type { get; }
    /// <summary>Answers the delivery id; refuses with <see cref="DomainException"/>/<see cref="ValidationException"/>.</summary>
    Task<long> RunAsync(string code, string actor, CancellationToken ct);
}

internal sealed class AutoCheckStep(OmsDbContext db, VerifyService verify) : IFloorJobStep
{
    public string Type => FloorJobTypes.AutoCheck;

    public async Task<long> RunAsync(string code, string actor, CancellationToken ct)
    {
        var d = await FloorDeliveries.FindOrThrowAsync(db, code, ct).ConfigureAwait(false);
        await verify.VerifyAllAsync(d.Id, actor, ct).ConfigureAwait(false);
        return d.Id;
    }
}

/// <summary>Runs the pending lines of one <see cref="FloorJob"/> (idempotent: a line answered already is not run again).</summary>
internal sealed class FloorJobHandler(IServiceProvider services, TimeProvider clock) : ITaskHandler
{
    private sealed record Body(long JobId);

    public static string Payload(long jobId) => JsonSerializer.Serialize(new Body(jobId));

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = JsonSerializer.Deserialize<Body>(context.Payload) ?? throw new InvalidOperationException("empty floor job payload");
        long[] lineIds;
        string actor;
        string type;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var job = await db.Set<FloorJob>().FirstOrDefaultAsync(j => j.Id == body.JobId, cancellationToken).ConfigureAwait(false);
            if (job is null) return TaskResult.Success($"job {body.JobId} is gone");
            (actor, type) = (job.CreatedBy, job.Type);
            job.Status = FloorJobStatus.Running;
            job.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            lineIds = await db.Set<FloorJobLine>().Where(l => l.JobId == job.Id && l.Result == FloorJobLineResult.Pending).OrderBy(l => l.Seq)
                .Select(l => l.Id).ToArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        if (type == FloorJobTypes.AutoConsign)
        {
            // batch consign: a chunk of lines per transaction through ConsignService's batch path
            foreach (var chunk in lineIds.Chunk(ConsignChunk))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await RunConsignChunkAsync(body.JobId, chunk, actor, cancellationToken).ConfigureAwait(false);
            }
        }
        else
            foreach (var lineId in lineIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await RunLineAsync(body.JobId, lineId, type, actor, cancellationToken).ConfigureAwait(false);
            }
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var job = await db.Set<FloorJob>().FirstAsync(j => j.Id == body.JobId, cancellationToken).ConfigureAwait(false);
            job.Status = FloorJobStatus.Done;
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            job.UpdatedAt = job.FinishedAt.Value;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return TaskResult.Success($"{job.Succeeded} ok, {job.Failed} refused");
        }
    }

    /// <summary>Lines of an <c>autodly</c> job consigned per transaction.</summary>
    public const int ConsignChunk = 200;

    /// <summary>
    /// Up to <see cref="ConsignChunk"/> lines of an <c>autodly</c> job in one scope and transaction: the codes found (delivery
    /// number, else waybill number — open deliveries first, then the newest), consigned together
    /// (<see cref="ConsignService.ConsignBatchAsync"/>: a refused delivery is reported, the others ship), and every line's
    /// answer written with them. A failure other than a refusal rolls the chunk back and the task is retried; lines already
    /// answered are skipped then.
    /// </summary>
    private async Task RunConsignChunkAsync(long jobId, long[] lineIds, string actor, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        var consign = scope.ServiceProvider.GetRequiredService<Fulfillment.ConsignService>();
        await FloorDeliveries.InTransactionAsync(db, async () =>
        {
            var lines = await db.Set<FloorJobLine>().AsNoTracking().Where(l => lineIds.Contains(l.Id) && l.Result == FloorJobLineResult.Pending)
                .OrderBy(l => l.Seq).ToListAsync(ct).ConfigureAwait(false);
            if (lines.Count == 0) return 0;
            var codes = lines.Select(l => l.Code.Trim()).Distinct().ToList();
            var byBn = await db.Set<Deliveries.Delivery>().AsNoTracking().Where(d => codes.Contains(d.DeliveryBn))
                .ToDictionaryAsync(d => d.DeliveryBn, d => d.Id, ct).ConfigureAwait(false);
            var rest = codes.Where(c => !byBn.ContainsKey(c)).ToList();
            var byNo = rest.Count == 0 ? []
                : (await db.Set<Deliveries.Delivery>().AsNoTracking().Where(d => d.LogiNo != null && rest.Contains(d.LogiNo))
                        .Select(d => new { d.Id, d.LogiNo, Open = d.Status == Deliveries.DeliveryStatus.Ready || d.Status == Deliveries.DeliveryStatus.Pause })
                        .ToListAsync(ct).ConfigureAwait(false))
                    .GroupBy(x => x.LogiNo!).ToDictionary(g => g.Key, g => g.OrderBy(x => x.Open ? 0 : 1).ThenByDescending(x => x.Id).First().Id);
            var found = new List<(FloorJobLine Line, long DeliveryId)>();
            var answers = new Dictionary<long, (long? DeliveryId, string? Error)>();
            foreach (var l in lines)
            {
                var c = l.Code.Trim();
                if (byBn.TryGetValue(c, out var id) || byNo.TryGetValue(c, out id)) found.Add((l, id));
                else answers[l.Id] = (null, $"没有发货单号或运单号为 {c} 的发货单");
            }
            var outcomes = await consign.ConsignBatchAsync(found.Select(f => (f.DeliveryId, new Fulfillment.ConsignInput(null))).ToList(),
                Fulfillment.ConsignSource.Floor, actor, ct).ConfigureAwait(false);
            for (var i = 0; i < found.Count; i++) answers[found[i].Line.Id] = (found[i].DeliveryId, outcomes[i].Error);

            db.ChangeTracker.Clear();
            var tracked = await db.Set<FloorJobLine>().Where(l => lineIds.Contains(l.Id) && l.Result == FloorJobLineResult.Pending)
                .ToListAsync(ct).ConfigureAwait(false);
            foreach (var l in tracked)
            {
                var (deliveryId, error) = answers[l.Id];
                l.DeliveryId = deliveryId;
                l.Result = error is null ? FloorJobLineResult.Ok : FloorJobLineResult.Refused;
                l.Message = error is { Length: > 500 } e ? e[..500] : error;
            }
            var ok = tracked.Count(l => l.Result == FloorJobLineResult.Ok);
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Set<FloorJob>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Succeeded, j => j.Succeeded + ok).SetProperty(j => j.Failed, j => j.Failed + (tracked.Count - ok))
                .SetProperty(j => j.UpdatedAt, now), ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>One line in its own scope and transaction: the step and the line's answer commit together.</summary>
    private async Task RunLineAsync(long jobId, long lineId, string type, string actor, CancellationToken ct)
    {
        string? error = null;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
            var step = scope.ServiceProvider.GetServices<IFloorJobStep>().First(s => s.Type == type);
            try
            {
                await FloorDeliveries.InTransactionAsync(db, async () =>
                {
                    var line = await db.Set<FloorJobLine>().FirstAsync(l => l.Id == lineId, ct).ConfigureAwait(false);
                    if (line.Result != FloorJobLineResult.Pending) return 0;
                    line.DeliveryId = await step.RunAsync(line.Code, actor, ct).ConfigureAwait(false);
                    line.Result = FloorJobLineResult.Ok;
                    await Count(db, jobId, ok: true, ct).ConfigureAwait(false);
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    return 0;
                }, ct).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is DomainException or ValidationException)
            {
                error = e.Message;
            }
        }
        // refused: the step's transaction rolled back; the answer is written on its own
        await using var s2 = services.CreateAsyncScope();
        var db2 = s2.ServiceProvider.GetRequiredService<OmsDbContext>();
        await FloorDeliveries.InTransactionAsync(db2, async () =>
        {
            var line = await db2.Set<FloorJobLine>().FirstAsync(l => l.Id == lineId, ct).ConfigureAwait(false);
            if (line.Result != FloorJobLineResult.Pending) return 0;
            line.Result = FloorJobLineResult.Refused;
            line.Message = error!.Length > 500 ? error[..500] : error;
            await Count(db2, jobId, ok: false, ct).ConfigureAwait(false);
            await db2.SaveChangesAsync(ct).ConfigureAwait(false);
            return 0;
        }, ct).ConfigureAwait(false);
    }

    private async Task Count(OmsDbContext db, long jobId, bool ok, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (ok)
            await db.Set<FloorJob>().Where(j => j.Id == jobId)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Succeeded, j => j.Succeeded + 1).SetProperty(j => j.UpdatedAt, now), ct).ConfigureAwait(false);
        else
            await db.Set<FloorJob>().Where(j => j.Id == jobId)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Failed, j => j.Failed + 1).SetProperty(j => j.UpdatedAt, now), ct).ConfigureAwait(false);
    }
}
