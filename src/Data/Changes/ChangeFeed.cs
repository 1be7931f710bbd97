using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Changes;

public enum SyncOperation { Upsert, Delete }

/// <summary>The kinds of rows the change feed carries (the <c>type</c> of a change). Websites join later.</summary>
public static class SyncEntityTypes
{
    public const string Project = "project";
    public const string ChatSession = "chatSession";
    public const string ChatMessage = "chatMessage";
    /// <summary>
    /// The caller's feature flags (SPEC §14): one row for everybody (owner <see cref="Guid.Empty"/>,
    /// id <see cref="Guid.Empty"/>), moved to the head of the feed whenever a flag changes; its entity
    /// is the reading user's own flag map, evaluated when the page is read.
    /// </summary>
    public const string Features = "features";
}

/// <summary>
/// One row of the change feed: the latest create/update (<see cref="SyncOperation.Upsert"/>) or the
/// deletion (a tombstone) of one entity, at position <see cref="Seq"/>. A newer change of the same
/// entity replaces the older row, so the feed holds one row per live entity plus the tombstones.
/// </summary>
public class SyncChange
{
    public long Seq { get; set; }
    public Guid OwnerId { get; set; }
    public required string EntityType { get; set; }
    public Guid EntityId { get; set; }
    public SyncOperation Operation { get; set; }
    public DateTime At { get; set; }
}

/// <summary>A named counter; <see cref="ChangeSet"/> draws feed positions from <see cref="Changes"/>.</summary>
public class SyncCounter
{
    public const string Changes = "changes";
    public required string Name { get; set; }
    public long Value { get; set; }
}

public sealed class SyncChangeConfiguration : IEntityTypeConfiguration<SyncChange>
{
    public void Configure(EntityTypeBuilder<SyncChange> builder)
    {
        builder.ToTable("SyncChanges");
        builder.HasKey(c => c.Seq);
        builder.Property(c => c.Seq).ValueGeneratedNever();
        builder.Property(c => c.EntityType).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(c => c.Operation).HasConversion<string>().HasMaxLength(8).IsUnicode(false);
        // A client's catch-up is one range of the first; replacing an entity's older row uses the second.
        builder.HasIndex(c => new { c.OwnerId, c.Seq });
        builder.HasIndex(c => c.EntityId);
    }
}

public sealed class SyncCounterConfiguration : IEntityTypeConfiguration<SyncCounter>
{
    public void Configure(EntityTypeBuilder<SyncCounter> builder)
    {
        builder.ToTable("SyncCounters");
        builder.HasKey(c => c.Name);
        builder.Property(c => c.Name).HasMaxLength(32).IsUnicode(false);
        builder.HasData(new SyncCounter { Name = SyncCounter.Changes, Value = 0 });
    }
}
