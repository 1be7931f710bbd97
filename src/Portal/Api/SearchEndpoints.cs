using Catalyst.Data.Caching;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Search;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

/// <summary>The paging shape with one addition: whether <c>total</c> is exact or a lower bound (counting stops at a limit).</summary>
public sealed record SearchMeta(int Page, int PageSize, int Total, bool TotalIsExact);

public sealed record SearchEnvelope(IReadOnlyList<SearchHit> Data, SearchMeta Meta);

public static class SearchEndpoints
{
    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder api)
    {
        api.MapGet("/search", SearchAsync)
            .WithTags("Search")
            .WithSummary("Ranked search over your chat messages and projects (admins: everyone's). q: words; op: and (default) | or; " +
                         "tags: comma-separated, all required; from/to: ISO 8601 dates of the hit (message time, project update); " +
                         "types: chat,project; sort: relevance (default) | recent; pageSize default 20, max 100.")
            .ProducesProblem(400);

        var admin = api.MapGroup("/admin").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        admin.MapPost("/search/rebuild", RebuildAsync)
            .WithSummary("Rebuild the search index as a job (admin); clear=true empties it first.")
            .ProducesProblem(403);

        admin.MapPost("/search/verify", VerifyAsync)
            .WithSummary("Check the search index against the data as a job (admin); repair=true fixes what differs.")
            .ProducesProblem(403);

        admin.MapGet("/cache", GetCacheStatistics)
            .WithSummary("Metadata cache statistics (admin): hits, misses, hit rate, entries, size, evictions, per region.")
            .ProducesProblem(403);

        return api;
    }

    public static async Task<Ok<SearchEnvelope>> SearchAsync(HttpContext http, SearchService service, string? q, string? op, string? tags, string? from, string? to,
        string? types, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var results = await service.SearchAsync(http.User.ToActor(), new SearchRequest(q, op, tags, from, to, types, sort),
            new PageRequest(page, pageSize), ct);
        var p = results.Page;
        return TypedResults.Ok(new SearchEnvelope(p.Items, new SearchMeta(p.PageNumber, p.PageSize, p.Total, results.TotalIsExact)));
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> RebuildAsync(HttpContext http, JobRunService jobs, bool? clear, CancellationToken ct)
    {
        var run = await jobs.StartAsync(http.User.ToActor(), SearchRebuildJob.Kind, new { clear = clear ?? false }, ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> VerifyAsync(HttpContext http, JobRunService jobs, bool? repair, CancellationToken ct)
    {
        var run = await jobs.StartAsync(http.User.ToActor(), SearchVerificationJob.Kind, new { repair = repair ?? false }, ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    public static Ok<DataEnvelope<CacheStatistics>> GetCacheStatistics(MetadataCache cache) => ApiResults.Ok(cache.Statistics());
}
