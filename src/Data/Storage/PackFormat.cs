using System.Buffers.Binary;
using System.Text;

namespace Catalyst.Data.Storage;

/// <summary>One chunk in a pack: where its stored bytes are and how to decode them.</summary>
public readonly record struct PackEntry(string Sha256, ChunkCodec Codec, int Length, int StoredLength, long Offset);

/// <summary>
/// The layout of a pack: an 8-byte header, the chunks' stored bytes one after the other, then a
/// trailer with one 49-byte entry per chunk (SHA-256, codec, length, stored length, offset) and a
/// 16-byte footer (entry count, trailer length, end magic). The trailer is what lets
/// <c>rebuild-index</c> recover the chunk index from the packs alone.
/// <code>
/// | CATPACK1 | chunk | chunk | … | entry | entry | … | count | trailer length | CATPEND1 |
/// </code>
/// </summary>
public static class PackFormat
{
    public const int HeaderLength = 8;
    public const int FooterLength = 16;
    public const int EntryLength = 32 + 1 + 4 + 4 + 8;
    private static ReadOnlySpan<byte> Header => "CATPACK1"u8;
    private static ReadOnlySpan<byte> EndMagic => "CATPEND1"u8;

    public static ReadOnlyMemory<byte> HeaderBytes { get; } = Encoding.ASCII.GetBytes("CATPACK1");

    /// <summary>The trailer and footer that seal a pack holding <paramref name="entries"/>.</summary>
    public static byte[] Trailer(IReadOnlyList<PackEntry> entries)
    {
        var trailer = new byte[entries.Count * EntryLength + FooterLength];
        var span = trailer.AsSpan();
        foreach (var entry in entries)
        {
            Convert.FromHexString(entry.Sha256).CopyTo(span);
            span[32] = (byte)entry.Codec;
            BinaryPrimitives.WriteInt32LittleEndian(span[33..], entry.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span[37..], entry.StoredLength);
            BinaryPrimitives.WriteInt64LittleEndian(span[41..], entry.Offset);
            span = span[EntryLength..];
        }
        BinaryPrimitives.WriteInt32LittleEndian(span, entries.Count);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], entries.Count * EntryLength);
        EndMagic.CopyTo(span[8..]);
        return trailer;
    }

    /// <summary>How many trailer bytes (entries, without the footer) precede <paramref name="footer"/>; throws when it is not a pack's footer.</summary>
    public static int TrailerLength(ReadOnlySpan<byte> footer, long packLength)
    {
        if (footer.Length != FooterLength || !footer[8..].SequenceEqual(EndMagic))
            throw new InvalidDataException("Not a sealed pack: the end marker is missing.");
        var count = BinaryPrimitives.ReadInt32LittleEndian(footer);
        var length = BinaryPrimitives.ReadInt32LittleEndian(footer[4..]);
        if (count < 0 || length != (long)count * EntryLength || HeaderLength + length + FooterLength > packLength)
            throw new InvalidDataException("The pack's trailer does not fit the pack.");
        return length;
    }

    /// <summary>The entries of a trailer (without its footer), each checked to lie inside the pack's chunk area.</summary>
    public static List<PackEntry> ParseEntries(ReadOnlySpan<byte> trailer, long packLength)
    {
        var end = packLength - trailer.Length - FooterLength;
        var entries = new List<PackEntry>(trailer.Length / EntryLength);
        for (var at = 0; at + EntryLength <= trailer.Length; at += EntryLength)
        {
            var span = trailer.Slice(at, EntryLength);
            var entry = new PackEntry(Convert.ToHexStringLower(span[..32]), (ChunkCodec)span[32],
                BinaryPrimitives.ReadInt32LittleEndian(span[33..]), BinaryPrimitives.ReadInt32LittleEndian(span[37..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[41..]));
            if (entry.Offset < HeaderLength || entry.StoredLength < 0 || entry.Length < 0 || entry.Offset + entry.StoredLength > end
                || !Enum.IsDefined(entry.Codec))
                throw new InvalidDataException($"The pack's entry for chunk {entry.Sha256} points outside the pack.");
            entries.Add(entry);
        }
        return entries;
    }

    public static bool HasHeader(ReadOnlySpan<byte> bytes) => bytes.Length >= HeaderLength && bytes[..HeaderLength].SequenceEqual(Header);
}
