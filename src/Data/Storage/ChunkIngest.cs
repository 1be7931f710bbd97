using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Catalyst.Data.Storage;

/// <summary>A chunk of a payload: which bytes of the payload it holds.</summary>
public readonly record struct ChunkRef(string Sha256, long Offset, int Length);

/// <summary>
/// Turns a stream of bytes into content-defined chunks and writes them through
/// <see cref="ChunkWriter"/> into this ingest's own pack. Cutting runs on the caller's thread
/// (beside the caller's whole-payload hash); each chunk's SHA-256, compression and the writes run
/// on a background task, so receiving, the two hashes and storing overlap on different cores. The tail after the
/// last cut stays buffered until more bytes arrive or <see cref="CompleteAsync"/> is called,
/// which is what lets an upload resume chunking where it stopped.
/// </summary>
public sealed class ChunkIngest : IAsyncDisposable
{
    private const int BatchSize = 64;

    private readonly ChunkWriter _writer;
    private readonly PackAppender _pack;
    private readonly Channel<(Slot Slot, byte[] Rented)> _queue =
        Channel.CreateBounded<(Slot, byte[])>(new BoundedChannelOptions(96) { SingleReader = true, SingleWriter = true });
    private readonly Task _worker;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Slot> _chunks = [];

    /// <summary>A cut chunk: its place in the payload now, its hash once the background task has taken it.</summary>
    private sealed class Slot(long offset, int length)
    {
        public long Offset { get; } = offset;
        public int Length { get; } = length;
        public string? Sha256 { get; set; }
    }
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ContentChunker.MaxSize * 2);
    private int _buffered;
    private bool _completed;

    public ChunkIngest(ChunkWriter writer, long startOffset)
    {
        _writer = writer;
        _pack = writer.OpenPack();
        ChunkedOffset = startOffset;
        _worker = Task.Run(() => DrainAsync(_stop.Token));
    }

    /// <summary>The chunks cut so far, in payload order: read it after <see cref="FlushAsync"/> (or <see cref="CompleteAsync"/>), which makes them durable and hashed.</summary>
    public IReadOnlyList<ChunkRef> Chunks =>
        _chunks.Select(c => new ChunkRef(c.Sha256 ?? throw new InvalidOperationException("Chunks are known after a flush."), c.Offset, c.Length)).ToList();

    /// <summary>The buffered bytes after <see cref="ChunkedOffset"/> that no cut has taken yet (at most one chunk's worth).</summary>
    public ReadOnlySpan<byte> Tail => _buffer.AsSpan(0, _buffered);

    /// <summary>Drops the chunks recorded so far from <see cref="Chunks"/> (after the caller saved them).</summary>
    public void ForgetChunks() => _chunks.Clear();

    /// <summary>Payload offset up to which bytes are in chunks; bytes after it are the buffered tail.</summary>
    public long ChunkedOffset { get; private set; }

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!data.IsEmpty)
        {
            var room = _buffer.Length - _buffered;
            var take = Math.Min(room, data.Length);
            data[..take].CopyTo(_buffer.AsMemory(_buffered));
            _buffered += take;
            data = data[take..];
            await CutAsync(final: false, ct);
        }
    }

    /// <summary>Cuts the remaining tail (the end of the payload) and waits until every chunk is durable.</summary>
    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        await CutAsync(final: true, ct);
        _completed = true;
        await FlushAsync(ct);
    }

    /// <summary>Waits until every chunk cut so far is durable.</summary>
    public async ValueTask FlushAsync(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _flushes.Enqueue(done);
        await _queue.Writer.WriteAsync((null!, []), ct);
        await done.Task.WaitAsync(ct);
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource> _flushes = new();

    private async ValueTask CutAsync(bool final, CancellationToken ct)
    {
        var start = 0;
        while (start < _buffered)
        {
            var cut = ContentChunker.NextCut(_buffer.AsSpan(start, _buffered - start), final);
            if (cut < 0)
                break;
            var rented = ArrayPool<byte>.Shared.Rent(cut);
            _buffer.AsSpan(start, cut).CopyTo(rented);
            var slot = new Slot(ChunkedOffset, cut);
            _chunks.Add(slot);
            ChunkedOffset += cut;
            start += cut;
            await _queue.Writer.WriteAsync((slot, rented), ct);
        }
        if (start > 0)
        {
            _buffer.AsSpan(start, _buffered - start).CopyTo(_buffer);
            _buffered -= start;
        }
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        var batch = new List<(PendingChunk Chunk, byte[] Rented)>(BatchSize);
        Exception? failure = null;
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(ct))
            {
                var isFlush = item.Rented.Length == 0;
                if (!isFlush)
                {
                    var data = item.Rented.AsMemory(0, item.Slot.Length);
                    item.Slot.Sha256 = Convert.ToHexStringLower(SHA256.HashData(data.Span));
                    batch.Add((new PendingChunk(item.Slot.Sha256, data), item.Rented));
                }
                if (isFlush || batch.Count >= BatchSize)
                {
                    try
                    {
                        if (failure is null)
                            await _writer.WriteAsync(batch.Select(b => b.Chunk).ToList(), _pack, ct);
                        // A flush means durable: the open pack is sealed and its chunks indexed.
                        if (failure is null && isFlush)
                            await _writer.SealAsync(_pack, ct);
                    }
#pragma warning disable CA1031 // Not swallowed: the failure is handed to the flush the writer awaits, which rethrows it.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        failure = ex;
                    }
                    foreach (var b in batch)
                        ArrayPool<byte>.Shared.Return(b.Rented);
                    batch.Clear();
                }
                if (isFlush && _flushes.TryDequeue(out var done))
                {
                    if (failure is null) done.TrySetResult();
                    else done.TrySetException(failure);
                }
            }
        }
        finally
        {
            foreach (var b in batch)
                ArrayPool<byte>.Shared.Return(b.Rented);
            while (_flushes.TryDequeue(out var pending))
                pending.TrySetCanceled(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try { await _worker; } catch (OperationCanceledException) { }
        await _pack.DisposeAsync();
        _stop.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
