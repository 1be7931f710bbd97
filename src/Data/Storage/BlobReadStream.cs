using Catalyst.Data.Common.IO;

namespace Catalyst.Data.Storage;

/// <summary>
/// Reads a blob through its chunk index: seeking is a binary search over chunk offsets, and
/// only the chunks a read touches are fetched (one at a time, the current one kept, in pooled
/// buffers), so a Range request for the last megabyte of a large blob reads a few chunks, not
/// the blob. On a remote store (<see cref="IBlobStore.ReadAhead"/> above 0) a sequential read
/// fetches the next few chunks concurrently while the current one is consumed, so one request's
/// latency is not paid per 64 KiB chunk; a seek elsewhere drops what was fetched ahead.
/// </summary>
public sealed class BlobReadStream(IBlobStore store, long length, IReadOnlyList<BlobReadStream.Segment> segments, ChunkLocator? locator = null) : ReadOnlyStream
{
    /// <summary>A chunk of the blob: its place in the blob, and where its stored bytes are (a pack and an offset, or a loose object when <see cref="PackId"/> is null).</summary>
    public readonly record struct Segment(string Sha256, long Offset, int Length, ChunkCodec Codec, int StoredLength = 0, string? PackId = null, long PackOffset = 0);

    private long _position;
    private int _currentIndex = -1;
    private byte[]? _current;
    private byte[]? _stored;
    private readonly Dictionary<int, Task<Fetched>> _ahead = [];
    private CancellationTokenSource? _aheadCancel;
    private IRangeReader? _reader;
    private long _readLimit = long.MaxValue;

    /// <summary>
    /// A chunk's stored bytes as fetched, at <see cref="Start"/> in a pooled buffer: its own, or one
    /// coalesced read's shared by the chunks in it (<see cref="Shared"/>), with the codec they are in.
    /// </summary>
    private readonly record struct Fetched(byte[] Buffer, int Start, int Read, ChunkCodec Codec, SharedBuffer? Shared = null)
    {
        public void Release()
        {
            if (Shared is not null)
                Shared.Release();
            else
                System.Buffers.ArrayPool<byte>.Shared.Return(Buffer);
        }
    }

    /// <summary>A pooled buffer a coalesced read filled, returned to the pool when its last chunk is consumed.</summary>
    private sealed class SharedBuffer(byte[] buffer, int users)
    {
        private int _users = users;
        public byte[] Buffer => buffer;

