using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Catalyst.Portal.Api;

/// <summary>Legacy browser-storage migration (SPEC §11): upload the dumps, dry run or apply as a job, read the report, verify, roll back.</summary>
public static class LegacyImportEndpoints
{
    public static IEndpointRouteBuilder MapLegacyImport(this IEndpointRouteBuilder api)
    {
        var migrations = api.MapGroup("/migrations").WithTags("Legacy migration");

        migrations.MapPost("/legacy", StartAsync)
            .WithMetadata(StreamsItsBody.Instance)
            .WithSummary("Migrate legacy browser dumps (multipart, one or more 'files' fields): ?mode=dry-run|apply, ?userId= for admins migrating for another user. Answers 202 with the JobRun; its result is the migration id.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415);

        migrations.MapGet("/", ListAsync)
            .WithSummary("Your most recent migrations (admins: everyone's), each as its report.");

        migrations.MapGet("/{id:guid}", GetAsync)
            .WithSummary("The migration's report: status, per-table source/imported/skipped/failed, blobs, problems (and the verification once run).")
            .ProducesProblem(404);

        migrations.MapPost("/{id:guid}/verify", VerifyAsync)
            .WithSummary("Recount what landed and re-hash every migrated blob, as a job.")
            .ProducesProblem(404).ProducesProblem(409);

        migrations.MapPost("/{id:guid}/rollback", RollbackAsync)
            .WithSummary("Remove exactly what the migration added and restore what it changed, as a job.")
            .ProducesProblem(404).ProducesProblem(409);

        return api;
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> StartAsync(HttpContext http, string? mode, Guid? userId, LegacyImportService service, LegacyUploadReader uploads,
        JobRunService jobs, CatalystDbContext db, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var dryRun = mode?.Trim().ToLowerInvariant() switch
        {
            null or "" or "dry-run" => true,
            "apply" => false,
            _ => throw ValidationFailedException.For("mode", "mode is dry-run or apply."),
        };
        var ownerId = userId ?? actor.UserId;
        if (ownerId != actor.UserId)
        {
            if (!actor.IsAdmin)
                throw new ForbiddenException("Only admins migrate for another user.");
            if (!await db.Users.AnyAsync(u => u.Id == ownerId, ct))
                throw new NotFoundException("User");
        }
        var files = await uploads.ReadAsync(http.Request, ct);
        var migration = await service.CreateAsync(actor, ownerId, files, dryRun, ct);
        var run = await jobs.StartAsync(actor, LegacyImportJob.Kind, new LegacyImportJobInput(migration.Id), ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    public static async Task<Ok<DataEnvelope<List<LegacyReport>>>> ListAsync(HttpContext http, LegacyImportService service, CancellationToken ct) =>
        ApiResults.Ok((await service.ListAsync(http.User.ToActor(), 100, ct)).Select(LegacyImportService.ReportOf).ToList());

    public static async Task<Ok<DataEnvelope<LegacyReport>>> GetAsync(Guid id, HttpContext http, LegacyImportService service, CancellationToken ct) =>
        ApiResults.Ok(LegacyImportService.ReportOf(await service.GetAsync(http.User.ToActor(), id, ct)));

    public static Task<Accepted<DataEnvelope<JobRunDto>>> VerifyAsync(Guid id, HttpContext http, LegacyImportService service, JobRunService jobs, CancellationToken ct) =>
        StartJobAsync(id, LegacyImportVerificationJob.Kind, http, service, jobs, ct);

    public static Task<Accepted<DataEnvelope<JobRunDto>>> RollbackAsync(Guid id, HttpContext http, LegacyImportService service, JobRunService jobs, CancellationToken ct) =>
        StartJobAsync(id, LegacyImportRollbackJob.Kind, http, service, jobs, ct);

    private static async Task<Accepted<DataEnvelope<JobRunDto>>> StartJobAsync(Guid id, string kind, HttpContext http, LegacyImportService service, JobRunService jobs, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var migration = await service.GetAsync(actor, id, ct);
        if (migration.DryRun)
            throw new ConflictException("migration_dry_run", "A dry run wrote nothing: apply the files as a new migration first.");
        if (kind == LegacyImportVerificationJob.Kind && migration.Status is not (LegacyImportStatus.Applied or LegacyImportStatus.Verified or LegacyImportStatus.Failed))
            throw new ConflictException("migration_not_applied", "Only an applied migration can be verified.");
        if (migration.Status == LegacyImportStatus.RolledBack)
            throw new ConflictException("migration_rolled_back", "This migration was rolled back.");
        var run = await jobs.StartAsync(actor, kind, new LegacyImportJobInput(id), ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }
}

/// <summary>
/// Streams the multipart <c>files</c> parts of a request into the content store (never buffered
/// whole, so any Portal or Worker can read them), within the upload size limit.
/// </summary>
public sealed class LegacyUploadReader(ContentStore content, IOptions<StorageOptions> storage)
{
    public async Task<List<LegacyInputFile>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaTypeException("Send the exported files as multipart/form-data, one or more 'files' fields.");
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
            throw ValidationFailedException.For("files", "The multipart body has no boundary.");
        var limit = storage.Value.Uploads.MaxUploadBytes;
        var feature = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = null;
        var reader = new MultipartReader(boundary, new LimitedStream(request.Body, limit));
        var files = new List<LegacyInputFile>();
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value != "files")
                    continue;
                if (files.Count == LegacyImportService.MaxFiles)
                    throw ValidationFailedException.For("files", $"At most {LegacyImportService.MaxFiles} files.");
                var blob = await content.WriteAsync(section.Body, ct);
                var name = disposition.FileName.Value?.Trim('"') ?? disposition.FileNameStar.Value ?? $"file-{files.Count + 1}.json";
                if (blob.Length == 0)
                    throw ValidationFailedException.For("files", $"The file '{name}' is empty.");
                files.Add(new LegacyInputFile(Path.GetFileName(name), blob.Sha256, blob.Length));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw ValidationFailedException.For("files", "The multipart body could not be read: " + ex.Message);
        }
        if (files.Count == 0)
            throw ValidationFailedException.For("files", "Attach at least one exported file as the multipart field 'files'.");
        return files;
    }
}
