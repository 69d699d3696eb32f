using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Oms.Tasks;

/// <summary>
/// A queued task (the database backend's queue, and the RabbitMQ backend's outbox and retry
/// schedule). <see cref="VisibleAt"/> is when the row may next be leased: for a ready row its
/// not-before time, for a leased row its lease expiry — so one index serves the first delivery
/// and the re-delivery of an expired lease.
/// </summary>
public sealed class TaskQueueRow
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public required string Kind { get; set; }
    public required string Payload { get; set; }
    /// <summary>0 ready, 1 leased.</summary>
    public short State { get; set; }
    /// <summary>Deliveries so far; the next lease makes it attempt <c>Attempts + 1</c>.</summary>
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    public DateTime VisibleAt { get; set; }
    public string? LeaseOwner { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public const short Ready = 0;
    public const short Leased = 1;
}

/// <summary>失败任务: a task that failed its last attempt, kept until retried or discarded.</summary>
public sealed class FailedTask
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public required string Kind { get; set; }
    public required string Payload { get; set; }
    public int Attempts { get; set; }
    public required string LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime FailedAt { get; set; }
}

/// <summary>任务日志: one line per failed attempt, with its reason; cleaned after two weeks.</summary>
public sealed class TaskLogLine
{
    public long Id { get; set; }
    public required string MessageId { get; set; }
    public required string Type { get; set; }
    public required string Kind { get; set; }
    public int Attempt { get; set; }
    /// <summary><c>retry</c> or <c>failed</c>.</summary>
    public required string Outcome { get; set; }
    public required string Error { get; set; }
    public DateTime At { get; set; }
}

/// <summary>Tasks finished per kind per minute (throughput and "done in the last minute").</summary>
public sealed class TaskMinuteStats
{
    public required string Kind { get; set; }
    public DateTime Minute { get; set; }
    public long Done { get; set; }
    public long Failed { get; set; }
}

/// <summary>The persisted start/stop switch of a kind, polled by every worker process.</summary>
public sealed class TaskKindState
{
    public required string Kind { get; set; }
    public bool Stopped { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>定时器: one row per timer; a firing is claimed by moving <see cref="NextRunAt"/> conditionally.</summary>
public sealed class TaskTimerRow
{
    public required string Name { get; set; }
    public required string Cron { get; set; }
    public required string Type { get; set; }
    public DateTime NextRunAt { get; set; }
    public DateTime? LastRunAt { get; set; }
}

/// <summary>A worker process's heartbeat: tasks it is running per kind (status for the RabbitMQ backend).</summary>
public sealed class TaskWorkerBeat
{
    public required string Owner { get; set; }
    public required string Kind { get; set; }
    public int Running { get; set; }
    public DateTime BeatAt { get; set; }
}

/// <summary>"This message's effect is applied": the idempotency record handlers write in their own transaction.</summary>
public sealed class TaskReceipt
{
    public required string MessageId { get; set; }
    public required string Type { get; set; }
    public DateTime At { get; set; }
}

internal sealed class TaskQueueRowConfiguration : IEntityTypeConfiguration<TaskQueueRow>
{
    public void Configure(EntityTypeBuilder<TaskQueueRow> b)
    {
        b.ToTable("task_queue");
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(100);
        b.Property(x => x.Kind).HasMaxLength(16);
        b.Property(x => x.Payload).HasColumnType("text");
        b.Property(x => x.LeaseOwner).HasMaxLength(100);
        b.Property(x => x.LastError).HasMaxLength(4000);
        b.HasIndex(x => new { x.Kind, x.VisibleAt });
        b.HasIndex(x => x.VisibleAt);
    }
}

internal sealed class FailedTaskConfiguration : IEntityTypeConfiguration<FailedTask>
{
    public void Configure(EntityTypeBuilder<FailedTask> b)
    {
        b.ToTable("task_failed");
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(100);
        b.Property(x => x.Kind).HasMaxLength(16);
        b.Property(x => x.Payload).HasColumnType("text");
        b.Property(x => x.LastError).HasMaxLength(4000);
        b.HasIndex(x => new { x.Kind, x.FailedAt });
    }
}

internal sealed class TaskLogLineConfiguration : IEntityTypeConfiguration<TaskLogLine>
{
    public void Configure(EntityTypeBuilder<TaskLogLine> b)
    {
        b.ToTable("task_log");
        b.Property(x => x.MessageId).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(100);
        b.Property(x => x.Kind).HasMaxLength(16);
        b.Property(x => x.Outcome).HasMaxLength(16);
        b.Property(x => x.Error).HasMaxLength(4000);
        b.HasIndex(x => x.At);
        b.HasIndex(x => x.MessageId);
    }
}

internal sealed class TaskMinuteStatsConfiguration : IEntityTypeConfiguration<TaskMinuteStats>
{
    public void Configure(EntityTypeBuilder<TaskMinuteStats> b)
    {
        b.ToTable("task_stats");
        b.HasKey(x => new { x.Kind, x.Minute });
        b.Property(x => x.Kind).HasMaxLength(16);
        b.HasIndex(x => x.Minute);
    }
}

internal sealed class TaskKindStateConfiguration : IEntityTypeConfiguration<TaskKindState>
{
    public void Configure(EntityTypeBuilder<TaskKindState> b)
    {
        b.ToTable("task_kind_state");
        b.HasKey(x => x.Kind);
        b.Property(x => x.Kind).HasMaxLength(16);
        b.Property(x => x.UpdatedBy).HasMaxLength(100);
    }
}

internal sealed class TaskTimerRowConfiguration : IEntityTypeConfiguration<TaskTimerRow>
{
    public void Configure(EntityTypeBuilder<TaskTimerRow> b)
    {
        b.ToTable("task_timer");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Cron).HasMaxLength(100);
        b.Property(x => x.Type).HasMaxLength(100);
    }
}

internal sealed class TaskWorkerBeatConfiguration : IEntityTypeConfiguration<TaskWorkerBeat>
{
    public void Configure(EntityTypeBuilder<TaskWorkerBeat> b)
    {
        b.ToTable("task_worker");
        b.HasKey(x => new { x.Owner, x.Kind });
        b.Property(x => x.Owner).HasMaxLength(100);
        b.Property(x => x.Kind).HasMaxLength(16);
        b.HasIndex(x => x.BeatAt);
    }
}

internal sealed class TaskReceiptConfiguration : IEntityTypeConfiguration<TaskReceipt>
{
    public void Configure(EntityTypeBuilder<TaskReceipt> b)
    {
        b.ToTable("task_receipt");
        b.HasKey(x => x.MessageId);
        b.Property(x => x.MessageId).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(100);
        b.HasIndex(x => x.At);
    }
}
