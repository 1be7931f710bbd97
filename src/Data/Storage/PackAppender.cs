namespace Catalyst.Data.Storage;

/// <summary>A pack just sealed: its row and its chunks, for the caller to record in the index in one transaction.</summary>
public sealed record SealedPack(StoredPack Pack, IReadOnlyList<PackEntry> Entries);

/// <summary>
/// One pack being filled by one writer (an upload, a blob being stored, a prune or repack run):
/// chunks' stored bytes are appended to a new store object, which <see cref="SealAsync"/> closes
/// with its trailer and commits whole. Nothing in an unsealed pack is in the index, so a crash
/// leaves at most an unsealed object that the store discards or garbage collection removes.
/// Never shared between writers.
/// </summary>
public sealed class PackAppender(IBlobStore store) : IAsyncDisposable
{
    private readonly List<PackEntry> _entries = [];
    private readonly HashSet<string> _chunks = new(StringComparer.Ordinal);
    private IPackUpload? _upload;
    private string? _id;

    /// <summary>Bytes in the open pack so far (0 when none is open).</summary>
    public long Length => _upload?.Length ?? 0;

    public int Count => _entries.Count;

    /// <summary>The chunk is already in the open pack (a payload that repeats a chunk stores it once).</summary>
    public bool Contains(string sha256) => _chunks.Contains(sha256);

    public async ValueTask AppendAsync(string sha256, ChunkCodec codec, int length, ReadOnlyMemory<byte> stored, CancellationToken ct)
    {
        if (_upload is null)
        {
            _id = StorageKeys.NewPackId();
            _upload = store.BeginPack(StorageKeys.Pack(_id));
            await _upload.AppendAsync(PackFormat.HeaderBytes, ct);
        }
        var offset = _upload.Length;
        await _upload.AppendAsync(stored, ct);
        _entries.Add(new PackEntry(sha256, codec, length, stored.Length, offset));
        _chunks.Add(sha256);
    }

    /// <summary>Writes the trailer and commits the pack; null when nothing was appended. The next append opens a new pack.</summary>
    public async Task<SealedPack?> SealAsync(DateTime now, CancellationToken ct)
    {
        if (_upload is null || _id is null)
            return null;
        await _upload.AppendAsync(PackFormat.Trailer(_entries), ct);
        await _upload.SealAsync(ct);
        var sealedPack = new SealedPack(new StoredPack { Id = _id, Length = _upload.Length, ChunkCount = _entries.Count, CreatedAt = now }, _entries.ToList());
        await ResetAsync();
        return sealedPack;
    }

    private async Task ResetAsync()
    {
        if (_upload is not null)
            await _upload.DisposeAsync();
        _upload = null;
        _id = null;
        _entries.Clear();
        _chunks.Clear();
    }

    /// <summary>Drops an unsealed pack (its chunks were never indexed).</summary>
    public ValueTask DisposeAsync() => new(ResetAsync());
}
