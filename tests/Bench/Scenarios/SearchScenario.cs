using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// SPEC §15 "search over 100k chat messages": one user's 100,000 messages (1,000 sessions, 2–40
/// words each from a 20,000-word Zipf(1.0) vocabulary), indexed by the product's own write path.
/// Measured through <c>GET /api/search</c> by one client: a common term, a rare term, a two-term AND
/// and a two-term OR, top 20 by relevance, and the rare term by recency; the baseline is
/// <c>LIKE '%term%'</c> over the same user's messages with the same (recency) ordering, run on the
/// same SQLite file in this process. Targets: p95 &lt; 10 ms for each query; the LIKE scan at least
/// 100× slower than the indexed rare-term query.
/// </summary>
public sealed class SearchScenario : IScenario
{
    private const int Messages = 100_000;
    private const int Sessions = 1_000;
    private const int Vocabulary = 20_000;
    private const double MaxP95Ms = 10;
    private const double MinLikeRatio = 100;
    private const string Email = "search@bench.local";

    // Ranks chosen for their frequency under Zipf(1.0) with these lengths: the most common word
    // (in 78% of messages), one in 15%, one in 5%, and one in 26 messages.
    private static readonly string Common = ZipfText.Word(1);
    private static readonly string Frequent = ZipfText.Word(12);
    private static readonly string Medium = ZipfText.Word(40);
    private static readonly string Rare = ZipfText.Word(9_000);

    private string? _token;
    private Guid _userId;
    private int _messages;

