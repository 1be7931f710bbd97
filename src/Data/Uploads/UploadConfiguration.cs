using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Uploads;

public sealed class UploadConfiguration : IEntityTypeConfiguration<Upload>
{
    public void Configure(EntityTypeBuilder<Upload> builder)
    {
        builder.ToTable("Uploads");
        builder.Property(u => u.Metadata).HasMaxLength(Upload.MaxMetadataLength);
        builder.Property(u => u.FileName).HasMaxLength(255);
        builder.Property(u => u.MediaType).HasMaxLength(127);
        builder.Property(u => u.Target).HasMaxLength(32).IsUnicode(false);
        builder.Property(u => u.IfMatch).HasMaxLength(64);
        builder.Property(u => u.BlobSha256).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.Property(u => u.Result).HasMaxLength(1000);
        builder.HasIndex(u => new { u.OwnerId, u.CompletedAt });
        builder.HasIndex(u => u.ExpiresAt);
        builder.HasMany<UploadChunk>().WithOne().HasForeignKey(c => c.UploadId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class UploadChunkConfiguration : IEntityTypeConfiguration<UploadChunk>
{
    public void Configure(EntityTypeBuilder<UploadChunk> builder)
    {
        builder.ToTable("UploadChunks");
        builder.HasKey(c => new { c.UploadId, c.Ordinal });
        builder.Property(c => c.ChunkSha256).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.HasIndex(c => c.ChunkSha256);
    }
}
