using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Catalyst.Data.Storage;

/// <summary>
/// Content-defined chunking in the FastCDC style: a gear rolling hash decides cut points from
/// the bytes themselves, so an insertion early in a file moves only the chunks around it and
/// every later chunk keeps its boundaries (and therefore its hash, and is stored once).
/// Normalized chunking: below the average size a stricter mask (more bits) makes cuts rarer,
/// above it a looser mask makes them likelier, which narrows the size distribution around
/// ~64 KiB; hard bounds are 16 KiB and 256 KiB. The gear table comes from a fixed seed: it is
/// part of the storage format and must never change.
/// </summary>
public sealed class ContentChunker
{
    public const int MinSize = 16 * 1024;
    public const int AverageSize = 64 * 1024;
    public const int MaxSize = 256 * 1024;

    // Normalization level 2 around 2^16: 18 mask bits below the average size, 14 above.
    private static readonly ulong[] Gear = BuildGear();
    private static readonly ulong StrictMask = SpreadMask(18);
    private static readonly ulong LooseMask = SpreadMask(14);

    /// <summary>
    /// The length of the next chunk at the start of <paramref name="data"/>, or -1 when more data
    /// is needed to decide (only when <paramref name="final"/> is false). With
    /// <paramref name="final"/> the rest of the data is always cut, however short.
    /// </summary>
    public static int NextCut(ReadOnlySpan<byte> data, bool final)
    {
        var length = data.Length;
        if (length == 0)
            return -1;
        if (length <= MinSize)
            return final ? length : -1;
        var limit = Math.Min(length, MaxSize);
        var normal = Math.Min(limit, AverageSize);
        // The hot loop of every write: no bounds checks (i stays below limit <= data.Length, bytes index a 256-entry table).
        ref var bytes = ref MemoryMarshal.GetReference(data);
        ref var gear = ref MemoryMarshal.GetArrayDataReference(Gear);
        ulong hash = 0;
        var i = MinSize;
        for (; i < normal; i++)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((hash & StrictMask) == 0)
                return i + 1;
        }
        for (; i < limit; i++)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((hash & LooseMask) == 0)
                return i + 1;
        }
        if (limit == MaxSize)
            return MaxSize;
        return final ? length : -1;
    }

    /// <summary>A mask with <paramref name="bits"/> one-bits spread over the upper half of the word (better mixing than low bits).</summary>
    private static ulong SpreadMask(int bits)
    {
        ulong mask = 0;
        var step = 48 / bits;
        for (var b = 0; b < bits; b++)
            mask |= 1UL << (63 - b * step - (b % 2));
        if (BitOperations.PopCount(mask) != bits)
            throw new InvalidOperationException("Mask construction failed.");
        return mask;
    }

    private static ulong[] BuildGear()
    {
        // SplitMix64 from a fixed seed: deterministic, well distributed, and version-stable.
        var table = new ulong[256];
        var state = 0x43_61_74_61_6c_79_73_74UL; // "Catalyst"
        for (var i = 0; i < table.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            table[i] = z ^ (z >> 31);
        }
        return table;
    }
}
