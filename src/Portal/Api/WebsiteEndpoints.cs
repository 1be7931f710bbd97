using System.Globalization;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Api;

public sealed record WebsiteRequest(string? Name, string? Slug, string? Description, string? Category, JsonElement? Metadata)
{
    public WebsiteInput ToInput() => new(Name, Slug, Description, Category, Metadata);
}

public sealed record WebsiteDto(Guid Id, Guid OwnerId, string Name, string Slug, string? Description, string? Category, JsonElement Metadata, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static WebsiteDto From(Website w) => new(w.Id, w.OwnerId, w.Name, w.Slug, w.Description, w.Category, JsonLimits.ParseValue(w.Metadata), w.CreatedAt, w.UpdatedAt, w.Version);
}

public sealed record ContentTypeRequest(string? Name, string? Slug, List<ContentField?>? Fields);

public sealed record ContentTypeDto(Guid Id, Guid WebsiteId, string Name, string Slug, IReadOnlyList<ContentField> Fields, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static ContentTypeDto From(ContentType t) => new(t.Id, t.WebsiteId, t.Name, t.Slug, ContentSchema.Parse(t.Fields), t.CreatedAt, t.UpdatedAt, t.Version);
}

public sealed record ContentItemRequest(Guid? ContentTypeId, JsonElement? Data, string? Status);

public sealed record ContentItemDto(Guid Id, Guid WebsiteId, Guid ContentTypeId, JsonElement Data, string Status, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static ContentItemDto From(ContentItem i) => new(i.Id, i.WebsiteId, i.ContentTypeId, JsonLimits.ParseValue(i.Data),
        JsonNamingPolicy.CamelCase.ConvertName(i.Status.ToString()), i.CreatedAt, i.UpdatedAt, i.Version);
}

public sealed record SectionSizes(long? Content, long? Assets, long? AiContext);

public sealed record DataVersionDto(int Version, DateTime CreatedAt, Guid? CreatedBy, string? CreatedByEmail, string Source, bool IsConflictBackup, int? BasedOnVersion, bool IsCurrent, bool IsPinned, SectionSizes Sizes)
{
    public static DataVersionDto From(WebsiteDataVersion v, int current) => new(v.Version, v.CreatedAt, v.CreatedById, v.CreatedByEmail, v.Source,
        v.IsConflictBackup, v.BasedOnVersion, v.Version == current, v.IsPinned, new SectionSizes(v.ContentLength, v.AssetsLength, v.AiContextLength));
}

public sealed record PreferencesRequest(JsonElement? Preferences);

public sealed record PreferencesDto(JsonElement Preferences, DateTime? UpdatedAt, long Version);

public static class WebsiteEndpoints
{
    public const string MergePatchType = "application/merge-patch+json";

