using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public sealed record AssetDto(Guid Id, string FileName, string MediaType, long Length, string Sha256, Guid? WebsiteId, Guid? ProjectId, Guid OwnerId, DateTime CreatedAt)
{
    public static AssetDto From(Asset a) => new(a.Id, a.FileName, a.MediaType, a.Length, a.Sha256, a.WebsiteId, a.ProjectId, a.OwnerId, a.CreatedAt);
}

/// <summary>
/// <c>POST /api/assets/presign</c>: <c>operation</c> <c>download</c> (assetIds, expiresIn) or <c>upload</c>
/// (fileName, length, mediaType, projectId, websiteId, expiresIn; target may only be <c>asset</c>).
/// </summary>
public sealed record PresignRequest(string? Operation, IReadOnlyList<Guid>? AssetIds, int? ExpiresIn, string? FileName, long? Length, string? MediaType, Guid? ProjectId, Guid? WebsiteId, string? Target);

/// <summary>One presigned download; for an id that is unknown or not yours, <c>url</c> is null and <c>error</c> is <c>not_found</c>.</summary>
public sealed record PresignedDownloadDto(Guid AssetId, string? Url, DateTime? ExpiresAt, string? Error)
{
    public static PresignedDownloadDto From(PresignedDownload d) => new(d.AssetId, d.Url, d.ExpiresAt, d.Error);
}

/// <summary>A tus creation URL carrying a single-use grant: POST it with Tus-Resumable and Upload-Length = length, no token.</summary>
public sealed record PresignedUploadDto(Guid GrantId, string Url, DateTime ExpiresAt, long Length)
{
    public static PresignedUploadDto From(PresignedUpload u) => new(u.GrantId, u.Url, u.ExpiresAt, u.Length);
}

public static class AssetEndpoints
{
    public static IEndpointRouteBuilder MapAssets(this IEndpointRouteBuilder api)
    {
        var assets = api.MapGroup("/assets").WithTags("Assets");

        assets.MapGet("", ListAsync)
            .WithSummary("List your assets (admins: all), newest first.")
            .ProducesProblem(400);

        assets.MapGet("/{id:guid}", GetAsync)
            .WithSummary("An asset's metadata.")
            .ProducesProblem(404);

        assets.MapGet("/{id:guid}/content", ContentAsync)
            .AllowAnonymous()
            .WithSummary("The asset's bytes, with Range (206/416), If-Range and ETag = sha256; cached as immutable. A bearer token, or a presigned URL's exp and sig (403 when altered, 410 once expired).")
            .Produces(200).Produces(206).Produces(304).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(410).ProducesProblem(416);

        assets.MapPost("/presign", PresignAsync)
            .WithSummary("Presign downloads of many assets at once (no token needed to fetch them; default 15 min, max 7 days) or one upload (a tus creation URL with a single-use grant bound to you, the length and the target).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(413);

        assets.MapGet("/{id:guid}/download-url", DownloadUrlAsync)
            .WithSummary("One presigned download URL for your asset (expiresIn seconds, default 15 min).")
            .ProducesProblem(400).ProducesProblem(404);

        assets.MapDelete("/{id:guid}", DeleteAsync)
            .WithSummary("Delete an asset; its bytes are freed by garbage collection when nothing else holds them.")
            .ProducesProblem(404);

        return api;
    }

    public static async Task<Ok<PageEnvelope<AssetDto>>> ListAsync(HttpContext http, AssetService service, Guid? websiteId, Guid? projectId, string? sha256, string? q,
        int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAsync(http.User.ToActor(), new AssetQuery(websiteId, projectId, sha256, q), new PageRequest(page, pageSize), ct), AssetDto.From);

    public static async Task<Ok<DataEnvelope<AssetDto>>> GetAsync(Guid id, HttpContext http, AssetService service, CancellationToken ct) =>
        ApiResults.Ok(AssetDto.From(await service.GetAsync(http.User.ToActor(), id, ct)));

    // Served through BlobResults (ranges, ETag): an answer no typed result describes, hence IResult.
    public static async Task<IResult> ContentAsync(Guid id, HttpContext http, AssetService service, PresignService presign, ContentStore content, CancellationToken ct)
    {
        var query = http.Request.Query;
        Asset asset;
        if (query.ContainsKey(PresignService.SignatureParameter) || query.ContainsKey(PresignService.ExpiresParameter))
            asset = await presign.OpenDownloadAsync(id, query[PresignService.ExpiresParameter], query[PresignService.SignatureParameter], ct);
        else
            asset = await service.GetAsync(await http.OptionalApiActorAsync() ?? throw Unauthenticated(http), id, ct);
        var stream = await content.OpenReadAsync(asset.Sha256, ct) ?? throw new NotFoundException("Asset content");
        return BlobResults.Serve(http, stream, asset.MediaType, asset.FileName, asset.Sha256, asset.CreatedAt, immutable: true);
    }

    /// <summary>Both operations answer 200 with <c>{"data"}</c>: a list of downloads, or one upload.</summary>
    public static async Task<Results<Ok<DataEnvelope<List<PresignedDownloadDto>>>, Ok<DataEnvelope<PresignedUploadDto>>>> PresignAsync(PresignRequest request,
        HttpContext http, PresignService presign, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        if (request.Target is { } target && target != UploadTargets.Asset)
            throw ValidationFailedException.For("target", $"Presigned uploads create assets; target must be '{UploadTargets.Asset}'.");
        switch (request.Operation)
        {
            case PresignService.Download:
                return ApiResults.Ok((await presign.PresignDownloadsAsync(actor, request.AssetIds, request.ExpiresIn, ct)).Select(PresignedDownloadDto.From).ToList());
            case PresignService.Upload:
                return ApiResults.Ok(PresignedUploadDto.From(await presign.PresignUploadAsync(actor,
                    new UploadPresignRequest(request.FileName, request.Length, request.MediaType, request.ProjectId, request.WebsiteId, request.ExpiresIn), ct)));
            default:
                throw ValidationFailedException.For("operation", "operation must be 'download' or 'upload'.");
        }
    }

    public static async Task<Ok<DataEnvelope<PresignedDownloadDto>>> DownloadUrlAsync(Guid id, int? expiresIn, HttpContext http, PresignService presign, CancellationToken ct) =>
        ApiResults.Ok(PresignedDownloadDto.From(await presign.PresignDownloadAsync(http.User.ToActor(), id, expiresIn, ct)));

    public static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, AssetService service, CancellationToken ct)
    {
        await service.DeleteAsync(http.User.ToActor(), id, ct);
        return TypedResults.NoContent();
    }

    private static UnauthenticatedException Unauthenticated(HttpContext http)
    {
        http.Response.OnStarting(() =>
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Task.CompletedTask;
        });
        return new UnauthenticatedException("Send a bearer token or use a presigned URL.");
    }
}
