using Catalyst.Data.Storage;

namespace Catalyst.Tests.Unit.Storage;

public class ContentChunkerTests
{
    private static List<(int Offset, int Length)> Chunk(byte[] data)
    {
        var result = new List<(int, int)>();
        var position = 0;
        while (position < data.Length)
        {
            var cut = ContentChunker.NextCut(data.AsSpan(position), final: true);
            result.Add((position, cut));
            position += cut;
        }
        return result;
    }

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public void Chunks_stay_within_bounds_and_average_near_64_KiB()
    {
        var chunks = Chunk(Random(16 << 20, 1));
        Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, ContentChunker.MinSize, ContentChunker.MaxSize));
        var average = chunks.Average(c => c.Length);
        Assert.InRange(average, 48 * 1024, 96 * 1024);
        Assert.Equal(16 << 20, chunks.Sum(c => c.Length));
    }

    [Fact]
    public void Cut_points_depend_only_on_content()
    {
        var data = Random(4 << 20, 2);
        Assert.Equal(Chunk(data), Chunk(data.ToArray()));
    }

    [Fact]
    public void An_insertion_moves_only_the_chunks_around_it()
    {
        var original = Random(10 << 20, 3);
        var edited = new byte[original.Length + 100];
        var at = 5 << 20;
        original.AsSpan(0, at).CopyTo(edited);
        Random(100, 4).CopyTo(edited, at);
        original.AsSpan(at).CopyTo(edited.AsSpan(at + 100));

        static HashSet<string> Hashes(byte[] data) => Chunk(data)
            .Select(c => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data.AsSpan(c.Offset, c.Length)))).ToHashSet();
        var before = Hashes(original);
        var after = Hashes(edited);
        var reused = after.Count(before.Contains);
        Assert.True(reused >= after.Count - 3, $"only {reused} of {after.Count} chunks reused");
    }

    [Fact]
    public void Without_the_final_flag_a_short_tail_waits_for_more_data()
    {
        var data = Random(ContentChunker.MinSize * 2, 5);
        var cut = ContentChunker.NextCut(data, final: false);
        Assert.True(cut == -1 || cut >= ContentChunker.MinSize);
        Assert.Equal(-1, ContentChunker.NextCut(data.AsSpan(0, 1000), final: false));
        Assert.Equal(1000, ContentChunker.NextCut(data.AsSpan(0, 1000), final: true));
        Assert.Equal(ContentChunker.MaxSize, ContentChunker.NextCut(new byte[ContentChunker.MaxSize * 2], final: false));
    }
}
