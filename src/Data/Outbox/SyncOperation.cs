using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Outbox;

public enum SyncOperationStatus { Pending, InFlight, Succeeded, Failed }

public static class SyncOperationKinds
{
    /// <summary>Posts a website backup to a deployment config's endpoint; the payload reference is the DeploymentRun id.</summary>
    public const string Deployment = "deployment";
}

/// <summary>
/// A row of the outbox (SPEC §5, §9): one delivery to make, with its retry schedule. The schedule
/// lives here — <see cref="NextAttemptAt"/>, <see cref="Attempts"/> — and not only in the job
/// queue's memory, so a restarted process continues it where it stopped. <see cref="LockedUntil"/>
/// is the lease of the worker making an attempt; an expired lease means that worker died.
/// </summary>
public class SyncOperation : ITimestamped
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    /// <summary>What to deliver, in the kind's own terms (for a deployment: the run id).</summary>
    public required string PayloadRef { get; set; }
    public SyncOperationStatus Status { get; set; }
    /// <summary>Attempts since the operation was queued or last retried by hand.</summary>
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime? LockedUntil { get; set; }
    public string? LastError { get; set; }
    /// <summary>Sent with every attempt, so the receiver can recognise a repeat.</summary>
    public required string IdempotencyKey { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsFinished => Status is SyncOperationStatus.Succeeded or SyncOperationStatus.Failed;
}

public sealed class SyncOperationConfiguration : IEntityTypeConfiguration<SyncOperation>
{
    public void Configure(EntityTypeBuilder<SyncOperation> builder)
    {
        builder.ToTable("SyncOperations");
        builder.Property(o => o.Kind).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(o => o.PayloadRef).HasMaxLength(64).IsUnicode(false).IsRequired();
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(o => o.LastError).HasMaxLength(2000);
        builder.Property(o => o.IdempotencyKey).HasMaxLength(64).IsUnicode(false).IsRequired();
        builder.Ignore(o => o.IsFinished);
        builder.HasIndex(o => new { o.Status, o.NextAttemptAt });
        builder.HasIndex(o => o.IdempotencyKey).IsUnique();
    }
}
