namespace Catalyst.Data.Common.IO;

/// <summary>
/// The base of Catalyst's read-only streams (wrappers that limit, count or re-type what they
/// read, and streams assembled from parts): the Stream boilerplate once, so a derived stream
/// writes only <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> and what makes it
/// different. Forward-only unless a derived stream overrides <see cref="CanSeek"/> with
/// <see cref="Length"/>, <see cref="Position"/> and <see cref="Seek"/>. Synchronous reads wait
/// on the asynchronous one unless a derived stream overrides <see cref="Read(byte[], int, int)"/>.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    private Stream? _owned;

    /// <param name="owned">A stream disposed with this one (a wrapper that owns what it wraps); a wrapper that does not own its inner stream passes none.</param>
    protected ReadOnlyStream(Stream? owned = null) => _owned = owned;

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public sealed override bool CanRead => true;
    public override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public sealed override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException();
    public sealed override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new NotSupportedException();
    public sealed override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public sealed override void WriteByte(byte value) => throw new NotSupportedException();

    // Nothing is ever written, so there is nothing to flush.
    public sealed override void Flush() { }
    public sealed override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _owned?.Dispose();
            _owned = null;
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_owned is { } owned)
        {
            _owned = null;
            await owned.DisposeAsync();
        }
        await base.DisposeAsync(); // Dispose(true), where derived streams release what they hold
        GC.SuppressFinalize(this);
    }
}
