using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Catalyst.Portal.Api;

public sealed record PublishRequest(long? Price, string? Currency, string? Category, Guid? PackageAssetId)
{
    public PublishInput ToInput() => new(Price, Currency, Category, PackageAssetId);
}

/// <param name="Rating">A JSON integer 1–5. Read as JSON so that 4.5, "4" or true is a validation error on <c>rating</c>, not a malformed body.</param>
public sealed record ReviewRequest(JsonElement? Rating, string? Title, string? Body)
{
    public ReviewInput ToInput() => new(Rating switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var rating) => rating,
        _ => throw ValidationFailedException.For("rating", "Rating must be a whole number from 1 to 5."),
    }, Title, Body);
}

public sealed record RefundRequestBody(string? Reason);

public sealed record PackageDto(string FileName, string MediaType, long Length, string Sha256, DateTime UpdatedAt)
{
    public static PackageDto From(MarketplacePackage p) => new(p.FileName, p.MediaType, p.Length, p.Sha256, p.UpdatedAt);
}

public sealed record ViewerDto(bool SignedIn, bool IsOwner, bool HasPurchased, Guid? PurchaseId, bool CanPurchase, bool CanDownload, bool CanReview, Guid? ReviewId)
{
    public static ViewerDto From(ViewerState v) => new(v.SignedIn, v.IsOwner, v.PurchaseId is not null, v.PurchaseId, v.CanPurchase, v.CanDownload, v.CanReview, v.ReviewId);
}

/// <summary>A project as the marketplace lists it. <c>price</c> is in minor units of <c>currency</c>; <c>package</c> and <c>viewer</c> come with a single project only.</summary>
public sealed record MarketplaceProjectDto(
    Guid Id, Guid SellerId, string Name, string? Description, IReadOnlyList<string> Tags, string? Category,
    long? Price, string? Currency, string? PriceText, bool IsPublished, DateTime? PublishedAt,
    long DownloadCount, double RatingAverage, int RatingCount, DateTime CreatedAt, DateTime UpdatedAt,
    PackageDto? Package = null, ViewerDto? Viewer = null)
{
    public static MarketplaceProjectDto From(Project p) => new(
        p.Id, p.OwnerId, p.Name, p.Description, p.Tags, p.Category, p.Price, p.Currency, MarketplaceRules.PriceText(p.Price, p.Currency),
        p.IsPublished, p.PublishedAt, p.DownloadCount, p.RatingAverage, p.RatingCount, p.CreatedAt, p.UpdatedAt);

    public static MarketplaceProjectDto From(MarketplaceListing l) => From(l.Project) with
    {
        Package = l.Package is null ? null : PackageDto.From(l.Package),
        Viewer = ViewerDto.From(l.Viewer),
    };
}

public sealed record PurchaseDto(
    Guid Id, Guid UserId, Guid ProjectId, string ProjectName, Guid SellerId, long Amount, string Currency, string AmountText,
    PurchaseStatus Status, string PaymentProvider, DateTime CreatedAt, DateTime? RefundedAt, long Version)
{
    public static PurchaseDto From(Purchase p) => new(
        p.Id, p.UserId, p.ProjectId, p.ProjectName, p.SellerId, p.Amount, p.Currency, Currencies.Format(p.Amount, p.Currency),
        p.Status, p.PaymentProvider, p.CreatedAt, p.RefundedAt, p.Version);
}

public sealed record ReviewDto(Guid Id, Guid ProjectId, Guid UserId, int Rating, string? Title, string? Body, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static ReviewDto From(Review r) => new(r.Id, r.ProjectId, r.UserId, r.Rating, r.Title, r.Body, r.CreatedAt, r.UpdatedAt, r.Version);
}

public sealed record DownloadTokenDto(string Token, string Url, DateTime ExpiresAt);

public sealed record DownloadDto(Guid Id, Guid UserId, Guid ProjectId, DateTime At, string Sha256, long Length)
{
    public static DownloadDto From(Download d) => new(d.Id, d.UserId, d.ProjectId, d.At, d.Sha256, d.Length);
}

public sealed record CategoryDto(string Slug, string Label);

public sealed record MarketplaceVocabularyDto(IReadOnlyList<CategoryDto> Categories, IReadOnlyList<string> Currencies, IReadOnlyList<string> Sorts);

