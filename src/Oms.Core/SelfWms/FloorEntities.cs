using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Oms.Deliveries;

namespace Oms.SelfWms;

/// <summary>Print mode of a batch: 普通 (any), 单品 (one material, one piece), 多品 (everything else).</summary>
public enum PrintMode
{
    Normal = 0,
    Single = 1,
    Multi = 2,
}

/// <summary>
/// 打印批次 — deliveries printed together, numbered <c>operatorId-yMMdd-seq</c> (the manual's <c>1-41124-0003</c>);
/// each delivery's code adds <c>_</c> + its two-digit position (<c>1-41124-0003_01</c>).
/// </summary>
public class PrintBatch
{
    public long Id { get; set; }
    /// <summary><c>operatorId-yMMdd-seq</c>, e.g. <c>1-41124-0003</c>.</summary>
    public required string BatchNo { get; set; }
    public long OperatorId { get; set; }
    /// <summary>China date as yyyyMMdd: the day whose sequence <see cref="Seq"/> counts.</summary>
    public int Day { get; set; }
    public int Seq { get; set; }
    public PrintMode Mode { get; set; }
    public long BranchId { get; set; }
    /// <summary>Documents printed at least once for this batch (the <see cref="PrintStatus"/> bits).</summary>
    public PrintStatus Printed { get; set; }
    public int PrintCount { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<PrintBatchItem> Items { get; set; } = [];
}

/// <summary>A delivery's place in its batch; a delivery belongs to at most one batch.</summary>
public class PrintBatchItem
{
    public long Id { get; set; }
    public long BatchId { get; set; }
    public long DeliveryId { get; set; }
    /// <summary>1-based position.</summary>
    public int Position { get; set; }
    /// <summary><c>1-41124-0003_01</c>.</summary>
    public required string Code { get; set; }
}

/// <summary>What a background floor job does with each line.</summary>
public static class FloorJobTypes
{
    /// <summary>批量校验: whole-delivery verification of a list of waybills.</summary>
    public const string AutoCheck = "autochk";
    /// <summary>批量发货: consign of a list of waybills.</summary>
    public const string AutoConsign = "autodly";
}

public enum FloorJobStatus { Queued = 0, Running = 1, Done = 2 }

public enum FloorJobLineResult { Pending = 0, Ok = 1, Refused = 2 }

/// <summary>A batch verify / consign job (task <c>autochk</c> / <c>autodly</c>) with its progress.</summary>
public class FloorJob
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public FloorJobStatus Status { get; set; }
    public int Total { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<FloorJobLine> Lines { get; set; } = [];
}

/// <summary>One waybill number (or delivery_bn) of a job and what became of it.</summary>
public class FloorJobLine
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public int Seq { get; set; }
    public required string Code { get; set; }
    public long? DeliveryId { get; set; }
    public FloorJobLineResult Result { get; set; }
    public string? Message { get; set; }
}

internal sealed class PrintBatchConfiguration : IEntityTypeConfiguration<PrintBatch>
{
    public void Configure(EntityTypeBuilder<PrintBatch> b)
    {
        b.ToTable("print_batch");
        b.HasIndex(x => x.BatchNo).IsUnique();
        b.HasIndex(x => new { x.OperatorId, x.Day, x.Seq }).IsUnique();
        b.Property(x => x.BatchNo).HasMaxLength(40);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.BatchId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PrintBatchItemConfiguration : IEntityTypeConfiguration<PrintBatchItem>
{
    public void Configure(EntityTypeBuilder<PrintBatchItem> b)
    {
        b.ToTable("print_batch_item");
        b.HasIndex(x => x.DeliveryId).IsUnique();
        b.HasIndex(x => new { x.BatchId, x.Position }).IsUnique();
        b.Property(x => x.Code).HasMaxLength(48);
        b.HasOne<Delivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FloorJobConfiguration : IEntityTypeConfiguration<FloorJob>
{
    public void Configure(EntityTypeBuilder<FloorJob> b)
    {
        b.ToTable("floor_job");
        b.Property(x => x.Type).HasMaxLength(20);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasMany(x => x.Lines).WithOne().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FloorJobLineConfiguration : IEntityTypeConfiguration<FloorJobLine>
{
    public void Configure(EntityTypeBuilder<FloorJobLine> b)
    {
        b.ToTable("floor_job_line");
        b.HasIndex(x => new { x.JobId, x.Seq }).IsUnique();
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Message).HasMaxLength(500);
    }
}
