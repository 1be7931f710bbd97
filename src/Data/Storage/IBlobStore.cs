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
    /// Reads <paramref name="buffer"/>.Length bytes of the object from <paramref name="offset"/>
    /// (fewer at its end) and returns how many, or -1 when the object does not exist: how a
    /// packed chunk is read without reading its pack.
    /// </summary>
    async ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        var bytes = await ReadAsync(key, ct);
        if (bytes is null)
            return -1;
        if (offset >= bytes.Length)
            return 0;
        var count = (int)Math.Min(buffer.Length, bytes.Length - offset);
        bytes.AsMemory((int)offset, count).CopyTo(buffer);
        return count;
    }

    /// <summary>
    /// A reader for many ranged reads in a row by one caller (a blob's chunks, read in order): a
    /// store may keep the object it read last open. Not for concurrent use.
    /// </summary>
    IRangeReader OpenRangeReader() => new StoreRangeReader(this);

    /// <summary>
    /// Starts a new object under <paramref name="key"/> written in pieces: nothing is visible under
    /// the key until <see cref="IPackUpload.SealAsync"/> commits it whole, and disposing the upload
    /// unsealed leaves nothing (or only what the store discards by itself). This default keeps the
    /// pieces in memory and writes them with <see cref="EnsureAsync"/> at the end.
    /// </summary>
    IPackUpload BeginPack(string key) => new MemoryPackUpload(this, key);

    /// <summary>
    /// How many chunks a sequential reader fetches ahead concurrently: 0 for a local store (a read
    /// costs microseconds), more for a remote one where each read is a round trip.
    /// </summary>
    int ReadAhead => 0;

    /// <summary>
    /// How many bytes a reader may fetch in one ranged read to get several neighbouring chunks of
    /// a pack at once: 0 for a local store, a few MiB for a remote one (a round trip costs more
    /// than the bytes).
    /// </summary>
    int CoalescedReadBytes => 0;

    /// <summary>
    /// True when a ranged read is a read of a local file (a system call into the page cache), so a
    /// reader may read any part of a pack at any size straight into its caller's buffer.
    /// </summary>
    bool ReadsRangesFromFiles => false;

    /// <summary>Deletes the object unless it was modified after <paramref name="cutoff"/>; returns the bytes freed (0 when kept or absent).</summary>
    Task<long> DeleteIfStaleAsync(string key, DateTime cutoff, CancellationToken ct);

    /// <summary>
    /// Removes what interrupted writes left behind and not modified since <paramref name="cutoff"/>
    /// (a pack a crashed writer never sealed), returning the bytes freed. Nothing to do on stores
    /// whose unfinished writes are invisible and discarded by the store itself.
    /// </summary>
    Task<long> DeleteStaleLeftoversAsync(DateTime cutoff, CancellationToken ct) => Task.FromResult(0L);

    /// <summary>Every object, for garbage collection and verification.</summary>
    IAsyncEnumerable<BlobStoreItem> ListAsync(CancellationToken ct);

    /// <summary>Throws when the store cannot be reached or written.</summary>
    Task CheckHealthAsync(CancellationToken ct);
}

/// <summary>A pack object being written (see <see cref="IBlobStore.BeginPack"/>).</summary>
public interface IPackUpload : IAsyncDisposable
{
    /// <summary>Bytes appended so far.</summary>
    long Length { get; }

    ValueTask AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);

    /// <summary>Makes the object durable and visible under its key, whole.</summary>
    Task SealAsync(CancellationToken ct);
}

/// <summary>A pack gathered in memory and stored in one write when sealed (the Database store's way).</summary>
public sealed class MemoryPackUpload(IBlobStore store, string key) : IPackUpload
{
    private readonly MemoryStream _bytes = new();

    public long Length => _bytes.Length;

    public ValueTask AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        _bytes.Write(bytes.Span);
        return ValueTask.CompletedTask;
    }

    public Task SealAsync(CancellationToken ct) => store.EnsureAsync(key, _bytes.GetBuffer().AsMemory(0, (int)_bytes.Length), ct);

    public ValueTask DisposeAsync() => _bytes.DisposeAsync();
}

/// <summary>Ranged reads by one caller in a row (see <see cref="IBlobStore.OpenRangeReader"/>).</summary>
public interface IRangeReader : IDisposable
{
    ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct);
}

/// <summary>Each read on its own: the default for stores with nothing worth keeping open.</summary>
public sealed class StoreRangeReader(IBlobStore store) : IRangeReader
{
    public ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct) => store.ReadRangeAsync(key, offset, buffer, ct);

    public void Dispose() { }
}
