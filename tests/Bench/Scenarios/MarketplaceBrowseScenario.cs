using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Projects;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// Issue 10 and SPEC §15 "list pages": anonymous clients browsing <c>GET /api/marketplace/projects</c>
/// over 10k published projects (and unpublished ones beside them), each request a different mix of
/// words (common, rare, prefixes), category, price range, sort and page. The baseline is a bare
/// Kestrel endpoint in its own process over the same SQLite file (read-only) running the same EF Core
/// browse query (<see cref="MarketplaceCatalog.BrowseQuery"/>: count, then the page), without
/// Catalyst's middleware. Targets: p95 &lt; 50 ms, no errors, at least 70% of the baseline's requests/s.
/// </summary>
public sealed class MarketplaceBrowseScenario : IScenario
{
    private const int PageSize = 20;
    private const int Sellers = 20;
    private const int UnpublishedPerSeller = 100;
    private const double MaxP95Ms = 50;
    private const double MinRpsRatio = 0.70;

    // The words of names: adjectives are common (1 in 12 rows each), nouns rarer (1 in 60).
    private static readonly string[] Adjectives = ["starter", "modern", "minimal", "classic", "bold", "clean", "retro", "smart", "rapid", "cosy", "urban", "nordic"];
    private static readonly string[] Nouns =
    [
        "portfolio", "blog", "shop", "landing", "docs", "wiki", "forum", "gallery", "resume", "agency", "studio", "bakery", "cafe", "garden", "travel",
        "fitness", "yoga", "dental", "legal", "school", "course", "event", "wedding", "charity", "church", "podcast", "music", "band", "film", "photo",
        "news", "magazine", "recipe", "kitchen", "hotel", "hostel", "rental", "realty", "auto", "garage", "bike", "surf", "ski", "golf", "tennis",
        "chess", "game", "crypto", "saas", "crm", "invoice", "booking", "clinic", "vet", "pet", "farm", "winery", "brewery", "florist", "tailor",
    ];
    private static readonly string[] Sorts = ["newest", "rating", "downloads", "price"];
    private static readonly (long? Min, long? Max)[] PriceRanges = [(0, 0), (1, 999), (1000, 5000), (5001, null)];
    /// <summary>Query words: common, rare, and prefixes (the term index stores prefixes).</summary>
    private static readonly string[] QueryWords = ["starter", "modern", "portfolio", "brewery", "sta", "port", "min", "chess", "landing page", "clean shop", "nordic"];

    private int _published;

