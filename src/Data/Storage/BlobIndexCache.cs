using Microsoft.Extensions.Caching.Memory;

namespace Catalyst.Data.Storage;

/// <summary>
/// Chunk indexes of recently read blobs. Blobs are content-addressed and never change, so an
/// entry is never stale; a Range request for a large asset then skips loading thousands of index
/// rows. Bounded by the number of chunk entries held (<see cref="MaxSegments"/>).
/// </summary>
public sealed class BlobIndexCache : IDisposable
{
    public const long MaxSegments = 500_000;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxSegments });

    public sealed record Entry(long Length, IReadOnlyList<BlobReadStream.Segment> Segments);

    public bool TryGet(string sha256, out Entry entry) => _cache.TryGetValue(sha256, out entry!);

    public void Set(string sha256, long length, IReadOnlyList<BlobReadStream.Segment> segments) =>
        _cache.Set(sha256, new Entry(length, segments), new MemoryCacheEntryOptions
        {
            Size = Math.Max(1, segments.Count),
            SlidingExpiration = TimeSpan.FromMinutes(10),
        });

    /// <summary>Garbage collection removed the blob: forget it.</summary>
    public void Remove(string sha256) => _cache.Remove(sha256);

    public void Dispose() => _cache.Dispose();
}
