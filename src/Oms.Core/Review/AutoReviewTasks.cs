using System.Text.Json;
using Oms.Admin;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Review;

/// <summary>
/// Timer <c>auto-review</c> (every 2 seconds): when <c>review.auto_enabled</c>, takes the orders due for automatic review
/// (<see cref="AutoReviewService.DueAsync"/>), marks them queued and enqueues them as <c>autorder</c> tasks of
/// <see cref="AutoReviewService.BatchSize"/> orders, in one transaction per round — so any number of worker processes share
/// the work. A round takes up to <see cref="MaxPerRound"/> orders and commits, so workers start on it at once; a full round
/// (a larger backlog) is followed by another, up to <see cref="MaxRounds"/> per firing.
/// </summary>
internal sealed class AutoReviewScanHandler(OmsDbContext db, AutoReviewService review, SettingsService settings, ITaskQueue queue,
    TaskRegistry registry, TimeProvider clock) : ITaskHandler
{
    public const string TimerName = "auto-review";
    public const int MaxPerRound = 5000;
    /// <summary>10,000 orders per 2-second firing: more than two cores review, so the scan never caps the workers.</summary>
    public const int MaxRounds = 2;

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (!await settings.GetBoolAsync(AutoReviewTaskHandler.EnabledSetting, cancellationToken).ConfigureAwait(false))
            return TaskResult.Success("review.auto_enabled is off");
        var queued = 0;
        for (var round = 0; round < MaxRounds; round++)
        {
            var due = await review.DueAsync(MaxPerRound, cancellationToken).ConfigureAwait(false);
            if (due.Count == 0) break;
            await using (var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                queue.Enqueue(db, due.Chunk(AutoReviewService.BatchSize).Select(ids => registry.Message(AutoReviewTaskHandler.Type, AutoReviewTaskHandler.Payload(ids))));
                await review.MarkQueuedAsync(due, clock.GetUtcNow().UtcDateTime + AutoReviewService.QueuedFor, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            db.ChangeTracker.Clear();
            queued += due.Count;
            if (due.Count < MaxPerRound) break;
        }
        return TaskResult.Success(queued == 0 ? "nothing due" : $"{queued} orders queued");
    }
}

/// <summary><c>autorder</c>: reviews one batch of orders (idempotent: an order reviewed already is skipped).</summary>
internal sealed class AutoReviewTaskHandler(AutoReviewService review) : ITaskHandler
{
    public const string Type = "autorder";
    public const string EnabledSetting = "review.auto_enabled";

    private sealed record Body(long[] Ids);

    public static string Payload(IEnumerable<long> ids) => JsonSerializer.Serialize(new Body(ids.ToArray()));

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = JsonSerializer.Deserialize<Body>(context.Payload) ?? throw new InvalidOperationException("empty autorder payload");
        var results = await review.ReviewAsync(body.Ids, cancellationToken).ConfigureAwait(false);
        return TaskResult.Success($"{results.Count(r => r.Outcome == AutoReviewOutcome.Reviewed)} reviewed, "
            + $"{results.Count(r => r.Outcome == AutoReviewOutcome.Held)} held, {results.Count(r => r.Outcome == AutoReviewOutcome.Skipped)} skipped");
    }
}
