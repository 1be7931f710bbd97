namespace Catalyst.Data.Storage;

/// <summary>A whole payload, identified by the SHA-256 of its content, made of chunks.</summary>
public class StoredBlob
{
    public required string Sha256 { get; set; }
    public long Length { get; set; }
    public int ChunkCount { get; set; }
    /// <summary>Cached count of <see cref="BlobReference"/> rows; verification checks and rebuilds it.</summary>
    public int ReferenceCount { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Refreshed whenever a writer relies on this blob; garbage collection spares blobs used within the grace period.</summary>
    public DateTime LastUsedAt { get; set; }
}

/// <summary>The chunk index of a blob: which chunk holds which byte range, for seeking reads.</summary>
public class BlobChunk
{
    public required string BlobSha256 { get; set; }
    public int Ordinal { get; set; }
    public required string ChunkSha256 { get; set; }
    public long Offset { get; set; }
    public int Length { get; set; }
}

/// <summary>
/// A chunk stored once, named by the SHA-256 of its uncompressed bytes: the chunk index. A packed
/// chunk's stored bytes are <see cref="StoredLength"/> bytes at <see cref="PackOffset"/> in pack
/// <see cref="PackId"/>; a chunk without a pack is a loose object of its own (the layout before
/// packs, which the <c>repack</c> command moves into packs).
/// </summary>
public class StoredChunk
{
    public required string Sha256 { get; set; }
    public int Length { get; set; }
    public int StoredLength { get; set; }
    public ChunkCodec Codec { get; set; }
    public string? PackId { get; set; }
    public long PackOffset { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastUsedAt { get; set; }
    /// <summary>When the background recompression considered this chunk (null: not yet).</summary>
    public DateTime? ColdCheckedAt { get; set; }
}

/// <summary>
/// A sealed pack file or object: chunks appended one after the other behind a header, and a
/// trailer listing them (<see cref="PackFormat"/>), so the chunk index can be rebuilt from the
/// packs alone. Written once, never changed; garbage collection deletes it when no chunk lives in
/// it and rewrites it when few do.
/// </summary>
public class StoredPack
{
    public required string Id { get; set; }
    public long Length { get; set; }
    public int ChunkCount { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Who holds a blob: an asset, a website-data version, a job's result file, …</summary>
public class BlobReference
{
    public Guid Id { get; set; }
    public required string BlobSha256 { get; set; }
    public required string OwnerType { get; set; }
    public required string OwnerId { get; set; }
    /// <summary>The user whose quota this reference counts against (null: not charged, e.g. a derived export file).</summary>
    public Guid? ChargedUserId { get; set; }
    /// <summary>The blob's length as charged to <see cref="ChargedUserId"/> (0 when not charged).</summary>
    public long ChargedBytes { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Chunk bytes when <c>Storage:Provider</c> is <c>Database</c>.</summary>
public class ChunkData
{
    public required string Key { get; set; }
    public required byte[] Data { get; set; }
    public DateTime LastModified { get; set; }
}

public static class BlobOwnerTypes
{
    public const string Asset = "asset";
    public const string WebsiteDataVersion = "website-data-version";
    public const string JobResult = "job-result";
    /// <summary>A file a queued job will read (an import's backup), held until the job is done.</summary>
    public const string JobInput = "job-input";
}