/// <summary>
/// SPEC §13. Thin: each endpoint parses, calls one marketplace service method (where the owner,
/// buyer and admin rules live) and shapes the answer. Browsing, a project, its reviews and the
/// download itself are open to anonymous callers; a bearer token, when sent, still identifies the caller.
/// </summary>
public static class MarketplaceEndpoints
{
    public static IEndpointRouteBuilder MapMarketplace(this IEndpointRouteBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Marketplace");

        projects.MapPost("/{id:guid}/publish", PublishAsync)
            .WithSummary("Publish (or update the listing of) your project: price in minor units (0 = free), ISO 4217 currency, category, optional package asset. An If-Match, when sent, must be current.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        projects.MapPost("/{id:guid}/unpublish", UnpublishAsync)
            .WithSummary("Hide your project from the marketplace; purchases, reviews and downloads stay.")
            .ProducesProblem(404).ProducesProblem(412);

        var market = api.MapGroup("/marketplace").WithTags("Marketplace");

        market.MapGet("/projects", BrowseAsync)
            .AllowAnonymous()
            .WithSummary("Browse published projects: q (words, prefix match), category, minPrice/maxPrice (minor units), sort newest|rating|downloads|price, paged. No token needed.")
            .ProducesProblem(400);

        market.MapGet("/categories", GetVocabulary)
            .AllowAnonymous()
            .WithSummary("The categories, ISO 4217 currencies and sorts the marketplace accepts.");

        market.MapGet("/projects/{id:guid}", GetProjectAsync)
            .AllowAnonymous()
            .WithSummary("A marketplace project with its package and what the caller may do (viewer). Unpublished: its owner, admins and buyers only.")
            .ProducesProblem(401).ProducesProblem(404);

        market.MapPost("/projects/{id:guid}/purchase", PurchaseAsync)
            .WithSummary("Buy a published project through the payment provider (Manual by default: completes at once). The same Idempotency-Key again answers the same purchase (Idempotent-Replayed: true).")
            .ProducesProblem(400).ProducesProblem(402).ProducesProblem(404).ProducesProblem(409);

        market.MapGet("/purchases", ListPurchasesAsync)
            .WithSummary("Your purchases, newest first (admins: all=true lists everyone's).")
            .ProducesProblem(400).ProducesProblem(403);

        market.MapGet("/purchases/{id:guid}", GetPurchaseAsync)
            .WithSummary("One of your purchases (admins: any).")
            .ProducesProblem(404);

        market.MapPost("/purchases/{id:guid}/refund", RefundAsync)
            .WithSummary("Admins: refund a purchase (optional {reason}); revokes its download right and records a refund RevenueEvent.")
            .ProducesProblem(402).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        market.MapGet("/projects/{id:guid}/reviews", ListReviewsAsync)
            .AllowAnonymous()
            .WithSummary("A project's reviews, newest first. No token needed for a published project.")
            .ProducesProblem(400).ProducesProblem(404);

        market.MapPost("/projects/{id:guid}/reviews", CreateReviewAsync)
            .WithSummary("Review a project you bought (anyone may review a free one): rating 1–5, title, body. 409 for a second review, 403 for a non-buyer.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        market.MapGet("/reviews/{id:guid}", GetReviewAsync)
            .AllowAnonymous()
            .WithSummary("One review; the ETag is its version.")
            .ProducesProblem(404);

        market.MapPut("/reviews/{id:guid}", UpdateReviewAsync)
            .WithSummary("Edit your review. Requires If-Match (428 without, 412 when stale).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);

        market.MapDelete("/reviews/{id:guid}", DeleteReviewAsync)
            .WithSummary("Delete your review (admins: any, audited).")
            .ProducesProblem(404);

        market.MapPost("/projects/{id:guid}/download-token", IssueDownloadTokenAsync)
            .WithSummary("A signed, single-use download token for the package (buyers, the owner, admins; anyone signed in for a free project). Expires after Catalyst:Marketplace:DownloadTokenLifetime (10 min).")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        market.MapMethods("/download/{token}", [HttpMethods.Get, HttpMethods.Head], DownloadAsync)
            .AllowAnonymous()
            .WithSummary("Streams the package (Range, attachment, nosniff, sandbox CSP). The token is the credential for one download: after it, ranged requests resuming it (one range, not from the first byte) are served within the token's lifetime; a second download answers 410 token_used, an expired token 410 token_expired, a token revoked by a refund or an unpublish 410 token_revoked, a tampered one 404. HEAD describes an unused token's package and never spends it.")
            .Produces(200).Produces(206).ProducesProblem(404).ProducesProblem(410).ProducesProblem(416);

        market.MapGet("/projects/{id:guid}/downloads", ListDownloadsAsync)
            .WithSummary("The download log of your project (admins: any), newest first.")
            .ProducesProblem(400).ProducesProblem(404);

        market.MapGet("/stats", GetStatsAsync)
            .WithSummary("Admins: totals (revenue per currency in minor units, purchases, refunds, downloads, reviews), revenue over time (from/to dates, bucket day|week|month; default the last 30 days) and the top projects.")
            .ProducesProblem(400).ProducesProblem(403);

        return api;
    }

    public static async Task<Ok<DataEnvelope<ProjectDto>>> PublishAsync(Guid id, PublishRequest request, HttpContext http, MarketplaceCatalog catalog, CancellationToken ct)
    {
        var project = await catalog.PublishAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), request.ToInput(), ct);
        return ApiResults.Ok(http, ProjectDto.From(project), project.Version);
    }

    public static async Task<Ok<DataEnvelope<ProjectDto>>> UnpublishAsync(Guid id, HttpContext http, MarketplaceCatalog catalog, CancellationToken ct)
    {
        var project = await catalog.UnpublishAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
        return ApiResults.Ok(http, ProjectDto.From(project), project.Version);
    }

    public static async Task<Ok<PageEnvelope<MarketplaceProjectDto>>> BrowseAsync(MarketplaceCatalog catalog, string? q, string? category, long? minPrice, long? maxPrice,
        string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = MarketplaceRules.ValidateQuery(q, category, minPrice, maxPrice, QueryValues.ParseEnum<MarketplaceSort>(sort, "sort"));
        return ApiResults.Page(await catalog.BrowseAsync(query, new PageRequest(page, pageSize), ct), MarketplaceProjectDto.From);
    }

    public static Ok<DataEnvelope<MarketplaceVocabularyDto>> GetVocabulary() => ApiResults.Ok(new MarketplaceVocabularyDto(
        MarketplaceRules.Categories.Select(c => new CategoryDto(c.Slug, c.Label)).ToList(),
        Currencies.Codes,
        Enum.GetNames<MarketplaceSort>().Select(s => s.ToLowerInvariant()).ToList()));

    public static async Task<Ok<DataEnvelope<MarketplaceProjectDto>>> GetProjectAsync(Guid id, HttpContext http, MarketplaceCatalog catalog, CancellationToken ct) =>
        ApiResults.Ok(MarketplaceProjectDto.From(await catalog.GetAsync(await http.OptionalApiActorAsync(), id, ct)));

    public static async Task<Created<DataEnvelope<PurchaseDto>>> PurchaseAsync(Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpContext http,
        PurchaseService purchases, CancellationToken ct)
    {
        var outcome = await purchases.PurchaseAsync(http.User.ToActor(), id, idempotencyKey, ct);
        if (outcome.Replayed)
            http.Response.Headers["Idempotent-Replayed"] = "true";
        return ApiResults.Created(http, $"/api/marketplace/purchases/{outcome.Purchase.Id}", PurchaseDto.From(outcome.Purchase), outcome.Purchase.Version);
    }

    public static async Task<Ok<PageEnvelope<PurchaseDto>>> ListPurchasesAsync(HttpContext http, PurchaseService purchases, Guid? projectId, string? status, bool? all,
        int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await purchases.ListAsync(http.User.ToActor(),
            new PurchaseQuery(projectId, QueryValues.ParseEnum<PurchaseStatus>(status, "status"), all ?? false),
            new PageRequest(page, pageSize), ct), PurchaseDto.From);

    public static async Task<Ok<DataEnvelope<PurchaseDto>>> GetPurchaseAsync(Guid id, HttpContext http, PurchaseService purchases, CancellationToken ct)
    {
        var purchase = await purchases.GetAsync(http.User.ToActor(), id, ct);
        return ApiResults.Ok(http, PurchaseDto.From(purchase), purchase.Version);
    }

    public static async Task<Ok<DataEnvelope<PurchaseDto>>> RefundAsync(Guid id, RefundRequestBody? request, HttpContext http, PurchaseService purchases, CancellationToken ct)
    {
        var purchase = await purchases.RefundAsync(http.User.ToActor(), id, request?.Reason, ct);
        return ApiResults.Ok(http, PurchaseDto.From(purchase), purchase.Version);
    }

    public static async Task<Ok<PageEnvelope<ReviewDto>>> ListReviewsAsync(Guid id, HttpContext http, ReviewService reviews, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await reviews.ListAsync(await http.OptionalApiActorAsync(), id, new PageRequest(page, pageSize), ct), ReviewDto.From);

    public static async Task<Created<DataEnvelope<ReviewDto>>> CreateReviewAsync(Guid id, ReviewRequest request, HttpContext http, ReviewService reviews, CancellationToken ct)
    {
        var review = await reviews.CreateAsync(http.User.ToActor(), id, request.ToInput(), ct);
        return ApiResults.Created(http, $"/api/marketplace/reviews/{review.Id}", ReviewDto.From(review), review.Version);
    }

    public static async Task<Ok<DataEnvelope<ReviewDto>>> GetReviewAsync(Guid id, HttpContext http, ReviewService reviews, CancellationToken ct)
    {
        var review = await reviews.GetAsync(await http.OptionalApiActorAsync(), id, ct);
        return ApiResults.Ok(http, ReviewDto.From(review), review.Version);
    }

    public static async Task<Ok<DataEnvelope<ReviewDto>>> UpdateReviewAsync(Guid id, ReviewRequest request, HttpContext http, ReviewService reviews, CancellationToken ct)
    {
        var expected = ETags.RequireIfMatch(http.Request);
        var review = await reviews.UpdateAsync(http.User.ToActor(), id, expected, request.ToInput(), ct);
        return ApiResults.Ok(http, ReviewDto.From(review), review.Version);
    }

    public static async Task<NoContent> DeleteReviewAsync(Guid id, HttpContext http, ReviewService reviews, CancellationToken ct)
    {
        await reviews.DeleteAsync(http.User.ToActor(), id, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Created<DataEnvelope<DownloadTokenDto>>> IssueDownloadTokenAsync(Guid id, HttpContext http, DownloadService downloads, CancellationToken ct)
    {
        var issued = await downloads.IssueAsync(http.User.ToActor(), id, ct);
        var url = $"/api/marketplace/download/{issued.Token}";
        return ApiResults.Created(http, url, new DownloadTokenDto(issued.Token, url, issued.ExpiresAt));
    }

    public static async Task<Ok<PageEnvelope<DownloadDto>>> ListDownloadsAsync(Guid id, HttpContext http, DownloadService downloads, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await downloads.ListAsync(http.User.ToActor(), id, new PageRequest(page, pageSize), ct), DownloadDto.From);

    public static async Task<Ok<DataEnvelope<MarketplaceStats>>> GetStatsAsync(HttpContext http, MarketplaceStatistics statistics, DateOnly? from, DateOnly? to,
        string? bucket, int? top, CancellationToken ct)
    {
        var query = new StatsQuery(
            from?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), to?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            QueryValues.ParseEnum<StatsBucket>(bucket, "bucket") ?? StatsBucket.Day, top ?? 10);
        return ApiResults.Ok(await statistics.SummarizeAsync(http.User.ToActor(), query, ct));
    }

    // Served through BlobResults (ranges, ETag): an answer no typed result describes, hence IResult.
    public static async Task<IResult> DownloadAsync(string token, HttpContext http, DownloadService downloads, CancellationToken ct)
    {
        var request = http.Request;
        var attempt = HttpMethods.IsHead(request.Method) ? DownloadAttempt.Probe : IsResume(request) ? DownloadAttempt.Resume : DownloadAttempt.Download;
        var download = await downloads.RedeemAsync(token, attempt, ct);
        var package = download.Package;
        if (download.Resumed && !IfRangeHolds(request, package.Sha256, download.At))
        {
            // Served anyway, the range would be ignored and the whole package sent: a second download.
            await download.Content.DisposeAsync();
            throw new GoneException("token_used", "This download token has already been used; ask for a new one.");
        }
        var result = BlobResults.Serve(http, download.Content, package.MediaType, package.FileName, package.Sha256, download.At, immutable: false, attachment: true);
        http.Response.Headers.CacheControl = "no-store"; // a single-use URL: nothing to cache
        return result;
    }

    /// <summary>One byte range that does not start at the first byte: a client continuing after the bytes it has.</summary>
    private static bool IsResume(HttpRequest request) =>
        request.GetTypedHeaders().Range is { } range
        && string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase)
        && range.Ranges.Count == 1
        && range.Ranges.Single().From is > 0;

    /// <summary>Whether an If-Range (when sent) still names the package, so the range is honoured (RFC 9110 §13.1.5).</summary>
    private static bool IfRangeHolds(HttpRequest request, string sha256, DateTime lastModified)
    {
        if (request.Headers.IfRange.Count == 0)
            return true;
        var ifRange = request.GetTypedHeaders().IfRange;
        if (ifRange?.EntityTag is { } tag)
            return !tag.IsWeak && tag.Tag.Value == $"\"{sha256}\"";
        if (ifRange?.LastModified is { } date)
            return date >= new DateTimeOffset(lastModified.Ticks - lastModified.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return false;
    }
}
