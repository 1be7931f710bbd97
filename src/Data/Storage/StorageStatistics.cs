using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

/// <summary>
/// What the store holds. Logical bytes count every reference (what users think they store);
/// unique bytes count each blob once; chunked bytes count each chunk once; physical bytes are
/// what the chunks take after compression.
/// </summary>
public sealed record StorageSummary(
    long LogicalBytes, long UniqueBlobBytes, long ChunkBytes, long PhysicalBytes,
    int Blobs, int Chunks, int References, IReadOnlyList<CodecSummary> Codecs, PackSummary? Packs = null)
{
    /// <summary>Saved because equal blobs and equal chunks are stored once.</summary>
    public long DeduplicationSavings => Math.Max(0, LogicalBytes - ChunkBytes);
    /// <summary>Saved by compressing chunks.</summary>
    public long CompressionSavings => Math.Max(0, ChunkBytes - PhysicalBytes);
    public double SavingsRatio => LogicalBytes == 0 ? 0 : 1 - (double)PhysicalBytes / LogicalBytes;
}

/// <summary>
/// The packs: how many, their bytes in the store, the bytes of live chunks in them, and the dead
/// bytes (chunks nothing uses any more, and copies a concurrent writer also stored) that pruning
/// reclaims; loose chunks are those still in the layout before packs.
/// </summary>
public sealed record PackSummary(int Packs, long PackBytes, long LiveBytes, int LooseChunks, long LooseBytes)
{
    public long DeadBytes => Math.Max(0, PackBytes - LiveBytes);
}

/// <summary>The chunks stored with one codec: their bytes before and after, and what the codec saved.</summary>
public sealed record CodecSummary(ChunkCodec Codec, int Chunks, long Bytes, long StoredBytes)
{
    public string Name => Codec switch { ChunkCodec.None => "none", ChunkCodec.Lz4 => "lz4", ChunkCodec.Brotli => "brotli", _ => Codec.ToString() };
    public long Saved => Math.Max(0, Bytes - StoredBytes);
}

public sealed class StorageStatistics(CatalystDbContext db)
{
    public async Task<StorageSummary> SummarizeAsync(CancellationToken ct)
    {
        var logical = await db.Set<BlobReference>()
            .Join(db.Set<StoredBlob>(), r => r.BlobSha256, b => b.Sha256, (r, b) => b.Length)
            .SumAsync(l => (long?)l, ct) ?? 0;
        // Totals as one-group lists (a First over an unordered grouping is what EF warns about).
        var blobs = (await db.Set<StoredBlob>().GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Bytes = g.Sum(b => b.Length) }).ToListAsync(ct)).SingleOrDefault();
        var references = await db.Set<BlobReference>().CountAsync(ct);
        var codecs = await db.Set<StoredChunk>().GroupBy(c => c.Codec)
            .Select(g => new { Codec = g.Key, Count = g.Count(), Bytes = g.Sum(c => (long)c.Length), Stored = g.Sum(c => (long)c.StoredLength) }).ToListAsync(ct);
        var chunks = new { Count = codecs.Sum(c => c.Count), Bytes = codecs.Sum(c => c.Bytes), Stored = codecs.Sum(c => c.Stored) };
        var packs = (await db.Set<StoredPack>().GroupBy(_ => 1).Select(g => new { Count = g.Count(), Bytes = g.Sum(p => p.Length) }).ToListAsync(ct)).SingleOrDefault();
        var placed = await db.Set<StoredChunk>().GroupBy(c => c.PackId == null)
            .Select(g => new { Loose = g.Key, Count = g.Count(), Stored = g.Sum(c => (long)c.StoredLength) }).ToListAsync(ct);
        var live = placed.FirstOrDefault(p => !p.Loose);
        var loose = placed.FirstOrDefault(p => p.Loose);
        return new StorageSummary(logical, blobs?.Bytes ?? 0, chunks.Bytes, chunks.Stored,
            blobs?.Count ?? 0, chunks.Count, references,
            codecs.Select(c => new CodecSummary(c.Codec, c.Count, c.Bytes, c.Stored)).OrderBy(c => c.Codec).ToList(),
            new PackSummary(packs?.Count ?? 0, packs?.Bytes ?? 0, live?.Stored ?? 0, loose?.Count ?? 0, loose?.Stored ?? 0));
    }
}
