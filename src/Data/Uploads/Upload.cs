using Catalyst.Data.Common;

namespace Catalyst.Data.Uploads;

/// <summary>
/// A resumable (tus) upload. <see cref="Offset"/> is the durable offset: every byte before it is
/// on disk in the staging file and was fsync'ed before the row was saved. Bytes before
/// <see cref="ChunkedOffset"/> are also already chunked into the store (<see cref="UploadChunk"/>).
/// </summary>
public class Upload : ITimestamped
{
    /// <summary>The longest <see cref="Metadata"/> kept (and so the longest a client may send).</summary>
    public const int MaxMetadataLength = 4096;

    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public long Length { get; set; }
    public long Offset { get; set; }
    public long ChunkedOffset { get; set; }
    /// <summary>The client's metadata as it sent it (<see cref="UploadCreation.EchoedMetadata"/>; the tus edge echoes it on HEAD).</summary>
    public string? Metadata { get; set; }
    public string? FileName { get; set; }
    public string? MediaType { get; set; }
    public required string Target { get; set; }
    public Guid? WebsiteId { get; set; }
    public Guid? ProjectId { get; set; }
    /// <summary>For <c>website-data</c>: the version the upload is based on (conflict rules of SPEC §7).</summary>
    public string? IfMatch { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public string? BlobSha256 { get; set; }
    /// <summary>What the completion created (e.g. the asset id, or website id and version).</summary>
    public string? Result { get; set; }
    /// <summary>
    /// The bytes after <see cref="ChunkedOffset"/> (less than one chunk), saved with the offset in
    /// one row so any Portal instance can continue the upload.
    /// </summary>
    public byte[]? Tail { get; set; }
    /// <summary>The instance request writing to the upload now (a lease, so instances sharing a database take turns).</summary>
    public Guid? LeaseId { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsComplete => CompletedAt is not null;
}

/// <summary>A chunk of an unfinished upload; also what keeps its chunks safe from garbage collection.</summary>
public class UploadChunk
{
    public Guid UploadId { get; set; }
    public int Ordinal { get; set; }
    public required string ChunkSha256 { get; set; }
    public long Offset { get; set; }
    public int Length { get; set; }
}

public static class UploadTargets
{
    public const string Asset = "asset";
    public const string WebsiteData = "website-data";

    /// <summary>The refusal of an upload whose target went away (or changed hands) before it completed.</summary>
    public static GoneException Gone(string target) =>
        new("upload_target_deleted", $"The {target} this upload was for was deleted before the upload finished; the upload was discarded.");
}
