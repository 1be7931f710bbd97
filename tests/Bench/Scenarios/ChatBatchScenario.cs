using System.Net.Http.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// SPEC §15 "chat batch sync of 15 messages": <c>POST /api/chat/messages/batch</c> with 15 new
/// messages each time (new clientIds, Zipf-worded content), spread over a user's sessions, so every
/// request writes 15 messages, their search postings and change-feed rows in one transaction.
/// One client (an app flushing its outbox), then four at once. Target: p95 &lt; 20 ms with one client.
/// </summary>
public sealed class ChatBatchScenario : IScenario
{
    private const int Sessions = 50;
    private const int BatchSize = 15;
    private const double MaxP95Ms = 20;
    private const string Email = "chat-batch@bench.local";

    private string? _token;
    private List<Guid> _sessions = [];

    public string Name => "chat-batch";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        var actor = new Actor(userId, Email, IsAdmin: false);
        _sessions = await database.WithScopeAsync(async sp =>
        {
            var chat = sp.GetRequiredService<ChatService>();
            var ids = new List<Guid>();
            for (var i = 0; i < Sessions; i++)
                ids.Add((await chat.CreateSessionAsync(actor, new ChatSessionInput($"Batch chat {i}", null), ct)).Id);
            return ids;
        });
        _token = token;
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 1);
        _sessions = [];
        for (var i = 0; i < Sessions; i++)
        {
            using var created = await http.PostAsJsonAsync("api/chat/sessions", new { title = $"Batch chat {i}" }, ct);
            created.EnsureSuccessStatusCode();
            _sessions.Add((await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("data").GetProperty("id").GetGuid());
        }
        _token = token;
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;
        var text = new ZipfText(20_000, seed: 15);
        var sentences = Enumerable.Range(0, 4096).Select(_ => text.Sentence(3, 60)).ToArray();
        var run = Guid.NewGuid().ToString("N")[..8];

        HttpRequestMessage Batch(long n) => new(HttpMethod.Post, "api/chat/messages/batch")
        {
            Content = JsonContent.Create(new
            {
                messages = Enumerable.Range(0, BatchSize).Select(i => new
                {
                    clientId = $"{run}-{n}-{i}",
                    sessionId = _sessions[(int)(n % _sessions.Count)],
                    role = i % 2 == 0 ? "user" : "assistant",
                    content = sentences[(n * BatchSize + i) % sentences.Length],
                }),
            }),
        };

        var results = new Dictionary<string, LoadResult>();
        foreach (var clients in new[] { 1, 4 })
        {
            using var http = BenchHttp.Create(target.BaseUrl, token, clients);
            var result = await LoadDriver.RunAsync(http, Batch, new LoadSettings(clients, options.Warmup, options.Duration), Meters(target), ct);
            Console.WriteLine($"  {clients} client(s)  {result.RequestsPerSecond,6:F0} batches/s  p50 {result.P50Ms,6:F2}  p95 {result.P95Ms,6:F2}  p99 {result.P99Ms,6:F2} ms  errors {result.Errors}");
            results[$"clients{clients}"] = result;
        }
        var single = results["clients1"];
        List<TargetCheck> targets =
        [
            new("p95", $"< {MaxP95Ms} ms (one client)", single.P95Ms, single.P95Ms < MaxP95Ms),
            new("errors", "0", results.Values.Sum(r => r.Errors), results.Values.All(r => r.Errors == 0)),
        ];
        return new ScenarioReport(
            Name,
            "POST /api/chat/messages/batch with 15 new messages per request (indexed for search and journaled for sync in the same transaction).",
            new Dictionary<string, object>
            {
                ["messagesPerBatch"] = BatchSize,
                ["sessions"] = _sessions.Count,
                ["wordsPerMessage"] = "3-60",
                ["perClients"] = results.ToDictionary(r => r.Key, r => (object)new { r.Value.P50Ms, r.Value.P95Ms, r.Value.P99Ms, r.Value.RequestsPerSecond, r.Value.Requests }),
            },
            single,
            null,
            new Dictionary<string, double?>(),
            single.CpuMsPerRequest is { } cpu ? cpu.ToDictionary(c => c.Key, c => c.Value) : new Dictionary<string, double>(),
            targets,
            targets.All(t => t.Passed),
            [.. results.Select(r => new RunRecord(1, r.Key, r.Key == "clients1", r.Value))],
            ["SQLite serializes writers: with four clients the batches queue for the write lock, so their latency is reported, not targeted."]);
    }

    /// <summary>This scenario's baseline, when it has one, runs inside the bench: there is nothing to serve.</summary>
    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no separate baseline server.");

    private static IReadOnlyList<CpuMeter> Meters(BenchTarget target) => target.ServerMeter is { } meter ? [meter] : [];
}
