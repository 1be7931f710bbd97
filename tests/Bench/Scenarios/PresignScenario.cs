using System.Net.Http.Json;
using Catalyst.Data;
using Catalyst.Data.Assets;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// Issue 12 "presign": <c>POST /api/assets/presign</c> for 1 and for 100 of a user's assets (the
/// ownership query plus one HMAC per id). One client. Target: p95 &lt; 100 ms for each (SPEC §8:
/// generating one takes well under that). The assets' bytes are not read, so local seeding writes
/// only asset rows.
/// </summary>
public sealed class PresignScenario : IScenario
{
    private const int Assets = 100;
    private const double MaxP95Ms = 100;
    private const string Email = "presign@bench.local";

    private string? _token;
    private List<Guid> _assets = [];

    public string Name => "presign";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (userId, token) = await database.CreateUserAsync(Email, ct);
        _assets = await database.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<CatalystDbContext>();
            var rows = Enumerable.Range(0, Assets).Select(i => new Asset
            {
                Id = Guid.CreateVersion7(),
                OwnerId = userId,
                FileName = $"image-{i}.png",
                MediaType = "image/png",
                Length = 1024,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
            }).ToList();
            db.Set<Asset>().AddRange(rows);
            await db.SaveChangesAsync(ct);
            return rows.Select(r => r.Id).ToList();
        });
        _token = token;
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 1);
        _assets = [];
        for (var i = 0; i < Assets; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/uploads") { Content = new ByteArrayContent(BitConverter.GetBytes(i)) };
            request.Headers.Add("Tus-Resumable", "1.0.0");
            request.Headers.Add("Upload-Length", "4");
            request.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String("bench.bin"u8));
            request.Content.Headers.ContentType = new("application/offset+octet-stream");
            using var created = await http.SendAsync(request, ct);
            created.EnsureSuccessStatusCode();
            var location = created.Headers.Location!.OriginalString;
            _assets.Add(Guid.Parse(location[(location.LastIndexOf('/') + 1)..]));
        }
        _token = token;
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;

        var results = new Dictionary<string, LoadResult>();
        foreach (var count in new[] { 1, 100 })
        {
            HttpRequestMessage Presign(long n) => new(HttpMethod.Post, "api/assets/presign")
            {
                Content = JsonContent.Create(new { operation = "download", assetIds = Enumerable.Range((int)(n % Assets), count).Select(i => _assets[i % Assets]), expiresIn = 900 }),
            };
            using var http = BenchHttp.Create(target.BaseUrl, token, 1);
            var result = await LoadDriver.RunAsync(http, Presign, new LoadSettings(1, options.Warmup, options.Duration), Meters(target), ct);
            Console.WriteLine($"  {count,3} id(s)  {result.RequestsPerSecond,6:F0} req/s  p50 {result.P50Ms,6:F2}  p95 {result.P95Ms,6:F2}  p99 {result.P99Ms,6:F2} ms  errors {result.Errors}");
            results[$"ids{count}"] = result;
        }
        List<TargetCheck> targets =
        [
            new("p95 (1 id)", $"< {MaxP95Ms} ms", results["ids1"].P95Ms, results["ids1"].P95Ms < MaxP95Ms),
            new("p95 (100 ids)", $"< {MaxP95Ms} ms", results["ids100"].P95Ms, results["ids100"].P95Ms < MaxP95Ms),
            new("errors", "0", results.Values.Sum(r => r.Errors), results.Values.All(r => r.Errors == 0)),
        ];
        var main = results["ids100"];
        return new ScenarioReport(
            Name,
            "POST /api/assets/presign (operation download) for 1 and for 100 of the user's assets, one client.",
            new Dictionary<string, object>
            {
                ["assets"] = _assets.Count,
                ["perIds"] = results.ToDictionary(r => r.Key, r => (object)new { r.Value.P50Ms, r.Value.P95Ms, r.Value.P99Ms, r.Value.RequestsPerSecond, r.Value.Requests }),
            },
            main,
            null,
            new Dictionary<string, double?>(),
            main.CpuMsPerRequest is { } cpu ? cpu.ToDictionary(c => c.Key, c => c.Value) : new Dictionary<string, double>(),
            targets,
            targets.All(t => t.Passed),
            [.. results.Select(r => new RunRecord(1, r.Key, r.Key == "ids100", r.Value))],
            []);
    }

    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no separate baseline server.");

    private static IReadOnlyList<CpuMeter> Meters(BenchTarget target) => target.ServerMeter is { } meter ? [meter] : [];
}
