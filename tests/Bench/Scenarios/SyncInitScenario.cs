using System.Diagnostics;
using System.Net.Http.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// SPEC §15 "<c>/api/sync/init</c> for a user with 1k sessions, 200 projects": the sign-in sync of a
/// user whose sessions and projects were created through the product's services. Steady state
/// (served from the metadata cache) by four clients, and right after a write (a session renamed, so
/// the sessions part is reloaded) by one. Target: p95 &lt; 50 ms for both.
/// </summary>
public sealed class SyncInitScenario : IScenario
{
    private const int Sessions = 1_000;
    private const int Projects = 200;
    private const int Clients = 4;
    private const double MaxP95Ms = 50;
    private const string Email = "sync@bench.local";

    private string? _token;
    private Guid _renamed;

    public string Name => "sync-init";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        var actor = new Actor(userId, Email, IsAdmin: false);
        _renamed = await database.WithScopeAsync(async sp =>
        {
            var projects = sp.GetRequiredService<ProjectService>();
            for (var i = 0; i < Projects; i++)
                await projects.CreateAsync(actor, new ProjectInput($"Sync project {i:D3}", $"Description of project {i}", [$"tag{i % 7}", "sync"], null), ct);
            var chat = sp.GetRequiredService<ChatService>();
            var first = Guid.Empty;
            for (var i = 0; i < Sessions; i++)
            {
                var session = await chat.CreateSessionAsync(actor, new ChatSessionInput($"Sync chat {i:D4}", null), ct);
                if (i == 0)
                    first = session.Id;
            }
            return first;
        });
        _token = token;
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 1);
        for (var i = 0; i < Projects; i++)
            (await http.PostAsJsonAsync("api/projects", new { name = $"Sync project {i:D3}" }, ct)).EnsureSuccessStatusCode();
        for (var i = 0; i < Sessions; i++)
        {
            using var created = await http.PostAsJsonAsync("api/chat/sessions", new { title = $"Sync chat {i:D4}" }, ct);
            created.EnsureSuccessStatusCode();
            if (i == 0)
                _renamed = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("data").GetProperty("id").GetGuid();
        }
        _token = token;
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;
        using var http = BenchHttp.Create(target.BaseUrl, token, Clients);
        using var first = await http.GetAsync("api/sync/init", ct);
        var bytes = (await first.Content.ReadAsByteArrayAsync(ct)).Length;

        var steady = await LoadDriver.RunAsync(http, _ => new HttpRequestMessage(HttpMethod.Get, "api/sync/init"),
            new LoadSettings(Clients, options.Warmup, options.Duration), Meters(target), ct);
        Console.WriteLine($"  steady        {steady.RequestsPerSecond,6:F0} req/s  p50 {steady.P50Ms,6:F2}  p95 {steady.P95Ms,6:F2}  p99 {steady.P99Ms,6:F2} ms  errors {steady.Errors}");

        // After a write the sessions part is loaded again from the database.
        var recorder = new LatencyRecorder();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 60; i++)
        {
            var version = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/chat/sessions/{_renamed}", ct)).GetProperty("data").GetProperty("version").GetInt64();
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/chat/sessions/{_renamed}") { Content = JsonContent.Create(new { title = $"Renamed {i}" }) };
            patch.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
            (await http.SendAsync(patch, ct)).EnsureSuccessStatusCode();
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync("api/sync/init", HttpCompletionOption.ResponseContentRead, ct);
            recorder.Record(Stopwatch.GetElapsedTime(started), response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        }
        var afterWrite = LatencyRecorder.Summarize([recorder], 1, watch.Elapsed);
        Console.WriteLine($"  after a write                p50 {afterWrite.P50Ms,6:F2}  p95 {afterWrite.P95Ms,6:F2}  p99 {afterWrite.P99Ms,6:F2} ms  errors {afterWrite.Errors}");

        List<TargetCheck> targets =
        [
            new("p95", $"< {MaxP95Ms} ms", steady.P95Ms, steady.P95Ms < MaxP95Ms),
            new("p95AfterWrite", $"< {MaxP95Ms} ms", afterWrite.P95Ms, afterWrite.P95Ms < MaxP95Ms),
            new("errors", "0", steady.Errors + afterWrite.Errors, steady.Errors + afterWrite.Errors == 0),
        ];
        return new ScenarioReport(
            Name,
            "GET /api/sync/init for a user with 1,000 chat sessions and 200 projects: steady state, and right after a session was renamed.",
            new Dictionary<string, object>
            {
                ["sessions"] = Sessions,
                ["projects"] = Projects,
                ["clients"] = Clients,
                ["responseBytes"] = bytes,
                ["afterWrite"] = new { afterWrite.P50Ms, afterWrite.P95Ms, afterWrite.P99Ms, afterWrite.MaxMs, samples = afterWrite.Requests },
            },
            steady,
            null,
            new Dictionary<string, double?>(),
            steady.CpuMsPerRequest is { } cpu ? cpu.ToDictionary(c => c.Key, c => c.Value) : new Dictionary<string, double>(),
            targets,
            targets.All(t => t.Passed),
            [new RunRecord(1, "steady", true, steady), new RunRecord(1, "afterWrite", true, afterWrite)],
            ["The steady figure is mostly metadata-cache hits (the parts are invalidated by writes); the after-write figure reloads the sessions part from SQLite each time."]);
    }

    /// <summary>This scenario's baseline, when it has one, runs inside the bench: there is nothing to serve.</summary>
    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no separate baseline server.");

    private static IReadOnlyList<CpuMeter> Meters(BenchTarget target) => target.ServerMeter is { } meter ? [meter] : [];
}
