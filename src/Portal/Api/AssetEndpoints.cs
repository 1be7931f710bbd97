using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Portal.Infrastructure;

namespace Catalyst.Portal.Api;

public sealed record AssetDto(Guid Id, string FileName, string MediaType, long Length, string Sha256, Guid? WebsiteId, Guid? ProjectId, Guid OwnerId, DateTime CreatedAt)
{
    public static AssetDto From(Asset a) => new(a.Id, a.FileName, a.MediaType, a.Length, a.Sha256, a.WebsiteId, a.ProjectId, a.OwnerId, a.CreatedAt);
}

public static class AssetEndpoints
{
    public static void MapAssetEndpoints(this RouteGroupBuilder api)
    {
        var assets = api.MapGroup("/assets").WithTags("Assets");

        assets.MapGet("", async (HttpContext http, AssetService service, Guid? websiteId, Guid? projectId, string? sha256, string? q, int? page, int? pageSize, CancellationToken ct) =>
                ApiResults.Page(await service.ListAsync(http.User.ToActor(), new AssetQuery(websiteId, projectId, sha256, q), new PageRequest(page, pageSize), ct), AssetDto.From))
            .WithSummary("List your assets (admins: all), newest first.")
            .Produces<PageEnvelope<AssetDto>>().ProducesProblem(400);

        assets.MapGet("/{id:guid}", async (Guid id, HttpContext http, AssetService service, CancellationToken ct) =>
                ApiResults.Data(AssetDto.From(await service.GetAsync(http.User.ToActor(), id, ct))))
            .WithSummary("An asset's metadata.")
            .Produces<DataEnvelope<AssetDto>>().ProducesProblem(404);

        assets.MapGet("/{id:guid}/content", ContentAsync)
            .WithSummary("The asset's bytes, with Range (206/416), If-Range and ETag = sha256; cached as immutable.")
            .Produces(200).Produces(206).Produces(304).ProducesProblem(404).ProducesProblem(416);

        assets.MapDelete("/{id:guid}", async (Guid id, HttpContext http, AssetService service, CancellationToken ct) =>
            {
                await service.DeleteAsync(http.User.ToActor(), id, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete an asset; its bytes are freed by garbage collection when nothing else holds them.")
            .ProducesProblem(404);
    }

    internal static async Task<IResult> ContentAsync(Guid id, HttpContext http, AssetService service, ContentStore content, CancellationToken ct)
    {
        var asset = await service.GetAsync(http.User.ToActor(), id, ct);
        var stream = await content.OpenReadAsync(asset.Sha256, ct) ?? throw new NotFoundException("Asset content");
        return BlobResults.Serve(http, stream, asset.MediaType, asset.FileName, asset.Sha256, asset.CreatedAt, immutable: true);
    }
}
