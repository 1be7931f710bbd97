using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Storage;

internal static class Sha256Column
{
    public static PropertyBuilder<string> IsSha256(this PropertyBuilder<string> property) =>
        property.HasMaxLength(64).IsUnicode(false).IsFixedLength();
}

public sealed class StoredBlobConfiguration : IEntityTypeConfiguration<StoredBlob>
{
    public void Configure(EntityTypeBuilder<StoredBlob> builder)
    {
        builder.ToTable("StoredBlobs");
        builder.HasKey(b => b.Sha256);
        builder.Property(b => b.Sha256).IsSha256();
        builder.HasIndex(b => b.LastUsedAt);
        builder.HasMany<BlobChunk>().WithOne().HasForeignKey(c => c.BlobSha256).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class BlobChunkConfiguration : IEntityTypeConfiguration<BlobChunk>
{
    public void Configure(EntityTypeBuilder<BlobChunk> builder)
    {
        builder.ToTable("BlobChunks");
        builder.HasKey(c => new { c.BlobSha256, c.Ordinal });
        builder.Property(c => c.BlobSha256).IsSha256();
        builder.Property(c => c.ChunkSha256).IsSha256();
        builder.HasIndex(c => c.ChunkSha256);
        // Seeks find the chunk holding an offset.
        builder.HasIndex(c => new { c.BlobSha256, c.Offset });
    }
}

public sealed class StoredChunkConfiguration : IEntityTypeConfiguration<StoredChunk>
{
    public void Configure(EntityTypeBuilder<StoredChunk> builder)
    {
        builder.ToTable("StoredChunks");
        builder.HasKey(c => c.Sha256);
        builder.Property(c => c.Sha256).IsSha256();
        builder.Property(c => c.Codec).HasConversion<byte>();
        builder.HasIndex(c => c.LastUsedAt);
        // The background recompression's work list: chunks not yet considered, oldest first.
        builder.HasIndex(c => new { c.ColdCheckedAt, c.CreatedAt });
        builder.Property(c => c.PackId).HasMaxLength(StorageKeys.PackIdLength).IsUnicode(false);
        // A pack's live chunks, for garbage collection and pruning.
        builder.HasIndex(c => c.PackId);
    }
}

public sealed class StoredPackConfiguration : IEntityTypeConfiguration<StoredPack>
{
    public void Configure(EntityTypeBuilder<StoredPack> builder)
    {
        builder.ToTable("StoredPacks");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(StorageKeys.PackIdLength).IsUnicode(false);
        builder.HasIndex(p => p.CreatedAt);
    }
}

public sealed class BlobReferenceConfiguration : IEntityTypeConfiguration<BlobReference>
{
    public void Configure(EntityTypeBuilder<BlobReference> builder)
    {
        builder.ToTable("BlobReferences");
        builder.Property(r => r.BlobSha256).IsSha256();
        builder.Property(r => r.OwnerType).HasMaxLength(32).IsUnicode(false);
        builder.Property(r => r.OwnerId).HasMaxLength(64).IsUnicode(false);
        builder.HasIndex(r => r.BlobSha256);
        builder.HasIndex(r => new { r.OwnerType, r.OwnerId }).IsUnique();
        // The quota verifier sums a user's charges.
        builder.HasIndex(r => r.ChargedUserId);
        // No foreign key to StoredBlobs: a reference may be written in the same unit of work that
        // (re)creates its blob, and garbage collection checks references before deleting.
    }
}

public sealed class ChunkDataConfiguration : IEntityTypeConfiguration<ChunkData>
{
    public void Configure(EntityTypeBuilder<ChunkData> builder)
    {
        builder.ToTable("ChunkData");
        builder.HasKey(c => c.Key);
        // A chunk hash, with "-br" for a chunk's cold form (StorageKeys).
        builder.Property(c => c.Key).HasMaxLength(67).IsUnicode(false);
        builder.Property(c => c.Data).IsRequired();
    }
}
