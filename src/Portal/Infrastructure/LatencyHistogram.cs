namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// A log-scale latency histogram (buckets 25% apart from 0.5 ms, so a percentile read from it is within
/// about 12%), updated without locks: the System page keeps one per minute and series.
/// </summary>
public sealed class LatencyHistogram
{
    private const double FirstBoundMs = 0.5;
    private const double Growth = 1.25;
    private const int Buckets = 64;
    private static readonly double LogGrowth = Math.Log(Growth);

    private readonly long[] _counts = new long[Buckets];

    public void Add(double milliseconds) => Interlocked.Increment(ref _counts[BucketOf(milliseconds)]);

    public void AddTo(LatencyHistogram total)
    {
        for (var b = 0; b < Buckets; b++)
            total._counts[b] += Volatile.Read(ref _counts[b]);
    }

    public long Count => _counts.Sum();

    /// <summary>The quantile in milliseconds (the bucket's geometric middle), or null when nothing was added.</summary>
    public double? Percentile(double quantile)
    {
        var total = Count;
        if (total == 0)
            return null;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
                return Math.Round(i == 0 ? FirstBoundMs : FirstBoundMs * Math.Pow(Growth, i - 0.5), 1);
        }
        return Math.Round(FirstBoundMs * Math.Pow(Growth, Buckets - 1), 1);
    }

    private static int BucketOf(double milliseconds) =>
        milliseconds <= FirstBoundMs ? 0 : Math.Min(Buckets - 1, 1 + (int)(Math.Log(milliseconds / FirstBoundMs) / LogGrowth));
}
