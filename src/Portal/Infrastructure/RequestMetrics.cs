using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Catalyst.Portal.Infrastructure;

public sealed record EndpointGroupSeries(string Group, IReadOnlyList<long> Requests, IReadOnlyList<double?> P95Milliseconds, IReadOnlyList<double?> ErrorPercent,
    double HourP95Milliseconds, double HourErrorPercent)
{
    public long TotalRequests => Requests.Sum();
}

public sealed record RequestMetricsSnapshot(IReadOnlyList<DateTime> Minutes, IReadOnlyList<EndpointGroupSeries> Groups);

/// <summary>
/// The admin System page's request figures: request rate, p95 latency and error rate per endpoint
/// group over the last hour, per minute. It listens to ASP.NET Core's own
/// <c>http.server.request.duration</c> histogram (the one OpenTelemetry exports) of this host only, and
/// keeps per minute and group a count, a count of 5xx answers and a log-scale latency histogram
/// (buckets 25% apart, so the p95 read from it is within about 12%). Figures are this instance's.
/// </summary>
public sealed class RequestMetrics(IMeterFactory meters, TimeProvider time) : IHostedService, IDisposable
{
    public const int WindowMinutes = 60;
    private const double FirstBoundMs = 0.5;
    private const double Growth = 1.25;
    private const int Buckets = 64;
    private static readonly double LogGrowth = Math.Log(Growth);

    private sealed class Cell
    {
        public long Count;
        public long Errors;
        public readonly long[] Histogram = new long[Buckets];
    }

    private readonly ConcurrentDictionary<(long Minute, string Group), Cell> _cells = new();
    private MeterListener? _listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // Only this host's meter: several hosts (tests, tools) may share the process.
                if (instrument is { Name: "http.server.request.duration", Meter.Name: "Microsoft.AspNetCore.Hosting" } && ReferenceEquals(instrument.Meter.Scope, meters))
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<double>(OnDuration);
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener?.Dispose();

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? route = null;
        var status = 0;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.route")
                route = tag.Value as string;
            else if (tag.Key == "http.response.status_code" && tag.Value is int code)
                status = code;
        }
        Record(GroupOf(route), seconds * 1000, status >= 500);
    }

    /// <summary>Adds one request (tests call it directly).</summary>
    public void Record(string group, double milliseconds, bool error)
    {
        var minute = MinuteOf(time.GetUtcNow());
        var cell = _cells.GetOrAdd((minute, group), _ => new Cell());
        Interlocked.Increment(ref cell.Count);
        if (error)
            Interlocked.Increment(ref cell.Errors);
        Interlocked.Increment(ref cell.Histogram[BucketOf(milliseconds)]);
        if (cell.Count == 1)
            Trim(minute);
    }

    public RequestMetricsSnapshot Snapshot()
    {
        var current = MinuteOf(time.GetUtcNow());
        var first = current - WindowMinutes + 1;
        var minutes = Enumerable.Range(0, WindowMinutes).Select(i => DateTime.UnixEpoch.AddMinutes(first + i)).ToList();
        var groups = _cells.Keys.Where(k => k.Minute >= first).Select(k => k.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var series = new List<EndpointGroupSeries>();
        foreach (var group in groups)
        {
            var requests = new long[WindowMinutes];
            var p95 = new double?[WindowMinutes];
            var errors = new double?[WindowMinutes];
            var hour = new long[Buckets];
            long hourErrors = 0;
            for (var i = 0; i < WindowMinutes; i++)
            {
                if (!_cells.TryGetValue((first + i, group), out var cell) || cell.Count == 0)
                    continue;
                requests[i] = cell.Count;
                p95[i] = Math.Round(Percentile(cell.Histogram, 0.95), 1);
                errors[i] = Math.Round(100.0 * cell.Errors / cell.Count, 1);
                hourErrors += cell.Errors;
                for (var b = 0; b < Buckets; b++)
                    hour[b] += cell.Histogram[b];
            }
            var total = requests.Sum();
            series.Add(new EndpointGroupSeries(group, requests, p95, errors,
                total == 0 ? 0 : Math.Round(Percentile(hour, 0.95), 1), total == 0 ? 0 : Math.Round(100.0 * hourErrors / total, 1)));
        }
        return new RequestMetricsSnapshot(minutes, series.OrderByDescending(s => s.TotalRequests).ToList());
    }

    /// <summary>
    /// Endpoint groups: <c>/api/&lt;resource&gt;</c> (<c>/api/admin/&lt;resource&gt;</c>) for the API,
    /// <c>/&lt;Section&gt;</c> for portal pages, and the tools; anything without a route (static files, 404s) is "other".
    /// </summary>
    public static string GroupOf(string? route)
    {
        if (string.IsNullOrEmpty(route))
            return "other";
        var segments = route.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
            return "/";
        static string Clean(string s) => s.StartsWith('{') ? "{id}" : s;
        return segments[0].ToLowerInvariant() switch
        {
            "api" when segments.Length > 2 && segments[1] == "admin" => $"/api/admin/{Clean(segments[2])}",
            "api" when segments.Length > 1 => $"/api/{Clean(segments[1])}",
            "hangfire" => "/hangfire",
            "health" => "/health",
            _ => "/" + Clean(segments[0]),
        };
    }

    private static int BucketOf(double milliseconds) =>
        milliseconds <= FirstBoundMs ? 0 : Math.Min(Buckets - 1, 1 + (int)(Math.Log(milliseconds / FirstBoundMs) / LogGrowth));

    private static double Percentile(long[] histogram, double quantile)
    {
        var total = histogram.Sum();
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
                return i == 0 ? FirstBoundMs : FirstBoundMs * Math.Pow(Growth, i - 0.5); // the bucket's geometric middle
        }
        return FirstBoundMs * Math.Pow(Growth, Buckets - 1);
    }

    private void Trim(long currentMinute)
    {
        foreach (var key in _cells.Keys)
            if (key.Minute < currentMinute - WindowMinutes)
                _cells.TryRemove(key, out _);
    }

    private static long MinuteOf(DateTimeOffset at) => (long)Math.Floor((at.UtcDateTime - DateTime.UnixEpoch).TotalMinutes);
}
