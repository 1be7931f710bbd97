using System.Collections.Concurrent;
using Catalyst.Data.Observability;
using Catalyst.Data.Outbox;
using Catalyst.Data.Storage;

namespace Catalyst.Portal.Infrastructure;

public sealed record SystemSample(DateTime At, JobQueueCounts? Queue, OutboxBacklog Outbox, double? CacheHitRate, long PhysicalBytes, long LogicalBytes);

/// <summary>
/// Samples what the System page charts over time and no table remembers: the job queue, the outbox
/// backlog, the cache hit rate (between two samples) and the stored bytes, once a minute
/// (<c>Catalyst:Observability:SampleSeconds</c>), keeping the last hour. Figures are this instance's view.
/// </summary>
public sealed class SystemSampler(IServiceScopeFactory scopes, IEnumerable<ICacheStatisticsSource> caches, TimeProvider time,
    IConfiguration configuration, ILogger<SystemSampler> logger) : BackgroundService
{
    private readonly ConcurrentQueue<SystemSample> _samples = new();
    private readonly SemaphoreSlim _sampling = new(1, 1);
    private (long Hits, long Misses)? _lastCache;

    public TimeSpan Interval => TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue<double?>("Catalyst:Observability:SampleSeconds") ?? 60, 1, 3600));

    public IReadOnlyList<SystemSample> Samples => [.. _samples];

    public bool HasCache => caches.Any();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "System sample failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping (also when the host failed to start and never called StopAsync): not a failure.
        }
    }

    /// <summary>Takes a sample now (the page calls it when it has none yet, tests to not wait a minute).</summary>
    public async Task<SystemSample> SampleAsync(CancellationToken ct)
    {
        await _sampling.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var storage = await services.GetRequiredService<StorageStatistics>().SummarizeAsync(ct);
            var outbox = await services.GetRequiredService<OutboxSweeper>().BacklogAsync(ct);
            JobQueueCounts? queue = null;
            try
            {
                queue = services.GetService<IJobQueueMonitor>()?.Counts();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The job queue could not be read");
            }
            var sample = new SystemSample(time.GetUtcNow().UtcDateTime, queue, outbox, CacheHitRate(), storage.PhysicalBytes, storage.LogicalBytes);
            _samples.Enqueue(sample);
            while (_samples.Count > 1 && _samples.TryPeek(out var oldest) && sample.At - oldest.At > TimeSpan.FromHours(1))
                _samples.TryDequeue(out _);
            return sample;
        }
        finally
        {
            _sampling.Release();
        }
    }

    private double? CacheHitRate()
    {
        if (!caches.Any())
            return null;
        long hits = 0, misses = 0;
        foreach (var cache in caches)
        {
            var counters = cache.Read();
            hits += counters.Hits;
            misses += counters.Misses;
        }
        var previous = _lastCache ?? (0, 0);
        _lastCache = (hits, misses);
        var (dh, dm) = (hits - previous.Hits, misses - previous.Misses);
        return dh + dm <= 0 ? null : Math.Round(100.0 * dh / (dh + dm), 1);
    }
}
