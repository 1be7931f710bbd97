namespace Catalyst.Data.Observability;

public sealed record CacheCounters(string Name, long Hits, long Misses, long Entries);

/// <summary>
/// A cache that reports its cumulative hits and misses to the admin System page, which charts the
/// hit rate between its samples. None is registered on a server without a cache; the page says so.
/// </summary>
public interface ICacheStatisticsSource
{
    CacheCounters Read();
}
