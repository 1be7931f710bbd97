using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Data.Identity;
using Catalyst.Data.Projects;
using Catalyst.Data.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// SPEC §15 "metadata cache on a Zipf(1.0) read workload": <c>GET /api/projects/{id}</c> over a
/// user's 10,000 projects, the project of each request drawn with probability ∝ 1/rank. The hit
/// rate is the Portal's own count (<c>GET /api/admin/cache</c>, region <c>project</c>) over the
/// measured window, after a warm-up. Target: hit rate ≥ 95%.
/// </summary>
public sealed class CacheZipfScenario : IScenario
{
    private const int Clients = 8;
    private const double MinHitRate = 0.95;
    private const string Email = "cache@bench.local";

    private string? _token;
    private string? _adminToken;
    private List<Guid> _projects = [];

    public string Name => "cache-zipf";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        var projects = Enumerable.Range(0, options.Projects).Select(i => new Project
        {
            Id = Guid.CreateVersion7(),
            OwnerId = userId,
            Name = $"Cached project {i:D5}",
            Description = $"Project {i} read through the metadata cache",
            Tags = [$"tag{i % 13}"],
        }).ToList();
        await database.InsertAsync(projects, ct);
        _adminToken = await database.WithScopeAsync(async sp =>
        {
            var admin = await sp.GetRequiredService<UserManager<CatalystUser>>().FindByEmailAsync(BenchPortal.AdminEmail)
                ?? throw new InvalidOperationException("The admin was not bootstrapped.");
            var (_, adminToken) = await sp.GetRequiredService<ApiTokenService>().CreateAsync(admin.Id, "bench-cache", null, ct);
            return adminToken;
        });
        (_token, _projects) = (token, projects.Select(p => p.Id).ToList());
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 1);
        _projects = [];
        for (var page = 1; _projects.Count < options.Projects; page++)
        {
            var json = await http.GetFromJsonAsync<JsonElement>($"api/projects?page={page}&pageSize=100", ct);
            var items = json.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
            if (items.Count == 0)
                break;
            _projects.AddRange(items);
        }
        // The hit rate needs an admin token; with --url the scenario reports latencies only.
        (_token, _adminToken) = (token, null);
    }

    private sealed record Counts(long Hits, long Misses);

    private async Task<Counts?> CountsAsync(Uri baseUrl, CancellationToken ct)
    {
        if (_adminToken is null)
            return null;
        using var admin = BenchHttp.Create(baseUrl, _adminToken, 1);
        var data = (await admin.GetFromJsonAsync<JsonElement>("api/admin/cache", ct)).GetProperty("data");
        var region = data.GetProperty("regions").EnumerateArray().FirstOrDefault(r => r.GetProperty("region").GetString() == "project");
        return region.ValueKind == JsonValueKind.Undefined ? new Counts(0, 0) : new Counts(region.GetProperty("hits").GetInt64(), region.GetProperty("misses").GetInt64());
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;
        var zipf = new ZipfText(_projects.Count, seed: 99);
        var ranks = Enumerable.Range(0, 1 << 20).Select(_ => zipf.NextRank() - 1).ToArray();
        // Ranks are shuffled onto ids so that popularity has nothing to do with creation order.
        var shuffled = _projects.OrderBy(id => id.GetHashCode()).ToArray();
        HttpRequestMessage Read(long n) => new(HttpMethod.Get, $"api/projects/{shuffled[ranks[n % ranks.Length]]}");

        using var http = BenchHttp.Create(target.BaseUrl, token, Clients);
        await LoadDriver.RunAsync(http, Read, new LoadSettings(Clients, TimeSpan.Zero, options.Warmup), [], ct);
        var before = await CountsAsync(target.BaseUrl, ct);
        var result = await LoadDriver.RunAsync(http, n => Read(n + ranks.Length / 2), new LoadSettings(Clients, TimeSpan.Zero, options.Duration), Meters(target), ct);
        var after = await CountsAsync(target.BaseUrl, ct);
        double? hitRate = before is null || after is null || after.Hits + after.Misses == before.Hits + before.Misses ? null
            : Math.Round((double)(after.Hits - before.Hits) / (after.Hits - before.Hits + after.Misses - before.Misses), 4);
        Console.WriteLine($"  {result.RequestsPerSecond,6:F0} req/s  p50 {result.P50Ms,6:F2}  p95 {result.P95Ms,6:F2} ms  hit rate {hitRate:P2}  errors {result.Errors}");

        List<TargetCheck> targets =
        [
            new("hitRate", $">= {MinHitRate:P0}", hitRate, hitRate >= MinHitRate),
            new("errors", "0", result.Errors, result.Errors == 0),
        ];
        return new ScenarioReport(
            Name,
            "GET /api/projects/{id} with ids drawn from Zipf(1.0) over a user's projects; the Portal's own cache counters give the hit rate.",
            new Dictionary<string, object>
            {
                ["projects"] = _projects.Count,
                ["zipfExponent"] = 1.0,
                ["clients"] = Clients,
                ["warmupSeconds"] = options.Warmup.TotalSeconds,
                ["hits"] = after is null || before is null ? "unknown (no admin token)" : after.Hits - before.Hits,
                ["misses"] = after is null || before is null ? "unknown (no admin token)" : after.Misses - before.Misses,
            },
            result,
            null,
            new Dictionary<string, double?> { ["hitRate"] = hitRate },
            result.CpuMsPerRequest is { } cpu ? cpu.ToDictionary(c => c.Key, c => c.Value) : new Dictionary<string, double>(),
            targets,
            targets.All(t => t.Passed),
            [new RunRecord(1, "catalyst", true, result)],
            ["Misses in the measured window are first reads of rarely drawn projects (the cache holds them all: its size limit is 50,000 entries) plus entries expired by the 2-minute time to live."]);
    }

    /// <summary>This scenario's baseline, when it has one, runs inside the bench: there is nothing to serve.</summary>
    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no separate baseline server.");

    private static IReadOnlyList<CpuMeter> Meters(BenchTarget target) => target.ServerMeter is { } meter ? [meter] : [];
}
