using System.Buffers;
using System.IO.Pipelines;

namespace Catalyst.Data.Storage;

/// <summary>
/// A blob being stored from bytes pushed into it (<see cref="ContentStore.OpenWriter"/>): a
/// producer writes into a bounded pipe while <see cref="ContentStore.WriteAsync"/> stores from
/// its other end, so a payload of any size costs at most the pipe's buffer in memory. Either side
/// failing fails both: a store error surfaces at the producer's next write, and a producer that
/// stops without <see cref="CompleteAsync"/> (an exception, an abort, disposal) makes the store
/// fail before it records a blob, so nothing half-written is ever stored as a blob (the chunks
/// already written are unreferenced, and garbage collection takes them).
/// </summary>
public sealed class BlobWriter : IAsyncDisposable
{
    private readonly Pipe _pipe;
    private readonly Task<BlobInfo> _store;
    private WriteStream? _stream;
    private bool _finished;

    internal BlobWriter(ContentStore content, long bufferedBytes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferedBytes, 2);
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: bufferedBytes, resumeWriterThreshold: bufferedBytes / 2));
        _store = Task.Run(() => StoreAsync(content, ct), CancellationToken.None);
    }

    /// <summary>The same writer as a write-only stream, for producers that write to a <see cref="System.IO.Stream"/>; disposing it completes nothing.</summary>
    public Stream Stream => _stream ??= new WriteStream(this);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var flushed = await _pipe.Writer.WriteAsync(bytes, ct);
        if (flushed.IsCompleted)
            await StoreStoppedAsync();
    }

    /// <summary>Copies <paramref name="bytes"/> into the pipe (a span cannot wait), then waits while the store catches up.</summary>
    public ValueTask WriteAsync(ReadOnlySpan<byte> bytes, CancellationToken ct)
    {
        _pipe.Writer.Write(bytes);
        return FlushAsync(ct);
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        var flushed = await _pipe.Writer.FlushAsync(ct);
        if (flushed.IsCompleted)
            await StoreStoppedAsync();
    }

    /// <summary>The store stopped reading before the end: only a failure does that, and awaiting it rethrows it.</summary>
    private async Task StoreStoppedAsync()
    {
        await _store;
        throw new InvalidOperationException("The content store stopped reading before the blob was complete.");
    }

    /// <summary>Ends the blob and returns it as stored (unreferenced until the caller adds a reference).</summary>
    public async Task<BlobInfo> CompleteAsync()
    {
        _finished = true;
        await _pipe.Writer.CompleteAsync();
        return await _store;
    }

    /// <summary>Fails the store with <paramref name="reason"/> and waits for it to stop; the caller rethrows the reason.</summary>
    public async Task AbortAsync(Exception reason)
    {
        if (!_finished)
        {
            _finished = true;
            await _pipe.Writer.CompleteAsync(reason);
        }
        await ((Task)_store).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Aborts the blob unless it was completed (or aborted) first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_finished)
            await AbortAsync(new OperationCanceledException("The blob was abandoned before it was complete."));
    }

    private async Task<BlobInfo> StoreAsync(ContentStore content, CancellationToken ct)
    {
        try
        {
            var blob = await content.WriteAsync(_pipe.Reader.AsStream(leaveOpen: true), ct);
            await _pipe.Reader.CompleteAsync();
            return blob;
        }
        catch (Exception ex)
        {
            // Tells the producer at its next write, instead of letting it wait on a pipe nobody reads.
            await _pipe.Reader.CompleteAsync(ex);
            throw;
        }
    }

    /// <summary>Writes go through the writer (back-pressure and store errors included); disposing is a no-op.</summary>
    private sealed class WriteStream(BlobWriter writer) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            writer.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            writer.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(ReadOnlySpan<byte> buffer) => writer.WriteAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        // Every write flushes into the pipe already.
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
