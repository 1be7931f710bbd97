using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Websites;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// The hardening bar's load test: 50 concurrent API clients for at least 60 s, each mixing what a
/// real client does — list and get projects, search, a chat batch sync, website data reads and
/// writes (If-Match), and small tus uploads — over a database seeded with realistic volumes
/// (thousands of projects, sessions and messages, websites with data). Reports p50/p95/p99 per
/// operation, errors and 5xx (both must be zero), and the Portal's working set sampled every second,
/// with its trend over the measured window (it must not keep growing).
/// </summary>
public sealed class MixedLoadScenario : IScenario
{
    private const int Clients = 50;
    private const int Projects = 3_000;
    private const int Sessions = 1_000;
    private const int MessagesPerSession = 20;
    private const double MaxGrowthMiBPerMinute = 30;
    private const string Email = "mixed@bench.local";
    private static readonly TimeSpan MinimumDuration = TimeSpan.FromSeconds(60);
    private static readonly string[] Words = ["invoice", "deploy", "gallery", "quarterly", "sunset", "budget", "roadmap", "kernel", "recipe", "harbor"];

    /// <summary>The operations and how often a client picks each (weights out of 100).</summary>
    private static readonly (string Name, int Weight)[] Mix =
        [("list", 22), ("get", 18), ("search", 15), ("chat-batch", 10), ("data-read", 15), ("data-write", 12), ("upload", 8)];

    private string? _token;
    private List<Guid> _projects = [];
    private List<Guid> _sessions = [];
    private List<Guid> _websites = [];

