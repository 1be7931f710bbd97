using System.IO.Compression;
using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Catalyst.Portal.Api;

public sealed record ExportRequest(bool? Gzip);

public sealed record ImportFromUploadRequest(Guid? UploadId);

/// <summary>Website backups (SPEC §10): export streamed or as a job, import as a job from a multipart file or a finished tus upload.</summary>
public static class BackupEndpoints
{
    public static IEndpointRouteBuilder MapBackups(this IEndpointRouteBuilder api)
    {
        var websites = api.MapGroup("/websites").WithTags("Backups");

        websites.MapGet("/{id:guid}/export", ExportAsync)
            .WithSummary("Stream the website's backup (catalyst.website-backup v1; ?gzip=true for .json.gz).")
            .Produces(200).ProducesProblem(404);

        websites.MapPost("/{id:guid}/exports", StartExportAsync)
            .WithSummary("Export as a job; its result file is at /api/jobs/{id}/result.")
            .ProducesProblem(404);

        api.MapPost("/me/exports", StartAccountExportAsync)
            .WithTags("Backups")
            .WithSummary("Archive everything you own (projects, preferences, websites as backups, assets) into one zip with a SHA-256 manifest, as a job; download it from /api/jobs/{id}/result.");

        websites.MapPost("/import", ImportAsync)
            .WithMetadata(StreamsItsBody.Instance)
            .WithSummary("Import a backup: multipart field 'file' (plain or gzip) or JSON {\"uploadId\"} of a finished tus upload; ?onDuplicate=skip|overwrite|copy, ?dryRun=true to validate only. Answers 202 with the JobRun.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415);

        return api;
    }

    public static async Task<JsonDocumentResult> ExportAsync(Guid id, bool? gzip, HttpContext http, WebsiteService sites, WebsiteBackupWriter writer, TimeProvider time, CancellationToken ct)
    {
        var website = await sites.GetAsync(http.User.ToActor(), id, ct);
        var compress = gzip == true;
        return new JsonDocumentResult(async body =>
        {
            http.Response.ContentType = compress ? "application/gzip" : "application/json";
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(WebsiteBackupWriter.FileName(website, time.GetUtcNow().UtcDateTime, compress));
            http.Response.Headers.ContentDisposition = disposition.ToString();
            // Already compressed (or about to be): the response compression middleware must leave it alone.
            if (compress)
            {
                await using var zip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true);
                await writer.WriteAsync(id, zip, null, ct);
            }
            else
            {
                await writer.WriteAsync(id, body, null, ct);
            }
        }, setContentType: false);
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> StartExportAsync(Guid id, ExportRequest? request, HttpContext http, WebsiteService sites, JobRunService jobs, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        await sites.GetAsync(actor, id, ct);
        var run = await jobs.StartAsync(actor, WebsiteExportJob.Kind, new WebsiteExportInput(id, request?.Gzip == true), ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> StartAccountExportAsync(HttpContext http, JobRunService jobs, CancellationToken ct)
    {
        var run = await jobs.StartAsync(http.User.ToActor(), AccountExportJob.Kind, null, ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> ImportAsync(HttpContext http, string? onDuplicate, bool? dryRun, ContentStore content, JobRunService jobs,
        CatalystDbContext db, IOptions<StorageOptions> storage, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var policy = QueryValues.ParseEnum<DuplicatePolicy>(onDuplicate, "onDuplicate") ?? DuplicatePolicy.Skip;
        var request = http.Request;
        BlobInfo backup;
        string? fileName = null;
        if (request.HasJsonContentType())
        {
            var body = await request.ReadFromJsonAsync<ImportFromUploadRequest>(ct);
            if (body?.UploadId is not { } uploadId)
                throw ValidationFailedException.For("uploadId", "uploadId names a completed upload.");
            var upload = await db.Set<Upload>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == uploadId, ct);
            if (upload is null || !actor.CanAccess(upload.OwnerId))
                throw new NotFoundException("Upload");
            if (upload.BlobSha256 is null)
                throw new ConflictException("upload_unfinished", "The upload is not complete yet.");
            backup = new BlobInfo(upload.BlobSha256, upload.Length);
            fileName = upload.FileName;
        }
        else if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var feature = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
            if (feature is { IsReadOnly: false })
                feature.MaxRequestBodySize = null;
            (backup, fileName) = await ReadFilePartAsync(request, type, content, storage.Value.Uploads.MaxUploadBytes, ct);
        }
        else
        {
            throw new UnsupportedMediaTypeException("Send the backup as multipart/form-data (field 'file') or JSON {\"uploadId\"}.");
        }

        var run = await jobs.StartAsync(actor, WebsiteImportJob.Kind,
            new WebsiteImportInput(backup.Sha256, policy.ToString().ToLowerInvariant(), dryRun == true, fileName), ct,
            async runId =>
            {
                // The job's input file is held until the import is done.
                await content.AddReferenceAsync(backup.Sha256, BlobOwnerTypes.JobInput, runId.ToString(), actor.UserId, ct);
                await db.SaveChangesAsync(ct);
            });
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    /// <summary>Streams the multipart 'file' part into the content store (never buffered whole).</summary>
    private static async Task<(BlobInfo, string?)> ReadFilePartAsync(HttpRequest request, MediaTypeHeaderValue type, ContentStore content, long limit, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
            throw ValidationFailedException.For("file", "The multipart body has no boundary.");
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = limit };
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value != "file")
                continue;
            await using var limited = new LimitedStream(section.Body, limit);
            var blob = await content.WriteAsync(limited, ct);
            if (blob.Length == 0)
                throw ValidationFailedException.For("file", "The file is empty.");
            return (blob, disposition.FileName.Value?.Trim('"'));
        }
        throw ValidationFailedException.For("file", "Attach the backup as the multipart field 'file'.");
    }
}
