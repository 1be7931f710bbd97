using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.LegacyImport;

public sealed class LegacyImportMigrationConfiguration : IEntityTypeConfiguration<LegacyImportMigration>
{
    public void Configure(EntityTypeBuilder<LegacyImportMigration> builder)
    {
        builder.ToTable("LegacyMigrations");
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Error).HasMaxLength(4000);
        builder.HasIndex(m => new { m.OwnerId, m.CreatedAt });
    }
}

public sealed class LegacySourceKeyConfiguration : IEntityTypeConfiguration<LegacySourceKey>
{
    public void Configure(EntityTypeBuilder<LegacySourceKey> builder)
    {
        builder.ToTable("LegacySourceKeys");
        builder.Property(k => k.Database).HasMaxLength(128).IsRequired();
        builder.Property(k => k.Table).HasMaxLength(128).IsRequired();
        builder.Property(k => k.Key).HasMaxLength(400).IsRequired();
        builder.Property(k => k.TargetKind).HasMaxLength(32).IsRequired();
        builder.Property(k => k.TargetId).HasMaxLength(100).IsRequired();
        builder.Property(k => k.Sha256).HasMaxLength(64);
        builder.HasIndex(k => new { k.UserId, k.Database, k.Table, k.Key }).IsUnique();
        builder.HasIndex(k => new { k.MigrationId, k.TargetKind });
    }
}