    public string Name => "search";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        var actor = new Actor(userId, Email, IsAdmin: false);
        var sessions = await database.WithScopeAsync(async sp =>
        {
            var chat = sp.GetRequiredService<ChatService>();
            var ids = new List<Guid>(Sessions);
            for (var i = 0; i < Sessions; i++)
                ids.Add((await chat.CreateSessionAsync(actor, new ChatSessionInput($"Bench chat {i:D4}", null), ct)).Id);
            return ids;
        });
        var text = new ZipfText(Vocabulary, seed: 2026);
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var watch = Stopwatch.StartNew();
        for (var offset = 0; offset < Messages; offset += 500)
        {
            var rows = Enumerable.Range(offset, Math.Min(500, Messages - offset)).Select(i => (ChatMessageInput?)new ChatMessageInput(
                $"m{i}", sessions[i % Sessions].ToString(), i % 2 == 0 ? "user" : "assistant", text.Sentence(2, 40),
                start.AddSeconds(i * 7).ToString("O"))).ToList();
            await database.WithScopeAsync(sp => sp.GetRequiredService<ChatService>().AppendBatchAsync(actor, rows, ct));
            if ((offset + 500) % 20_000 == 0)
                Console.WriteLine($"  {offset + 500} messages indexed ({watch.Elapsed.TotalSeconds:F0} s)");
        }
        (_token, _userId, _messages) = (token, userId, Messages);
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 1);
        var found = await http.GetFromJsonAsync<JsonElement>($"api/search?q={Common}", ct);
        if (found.GetProperty("meta").GetProperty("total").GetInt32() == 0)
        {
            Console.WriteLine($"  creating {Messages} messages through the API");
            var text = new ZipfText(Vocabulary, seed: 2026);
            var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var sessions = new List<Guid>();
            for (var i = 0; i < 100; i++)
            {
                using var created = await http.PostAsJsonAsync("api/chat/sessions", new { title = $"Bench chat {i:D4}" }, ct);
                sessions.Add((await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data").GetProperty("id").GetGuid());
            }
            for (var offset = 0; offset < Messages; offset += 500)
            {
                var messages = Enumerable.Range(offset, 500).Select(i => new
                {
                    clientId = $"m{i}", sessionId = sessions[i % sessions.Count], role = "user", content = text.Sentence(2, 40), createdAt = start.AddSeconds(i * 7),
                });
                using var response = await http.PostAsJsonAsync("api/chat/messages/batch", new { messages }, ct);
                response.EnsureSuccessStatusCode();
            }
        }
        // The seeded user, for the LIKE baseline over --db.
        _userId = (await http.GetFromJsonAsync<JsonElement>("api/sync/init", ct)).GetProperty("data").GetProperty("user").GetProperty("id").GetGuid();
        (_token, _messages) = (token, Messages);
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;
        var settings = new LoadSettings(1, TimeSpan.FromSeconds(Math.Min(2, options.Warmup.TotalSeconds)), TimeSpan.FromSeconds(Math.Min(6, options.Duration.TotalSeconds)));
        var queries = new (string Name, string Query)[]
        {
            ("common", $"q={Common}"),
            ("rare", $"q={Rare}"),
            ("and", $"q={Frequent}+{Medium}&op=and"),
            ("or", $"q={Frequent}+{Medium}&op=or"),
            ("rareRecent", $"q={Rare}&sort=recent"),
            ("commonRecent", $"q={Common}&sort=recent"),
        };
        using var http = BenchHttp.Create(target.BaseUrl, token, connections: 1);
        var results = new Dictionary<string, LoadResult>();
        var totals = new Dictionary<string, object>();
        foreach (var (name, query) in queries)
        {
            var first = await http.GetFromJsonAsync<JsonElement>($"api/search?{query}", ct);
            totals[name] = new { total = first.GetProperty("meta").GetProperty("total").GetInt32(), exact = first.GetProperty("meta").GetProperty("totalIsExact").GetBoolean() };
            var result = await LoadDriver.RunAsync(http, _ => new HttpRequestMessage(HttpMethod.Get, $"api/search?{query}"), settings, Meters(target), ct);
            Console.WriteLine($"  {name,-13} p50 {result.P50Ms,6:F2}  p95 {result.P95Ms,6:F2}  p99 {result.P99Ms,6:F2} ms  ({result.Requests} requests, {result.Errors} errors)");
            results[name] = result;
        }

        var notes = new List<string>
        {
            "Catalyst figures are whole HTTP requests (token check, query, hydration of the 20 hits with snippets, JSON) by one client on loopback.",
            "The LIKE baseline is the SQL alone, in this process, on the same SQLite file: no HTTP, no token check, no JSON. The ratio is therefore conservative.",
        };
        LoadResult? like = null;
        double? likeRatio = null;
        if (target.SqliteFile is { } file && _userId != Guid.Empty)
        {
            var (likeResult, sameOrder) = await MeasureLikeAsync(file, http, ct);
            like = likeResult;
            likeRatio = Math.Round(like.P50Ms / results["rareRecent"].P50Ms, 1);
            notes.Add($"Same ordering: Catalyst's sort=recent top 20 for the rare term {(sameOrder ? "equals" : "DIFFERS FROM")} the LIKE query's ORDER BY createdAt DESC top 20.");
            notes.Add("likeOverIndexed compares medians (p50) of the rare term by recency: LIKE scan over index lookup.");
        }
        else
            notes.Add("No LIKE baseline: the bench cannot open Catalyst's SQLite file (give --db with --url, and the user must be the seeded one).");

        List<TargetCheck> targets = [.. queries.Take(4).Select(q => new TargetCheck($"p95.{q.Name}", $"< {MaxP95Ms} ms", results[q.Name].P95Ms, results[q.Name].P95Ms < MaxP95Ms))];
        targets.Add(new TargetCheck("errors", "0", results.Values.Sum(r => r.Errors), results.Values.All(r => r.Errors == 0)));
        targets.Add(new TargetCheck("likeOverIndexed", $">= {MinLikeRatio}x", likeRatio, likeRatio >= MinLikeRatio));
        var worst = results.Where(r => queries.Take(4).Any(q => q.Name == r.Key)).MaxBy(r => r.Value.P95Ms).Value;
        return new ScenarioReport(
            Name,
            "GET /api/search top 20 over one user's 100k Zipf-worded chat messages: common, rare, AND, OR by relevance (and two by recency), against LIKE '%term%' on the same data.",
            new Dictionary<string, object>
            {
                ["messages"] = _messages,
                ["sessions"] = Sessions,
                ["vocabulary"] = Vocabulary,
                ["zipfExponent"] = 1.0,
                ["wordsPerMessage"] = "2-40",
                ["terms"] = new { common = Common, frequent = Frequent, medium = Medium, rare = Rare },
                ["hits"] = totals,
                ["queries"] = queries.ToDictionary(q => q.Name, q => (object)q.Query),
                ["perQuery"] = results.ToDictionary(r => r.Key, r => (object)new { r.Value.P50Ms, r.Value.P95Ms, r.Value.P99Ms, r.Value.MaxMs, r.Value.Requests }),
                ["clients"] = 1,
            },
            worst,
            like,
            new Dictionary<string, double?> { ["likeOverIndexed"] = likeRatio },
            new Dictionary<string, double>(),
            targets,
            targets.All(t => t.Passed),
            [.. results.Select(r => new RunRecord(1, r.Key, true, r.Value))],
            notes);
    }

    /// <summary>The LIKE scan, timed sequentially, and whether its top 20 equals Catalyst's.</summary>
    private async Task<(LoadResult Result, bool SameOrder)> MeasureLikeAsync(string file, HttpClient http, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT m."Id" FROM "ChatMessages" AS m JOIN "ChatSessions" AS s ON s."Id" = m."SessionId"
            WHERE s."UserId" = $user AND m."Content" LIKE $pattern
            ORDER BY m."CreatedAt" DESC, m."Id" DESC LIMIT 20
            """;
        command.Parameters.AddWithValue("$user", _userId.ToString().ToUpperInvariant());
        command.Parameters.AddWithValue("$pattern", $"%{Rare}%");
        async Task<List<Guid>> RunAsync()
        {
            var ids = new List<Guid>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                ids.Add(reader.GetGuid(0));
            return ids;
        }
        var likeIds = await RunAsync();
        var recorder = new LatencyRecorder();
        var watch = Stopwatch.StartNew();
        var runs = 0;
        while (runs < 5 || (runs < 40 && watch.Elapsed < TimeSpan.FromSeconds(8)))
        {
            var started = Stopwatch.GetTimestamp();
            await RunAsync();
            recorder.Record(Stopwatch.GetElapsedTime(started), null);
            runs++;
        }
        var result = LatencyRecorder.Summarize([recorder], 1, watch.Elapsed);
        Console.WriteLine($"  LIKE scan     p50 {result.P50Ms,6:F2}  p95 {result.P95Ms,6:F2} ms  ({runs} runs, {likeIds.Count} hits)");
        var hits = await http.GetFromJsonAsync<JsonElement>($"api/search?q={Rare}&sort=recent", ct);
        var catalystIds = hits.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("id").GetGuid()).ToList();
        return (result, catalystIds.SequenceEqual(likeIds));
    }

    /// <summary>This scenario's baseline, when it has one, runs inside the bench: there is nothing to serve.</summary>
    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no separate baseline server.");

    private static IReadOnlyList<CpuMeter> Meters(BenchTarget target) => target.ServerMeter is { } meter ? [meter] : [];
}