    public string Name => "mixed-load";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        var actor = new Actor(userId, Email, IsAdmin: false);
        await database.WithScopeAsync(async sp =>
        {
            var projects = sp.GetRequiredService<ProjectService>();
            for (var i = 0; i < Projects; i++)
                _projects.Add((await projects.CreateAsync(actor, new ProjectInput($"Mixed project {i:D4} {Words[i % Words.Length]}", $"About {Words[(i * 7) % Words.Length]}", [$"t{i % 13}"], null), ct)).Id);
        });
        await database.WithScopeAsync(async sp =>
        {
            var chat = sp.GetRequiredService<ChatService>();
            for (var i = 0; i < Sessions; i++)
            {
                var session = await chat.CreateSessionAsync(actor, new ChatSessionInput($"Mixed chat {i:D4}", null), ct);
                _sessions.Add(session.Id);
                var messages = Enumerable.Range(0, MessagesPerSession).Select(m => (ChatMessageInput?)new ChatMessageInput(
                    $"seed-{i}-{m}", session.Id.ToString(), m % 2 == 0 ? "user" : "assistant",
                    $"{Words[(i + m) % Words.Length]} {Words[(i * m + 3) % Words.Length]} message {m} of chat {i}", null)).ToList();
                await chat.AppendBatchAsync(actor, messages, ct);
            }
        });
        await database.WithScopeAsync(async sp =>
        {
            var websites = sp.GetRequiredService<WebsiteService>();
            var data = sp.GetRequiredService<WebsiteDataService>();
            for (var i = 0; i < Clients; i++)
            {
                var site = await websites.CreateAsync(actor, new WebsiteInput($"Mixed site {i:D2}", null, null, "blog", null), ct);
                _websites.Add(site.Id);
                await data.PutAsync(actor, site.Id, 0, new MemoryStream(Encoding.UTF8.GetBytes(SiteData(i, 0))), WebsiteDataSources.Api, ct);
            }
        });
        _token = token;
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 4);
        for (var i = 0; i < Projects / 10; i++)
        {
            using var created = await http.PostAsJsonAsync("api/projects", new { name = $"Mixed project {i:D4} {Words[i % Words.Length]}" }, ct);
            _projects.Add((await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data").GetProperty("id").GetGuid());
        }
        for (var i = 0; i < Clients; i++)
        {
            using var session = await http.PostAsJsonAsync("api/chat/sessions", new { title = $"Mixed chat {i:D4}" }, ct);
            _sessions.Add((await session.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data").GetProperty("id").GetGuid());
            using var site = await http.PostAsJsonAsync("api/websites", new { name = $"Mixed site {i:D2} {Guid.NewGuid():N}"[..24] }, ct);
            var id = (await site.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data").GetProperty("id").GetGuid();
            _websites.Add(id);
            using var put = new HttpRequestMessage(HttpMethod.Put, $"api/websites/{id}/data") { Content = new StringContent(SiteData(i, 0), Encoding.UTF8, "application/json") };
            put.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
            (await http.SendAsync(put, ct)).EnsureSuccessStatusCode();
        }
        _token = token;
    }

    /// <summary>A website's data document of about 20 KB: pages and a small settings object.</summary>
    private static string SiteData(int site, int revision) => JsonSerializer.Serialize(new
    {
        content = new { revision, pages = Enumerable.Range(0, 120).Select(p => new { id = p, title = $"Page {p} of site {site}", body = $"{Words[(p + revision) % Words.Length]} text {p}" }) },
        assets = Array.Empty<object>(),
        aiContext = new { tone = "friendly" },
    });

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;
        var duration = options.Duration < MinimumDuration ? MinimumDuration : options.Duration;
        using var http = BenchHttp.Create(target.BaseUrl, token, Clients);
        var measureFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var recorders = Mix.ToDictionary(m => m.Name, _ => Enumerable.Range(0, Clients).Select(_ => new LatencyRecorder()).ToArray());
        long serverErrors = 0;
        var sampling = SampleWorkingSetAsync(target.ServerProcessId, measureFrom, measureUntil, ct);

        async Task ClientAsync(int client)
        {
            var random = new Random(client);
            var siteVersion = await CurrentVersionAsync(http, _websites[client], ct);
            var revision = 0;
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= measureUntil)
                    return;
                var pick = random.Next(100);
                var op = Mix.First(m => (pick -= m.Weight) < 0).Name;
                string? error = null;
                try
                {
                    using var request = Build(op, client, random, siteVersion, ++revision);
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    if ((int)response.StatusCode >= 500)
                        Interlocked.Increment(ref serverErrors);
                    if (!response.IsSuccessStatusCode)
                        error = Truncate($"{op}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    else if (op == "data-write")
                        siteVersion = int.Parse(response.Headers.ETag!.Tag.Trim('"'), CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException ex)
                {
                    error = $"{op}: {ex.Message}";
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    error = $"{op}: timeout";
                }
                if (started >= measureFrom)
                    recorders[op][client].Record(Stopwatch.GetElapsedTime(started), error);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientAsync(c), ct)));
        var samples = await sampling;
        var perOperation = recorders.ToDictionary(r => r.Key, r => LatencyRecorder.Summarize(r.Value, Clients, duration));
        var overall = LatencyRecorder.Summarize([.. recorders.Values.SelectMany(r => r)], Clients, duration);
        foreach (var (op, result) in perOperation)
            Console.WriteLine($"  {op,-11} {result.RequestsPerSecond,7:F1} req/s  p50 {result.P50Ms,7:F2}  p95 {result.P95Ms,7:F2}  p99 {result.P99Ms,7:F2} ms  errors {result.Errors}");

        // Caches, connection page caches and the GC heap fill during the first half; the bar is on the second half.
        var (wholeSlope, first, last) = Trend(samples);
        var (slope, _, _) = Trend(samples.Skip(samples.Count / 2).ToList());
        Console.WriteLine($"  overall     {overall.RequestsPerSecond,7:F1} req/s  errors {overall.Errors}, 5xx {serverErrors}; working set {first:F0} → {last:F0} MiB, trend {wholeSlope:F1} MiB/min over the run, {slope:F1} over its second half");
        List<TargetCheck> targets =
        [
            new("errors", "0", overall.Errors, overall.Errors == 0),
            new("serverErrors", "0", serverErrors, serverErrors == 0),
            new("workingSetTrendSecondHalfMiBPerMinute", $"< {MaxGrowthMiBPerMinute}", Math.Round(slope, 1), slope < MaxGrowthMiBPerMinute),
        ];
        return new ScenarioReport(
            Name,
            $"{Clients} concurrent API clients for {duration.TotalSeconds:F0} s mixing list, get, search, chat batch sync, website data reads and writes, and tus uploads, over {Projects} projects, {Sessions} sessions with {Sessions * MessagesPerSession} messages and {Clients} websites.",
            new Dictionary<string, object>
            {
                ["clients"] = Clients,
                ["seconds"] = duration.TotalSeconds,
                ["mix"] = Mix.ToDictionary(m => m.Name, m => m.Weight),
                ["operations"] = perOperation.ToDictionary(p => p.Key, p => new { p.Value.Requests, p.Value.RequestsPerSecond, p.Value.P50Ms, p.Value.P95Ms, p.Value.P99Ms, p.Value.MaxMs, p.Value.Errors, p.Value.ErrorSamples }),
                ["serverErrors"] = serverErrors,
                ["workingSetMiB"] = samples.Select(s => Math.Round(s.MiB, 1)).ToArray(),
                ["workingSetFirstMiB"] = Math.Round(first, 1),
                ["workingSetLastMiB"] = Math.Round(last, 1),
                ["workingSetTrendMiBPerMinute"] = Math.Round(wholeSlope, 1),
            },
            overall,
            null,
            new Dictionary<string, double?>(),
            new Dictionary<string, double>(),
            targets,
            targets.All(t => t.Passed),
            [new RunRecord(1, "mixed", true, overall)],
            [
                "Each client writes its own website's data (If-Match from its last write), so a 412 would be a bug, not contention.",
                "Working-set trend: least-squares slope of one sample a second, over the whole measured window and over its second half (the bar: the first half is caches, SQLite page caches and the GC heap filling up); first/last are the means of its first and last 10 s.",
            ]);
    }

    private HttpRequestMessage Build(string op, int client, Random random, int siteVersion, int revision)
    {
        switch (op)
        {
            case "list":
                return new HttpRequestMessage(HttpMethod.Get, $"api/projects?page={random.Next(1, 51)}&pageSize=20");
            case "get":
                return new HttpRequestMessage(HttpMethod.Get, $"api/projects/{_projects[random.Next(_projects.Count)]}");
            case "search":
                var q = random.Next(3) == 0 ? $"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]}" : Words[random.Next(Words.Length)];
                return new HttpRequestMessage(HttpMethod.Get, $"api/search?q={Uri.EscapeDataString(q)}&pageSize=20");
            case "chat-batch":
                var session = _sessions[client % _sessions.Count];
                var messages = Enumerable.Range(0, 15).Select(i => new
                {
                    clientId = $"mixed-{client}-{revision}-{i}", sessionId = session, role = i % 2 == 0 ? "user" : "assistant",
                    content = $"{Words[random.Next(Words.Length)]} live message {i}", createdAt = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                });
                return new HttpRequestMessage(HttpMethod.Post, "api/chat/messages/batch") { Content = JsonContent.Create(new { messages }) };
            case "data-read":
                return new HttpRequestMessage(HttpMethod.Get, $"api/websites/{_websites[random.Next(_websites.Count)]}/data");
            case "data-write":
                var put = new HttpRequestMessage(HttpMethod.Put, $"api/websites/{_websites[client]}/data")
                {
                    Content = new StringContent(SiteData(client, revision), Encoding.UTF8, "application/json"),
                };
                put.Headers.TryAddWithoutValidation("If-Match", $"\"{siteVersion}\"");
                return put;
            default: // upload: a 256 KiB file in the creation request itself (tus creation-with-upload)
                var bytes = new byte[256 * 1024];
                random.NextBytes(bytes);
                var upload = new HttpRequestMessage(HttpMethod.Post, "api/uploads") { Content = new ByteArrayContent(bytes) };
                upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
                upload.Headers.Add("Tus-Resumable", "1.0.0");
                upload.Headers.Add("Upload-Length", bytes.Length.ToString(CultureInfo.InvariantCulture));
                upload.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes($"mixed-{client}-{revision}.bin"))}");
                return upload;
        }
    }

    private static async Task<int> CurrentVersionAsync(HttpClient http, Guid website, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/websites/{website}/data?fields=aiContext", ct);
        response.EnsureSuccessStatusCode();
        return int.Parse(response.Headers.ETag!.Tag.Trim('"'), CultureInfo.InvariantCulture);
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];

    private sealed record Sample(double Seconds, double MiB);

    private static async Task<List<Sample>> SampleWorkingSetAsync(int? processId, long from, long until, CancellationToken ct)
    {
        var samples = new List<Sample>();
        if (processId is not { } pid)
            return samples;
        using var process = Process.GetProcessById(pid);
        while (Stopwatch.GetTimestamp() < from)
            await Task.Delay(100, ct); // the measured window has not begun yet
        while (Stopwatch.GetTimestamp() < until)
        {
            process.Refresh();
            samples.Add(new Sample((Stopwatch.GetTimestamp() - from) / (double)Stopwatch.Frequency, process.WorkingSet64 / 1048576.0));
            await Task.Delay(1000, ct); // one sample a second
        }
        return samples;
    }

    /// <summary>Least-squares slope in MiB a minute, and the means of the first and last 10 samples.</summary>
    private static (double SlopePerMinute, double First, double Last) Trend(List<Sample> samples)
    {
        if (samples.Count < 3)
            return (0, 0, 0);
        var meanX = samples.Average(s => s.Seconds);
        var meanY = samples.Average(s => s.MiB);
        var slope = samples.Sum(s => (s.Seconds - meanX) * (s.MiB - meanY)) / samples.Sum(s => (s.Seconds - meanX) * (s.Seconds - meanX));
        return (slope * 60, samples.Take(10).Average(s => s.MiB), samples.TakeLast(10).Average(s => s.MiB));
    }

    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException("mixed-load has no baseline: its bars are absolute (no errors, no 5xx, a flat working set).");
}
