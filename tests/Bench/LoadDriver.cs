using System.Diagnostics;
using System.Net;

namespace Catalyst.Bench;

public sealed record LoadSettings(int Clients, TimeSpan Warmup, TimeSpan Duration);

/// <summary>A process whose CPU time is read at the start and the end of the measured window.</summary>
public sealed record CpuMeter(string Name, Func<TimeSpan> ProcessorTime)
{
    public static CpuMeter For(string name, Process process) => new(name, () =>
    {
        process.Refresh();
        return process.TotalProcessorTime;
    });
}

/// <summary>
/// What one run measured. Latencies are whole requests (send to last body byte), in milliseconds.
/// <see cref="CpuMsPerRequest"/>: CPU time each metered process spent in the window, per request.
/// </summary>
public sealed record LoadResult(
    int Clients, double Seconds, long Requests, long Errors, double RequestsPerSecond,
    double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs, IReadOnlyList<string> ErrorSamples,
    IReadOnlyDictionary<string, double>? CpuMsPerRequest = null);

/// <summary>
/// N concurrent clients, each sending its next request as soon as the previous one has been read
/// (a closed loop), for a warm-up that is not recorded and then a fixed measured duration. A
/// request counts in the measurement when it started inside the measured window.
/// </summary>
public static class LoadDriver
{
    public static async Task<LoadResult> RunAsync(
        HttpClient http, Func<long, HttpRequestMessage> createRequest, LoadSettings settings,
        IReadOnlyList<CpuMeter> meters, CancellationToken ct)
    {
        var measureFrom = Stopwatch.GetTimestamp() + Ticks(settings.Warmup);
        var measureUntil = measureFrom + Ticks(settings.Duration);
        var cpu = Task.Run(() => MeterAsync(meters, measureFrom, measureUntil, ct), ct);
        long sequence = 0;
        var recorders = Enumerable.Range(0, settings.Clients).Select(_ => new LatencyRecorder()).ToArray();

        async Task ClientAsync(LatencyRecorder recorder)
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= measureUntil)
                    return;
                string? error = null;
                try
                {
                    using var request = createRequest(Interlocked.Increment(ref sequence));
                    // ResponseContentRead: the whole body is read before the clock stops.
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    if (response.StatusCode != HttpStatusCode.OK)
                        error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                }
                catch (HttpRequestException ex)
                {
                    error = ex.Message;
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    error = "timeout";
                }
                if (started >= measureFrom)
                    recorder.Record(Stopwatch.GetElapsedTime(started), error);
            }
        }

        await Task.WhenAll(recorders.Select(r => Task.Run(() => ClientAsync(r), ct)));
        var result = LatencyRecorder.Summarize(recorders, settings.Clients, settings.Duration);
        var spent = await cpu;
        return meters.Count == 0 || result.Requests == 0 ? result : result with
        {
            CpuMsPerRequest = spent.ToDictionary(s => s.Key, s => Math.Round(s.Value.TotalMilliseconds / result.Requests, 3)),
        };
    }

    private static async Task<Dictionary<string, TimeSpan>> MeterAsync(IReadOnlyList<CpuMeter> meters, long from, long until, CancellationToken ct)
    {
        await Task.Delay(Until(from), ct); // the measured window is a span of time
        var start = meters.ToDictionary(m => m.Name, m => m.ProcessorTime());
        await Task.Delay(Until(until), ct);
        return meters.ToDictionary(m => m.Name, m => m.ProcessorTime() - start[m.Name]);
    }

    private static TimeSpan Until(long timestamp)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>One client's latencies; percentiles come from the merged, sorted samples (nearest rank).</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _milliseconds = new(capacity: 16_384);
    private readonly List<string> _errors = [];
    private long _errorCount;

    public void Record(TimeSpan latency, string? error)
    {
        _milliseconds.Add(latency.TotalMilliseconds);
        if (error is null)
            return;
        _errorCount++;
        if (_errors.Count < 5)
            _errors.Add(error);
    }

    public static LoadResult Summarize(IReadOnlyCollection<LatencyRecorder> recorders, int clients, TimeSpan duration)
    {
        var all = recorders.SelectMany(r => r._milliseconds).ToArray();
        Array.Sort(all);
        var errors = recorders.Sum(r => r._errorCount);
        var samples = recorders.SelectMany(r => r._errors).Distinct().Take(5).ToList();
        return new LoadResult(
            clients, duration.TotalSeconds, all.Length, errors, Round(all.Length / duration.TotalSeconds),
            Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99),
            all.Length == 0 ? 0 : Round(all[^1]), all.Length == 0 ? 0 : Round(all.Average()), samples);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Round(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    private static double Round(double value) => Math.Round(value, 2);
}

/// <summary>The one way the bench makes an HTTP client: a connection per concurrent client, no cookies, no compression.</summary>
public static class BenchHttp
{
    /// <summary>A client for <paramref name="baseUrl"/>; without a token its requests are anonymous.</summary>
    public static HttpClient Create(Uri baseUrl, string? token, int connections)
    {
#pragma warning disable CA2000 // The client owns and disposes its handler.
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
#pragma warning restore CA2000
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

/// <summary>
/// The metered processes: <c>client</c> is this process, the load generator; <c>server</c> is the
/// process that answered (the Portal or the baseline) when the bench started it.
/// </summary>
public static class CpuMeters
{
    public const string Client = "client";
    public const string Server = "server";

    public static CpuMeter ThisProcess() => CpuMeter.For(Client, Process.GetCurrentProcess());
}
