using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Catalyst.Data.Storage;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>
/// SPEC §6: on a remote store a reader fetches neighbouring packed chunks in one ranged read,
/// keeps several reads in flight, and fetches nothing past where its caller stops.
/// </summary>
public class BlobReadStreamTests
{
    private const int Chunk = 64 << 10;
    private const int Chunks = 32; // 2 MiB
    private const int PackStart = 24; // a pack's chunks start after its header

    [Fact]
    public async Task A_sequential_read_coalesces_neighbouring_chunks_into_few_ranged_reads_and_reads_back_every_byte()
    {
        var (store, content, segments) = PackedBlob();
        await using var stream = new BlobReadStream(store, content.Length, segments);

        var read = new byte[content.Length];
        await stream.ReadExactlyAsync(read, TestContext.Current.CancellationToken);

        Assert.Equal(content, read);
        // 2 MiB in reads of at most 256 KiB: 8 requests, not 32 (one per chunk).
        Assert.Equal(8, store.Reads.Count);
        Assert.All(store.Reads, r => Assert.True(r.Length <= RecordingStore.Coalesced, $"a read of {r.Length} bytes"));
        Assert.Equal(content.Length, store.Reads.Sum(r => (long)r.Length));
    }

    [Fact]
    public async Task A_read_ahead_limit_keeps_the_reader_from_fetching_past_the_range_its_caller_asked_for()
    {
        var (store, content, segments) = PackedBlob();
        await using var stream = new BlobReadStream(store, content.Length, segments) { ReadAheadLimit = 512 << 10 };

        var read = new byte[512 << 10];
        await stream.ReadExactlyAsync(read, TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken); // anything set going would have started by now

        Assert.Equal(content.AsSpan(0, read.Length).ToArray(), read);
        Assert.All(store.Reads, r => Assert.True(r.Offset + r.Length <= PackStart + read.Length,
            $"fetched up to {r.Offset + r.Length - PackStart}, past the limit {read.Length}"));

        // A hint only: reading on past it still answers the right bytes.
        var more = new byte[100_000];
        await stream.ReadExactlyAsync(more, TestContext.Current.CancellationToken);
        Assert.Equal(content.AsSpan(read.Length, more.Length).ToArray(), more);
    }

    [Fact]
    public async Task Seeking_away_in_the_middle_of_a_coalesced_read_answers_the_bytes_at_the_new_place()
    {
        var (store, content, segments) = PackedBlob();
        await using var stream = new BlobReadStream(store, content.Length, segments);

        foreach (var offset in new[] { 0, 1_500_000, 70_000, content.Length - 10, 1_000_001 })
        {
            stream.Position = offset;
            var buffer = new byte[Math.Min(200_000, content.Length - offset)];
            await stream.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
            Assert.Equal(content.AsSpan(offset, buffer.Length).ToArray(), buffer);
        }
    }

    [Fact]
    public async Task On_a_local_store_uncompressed_packed_chunks_are_read_straight_into_the_callers_buffer_across_chunk_boundaries()
    {
        var (store, content, segments) = PackedBlob(local: true);
        await using var stream = new BlobReadStream(store, content.Length, segments);

        stream.Position = Chunk - 100;
        var buffer = new byte[200_000]; // the end of chunk 0, chunks 1 and 2, the start of chunk 3
        var read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);

        Assert.Equal(buffer.Length, read);
        Assert.Equal(content.AsSpan(Chunk - 100, read).ToArray(), buffer);
        var only = Assert.Single(store.Reads);
        Assert.Equal((PackStart + Chunk - 100L, buffer.Length), (only.Offset, only.Length));

        // A compressed chunk in the way ends the direct read before it; it is decoded as usual.
        var mixed = segments.Select((s, i) => i == 5 ? s with { Codec = ChunkCodec.Lz4 } : s).ToList();
        Assert.True(mixed[4].PackOffset + mixed[4].StoredLength == mixed[5].PackOffset);
        await using var second = new BlobReadStream(store, content.Length, mixed) { Position = 4L * Chunk };
        var upTo = new byte[2 * Chunk];
        Assert.Equal(Chunk, await second.ReadAsync(upTo, TestContext.Current.CancellationToken));
        Assert.Equal(content.AsSpan(4 * Chunk, Chunk).ToArray(), upTo[..Chunk]);
    }

    private static (RecordingStore Store, byte[] Content, List<BlobReadStream.Segment> Segments) PackedBlob(bool local = false)
    {
        var content = new byte[Chunk * Chunks];
        new Random(42).NextBytes(content);
        var pack = new byte[PackStart + content.Length + 16];
        content.CopyTo(pack, PackStart);
        var store = new RecordingStore(local);
        store.Objects[StorageKeys.Pack("p1")] = pack;
        var segments = Enumerable.Range(0, Chunks)
            .Select(i => new BlobReadStream.Segment($"{i:x64}", (long)i * Chunk, Chunk, ChunkCodec.None, Chunk, "p1", PackStart + (long)i * Chunk))
            .ToList();
        return (store, content, segments);
    }

    /// <summary>An in-memory store that behaves like a remote one (reads ahead, coalesces) or a local one, and records each ranged read.</summary>
    private sealed class RecordingStore(bool local) : IBlobStore
    {
        public const int Coalesced = 256 << 10;
        public ConcurrentDictionary<string, byte[]> Objects { get; } = new();
        public ConcurrentQueue<(string Key, long Offset, int Length)> Reads { get; } = new();

        public string Name => "Recording";
        public int ReadAhead => local ? 0 : 4;
        public int CoalescedReadBytes => local ? 0 : Coalesced;
        public bool ReadsRangesFromFiles => local;

        public async ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct)
        {
            await Task.Yield(); // a round trip: the caller goes on meanwhile
            Reads.Enqueue((key, offset, buffer.Length));
            if (!Objects.TryGetValue(key, out var bytes))
                return -1;
            var count = (int)Math.Clamp(bytes.Length - offset, 0, buffer.Length);
            bytes.AsMemory((int)offset, count).CopyTo(buffer);
            return count;
        }

        public Task EnsureAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            Objects.TryAdd(key, data.ToArray());
            return Task.CompletedTask;
        }

        public Task<byte[]?> ReadAsync(string key, CancellationToken ct) => Task.FromResult(Objects.GetValueOrDefault(key));
        public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(Objects.ContainsKey(key));
        public Task<long> DeleteIfStaleAsync(string key, DateTime cutoff, CancellationToken ct) =>
            Task.FromResult(Objects.TryRemove(key, out var bytes) ? (long)bytes.Length : 0);
        public Task CheckHealthAsync(CancellationToken ct) => Task.CompletedTask;

        public async IAsyncEnumerable<BlobStoreItem> ListAsync([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.CompletedTask;
            foreach (var (key, bytes) in Objects)
                yield return new BlobStoreItem(key, bytes.Length, DateTime.UtcNow);
        }
    }
}
