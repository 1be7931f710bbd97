using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Catalyst.Data.Caching;

public sealed record CacheRegionStatistics(string Region, long Hits, long Misses)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}

public sealed record CacheStatistics(
    long Hits, long Misses, long Entries, long Size, long SizeLimit,
    long Evictions, long Expirations, long Invalidations, TimeSpan TimeToLive, IReadOnlyList<CacheRegionStatistics> Regions)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}

/// <summary>
/// The bounded read-through cache of metadata (project by id, the parts of a sync init).
/// <para>
/// Why not HybridCache (Microsoft.Extensions.Caching.Hybrid, on the mirror): it keeps its entries in the
/// application-wide <see cref="IMemoryCache"/>, where a size limit would force every other user of that
/// cache to give sizes, and it hides hits, misses and evictions, which admins must see. So this is a
/// dedicated <see cref="MemoryCache"/> with a size limit, statistics and eviction callbacks.
/// </para>
/// <para>
/// Invalidation is by tag: every entry carries the change tokens of its tags, captured <em>before</em> the
/// value is loaded. A write commits, then invalidates its tags; a reader that loaded the old value
/// concurrently stores it with an already-cancelled token, so the stale value is never served.
/// </para>
/// </summary>
public sealed class MetadataCache : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly CacheOptions _options;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _tags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RegionCounters> _regions = new(StringComparer.Ordinal);
    private long _evictions, _expirations, _invalidations;

    private sealed class RegionCounters
    {
        public long Hits;
        public long Misses;
    }

    /// <summary>A cached "not found", so misses for absent ids are cached too.</summary>
    private sealed record Box<T>(T Value);

    public MetadataCache(IOptions<CacheOptions> options)
    {
        _options = options.Value;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = _options.SizeLimit,
            CompactionPercentage = _options.CompactionPercentage,
            TrackStatistics = true,
        });
    }

    public static string EntityTag(string entityType, Guid id) => $"{entityType}:{id:N}";

    public static string OwnerTag(string entityType, Guid ownerId) => $"{entityType}@{ownerId:N}";

    /// <summary>
    /// The cached value of <paramref name="key"/>, or the factory's (stored under <paramref name="tags"/>).
    /// <paramref name="size"/> is the entry's cost against <see cref="CacheOptions.SizeLimit"/>.
    /// </summary>
    public async Task<T> GetOrCreateAsync<T>(string key, IReadOnlyList<string> tags, Func<CancellationToken, Task<T>> factory,
        Func<T, long> size, CancellationToken ct)
    {
        var region = _regions.GetOrAdd(Region(key), _ => new RegionCounters());
        if (_cache.TryGetValue(key, out var cached) && cached is Box<T> hit)
        {
            Interlocked.Increment(ref region.Hits);
            return hit.Value;
        }
        Interlocked.Increment(ref region.Misses);

        // Tokens first, value second: see the class comment.
        var tokens = tags.Select(t => new CancellationChangeToken(_tags.GetOrAdd(t, _ => new CancellationTokenSource()).Token)).ToList();
        var value = await factory(ct);
        var options = new MemoryCacheEntryOptions
        {
            Size = Math.Max(1, size(value)),
            AbsoluteExpirationRelativeToNow = _options.TimeToLive,
        };
        foreach (var token in tokens)
            options.ExpirationTokens.Add(token);
        options.RegisterPostEvictionCallback(OnEvicted);
        _cache.Set(key, new Box<T>(value), options);
        return value;
    }

    /// <summary>Drops every entry stored under <paramref name="tag"/>.</summary>
    public void Invalidate(string tag)
    {
#pragma warning disable CA2000 // Not disposed on purpose: see below.
        if (_tags.TryRemove(tag, out var source))
#pragma warning restore CA2000
        {
            // Not disposed: a reader may be taking its token right now (a CTS without a timer holds nothing).
            Interlocked.Increment(ref _invalidations);
            source.Cancel();
        }
    }

    public void Clear()
    {
        foreach (var tag in _tags.Keys.ToList())
            Invalidate(tag);
        _cache.Clear();
    }

    public CacheStatistics Statistics()
    {
        var stats = _cache.GetCurrentStatistics();
        var regions = _regions.OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new CacheRegionStatistics(r.Key, Interlocked.Read(ref r.Value.Hits), Interlocked.Read(ref r.Value.Misses)))
            .ToList();
        return new CacheStatistics(
            regions.Sum(r => r.Hits), regions.Sum(r => r.Misses),
            stats?.CurrentEntryCount ?? _cache.Count, stats?.CurrentEstimatedSize ?? 0, _options.SizeLimit,
            Interlocked.Read(ref _evictions), Interlocked.Read(ref _expirations), Interlocked.Read(ref _invalidations),
            _options.TimeToLive, regions);
    }

    private void OnEvicted(object key, object? value, EvictionReason reason, object? state)
    {
        if (reason == EvictionReason.Capacity)
            Interlocked.Increment(ref _evictions);
        else if (reason == EvictionReason.Expired)
            Interlocked.Increment(ref _expirations);
    }

    private static string Region(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? key : key[..colon];
    }

    public void Dispose()
    {
        _cache.Dispose();
        foreach (var source in _tags.Values)
            source.Dispose();
    }
}
