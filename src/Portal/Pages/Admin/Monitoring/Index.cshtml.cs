using System.Text.Json;
using Catalyst.Data.Observability;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Monitoring;

/// <summary>
/// How the server is doing over the last hour (SPEC §14): per route template the request rate, p95
/// latency and error rate; the database query p95 and the job failure rate; the job queue and outbox
/// backlog; the cache hit rate; and storage growth, each as a small chart (charts.js, data in the
/// canvas' attribute, each series with its own colour).
/// </summary>
public class IndexModel(RequestMetrics requests, DatabaseAndJobMetrics work, SystemSampler sampler, StorageGrowth growth) : PageModel
{
    private const int ChartGroups = 8;

    /// <summary>Distinct, readable on white; as many as the most series a chart draws, so no two share a colour.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0172ad", "#2e7d32", "#f57c00", "#6a1b9a", "#c62828", "#00838f", "#ad1457", "#5d4037"];

    public RequestMetricsSnapshot Requests { get; private set; } = null!;
    public DatabaseAndJobSnapshot Work { get; private set; } = null!;
    public IReadOnlyList<SystemSample> Samples { get; private set; } = [];
    public IReadOnlyList<long> StoragePerMinute { get; private set; } = [];
    public bool HasCache => sampler.HasCache;
    public TimeSpan SampleInterval => sampler.Interval;

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Requests = requests.Snapshot();
        Work = work.Snapshot();
        if (sampler.Samples.Count == 0)
            await sampler.SampleAsync(ct);
        Samples = sampler.Samples;
        StoragePerMinute = await growth.PhysicalBytesPerMinuteAsync(RequestMetrics.WindowMinutes, ct);
    }

    private IEnumerable<string> MinuteLabels => Requests.Minutes.Select(m => m.ToString("HH:mm"));
    private IEnumerable<EndpointGroupSeries> Top => Requests.Groups.Take(ChartGroups);
    private IEnumerable<string> SampleLabels => Samples.Select(s => s.At.ToString("HH:mm"));

    public string RequestRateChart() => Chart(MinuteLabels, Top.Select(g => (g.Group, g.Requests.Select(v => (double?)v))), "req/min");
    public string LatencyChart() => Chart(MinuteLabels, Top.Select(g => (g.Group, g.P95Milliseconds.AsEnumerable())), "ms");
    public string ErrorChart() => Chart(MinuteLabels, Top.Select(g => (g.Group, g.ErrorPercent.AsEnumerable())), "%");

    public string DatabaseChart() => Chart(MinuteLabels,
    [
        ("p95", Work.DbP95Milliseconds),
        ($"target {DatabaseAndJobMetrics.DbP95TargetMilliseconds:0} ms", Work.Minutes.Select(_ => (double?)DatabaseAndJobMetrics.DbP95TargetMilliseconds)),
    ], "ms");

    public string JobFailureChart() => Chart(MinuteLabels, [("failed", Work.JobFailurePercent)], "%");

    public string QueueChart() => Chart(SampleLabels,
    [
        ("enqueued", Samples.Select(s => (double?)s.Queue?.Enqueued)),
        ("scheduled", Samples.Select(s => (double?)s.Queue?.Scheduled)),
        ("processing", Samples.Select(s => (double?)s.Queue?.Processing)),
    ], "jobs");

    public string OutboxChart() => Chart(SampleLabels,
    [
        ("pending", Samples.Select(s => (double?)s.Outbox.Pending)),
        ("due", Samples.Select(s => (double?)s.Outbox.Due)),
        ("in flight", Samples.Select(s => (double?)s.Outbox.InFlight)),
        ("failed", Samples.Select(s => (double?)s.Outbox.Failed)),
    ], "operations");

    public string CacheChart() => Chart(SampleLabels, [("hit rate", Samples.Select(s => s.CacheHitRate))], "%");

    public string StorageChart() => Chart(MinuteLabels, [("written", StoragePerMinute.Select(v => (double?)v))], "bytes");

    private static string Chart(IEnumerable<string> labels, IEnumerable<(string Label, IEnumerable<double?> Values)> series, string unit) =>
        JsonSerializer.Serialize(new { labels, series = series.Select((s, i) => new { label = s.Label, values = s.Values, color = Palette[i % Palette.Count] }), unit });
}
