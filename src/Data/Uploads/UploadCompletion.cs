using Catalyst.Data.Common;
using Catalyst.Data.Storage;

namespace Catalyst.Data.Uploads;

/// <summary>
/// What happens when an upload's last byte arrives, per <c>target</c>. Handlers run inside the
/// completing transaction: if one throws, nothing it would have created exists; a refusal by a
/// rule (a domain exception: its target is gone or not the uploader's any more, the document is
/// invalid, the quota is full) also discards the upload, whose bytes can never complete otherwise.
/// </summary>
public interface IUploadCompletionHandler
{
    string Target { get; }

    /// <summary>Checks the creation request (metadata, ownership of referenced resources) before any byte is accepted.</summary>
    Task ValidateAsync(Actor actor, Upload upload, IReadOnlyDictionary<string, string?> metadata, CancellationToken ct);

    /// <summary>
    /// Heavy work before the completing transaction (storing derived blobs): a transaction must
    /// not be open while chunks are written through their own connection. Returns state for
    /// <see cref="CompleteAsync"/>.
    /// </summary>
    Task<object?> PrepareAsync(Upload upload, BlobInfo blob, CancellationToken ct) => Task.FromResult<object?>(null);

    /// <summary>Creates what the upload is for, in the completing transaction; returns a short description stored as the upload's result.</summary>
    Task<string?> CompleteAsync(Upload upload, BlobInfo blob, object? prepared, CancellationToken ct);
}
