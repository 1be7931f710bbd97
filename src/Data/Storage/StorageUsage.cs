using Catalyst.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Storage;

/// <summary>
/// The bytes a user holds (SPEC §6 quota): every charged blob reference (assets, website data
/// versions and conflict backups, import and migration inputs) plus the declared length of every
/// unfinished upload. Changed only by <see cref="StorageQuota"/>, in the same transaction as the
/// rows it accounts for, so it never drifts from them; the verifier recomputes it from those rows.
/// </summary>
public class StorageUsage
{
    public Guid UserId { get; set; }
    public long Bytes { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class StorageUsageConfiguration : IEntityTypeConfiguration<StorageUsage>
{
    public void Configure(EntityTypeBuilder<StorageUsage> builder)
    {
        builder.ToTable("StorageUsage");
        builder.HasKey(u => u.UserId);
        builder.HasOne<CatalystUser>().WithOne().HasForeignKey<StorageUsage>(u => u.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
