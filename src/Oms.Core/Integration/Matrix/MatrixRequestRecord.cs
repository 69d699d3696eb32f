using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Data;
using Oms.Tasks;

namespace Oms.Integration.Matrix;

/// <summary>
/// <c>matrix_request</c>: the first answer to a signed call with a non-empty <c>task</c>, keyed by
/// (<c>node_id</c>, <c>task</c>); a repeat within <see cref="MatrixGateway.TaskMemory"/> is answered with it.
/// </summary>
public class MatrixRequestRecord
{
    public const int MaxNodeIdLength = 100;
    public const int MaxTaskLength = 200;

    public required string NodeId { get; set; }
    public required string Task { get; set; }
    public required string Method { get; set; }
    /// <summary>The rendered answer; empty only inside the transaction that claims the key.</summary>
    public required string Answer { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class MatrixRequestRecordConfiguration : IEntityTypeConfiguration<MatrixRequestRecord>
{
    public void Configure(EntityTypeBuilder<MatrixRequestRecord> b)
    {
        b.ToTable("matrix_request");
        b.HasKey(x => new { x.NodeId, x.Task });
        b.Property(x => x.NodeId).HasMaxLength(MatrixRequestRecord.MaxNodeIdLength);
        b.Property(x => x.Task).HasMaxLength(MatrixRequestRecord.MaxTaskLength);
        b.Property(x => x.Method).HasMaxLength(100);
        b.Property(x => x.Answer).HasColumnType("text");
        b.HasIndex(x => x.CreatedAt);
    }
}

/// <summary>Timer <c>trim-matrix-requests</c> (minute 15 of every hour): forgets answers older than 24 h.</summary>
public sealed class MatrixRequestTrimHandler(OmsDbContext db, TimeProvider clock) : ITaskHandler
{
    public const string TimerName = "trim-matrix-requests";

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - MatrixGateway.TaskMemory;
        var deleted = await db.Set<MatrixRequestRecord>().Where(r => r.CreatedAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return TaskResult.Success($"deleted {deleted} remembered matrix answers");
    }
}
