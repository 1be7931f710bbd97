using Catalyst.Data.Common.IO;

namespace Catalyst.Data.Websites;

/// <summary>A read-only, seekable stream over several parts of known length (literal bytes and blob streams), for ranged downloads of a document assembled from sections.</summary>
public sealed class ConcatenatedStream(IReadOnlyList<Stream> parts) : ReadOnlyStream
{
    private readonly long[] _starts = Starts(parts);
    private long _position;

    public override bool CanSeek => true;
    public override long Length => _starts[^1];

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_position < Length && !buffer.IsEmpty)
        {
            var index = Array.FindLastIndex(_starts, parts.Count - 1, parts.Count, s => s <= _position);
            var part = parts[index];
            part.Position = _position - _starts[index];
            var read = await part.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _starts[index + 1] - _position)], cancellationToken);
            if (read > 0)
            {
                _position += read;
                return read;
            }
            _position = _starts[index + 1]; // an empty part
        }
        return 0;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var part in parts) part.Dispose();
        base.Dispose(disposing);
    }

    private static long[] Starts(IReadOnlyList<Stream> parts)
    {
        var starts = new long[parts.Count + 1];
        for (var i = 0; i < parts.Count; i++)
            starts[i + 1] = starts[i] + parts[i].Length;
        return starts;
    }
}
