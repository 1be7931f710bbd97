namespace Catalyst.Data.Storage;

/// <summary>An object in a blob store: a chunk, named by the SHA-256 of its uncompressed bytes.</summary>
public sealed record BlobStoreItem(string Key, long Length, DateTime LastModified);

/// <summary>
/// Where chunk bytes physically live (SPEC §6): the file system, the database or Azure Blob
/// Storage. Objects are immutable and content-addressed, so writing the same key twice writes
/// the same bytes; what needs care is deletion racing a writer, which the two methods
/// <see cref="EnsureAsync"/> and <see cref="DeleteIfStaleAsync"/> settle between them:
/// a writer that relies on an object refreshes its last-modified time (or rewrites it), and the
/// garbage collector deletes only objects not modified since its cut-off.
/// </summary>
public interface IBlobStore
{
    string Name { get; }

    /// <summary>
    /// Makes sure <paramref name="key"/> holds <paramref name="data"/> and that its last-modified
    /// time is now: touches an existing object, writes a missing one atomically (no reader ever
    /// sees a partial object).
    /// </summary>
    Task EnsureAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct);

    /// <summary>The whole object, or null when it does not exist.</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken ct);

    /// <summary>
    /// Reads the whole object into <paramref name="buffer"/> (which must be large enough) and
    /// returns its length, or -1 when it does not exist: the allocation-free read of hot paths.
    /// </summary>
    async ValueTask<int> ReadIntoAsync(string key, Memory<byte> buffer, CancellationToken ct)
    {
        var bytes = await ReadAsync(key, ct);
        if (bytes is null)
            return -1;
        bytes.CopyTo(buffer);
        return bytes.Length;
    }

    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>
    /// How many chunks a sequential reader fetches ahead concurrently: 0 for a local store (a read
    /// costs microseconds), more for a remote one where each read is a round trip.
    /// </summary>
    int ReadAhead => 0;

    /// <summary>Deletes the object unless it was modified after <paramref name="cutoff"/>; returns the bytes freed (0 when kept or absent).</summary>
    Task<long> DeleteIfStaleAsync(string key, DateTime cutoff, CancellationToken ct);

    /// <summary>Every object, for garbage collection and verification.</summary>
    IAsyncEnumerable<BlobStoreItem> ListAsync(CancellationToken ct);

    /// <summary>Throws when the store cannot be reached or written.</summary>
    Task CheckHealthAsync(CancellationToken ct);
}
