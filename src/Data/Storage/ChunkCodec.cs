using System.IO.Compression;
using K4os.Compression.LZ4;

namespace Catalyst.Data.Storage;

/// <summary>How a chunk's bytes are stored.</summary>
public enum ChunkCodec : byte
{
    None = 0,
    /// <summary>LZ4, the fast inline codec used while writing.</summary>
    Lz4 = 1,
    /// <summary>
    /// Brotli, the strong codec the background recompression gives cold chunks (in the runtime,
    /// so no package; the mirror's zstd port would do as well). Stored under its own object key
    /// (<see cref="StorageKeys.For"/>) so the switch from the inline form is atomic on every store.
    /// </summary>
    Brotli = 2,
}

/// <summary>
/// Inline compression: a chunk is stored compressed only when that saves at least 10%.
/// A 4 KiB probe skips the full attempt on data that does not compress (media, archives).
/// </summary>
public static class ChunkCompression
{
    private const int ProbeSize = 4096;

    /// <summary>The stored form of <paramref name="chunk"/>: its codec and the bytes to keep (possibly <paramref name="chunk"/> itself).</summary>
    public static (ChunkCodec Codec, ReadOnlyMemory<byte> Stored) Encode(ReadOnlyMemory<byte> chunk)
    {
        if (chunk.Length >= ProbeSize * 4 && !Worthwhile(chunk.Span[..ProbeSize]))
            return (ChunkCodec.None, chunk);
        var target = new byte[LZ4Codec.MaximumOutputSize(chunk.Length)];
        var written = LZ4Codec.Encode(chunk.Span, target, LZ4Level.L00_FAST);
        if (written <= 0 || written > chunk.Length * 0.9)
            return (ChunkCodec.None, chunk);
        return (ChunkCodec.Lz4, target.AsMemory(0, written));
    }

    /// <summary>The chunk's bytes from its stored form (the same array when it is stored uncompressed).</summary>
    public static byte[] Decode(ChunkCodec codec, byte[] stored, int length)
    {
        switch (codec)
        {
            case ChunkCodec.None:
                if (stored.Length != length)
                    throw new InvalidDataException($"Stored chunk is {stored.Length} bytes, expected {length}.");
                return stored;
            case ChunkCodec.Lz4:
            case ChunkCodec.Brotli:
                var output = new byte[length];
                DecodeInto(codec, stored, output, length);
                return output;
            default:
                throw new InvalidDataException($"Unknown chunk codec {codec}.");
        }
    }

    /// <summary>Decodes <paramref name="stored"/> into <paramref name="destination"/> (exactly <paramref name="length"/> bytes).</summary>
    public static void DecodeInto(ChunkCodec codec, ReadOnlySpan<byte> stored, Span<byte> destination, int length)
    {
        switch (codec)
        {
            case ChunkCodec.None:
                if (stored.Length != length)
                    throw new InvalidDataException($"Stored chunk is {stored.Length} bytes, expected {length}.");
                stored.CopyTo(destination);
                return;
            case ChunkCodec.Lz4:
                if (LZ4Codec.Decode(stored, destination[..length]) != length)
                    throw new InvalidDataException($"An LZ4 chunk did not decode to {length} bytes.");
                return;
            case ChunkCodec.Brotli:
                if (!BrotliDecoder.TryDecompress(stored, destination[..length], out var written) || written != length)
                    throw new InvalidDataException($"A Brotli chunk did not decode to {length} bytes.");
                return;
            default:
                throw new InvalidDataException($"Unknown chunk codec {codec}.");
        }
    }

    /// <summary>Why <paramref name="stored"/> is not the chunk <paramref name="sha256"/> in <paramref name="codec"/>, or null when it is.</summary>
    public static string? Check(string sha256, ChunkCodec codec, int length, byte[] stored)
    {
        try
        {
            var bytes = Decode(codec, stored, length);
            return string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), sha256, StringComparison.Ordinal)
                ? null
                : "content does not match its hash";
        }
        catch (InvalidDataException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// The cold form of a chunk: Brotli at <paramref name="quality"/> (0-11), or null when it would
    /// not save at least <paramref name="minSaving"/> of <paramref name="currentStoredLength"/>.
    /// </summary>
    public static byte[]? EncodeCold(ReadOnlySpan<byte> chunk, int currentStoredLength, int quality, double minSaving)
    {
        var limit = (int)(currentStoredLength * (1 - minSaving));
        if (limit <= 0)
            return null;
        var target = System.Buffers.ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(chunk.Length));
        try
        {
            // Window 22 (4 MiB) covers the largest chunk (256 KiB).
            if (!BrotliEncoder.TryCompress(chunk, target, out var written, quality, 22) || written > limit)
                return null;
            return target.AsSpan(0, written).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(target);
        }
    }

    private static bool Worthwhile(ReadOnlySpan<byte> probe)
    {
        Span<byte> target = stackalloc byte[LZ4Codec.MaximumOutputSize(ProbeSize)];
        var written = LZ4Codec.Encode(probe, target, LZ4Level.L00_FAST);
        return written > 0 && written <= probe.Length * 0.9;
    }
}
