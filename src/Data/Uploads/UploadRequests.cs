namespace Catalyst.Data.Uploads;

/// <summary>
/// A new upload as the protocol edge understood it: the declared length and the client's
/// metadata (file name and type, target, target ids, ifMatch), already decoded. Keys are the
/// ones tus clients send (<c>filename</c>, <c>filetype</c>, <c>target</c>, <c>websiteId</c>...).
/// </summary>
public sealed record UploadCreation(long Length, IReadOnlyDictionary<string, string?> Metadata)
{
    /// <summary>The keys clients name the file with (Uppy and tus-js-client send <c>filename</c>, some <c>name</c>).</summary>
    public static readonly IReadOnlyList<string> FileNameKeys = ["filename", "name"];

    /// <summary>
    /// The metadata exactly as the client sent it, opaque here: kept with the upload so the edge
    /// can hand it back (tus echoes <c>Upload-Metadata</c> on HEAD). At most <see cref="Upload.MaxMetadataLength"/> characters.
    /// </summary>
    public string? EchoedMetadata { get; init; }
}

/// <summary>
/// Bytes to append at <see cref="Offset"/> (which must be the upload's durable offset). A
/// <see cref="Body"/> whose sender goes away throws <see cref="IOException"/> or
/// <see cref="OperationCanceledException"/>; what arrived before is kept unless a
/// <see cref="Checksum"/> was announced.
/// </summary>
public sealed record UploadAppend(long Offset, Stream Body, UploadChecksum? Checksum = null);