        public void Release()
        {
            if (Interlocked.Decrement(ref _users) == 0)
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Where the caller will stop reading (exclusive), e.g. the end of the one range an HTTP request
    /// asked for: fetching ahead stops there, so a remote store is not asked for bytes nobody reads.
    /// Only a hint: reads past it still work, fetched as they come.
    /// </summary>
    public long ReadAheadLimit
    {
        get => _readLimit;
        set => _readLimit = Math.Clamp(value, 0, length);
    }

    public override bool CanSeek => true;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty)
            return 0;
        var index = FindSegment(_position);
        if (index != _currentIndex && store.ReadsRangesFromFiles && await ReadPackedDirectAsync(index, buffer, cancellationToken) is > 0 and var direct)
            return direct;
        if (index != _currentIndex)
        {
            if (store.ReadAhead > 0)
                await LoadAheadAsync(index, cancellationToken);
            else
                await LoadAsync(index, cancellationToken);
            _currentIndex = index;
        }
        var within = (int)(_position - segments[index].Offset);
        var count = Math.Min(buffer.Length, segments[index].Length - within);
        _current!.AsMemory(within, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    /// <summary>
    /// On a local store, bytes stored as they are (no codec) go from the pack file straight into the
    /// caller's buffer, across neighbouring chunks of the same pack in one read: no chunk buffer and
    /// no copy in between, as a file is served. 0 when the chunk is compressed or not packed, or its
    /// pack has moved (the chunk-at-a-time path then finds it).
    /// </summary>
    private async ValueTask<int> ReadPackedDirectAsync(int index, Memory<byte> buffer, CancellationToken ct)
    {
        var first = segments[index];
        if (first.PackId is null || first.Codec != ChunkCodec.None || first.StoredLength != first.Length)
            return 0;
        var within = _position - first.Offset;
        long wanted = first.Length - within;
        for (var next = index + 1; wanted < buffer.Length && next < segments.Count; next++)
        {
            var (segment, previous) = (segments[next], segments[next - 1]);
            if (segment.PackId != first.PackId || segment.Codec != ChunkCodec.None || segment.StoredLength != segment.Length
                || segment.PackOffset != previous.PackOffset + previous.StoredLength)
                break;
            wanted += segment.Length;
        }
        var count = (int)Math.Min(buffer.Length, wanted);
        var got = await (_reader ??= store.OpenRangeReader()).ReadRangeAsync(StorageKeys.Pack(first.PackId), first.PackOffset + within, buffer[..count], ct);
        if (got != count)
            return 0;
        _position += count;
        return count;
    }

    /// <summary>One chunk at a time, straight into the current buffer (a local store: nothing to overlap).</summary>
    private async Task LoadAsync(int index, CancellationToken ct)
    {
        var segment = segments[index];
        Rent(ref _current, segment.Length);
        // Stored bytes of a compressed chunk can exceed its length a little (incompressible input).
        var (read, codec) = await ReadStoredAsync(segment,
            c => c == ChunkCodec.None ? _current! : Rent(ref _stored, Math.Max(segment.StoredLength, segment.Length + 4096)), ct);
        Decode(segment, codec == ChunkCodec.None ? default : _stored, read, codec, copy: codec != ChunkCodec.None);
    }

    /// <summary>The chunk from the read-ahead (or fetched now after a seek), then the next ones set going.</summary>
    private async Task LoadAheadAsync(int index, CancellationToken ct)
    {
        if (!_ahead.ContainsKey(index))
        {
            DropAhead();
            StartFetch(index, ct);
        }
        _ahead.Remove(index, out var pending);
        _aheadCancel ??= new CancellationTokenSource();
        // Ahead by count (ReadAhead chunks), or on a store that coalesces, by bytes: up to
        // ReadAhead coalesced reads' worth past the current chunk, so the next requests are in flight
        // while this one is consumed; never past where the caller said it stops.
        long ahead = 0;
        for (var next = index + 1; next < segments.Count && segments[next].Offset < _readLimit; next++)
        {
            var coalesced = store.CoalescedReadBytes > 0 && segments[next].PackId is not null;
            if (coalesced ? ahead >= (long)store.CoalescedReadBytes * store.ReadAhead : next > index + store.ReadAhead)
                break;
            ahead += segments[next].Length;
            if (!_ahead.ContainsKey(next))
                StartFetch(next, _aheadCancel.Token);
        }
        var fetched = await pending!;
        try
        {
            Rent(ref _current, segments[index].Length);
            Decode(segments[index], fetched.Buffer.AsSpan(fetched.Start), fetched.Read, fetched.Codec, copy: true);
        }
        finally
        {
            fetched.Release();
        }
    }

    /// <summary>
    /// Starts fetching chunk <paramref name="index"/>; on a store that coalesces reads, the following
    /// chunks stored right after it in the same pack come in the same ranged read.
    /// </summary>
    private void StartFetch(int index, CancellationToken ct)
    {
        var first = segments[index];
        var budget = store.CoalescedReadBytes;
        var last = index;
        if (budget > 0 && first.PackId is not null)
        {
            long span = first.StoredLength;
            while (last + 1 < segments.Count && !_ahead.ContainsKey(last + 1))
            {
                var next = segments[last + 1];
                var previous = segments[last];
                if (next.PackId != first.PackId || next.PackOffset != previous.PackOffset + previous.StoredLength || span + next.StoredLength > budget
                    || next.Offset >= _readLimit)
                    break;
                span += next.StoredLength;
                last++;
            }
        }
        if (last == index)
        {
            _ahead[index] = FetchAsync(index, ct);
            return;
        }
        var group = FetchRangeAsync(first.PackId!, first.PackOffset, (int)(segments[last].PackOffset + segments[last].StoredLength - first.PackOffset), last - index + 1, ct);
        for (var k = index; k <= last; k++)
        {
            var member = k;
            _ahead[k] = SliceAsync(group, member, first.PackOffset, ct);
        }
    }

    /// <summary>One ranged read into a pooled buffer the <paramref name="users"/> chunks in it share; null when the pack moved meanwhile.</summary>
    private async Task<SharedBuffer?> FetchRangeAsync(string packId, long offset, int count, int users, CancellationToken ct)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
        try
        {
            var read = await store.ReadRangeAsync(StorageKeys.Pack(packId), offset, buffer.AsMemory(0, count), ct);
            if (read == count)
                return new SharedBuffer(buffer, users);
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        return null;
    }

    /// <summary>One chunk out of a coalesced read, in place (fetched on its own when the range read failed: a pack moved meanwhile).</summary>
    private async Task<Fetched> SliceAsync(Task<SharedBuffer?> group, int index, long groupOffset, CancellationToken ct)
    {
        var shared = await group;
        if (shared is null)
            return await FetchAsync(index, ct);
        var segment = segments[index];
        return new Fetched(shared.Buffer, (int)(segment.PackOffset - groupOffset), segment.StoredLength, segment.Codec, shared);
    }

    private async Task<Fetched> FetchAsync(int index, CancellationToken ct)
    {
        var segment = segments[index];
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(segment.StoredLength, segment.Length + 4096), ContentChunker.MaxSize + 4096));
        try
        {
            var (read, codec) = await ReadStoredAsync(segment, _ => buffer, ct);
            return new Fetched(buffer, 0, read, codec);
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// The chunk's stored bytes, read into the buffer <paramref name="bufferFor"/> gives for the codec
    /// they are in. An index read before a recompression names the inline form; when that object is
    /// gone, the cold form has taken its place.
    /// </summary>
    private async Task<(int Read, ChunkCodec Codec)> ReadStoredAsync(Segment segment, Func<ChunkCodec, byte[]> bufferFor, CancellationToken ct)
    {
        if (segment.PackId is not null)
        {
            var target = bufferFor(segment.Codec).AsMemory(0, segment.StoredLength);
            // One chunk at a time (a local store): through a reader that keeps the pack open. Fetches ahead run concurrently and read on their own.
            var got = store.ReadAhead == 0
                ? await (_reader ??= store.OpenRangeReader()).ReadRangeAsync(StorageKeys.Pack(segment.PackId), segment.PackOffset, target, ct)
                : await store.ReadRangeAsync(StorageKeys.Pack(segment.PackId), segment.PackOffset, target, ct);
            if (got == segment.StoredLength)
                return (got, segment.Codec);
            // The pack is gone: pruning or recompression moved the chunk after this index was read.
            if (locator is not null && await locator.LocateAsync(segment, ct) is { } moved && moved != segment)
                return await ReadStoredAsync(moved, bufferFor, ct);
            return (-1, segment.Codec);
        }
        var codec = segment.Codec;
        var read = await store.ReadIntoAsync(StorageKeys.For(segment.Sha256, codec), bufferFor(codec), ct);
        if (read < 0 && codec != ChunkCodec.Brotli)
        {
            codec = ChunkCodec.Brotli;
            read = await store.ReadIntoAsync(StorageKeys.For(segment.Sha256, codec), bufferFor(codec), ct);
        }
        return (read, codec);
    }

    /// <summary>Into <c>_current</c>; <paramref name="copy"/> is false when the bytes were read there directly (no codec).</summary>
    private void Decode(Segment segment, ReadOnlySpan<byte> stored, int read, ChunkCodec codec, bool copy)
    {
        if (read < 0)
            throw new InvalidDataException($"Chunk {segment.Sha256} is missing from the {store.Name} store.");
        if (codec == ChunkCodec.None)
        {
            if (read != segment.Length)
                throw new InvalidDataException($"Chunk {segment.Sha256} is {read} bytes, expected {segment.Length}.");
            if (copy)
                stored[..read].CopyTo(_current);
        }
        else
        {
            ChunkCompression.DecodeInto(codec, stored[..read], _current!, segment.Length);
        }
    }

    /// <summary>Stops and forgets the chunks fetched ahead (a seek went elsewhere, or the stream is done).</summary>
    private void DropAhead()
    {
        if (_ahead.Count == 0)
            return;
        _aheadCancel?.Cancel();
        _aheadCancel?.Dispose();
        _aheadCancel = null;
        foreach (var task in _ahead.Values)
            _ = task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                    t.Result.Release();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ahead.Clear();
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    private int FindSegment(long position)
    {
        int lo = 0, hi = segments.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (segments[mid].Offset <= position) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    private static byte[] Rent(ref byte[]? buffer, int size)
    {
        if (buffer is not null && buffer.Length >= size)
            return buffer;
        if (buffer is not null)
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(size, ContentChunker.MaxSize + 4096));
        return buffer;
    }

    protected override void Dispose(bool disposing)
    {
        DropAhead();
        _aheadCancel?.Dispose();
        _reader?.Dispose();
        _reader = null;
        if (_current is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_current);
        if (_stored is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_stored);
        _current = _stored = null;
        base.Dispose(disposing);
    }
}