    public static IEndpointRouteBuilder MapWebsites(this IEndpointRouteBuilder api)
    {
        var websites = api.MapGroup("/websites").WithTags("Websites");

        websites.MapGet("", ListAsync)
            .WithSummary("List your websites (admins: all); q searches name and slug.")
            .ProducesProblem(400);
        websites.MapPost("", CreateAsync)
            .WithSummary("Create a website (slug unique; derived from the name when omitted).")
            .ProducesProblem(400).ProducesProblem(409);
        websites.MapGet("/{id:guid}", GetAsync)
            .WithSummary("A website's metadata.").ProducesProblem(404);
        websites.MapPut("/{id:guid}", UpdateAsync)
            .WithSummary("Replace a website's metadata. Requires If-Match.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        websites.MapDelete("/{id:guid}", DeleteAsync)
            .WithSummary("Delete a website with its content and data; the data's bytes are freed by garbage collection.")
            .ProducesProblem(404).ProducesProblem(412);

        MapContentTypes(websites.MapGroup("/{id:guid}/content-types"));
        MapContentItems(websites.MapGroup("/{id:guid}/content-items"));
        MapData(websites);

        api.MapGet("/me/preferences", GetPreferencesAsync)
            .WithTags("Preferences").WithSummary("Your app preferences ({} until you save some).");
        api.MapPut("/me/preferences", PutPreferencesAsync)
            .WithTags("Preferences").WithSummary("Replace your preferences (a JSON object, at most 256 KiB); If-Match optional.")
            .ProducesProblem(400).ProducesProblem(412);

        return api;
    }

    private static void MapContentTypes(RouteGroupBuilder types)
    {
        types.WithTags("Content types");
        types.MapGet("", ListTypesAsync)
            .WithSummary("A website's content types.").ProducesProblem(404);
        types.MapPost("", CreateTypeAsync)
            .WithSummary("Create a content type: name, slug (unique per website) and fields [{name, type: text|richText|number|boolean|date|reference|list, required, of, maxLength}].")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        types.MapGet("/{typeId:guid}", GetTypeAsync)
            .WithSummary("A content type.").ProducesProblem(404);
        types.MapPut("/{typeId:guid}", UpdateTypeAsync)
            .WithSummary("Replace a content type. Requires If-Match.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        types.MapDelete("/{typeId:guid}", DeleteTypeAsync)
            .WithSummary("Delete a content type without items (409 otherwise).").ProducesProblem(404).ProducesProblem(409);
    }

    private static void MapContentItems(RouteGroupBuilder items)
    {
        items.WithTags("Content items");
        items.MapGet("", ListItemsAsync)
            .WithSummary("A website's content items, filtered by type and status (draft|published).")
            .ProducesProblem(400).ProducesProblem(404);
        items.MapPost("", CreateItemAsync)
            .WithSummary("Create an item; data is validated against its type (400 with per-field errors under data.<field>).")
            .ProducesProblem(400).ProducesProblem(404);
        items.MapGet("/{itemId:guid}", GetItemAsync)
            .WithSummary("A content item.").ProducesProblem(404);
        items.MapPut("/{itemId:guid}", UpdateItemAsync)
            .WithSummary("Replace an item's data and status. Requires If-Match.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        items.MapDelete("/{itemId:guid}", DeleteItemAsync)
            .WithSummary("Delete an item.").ProducesProblem(404);
    }

    private static void MapData(RouteGroupBuilder websites)
    {
        var data = websites.MapGroup("/{id:guid}").WithTags("Website data");

        data.MapGet("/data", GetDataAsync)
            .WithSummary("The current data: {data: {websiteId, version, content, assets, aiContext}} with only the ?fields= selected; streamed; ETag = version.")
            .Produces(200).ProducesProblem(400).ProducesProblem(404);

        data.MapPut("/data", PutDataAsync)
            .WithSummary("Replace the sections in the body ({content?, assets?, aiContext?}), keep the others. Requires If-Match (428); a stale one answers 412 and the payload is kept as a conflict backup.")
            .WithMetadata(StreamsItsBody.Instance)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(413).ProducesProblem(415).ProducesProblem(428);

        data.MapPatch("/data", PatchDataAsync)
            .WithSummary("RFC 7386 merge patch (application/merge-patch+json) of the named sections; each patched section is loaded whole (limit Catalyst:Websites:MaxMergePatchBytes). Requires If-Match.")
            .WithMetadata(StreamsItsBody.Instance)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(413).ProducesProblem(415).ProducesProblem(428);

        data.MapGet("/data/versions", ListVersionsAsync)
            .WithSummary("Every version, newest first, conflict backups included (?conflictBackups=true|false filters).")
            .ProducesProblem(404);

        data.MapGet("/data/versions/{version:int}", GetVersionAsync)
            .WithSummary("One version (a conflict backup too): its metadata and the ?fields= selected sections.")
            .Produces(200).ProducesProblem(404);

        data.MapPost("/data/versions/{version:int}/restore", RestoreVersionAsync)
            .WithSummary("Make a version current again, as a new version (source restore). An If-Match, when sent, must be current.")
            .ProducesProblem(404).ProducesProblem(412);

        data.MapPut("/data/versions/{version:int}/pin", PinVersionAsync)
            .WithSummary("Pin a version or conflict backup: it is never pruned (at most Catalyst:Websites:MaxPinnedVersions per website; 409 pin_limit above).")
            .ProducesProblem(404).ProducesProblem(409);

        data.MapDelete("/data/versions/{version:int}/pin", UnpinVersionAsync)
            .WithSummary("Unpin a version: it is pruned like any other once it is among the oldest beyond Catalyst:Websites:MaxVersions (or MaxConflictBackups).")
            .ProducesProblem(404);

        data.MapGet("/download", DownloadAsync)
            .WithSummary("The whole current data as one JSON document {content, assets, aiContext}, with Range (206), If-Range and ETag.")
            .Produces(200).Produces(206).ProducesProblem(404).ProducesProblem(416);
    }

    // Websites

    public static async Task<Ok<PageEnvelope<WebsiteDto>>> ListAsync(HttpContext http, WebsiteService service, string? q, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAsync(http.User.ToActor(), q, new PageRequest(page, pageSize), ct), WebsiteDto.From);

    public static async Task<Created<DataEnvelope<WebsiteDto>>> CreateAsync(WebsiteRequest request, HttpContext http, WebsiteService service, CancellationToken ct)
    {
        var website = await service.CreateAsync(http.User.ToActor(), request.ToInput(), ct);
        return ApiResults.Created(http, $"/api/websites/{website.Id}", WebsiteDto.From(website), website.Version);
    }

    public static async Task<Ok<DataEnvelope<WebsiteDto>>> GetAsync(Guid id, HttpContext http, WebsiteService service, CancellationToken ct)
    {
        var website = await service.GetAsync(http.User.ToActor(), id, ct);
        return ApiResults.Ok(http, WebsiteDto.From(website), website.Version);
    }

    public static async Task<Ok<DataEnvelope<WebsiteDto>>> UpdateAsync(Guid id, WebsiteRequest request, HttpContext http, WebsiteService service, CancellationToken ct)
    {
        var website = await service.UpdateAsync(http.User.ToActor(), id, ETags.RequireIfMatch(http.Request), request.ToInput(), ct);
        return ApiResults.Ok(http, WebsiteDto.From(website), website.Version);
    }

    public static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, WebsiteService service, CancellationToken ct)
    {
        await service.DeleteAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
        return TypedResults.NoContent();
    }

    // Preferences

    public static async Task<Ok<DataEnvelope<PreferencesDto>>> GetPreferencesAsync(HttpContext http, PreferencesService service, CancellationToken ct)
    {
        var preferences = await service.GetAsync(http.User.ToActor(), ct);
        return ApiResults.Ok(http, new PreferencesDto(JsonLimits.ParseValue(preferences.Preferences),
            preferences.Version == 0 ? null : preferences.UpdatedAt, preferences.Version), preferences.Version);
    }

    public static async Task<Ok<DataEnvelope<PreferencesDto>>> PutPreferencesAsync(PreferencesRequest request, HttpContext http, PreferencesService service, CancellationToken ct)
    {
        var saved = await service.PutAsync(http.User.ToActor(), request.Preferences, ETags.ParseIfMatch(http.Request), ct);
        return ApiResults.Ok(http, new PreferencesDto(JsonLimits.ParseValue(saved.Preferences), saved.UpdatedAt, saved.Version), saved.Version);
    }

    // Content types

    public static async Task<Ok<DataEnvelope<List<ContentTypeDto>>>> ListTypesAsync(Guid id, HttpContext http, ContentModelService service, CancellationToken ct) =>
        ApiResults.Ok((await service.ListTypesAsync(http.User.ToActor(), id, ct)).Select(ContentTypeDto.From).ToList());

    public static async Task<Created<DataEnvelope<ContentTypeDto>>> CreateTypeAsync(Guid id, ContentTypeRequest request, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        var type = await service.CreateTypeAsync(http.User.ToActor(), id, new ContentTypeInput(request.Name, request.Slug, request.Fields), ct);
        return ApiResults.Created(http, $"/api/websites/{id}/content-types/{type.Id}", ContentTypeDto.From(type), type.Version);
    }

    public static async Task<Ok<DataEnvelope<ContentTypeDto>>> GetTypeAsync(Guid id, Guid typeId, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        var type = await service.GetTypeAsync(http.User.ToActor(), id, typeId, ct);
        return ApiResults.Ok(http, ContentTypeDto.From(type), type.Version);
    }

    public static async Task<Ok<DataEnvelope<ContentTypeDto>>> UpdateTypeAsync(Guid id, Guid typeId, ContentTypeRequest request, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        var type = await service.UpdateTypeAsync(http.User.ToActor(), id, typeId, ETags.RequireIfMatch(http.Request), new ContentTypeInput(request.Name, request.Slug, request.Fields), ct);
        return ApiResults.Ok(http, ContentTypeDto.From(type), type.Version);
    }

    public static async Task<NoContent> DeleteTypeAsync(Guid id, Guid typeId, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        await service.DeleteTypeAsync(http.User.ToActor(), id, typeId, ct);
        return TypedResults.NoContent();
    }

    // Content items

    public static async Task<Ok<PageEnvelope<ContentItemDto>>> ListItemsAsync(Guid id, HttpContext http, ContentModelService service, Guid? type, string? status,
        int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListItemsAsync(http.User.ToActor(), id,
            new ContentItemQuery(type, QueryValues.ParseEnum<ContentItemStatus>(status, "status")), new PageRequest(page, pageSize), ct), ContentItemDto.From);

    public static async Task<Created<DataEnvelope<ContentItemDto>>> CreateItemAsync(Guid id, ContentItemRequest request, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        var item = await service.CreateItemAsync(http.User.ToActor(), id, ToInput(request), ct);
        return ApiResults.Created(http, $"/api/websites/{id}/content-items/{item.Id}", ContentItemDto.From(item), item.Version);
    }

    public static async Task<Ok<DataEnvelope<ContentItemDto>>> GetItemAsync(Guid id, Guid itemId, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        var item = await service.GetItemAsync(http.User.ToActor(), id, itemId, ct);
        return ApiResults.Ok(http, ContentItemDto.From(item), item.Version);
    }

    public static async Task<Ok<DataEnvelope<ContentItemDto>>> UpdateItemAsync(Guid id, Guid itemId, ContentItemRequest request, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        var item = await service.UpdateItemAsync(http.User.ToActor(), id, itemId, ETags.RequireIfMatch(http.Request), ToInput(request), ct);
        return ApiResults.Ok(http, ContentItemDto.From(item), item.Version);
    }

    public static async Task<NoContent> DeleteItemAsync(Guid id, Guid itemId, HttpContext http, ContentModelService service, CancellationToken ct)
    {
        await service.DeleteItemAsync(http.User.ToActor(), id, itemId, ct);
        return TypedResults.NoContent();
    }

    private static ContentItemInput ToInput(ContentItemRequest request) =>
        new(request.ContentTypeId, request.Data, QueryValues.ParseEnum<ContentItemStatus>(request.Status, "status"));

    // Website data: streamed documents (JsonDocumentResult) carry their 200 in .Produces, the JSON answers in the signatures.

    public static async Task<Results<JsonDocumentResult, StatusCodeHttpResult>> GetDataAsync(Guid id, HttpContext http, WebsiteDataService service, string? fields, CancellationToken ct)
    {
        var sections = ParseFields(fields);
        var version = await service.GetCurrentAsync(http.User.ToActor(), id, ct);
        var etag = ETags.Format(version?.Version ?? 0);
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        http.Response.Headers.ETag = etag;
        return new JsonDocumentResult(stream => WriteEnvelopeAsync(stream, service, id, version, sections, null, ct));
    }

    public static async Task<Results<Ok<DataEnvelope<DataVersionDto>>, ProblemHttpResult>> PutDataAsync(Guid id, HttpContext http, WebsiteDataService service)
    {
        var expected = RequireVersionMatch(http.Request);
        RequireJson(http.Request, "application/json");
        LiftBodyLimit(http);
        var result = await service.PutAsync(http.User.ToActor(), id, expected, http.Request.Body, WebsiteDataSources.Api, http.RequestAborted);
        return WriteResult(http, id, result);
    }

    public static async Task<Results<Ok<DataEnvelope<DataVersionDto>>, ProblemHttpResult>> PatchDataAsync(Guid id, HttpContext http, WebsiteDataService service, IOptions<CatalystOptions> options)
    {
        var expected = RequireVersionMatch(http.Request);
        RequireJson(http.Request, MergePatchType);
        LiftBodyLimit(http);
        await using var body = new LimitedStream(http.Request.Body, options.Value.Websites.MaxMergePatchBytes);
        var result = await service.PatchAsync(http.User.ToActor(), id, expected, body, http.RequestAborted);
        return WriteResult(http, id, result);
    }

    public static async Task<Ok<PageEnvelope<DataVersionDto>>> ListVersionsAsync(Guid id, HttpContext http, WebsiteDataService service, bool? conflictBackups,
        int? page, int? pageSize, CancellationToken ct)
    {
        var (versions, current) = await service.ListVersionsAsync(http.User.ToActor(), id, conflictBackups, new PageRequest(page, pageSize), ct);
        return ApiResults.Page(versions, v => DataVersionDto.From(v, current));
    }

    public static async Task<JsonDocumentResult> GetVersionAsync(Guid id, int version, HttpContext http, WebsiteDataService service, string? fields, CancellationToken ct)
    {
        var sections = ParseFields(fields);
        var row = await service.GetVersionAsync(http.User.ToActor(), id, version, ct);
        var current = await service.GetCurrentAsync(http.User.ToActor(), id, ct);
        var meta = DataVersionDto.From(row, current?.Version ?? 0);
        http.Response.Headers.ETag = ETags.Format(row.Version);
        return new JsonDocumentResult(stream => WriteEnvelopeAsync(stream, service, id, row, sections, meta, ct));
    }

    public static async Task<Results<Ok<DataEnvelope<DataVersionDto>>, ProblemHttpResult>> RestoreVersionAsync(Guid id, int version, HttpContext http, WebsiteDataService service, CancellationToken ct)
    {
        var expected = ETags.ParseIfMatch(http.Request) is { } match ? (int)match : (int?)null;
        var result = await service.RestoreAsync(http.User.ToActor(), id, version, expected, ct);
        return WriteResult(http, id, result);
    }

    public static Task<Ok<DataEnvelope<DataVersionDto>>> PinVersionAsync(Guid id, int version, HttpContext http, WebsiteDataService service, CancellationToken ct) =>
        SetPinnedAsync(id, version, true, http, service, ct);

    public static Task<Ok<DataEnvelope<DataVersionDto>>> UnpinVersionAsync(Guid id, int version, HttpContext http, WebsiteDataService service, CancellationToken ct) =>
        SetPinnedAsync(id, version, false, http, service, ct);

    public static async Task<FileStreamHttpResult> DownloadAsync(Guid id, HttpContext http, WebsiteDataService service, CancellationToken ct)
    {
        var version = await service.GetCurrentAsync(http.User.ToActor(), id, ct);
        var document = await service.OpenDocumentAsync(version, ct);
        http.Response.Headers.CacheControl = "private, no-cache";
        return TypedResults.Stream(document, "application/json", $"website-{id}-v{version?.Version ?? 0}.json",
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue(ETags.Format(version?.Version ?? 0)), enableRangeProcessing: true);
    }

    private static async Task<Ok<DataEnvelope<DataVersionDto>>> SetPinnedAsync(Guid id, int version, bool pinned, HttpContext http, WebsiteDataService service, CancellationToken ct)
    {
        var row = await service.SetPinnedAsync(http.User.ToActor(), id, version, pinned, ct);
        var current = await service.GetCurrentAsync(http.User.ToActor(), id, ct);
        return ApiResults.Ok(DataVersionDto.From(row, current?.Version ?? 0));
    }

    private static Results<Ok<DataEnvelope<DataVersionDto>>, ProblemHttpResult> WriteResult(HttpContext http, Guid websiteId, DataWriteResult result)
    {
        if (result.Conflict)
        {
            http.Response.Headers.ETag = ETags.Format(result.CurrentVersion);
            return TypedResults.Problem(
                $"The data changed since version {result.Version.BasedOnVersion ?? 0}; the current version is {result.CurrentVersion}. Your payload was kept as version {result.Version.Version} (a conflict backup).",
                statusCode: StatusCodes.Status412PreconditionFailed, title: "Version conflict",
                extensions: new Dictionary<string, object?>
                {
                    ["code"] = "version_conflict",
                    ["currentVersion"] = result.CurrentVersion,
                    ["conflictBackupVersion"] = result.Version.Version,
                    ["conflictBackup"] = $"/api/websites/{websiteId}/data/versions/{result.Version.Version}",
                });
        }
        http.Response.Headers.ETag = ETags.Format(result.Version.Version);
        return ApiResults.Ok(DataVersionDto.From(result.Version, result.CurrentVersion));
    }

    private static async Task WriteEnvelopeAsync(Stream output, WebsiteDataService service, Guid websiteId, WebsiteDataVersion? version,
        IReadOnlyList<string> sections, DataVersionDto? meta, CancellationToken ct)
    {
        await output.WriteAsync("{\"data\":"u8.ToArray(), ct);
        if (meta is not null)
        {
            // {"version": {...metadata...}, "websiteId", "version", sections} — metadata first, then the same shape as GET data.
            var metaJson = JsonSerializer.SerializeToUtf8Bytes(meta, JsonSerializerOptions.Web);
            await output.WriteAsync(Encoding.UTF8.GetBytes("{\"metadata\":"), ct);
            await output.WriteAsync(metaJson, ct);
            await output.WriteAsync(","u8.ToArray(), ct);
            await output.WriteAsync("\"document\":"u8.ToArray(), ct);
        }
        await service.WriteDocumentAsync(output, websiteId, version, sections, ct);
        if (meta is not null)
            await output.WriteAsync("}"u8.ToArray(), ct);
        await output.WriteAsync("}"u8.ToArray(), ct);
    }

    private static IReadOnlyList<string> ParseFields(string? fields)
    {
        if (string.IsNullOrWhiteSpace(fields))
            return WebsiteSections.All;
        var selected = fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        var unknown = selected.Where(f => !WebsiteSections.IsKnown(f)).ToList();
        if (unknown.Count > 0)
            throw ValidationFailedException.For("fields", $"Unknown field(s) {string.Join(", ", unknown)}; choose from {string.Join(", ", WebsiteSections.All)}.");
        return WebsiteSections.All.Where(selected.Contains).ToList();
    }

    private static int RequireVersionMatch(HttpRequest request)
    {
        var version = ETags.RequireIfMatch(request);
        return version is >= 0 and <= int.MaxValue ? (int)version : throw ValidationFailedException.For("If-Match", "If-Match must name a data version.");
    }

    private static void RequireJson(HttpRequest request, string mediaType)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), mediaType, StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaTypeException($"Send the body as {mediaType}.");
    }

    /// <summary>Website data has its own limits (Catalyst:Websites:*), enforced while reading.</summary>
    private static void LiftBodyLimit(HttpContext http)
    {
        var feature = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = null;
    }
}

/// <summary>A response written by a delegate straight to the body (streamed, never buffered whole).</summary>
public sealed class JsonDocumentResult(Func<Stream, Task> write, bool setContentType = true) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        if (setContentType)
            httpContext.Response.ContentType = "application/json; charset=utf-8";
        await write(httpContext.Response.Body);
    }
}
