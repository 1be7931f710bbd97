using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Catalyst.Data;
using Catalyst.Data.Projects;
using Catalyst.Data.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// SPEC §15 "list pages / metadata endpoints": concurrent clients paging through one user's
/// projects with <c>GET /api/projects?page=N&amp;pageSize=20</c> and the user's bearer token,
/// pages spread over the whole range. The baseline is a bare Kestrel endpoint inside this process
/// over the same SQLite file (read-only): the same token check, the same page, no Catalyst
/// middleware. Targets: p95 &lt; 50 ms, no errors, at least 70% of the baseline's requests/s.
/// </summary>
public sealed class ProjectsListScenario : IScenario
{
    private const int PageSize = 20;
    private const int OtherUsers = 3;
    private const int ProjectsPerOtherUser = 200;
    private const double MaxP95Ms = 50;
    private const double MinRpsRatio = 0.70;

    private string? _token;
    private int _projects;

    public string Name => "projects-list";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var (owner, token) = await database.CreateUserAsync("owner@bench.local", ct);
        await database.InsertAsync(NewProjects(owner, options.Projects), ct);
        for (var i = 1; i <= OtherUsers; i++)
        {
            var (other, _) = await database.CreateUserAsync($"other-{i}@bench.local", ct);
            await database.InsertAsync(NewProjects(other, ProjectsPerOtherUser), ct);
        }
        (_token, _projects) = (token, options.Projects);
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 4);
        var existing = (await GetPageAsync(http, 1, ct)).Total;
        if (existing < options.Projects)
        {
            Console.WriteLine($"  creating {options.Projects - existing} projects through the API");
            await Parallel.ForAsync(existing, options.Projects, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, c) =>
            {
                using var response = await http.PostAsJsonAsync("api/projects",
                    new { name = $"Bench project {i:D5}", description = Description(i), tags = Tags(i) }, c);
                response.EnsureSuccessStatusCode();
            });
        }
        (_token, _projects) = (token, (await GetPageAsync(http, 1, ct)).Total);
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var token = _token ?? throw new InvalidOperationException("The scenario has not been seeded.");
        var options = target.Options;
        var pages = Math.Max(1, (_projects + PageSize - 1) / PageSize);
        var settings = new LoadSettings(options.Clients, options.Warmup, options.Duration);
        var notes = new List<string>
        {
            $"Each side ran {options.Rounds} times, alternating baseline and Catalyst (baseline first); the better run of each (fewest errors, then most requests/s) is kept, to reduce noise on this {Environment.ProcessorCount}-core machine. Every run is listed under runs.",
            "Both sides get the same clients: one HTTP/1.1 connection per client, no Accept-Encoding (so neither side compresses), the same sequence of pages.",
            "Catalyst (Production settings, default logging) and the baseline each run as their own process with the same runtime settings (server GC); the bench process is the load generator for both. All share the same cores, and other work on the machine.",
        };

        await using var baseline = target.SqliteFile is null ? null : await StartBaselineAsync(target.SqliteFile, ct);
        if (baseline is not null)
            notes.Add(await CheckSamePagesAsync(target.BaseUrl, baseline.BaseUrl, token, pages, ct));
        else
            notes.Add("No baseline: the bench cannot open Catalyst's SQLite file (give --db with --url).");

        async Task<LoadResult> LoadAsync(Uri baseUrl, CpuMeter? server, CancellationToken c)
        {
            using var http = BenchHttp.Create(baseUrl, token, options.Clients);
            List<CpuMeter> meters = server is null ? [CpuMeters.ThisProcess()] : [CpuMeters.ThisProcess(), server];
            return await LoadDriver.RunAsync(http, n => new HttpRequestMessage(HttpMethod.Get, $"api/projects?page={PageOf(n, pages)}&pageSize={PageSize}"), settings, meters, c);
        }

        var (catalyst, baselineResult, runs) = await SideBySide.RunAsync(options.Rounds,
            baseline is null ? null : c => LoadAsync(baseline.BaseUrl, baseline.Meter, c),
            c => LoadAsync(target.BaseUrl, target.ServerMeter, c), ct);

        double? rpsRatio = baselineResult is { RequestsPerSecond: > 0 } ? Math.Round(catalyst.RequestsPerSecond / baselineResult.RequestsPerSecond, 3) : null;
        double? p95Ratio = baselineResult is { P95Ms: > 0 } ? Math.Round(catalyst.P95Ms / baselineResult.P95Ms, 3) : null;
        var serverCpu = new Dictionary<string, double>();
        if (catalyst.CpuMsPerRequest?.GetValueOrDefault(CpuMeters.Server) is { } catalystCpu and > 0)
            serverCpu[SideBySide.CatalystSide] = catalystCpu;
        if (baselineResult?.CpuMsPerRequest?.GetValueOrDefault(CpuMeters.Server) is { } baselineCpu and > 0)
            serverCpu[SideBySide.BaselineSide] = baselineCpu;
        if (serverCpu.Count > 0)
            notes.Add("serverCpuMsPerRequest: CPU time of the server process per request in the kept run of each side. It is less sensitive than requests/s to other work on the machine, so its ratio is a second view of the same comparison.");
        if (baselineResult is { Errors: > 0 })
            notes.Add($"The baseline had {baselineResult.Errors} errors: its figures are suspect.");
        List<TargetCheck> targets =
        [
            new("p95", $"< {MaxP95Ms} ms", catalyst.P95Ms, catalyst.P95Ms < MaxP95Ms),
            new("errors", "0", catalyst.Errors, catalyst.Errors == 0),
            new("rpsRatio", $">= {MinRpsRatio:F2} of the baseline's requests/s", rpsRatio, rpsRatio >= MinRpsRatio),
        ];
        return new ScenarioReport(
            Name,
            "GET /api/projects?page=N&pageSize=20 by concurrent clients over one user's projects, against a bare EF Core endpoint with the same token check reading the same page.",
            new Dictionary<string, object>
            {
                ["endpoint"] = "GET /api/projects?page=N&pageSize=20",
                ["projects"] = _projects,
                ["otherUsers"] = target.SqliteFile is null ? 0 : OtherUsers,
                ["projectsPerOtherUser"] = target.SqliteFile is null ? 0 : ProjectsPerOtherUser,
                ["pageSize"] = PageSize,
                ["pages"] = pages,
                ["pageSelection"] = "request number n, Fibonacci-hashed over 1..pages (the same sequence on both sides)",
                ["clients"] = options.Clients,
                ["warmupSeconds"] = options.Warmup.TotalSeconds,
                ["durationSeconds"] = options.Duration.TotalSeconds,
                ["rounds"] = options.Rounds,
            },
            catalyst, baselineResult,
            new Dictionary<string, double?>
            {
                ["rps"] = rpsRatio,
                ["p95"] = p95Ratio,
                ["serverCpuBaselineOverCatalyst"] = serverCpu.TryGetValue(SideBySide.BaselineSide, out var b) && serverCpu.TryGetValue(SideBySide.CatalystSide, out var a) && a > 0 ? Math.Round(b / a, 3) : null,
            },
            serverCpu, targets, targets.All(t => t.Passed), runs, notes);
    }

    /// <summary>Spreads request numbers over every page (Fibonacci hashing), the same way for both sides.</summary>
    private static int PageOf(long n, int pages) => (int)(((ulong)n * 0x9E3779B97F4A7C15UL >> 32) % (ulong)pages) + 1;

    private static IEnumerable<Project> NewProjects(Guid owner, int count)
    {
        // Distinct timestamps over the last month, so "newest first" is a real ordering.
        var first = DateTime.UtcNow.AddDays(-30);
        var step = TimeSpan.FromDays(30) / Math.Max(1, count);
        for (var i = 0; i < count; i++)
        {
            yield return new Project
            {
                Id = Guid.CreateVersion7(),
                OwnerId = owner,
                Name = $"Bench project {i:D5}",
                Description = Description(i),
                Tags = Tags(i),
                Status = i % 10 == 0 ? ProjectStatus.Archived : ProjectStatus.Active,
                CreatedAt = first + step * i,
            };
        }
    }

    private static string Description(int i) => $"Seeded by the projects-list benchmark; row {i} of a user's catalogue of sites, chats and data.";

    private static List<string> Tags(int i) => ["bench", $"group-{i % 10}"];

    private sealed record PageSample(IReadOnlyList<string> Ids, int Total);

    private static async Task<PageSample> GetPageAsync(HttpClient http, int page, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/projects?page={page}&pageSize={PageSize}", ct);
        response.EnsureSuccessStatusCode();
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        var ids = json.RootElement.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();
        return new PageSample(ids, json.RootElement.GetProperty("meta").GetProperty("total").GetInt32());
    }

    /// <summary>Both sides must serve the same rows, or the comparison means nothing.</summary>
    private static async Task<string> CheckSamePagesAsync(Uri catalystUrl, Uri baselineUrl, string token, int pages, CancellationToken ct)
    {
        using var catalyst = BenchHttp.Create(catalystUrl, token, 1);
        using var baseline = BenchHttp.Create(baselineUrl, token, 1);
        int[] checkedPages = [1, (pages + 1) / 2, pages];
        foreach (var page in checkedPages)
        {
            var a = await GetPageAsync(catalyst, page, ct);
            var b = await GetPageAsync(baseline, page, ct);
            if (a.Total != b.Total || !a.Ids.SequenceEqual(b.Ids))
                throw new InvalidOperationException($"Catalyst and the baseline disagree on page {page}: the comparison would be meaningless.");
            if (a.Ids.Count == 0)
                throw new InvalidOperationException($"Page {page} is empty: the seed did not reach the API.");
        }
        return $"Checked before measuring: pages {string.Join(", ", checkedPages)} hold the same projects, in the same order, with the same total on both sides.";
    }

    /// <summary>Starts this scenario's baseline as its own process: this bench's executable in its serve-baseline mode.</summary>
    private async Task<ChildProcess> StartBaselineAsync(string sqliteFile, CancellationToken ct)
    {
        return await BenchPortal.StartBaselineAsync(Name, sqliteFile, ct);
    }

    /// <summary>
    /// The baseline: Kestrel and one minimal-API endpoint, a plain <see cref="SqliteCatalystDbContext"/>
    /// on the same file opened read-only, the token check of <c>ApiTokenService.AuthenticateAsync</c>
    /// inline, and the page of <c>ProjectService.ListAsync</c> (count, then Skip/Take newest first).
    /// No Catalyst middleware, no logging.
    /// </summary>
    public async Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var connection = new SqliteConnectionStringBuilder { DataSource = dataPath, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
        builder.Services.AddDbContext<SqliteCatalystDbContext>(o => o.UseSqlite(connection));
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        await using var app = builder.Build();
        app.MapGet("/ready", () => "ready");
        app.MapGet("/api/projects", BaselineServer.ListAsync);
        await app.StartAsync(ct);
        await app.WaitForShutdownAsync(ct);
    }

    private static class BaselineServer
    {
        public static async Task<IResult> ListAsync(HttpRequest request, SqliteCatalystDbContext db, int? page, int? pageSize, CancellationToken ct)
        {
            string? header = request.Headers.Authorization;
            if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return TypedResults.Unauthorized();
            var presented = header["Bearer ".Length..].Trim();
            if (!presented.StartsWith(ApiTokenService.TokenPrefix, StringComparison.Ordinal) || presented.Length > 100)
                return TypedResults.Unauthorized();
            var hash = ApiTokenService.Hash(presented);
            var now = DateTime.UtcNow;
            var caller = await db.ApiTokens.AsNoTracking()
                .Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
                .Select(t => new
                {
                    t.Id,
                    t.UserId,
                    t.LastUsedAt,
                    t.User!.Email,
                    t.User.IsDisabled,
                    IsAdmin = db.UserRoles.Any(ur => ur.UserId == t.UserId &&
                        db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == "ADMIN")),
                })
                .FirstOrDefaultAsync(ct);
            if (caller is null || caller.IsDisabled)
                return TypedResults.Unauthorized();

            var number = page ?? 1;
            var size = pageSize ?? PageSize;
            var projects = caller.IsAdmin ? db.Projects : db.Projects.Where(p => p.OwnerId == caller.UserId);
            var total = await projects.CountAsync(ct);
            var items = await projects
                .OrderByDescending(p => p.UpdatedAt).ThenByDescending(p => p.Id)
                .Skip((number - 1) * size).Take(size)
                .AsNoTracking()
                .ToListAsync(ct);
            return TypedResults.Ok(new { data = items, meta = new { page = number, pageSize = size, total } });
        }

    }
}
