using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// Issue 12 "sdk-sync": seconds for <c>@catalyst/client</c> (clients/js, built) to sign-in sync a user
/// with 1,000 chat sessions and 200 projects into its Dexie store (fake-indexeddb in Node), against a
/// baseline measured in the same run: the same HTTP requests fetched and JSON-parsed with no store.
/// Target: &lt; 2 s for the sync.
/// </summary>
public sealed class SdkSyncScenario : IScenario
{
    private const int Sessions = 1_000;
    private const int Projects = 200;
    private const int Rounds = 5;
    private const double MaxSeconds = 2;
    private const string Email = "sdk-sync@bench.local";

    private string? _token;

    public string Name => "sdk-sync";

    private static string ClientDirectory => Path.Combine(RepositoryPaths.Root, "clients", "js");

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        var actor = new Actor(userId, Email, IsAdmin: false);
        await database.WithScopeAsync(async sp =>
        {
            var projects = sp.GetRequiredService<ProjectService>();
            for (var i = 0; i < Projects; i++)
                await projects.CreateAsync(actor, new ProjectInput($"SDK project {i:D3}", $"Description of project {i}", [$"tag{i % 7}", "sdk"], null), ct);
            var chat = sp.GetRequiredService<ChatService>();
            for (var i = 0; i < Sessions; i++)
                await chat.CreateSessionAsync(actor, new ChatSessionInput($"SDK chat {i:D4}", null), ct);
        });
        _token = token;
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 1);
        for (var i = 0; i < Projects; i++)
            (await http.PostAsJsonAsync("api/projects", new { name = $"SDK project {i:D3}" }, ct)).EnsureSuccessStatusCode();
        for (var i = 0; i < Sessions; i++)
            (await http.PostAsJsonAsync("api/chat/sessions", new { title = $"SDK chat {i:D4}" }, ct)).EnsureSuccessStatusCode();
        _token = token;
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        await EnsureBuiltAsync(ct);
        var (code, output, error) = await StorageBench.RunAsync("node",
            ["bench/sdk-sync.mjs", target.BaseUrl.ToString().TrimEnd('/'), token, Rounds.ToString(CultureInfo.InvariantCulture)], ClientDirectory, ct);
        if (code != 0)
            throw new InvalidOperationException($"The SDK sync bench failed: {error}{output}");
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var catalyst = result.RootElement.GetProperty("catalyst").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var baseline = result.RootElement.GetProperty("baseline").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var median = Median(catalyst);
        var baselineMedian = Median(baseline);
        Console.WriteLine($"  sdk sync  {string.Join(", ", catalyst.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))} s (median {median:F3})");
        Console.WriteLine($"  bare      {string.Join(", ", baseline.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))} s (median {baselineMedian:F3})");

        List<TargetCheck> targets = [new("syncSeconds", $"< {MaxSeconds} s", Math.Round(median, 3), median < MaxSeconds)];
        return StorageBench.Report(Name,
            "A fresh @catalyst/client signs in: /api/sync/init and the session pages into its Dexie store (fake-indexeddb, Node), for 1,000 chat sessions and 200 projects.",
            new Dictionary<string, object>
            {
                ["sessions"] = result.RootElement.GetProperty("sessions").GetInt32(),
                ["projects"] = result.RootElement.GetProperty("projects").GetInt32(),
                ["rounds"] = Rounds,
            },
            catalyst, baseline,
            new Dictionary<string, double?> { ["syncOverBareFetch"] = baselineMedian > 0 ? Math.Round(median / baselineMedian, 2) : null },
            targets,
            ["The baseline fetches and parses the same responses (the init and ten pages of sessions) without writing a store; the ratio is the store's cost.",
             "IndexedDB is fake-indexeddb in Node; a browser's IndexedDB has other costs."]);
    }

    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no separate baseline server.");

    /// <summary>Installs and builds clients/js when its dist is missing (the bench is run by hand).</summary>
    private static async Task EnsureBuiltAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(ClientDirectory, "dist", "index.js")) && Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "fake-indexeddb")))
            return;
        Console.WriteLine("  npm ci && npm run build:lib (clients/js)");
        foreach (var args in new[] { new[] { "ci", "--no-audit", "--no-fund" }, new[] { "run", "build:lib" } })
        {
            var (code, _, error) = await StorageBench.RunAsync("npm", args, ClientDirectory, ct);
            if (code != 0)
                throw new InvalidOperationException($"npm {args[0]} in clients/js failed: {error}");
        }
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
