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
/// The admin System page's request figures: request rate, p95 latency and error rate per route
/// template (<c>GET /api/projects/{id}</c>) over the last hour, per minute. It listens to ASP.NET Core's
/// own <c>http.server.request.duration</c> histogram (the one OpenTelemetry exports) of this host only,
/// and keeps per minute and route a count, a count of 5xx answers and a <see cref="LatencyHistogram"/>.
/// Static files are not measured at all (<see cref="PortalPipeline"/> maps them without HTTP metrics).
/// Figures are this instance's.
/// </summary>
public sealed partial class RequestMetrics(IMeterFactory meters, TimeProvider time) : MinuteMetrics
{
    /// <summary>Requests that matched no endpoint (404s, refusals before routing).</summary>
    public const string Unrouted = "(no route)";

    private sealed class Cell
    {
        public long Count;
        public long Errors;
        public readonly LatencyHistogram Latency = new();
    }

    private readonly ConcurrentDictionary<(long Minute, string Group), Cell> _cells = new();
    // Only this host's meter: several hosts (tests, tools) may share the process.
    protected override bool Listens(Instrument instrument) =>
        instrument is { Name: "http.server.request.duration", Meter.Name: "Microsoft.AspNetCore.Hosting" } && ReferenceEquals(instrument.Meter.Scope, meters);

    protected override void Configure(MeterListener listener) => listener.SetMeasurementEventCallback<double>(OnDuration);

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? route = null, method = null;
        var status = 0;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.route")
                route = tag.Value as string;
            else if (tag.Key == "http.request.method")
                method = tag.Value as string;
            else if (tag.Key == "http.response.status_code" && tag.Value is int code)
                status = code;
        }
        Record(GroupOf(method, route), seconds * 1000, status >= 500);
    }

    /// <summary>Adds one request (tests call it directly).</summary>
    public void Record(string group, double milliseconds, bool error)
    {
        var minute = MinuteOf(time.GetUtcNow());
        var cell = _cells.GetOrAdd((minute, group), _ => new Cell());
        Interlocked.Increment(ref cell.Count);
        if (error)
            Interlocked.Increment(ref cell.Errors);
        cell.Latency.Add(milliseconds);
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
            var hour = new LatencyHistogram();
            long hourErrors = 0;
            for (var i = 0; i < WindowMinutes; i++)
            {
                if (!_cells.TryGetValue((first + i, group), out var cell) || cell.Count == 0)
                    continue;
                requests[i] = cell.Count;
                p95[i] = cell.Latency.Percentile(0.95);
                errors[i] = Math.Round(100.0 * cell.Errors / cell.Count, 1);
                hourErrors += cell.Errors;
                cell.Latency.AddTo(hour);
            }
            var total = requests.Sum();
            series.Add(new EndpointGroupSeries(group, requests, p95, errors,
                hour.Percentile(0.95) ?? 0, total == 0 ? 0 : Math.Round(100.0 * hourErrors / total, 1)));
        }
        return new RequestMetricsSnapshot(minutes, series.OrderByDescending(s => s.TotalRequests).ToList());
    }

    /// <summary>
    /// The group of a request: its method and route template as routing matched it, with parameter
    /// constraints and defaults left out (<c>GET /api/projects/{id}</c>, <c>GET /Admin/System</c>);
    /// requests that matched no endpoint share one group.
    /// </summary>
    public static string GroupOf(string? method, string? route)
    {
        if (route is null)
            return Unrouted;
        var template = new System.Text.StringBuilder("/", route.Length + 1);
        foreach (var segment in route.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (template.Length > 1)
                template.Append('/');
            template.Append(WithoutConstraints(segment));
        }
        return string.IsNullOrEmpty(method) ? template.ToString() : $"{method.ToUpperInvariant()} {template}";
    }

    /// <summary><c>{id:guid}</c> → <c>{id}</c>, <c>{page=1}</c> → <c>{page}</c>; <c>{id:int?}</c> → <c>{id?}</c>; <c>{**path}</c> stays.</summary>
    private static string WithoutConstraints(string segment) => RouteParameter().Replace(segment, "{$1$2}");

    [System.Text.RegularExpressions.GeneratedRegex(@"\{([^{}:=]+)[^{}]*?(\?)?\}")]
    private static partial System.Text.RegularExpressions.Regex RouteParameter();

    private void Trim(long currentMinute)
    {
        foreach (var key in _cells.Keys)
            if (key.Minute < currentMinute - WindowMinutes)
                _cells.TryRemove(key, out _);
    }
}