    public string Name => "marketplace-browse";

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct)
    {
        var sellers = new List<Guid>();
        for (var i = 1; i <= Sellers; i++)
            sellers.Add((await database.CreateUserAsync($"seller-{i}@bench.local", ct)).UserId);
        var projects = NewProjects(sellers, options.Projects).ToList();
        await database.InsertAsync(projects, ct);
        // The term index, as publishing writes it.
        await database.InsertAsync(projects.Where(p => p.IsPublished)
            .SelectMany(p => MarketplaceSearchTerms.TermsOf(p).Select(t => new MarketplaceSearchTerm { Term = t, ProjectId = p.Id })), ct);
        _published = options.Projects;
    }

    public async Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        using var http = BenchHttp.Create(baseUrl, token, connections: 4);
        var existing = await TotalAsync(http, ct);
        if (existing < options.Projects)
        {
            Console.WriteLine($"  creating and publishing {options.Projects - existing} projects through the API");
            await Parallel.ForAsync(existing, options.Projects, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, c) =>
            {
                using var created = await http.PostAsJsonAsync("api/projects", new { name = NameOf(i), description = Description(i), tags = Tags(i) }, c);
                created.EnsureSuccessStatusCode();
                using var json = await JsonDocument.ParseAsync(await created.Content.ReadAsStreamAsync(c), cancellationToken: c);
                var id = json.RootElement.GetProperty("data").GetProperty("id").GetGuid();
                using var published = await http.PostAsJsonAsync($"api/projects/{id}/publish", new { price = PriceOf(i), currency = "EUR", category = CategoryOf(i) }, c);
                published.EnsureSuccessStatusCode();
            });
        }
        _published = await TotalAsync(http, ct);
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var options = target.Options;
        var settings = new LoadSettings(options.Clients, options.Warmup, options.Duration);
        var notes = new List<string>
        {
            $"Each side ran {options.Rounds} times, alternating baseline and Catalyst (baseline first); the better run of each (fewest errors, then most requests/s) is kept, to reduce noise on this {Environment.ProcessorCount}-core machine. Every run is listed under runs.",
            "Anonymous clients (browsing needs no token), one HTTP/1.1 connection per client, no Accept-Encoding; both sides get the same sequence of queries.",
            "Request n picks its query by hashing n: a word or two (common, rare or a prefix) in 1 of 3, a category in 1 of 3, a price range in 1 of 4, one of the four sorts, page 1 to 3.",
            "Catalyst (Production settings, default logging) and the baseline each run as their own process with the same runtime settings; the bench process is the load generator for both, on the same cores.",
        };

        await using var baseline = target.SqliteFile is null ? null : await StartBaselineAsync(target.SqliteFile, ct);
        if (baseline is not null)
            notes.Add(await CheckSameAnswersAsync(target.BaseUrl, baseline.BaseUrl, ct));
        else
            notes.Add("No baseline: the bench cannot open Catalyst's SQLite file (give --db with --url).");

        async Task<LoadResult> LoadAsync(Uri baseUrl, CpuMeter? server, CancellationToken c)
        {
            using var http = BenchHttp.Create(baseUrl, null, options.Clients);
            List<CpuMeter> meters = server is null ? [CpuMeters.ThisProcess()] : [CpuMeters.ThisProcess(), server];
            return await LoadDriver.RunAsync(http, n => new HttpRequestMessage(HttpMethod.Get, QueryOf(n)), settings, meters, c);
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
            "GET /api/marketplace/projects with mixed words, category, price range, sort and page by concurrent anonymous clients over 10k published projects, against a bare EF Core endpoint running the same browse query.",
            new Dictionary<string, object>
            {
                ["endpoint"] = "GET /api/marketplace/projects?q=&category=&minPrice=&maxPrice=&sort=&page=&pageSize=20",
                ["publishedProjects"] = _published,
                ["unpublishedProjects"] = target.SqliteFile is null ? 0 : Sellers * UnpublishedPerSeller,
                ["sellers"] = Sellers,
                ["pageSize"] = PageSize,
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

    private static ulong Hash(long n, ulong salt) => ((ulong)n + salt) * 0x9E3779B97F4A7C15UL >> 17;

    /// <summary>The query of request <paramref name="n"/>, the same on both sides.</summary>
    private static string QueryOf(long n)
    {
        var parts = new List<string> { $"sort={Sorts[Hash(n, 1) % (ulong)Sorts.Length]}", $"page={1 + Hash(n, 2) % 3}", $"pageSize={PageSize}" };
        if (Hash(n, 3) % 3 == 0)
            parts.Add("q=" + Uri.EscapeDataString(QueryWords[Hash(n, 4) % (ulong)QueryWords.Length]));
        if (Hash(n, 5) % 3 == 0)
            parts.Add("category=" + MarketplaceRules.Categories[(int)(Hash(n, 6) % (ulong)MarketplaceRules.Categories.Count)].Slug);
        if (Hash(n, 7) % 4 == 0)
        {
            var (min, max) = PriceRanges[Hash(n, 8) % (ulong)PriceRanges.Length];
            if (min is { } lo)
                parts.Add($"minPrice={lo}");
            if (max is { } hi)
                parts.Add($"maxPrice={hi}");
        }
        return "api/marketplace/projects?" + string.Join("&", parts);
    }

    private static string NameOf(int i) => $"{Adjectives[i % Adjectives.Length]} {Nouns[i / Adjectives.Length % Nouns.Length]} kit {i:D5}";
    private static string Description(int i) => $"Seeded by the marketplace-browse benchmark; listing {i}.";
    private static List<string> Tags(int i) => [Nouns[(i * 7) % Nouns.Length], $"v{i % 5}"];
    private static string CategoryOf(int i) => MarketplaceRules.Categories[i % MarketplaceRules.Categories.Count].Slug;
    // A fifth free, the rest spread from 0.99 to 99.99.
    private static long PriceOf(int i) => i % 5 == 0 ? 0 : 99 + (i * 37 % 100) * 100;

    private static IEnumerable<Project> NewProjects(IReadOnlyList<Guid> sellers, int count)
    {
        var first = DateTime.UtcNow.AddDays(-90);
        var step = TimeSpan.FromDays(90) / Math.Max(1, count);
        for (var i = 0; i < count; i++)
        {
            yield return new Project
            {
                Id = Guid.CreateVersion7(),
                OwnerId = sellers[i % sellers.Count],
                Name = NameOf(i),
                Description = Description(i),
                Tags = Tags(i),
                Status = ProjectStatus.Active,
                CreatedAt = first + step * i,
                IsPublished = true,
                PublishedAt = first + step * i,
                Price = PriceOf(i),
                Currency = "EUR",
                Category = CategoryOf(i),
                DownloadCount = i * 7919 % 5000,
                RatingCount = i % 7,
                RatingAverage = i % 7 == 0 ? 0 : 1 + i * 13 % 40 / 10.0,
            };
        }
        // Unpublished projects beside them: browse must skip them through its indexes.
        for (var i = 0; i < sellers.Count * UnpublishedPerSeller; i++)
            yield return new Project { Id = Guid.CreateVersion7(), OwnerId = sellers[i % sellers.Count], Name = $"Draft {NameOf(i)}", Tags = [], Status = ProjectStatus.Active };
    }

    private sealed record Answer(IReadOnlyList<string> Ids, int Total);

    private static async Task<Answer> GetAsync(HttpClient http, string url, CancellationToken ct)
    {
        using var response = await http.GetAsync(url, ct);
        response.EnsureSuccessStatusCode();
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        var ids = json.RootElement.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();
        return new Answer(ids, json.RootElement.GetProperty("meta").GetProperty("total").GetInt32());
    }

    private static async Task<int> TotalAsync(HttpClient http, CancellationToken ct) =>
        (await GetAsync(http, $"api/marketplace/projects?pageSize={PageSize}", ct)).Total;

    /// <summary>Both sides must give the same answers, or the comparison means nothing.</summary>
    private static async Task<string> CheckSameAnswersAsync(Uri catalystUrl, Uri baselineUrl, CancellationToken ct)
    {
        using var catalyst = BenchHttp.Create(catalystUrl, null, 1);
        using var baseline = BenchHttp.Create(baselineUrl, null, 1);
        const int Checked = 60;
        var nonEmpty = 0;
        for (var n = 0; n < Checked; n++)
        {
            var url = QueryOf(n);
            var a = await GetAsync(catalyst, url, ct);
            var b = await GetAsync(baseline, url, ct);
            if (a.Total != b.Total || !a.Ids.SequenceEqual(b.Ids))
                throw new InvalidOperationException($"Catalyst and the baseline disagree on {url}: the comparison would be meaningless.");
            nonEmpty += a.Ids.Count > 0 ? 1 : 0;
        }
        if (nonEmpty < Checked / 2)
            throw new InvalidOperationException($"Only {nonEmpty} of {Checked} sample queries found anything: the seed did not reach the API.");
        return $"Checked before measuring: the first {Checked} queries of the sequence give the same projects, order and totals on both sides ({nonEmpty} of them non-empty).";
    }

    private async Task<ChildProcess> StartBaselineAsync(string sqliteFile, CancellationToken ct)
    {
        return await BenchPortal.StartBaselineAsync(Name, sqliteFile, ct);
    }

    /// <summary>
    /// The baseline: Kestrel and one minimal-API endpoint over a plain <see cref="SqliteCatalystDbContext"/>
    /// on the same file opened read-only, running the browse query of <see cref="MarketplaceCatalog"/>
    /// (count, then Skip/Take). Parameters are parsed, not validated; no Catalyst middleware, no logging.
    /// </summary>
    public async Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var connection = new SqliteConnectionStringBuilder { DataSource = dataPath, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
        builder.Services.AddDbContext<SqliteCatalystDbContext>(o => o.UseSqlite(connection));
        await using var app = builder.Build();
        app.MapGet("/ready", () => "ready");
        app.MapGet("/api/marketplace/projects", async (SqliteCatalystDbContext db, string? q, string? category, long? minPrice, long? maxPrice, string? sort, int? page, int? pageSize, CancellationToken c) =>
        {
            var query = new MarketplaceQuery(q, category, minPrice, maxPrice, Enum.Parse<MarketplaceSort>(sort ?? "newest", ignoreCase: true));
            var projects = MarketplaceCatalog.BrowseQuery(db, query);
            var number = page ?? 1;
            var size = pageSize ?? PageSize;
            var total = await projects.CountAsync(c);
            var items = total == 0 ? [] : await projects.Skip((number - 1) * size).Take(size).ToListAsync(c);
            return TypedResults.Ok(new
            {
                data = items.Select(p => new
                {
                    id = p.Id, sellerId = p.OwnerId, name = p.Name, description = p.Description, tags = p.Tags, category = p.Category,
                    price = p.Price, currency = p.Currency, priceText = MarketplaceRules.PriceText(p.Price, p.Currency), isPublished = p.IsPublished,
                    publishedAt = p.PublishedAt, downloadCount = p.DownloadCount, ratingAverage = p.RatingAverage, ratingCount = p.RatingCount,
                    createdAt = p.CreatedAt, updatedAt = p.UpdatedAt,
                }),
                meta = new { page = number, pageSize = size, total },
            });
        });
        await app.StartAsync(ct);
        await app.WaitForShutdownAsync(ct);
    }
}
