using System.IO.Compression;
using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Backups;

public sealed record WebsiteExportInput(Guid WebsiteId, bool Gzip = false);

/// <summary>
/// Writes a website backup into the content store (through a <see cref="BlobWriter"/>: the
/// backup never exists whole in memory) and keeps it as the run's result file, downloadable with ranges.
/// </summary>
public sealed class WebsiteExportJob(CatalystDbContext db, WebsiteBackupWriter writer, ContentStore content, JobResultFiles files, JobProgress progress, TimeProvider time) : IJob
{
    public const string Kind = "website-export";
    public const string DisplayName = "Website export";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == jobRunId, ct);
        var input = JsonSerializer.Deserialize<WebsiteExportInput>(run.Input!, JsonSerializerOptions.Web)!;
        var website = await db.Websites.AsNoTracking().FirstOrDefaultAsync(w => w.Id == input.WebsiteId, ct)
            ?? throw new NotFoundException("Website");
        var total = Math.Max(1, await writer.PayloadBytesAsync(website.Id, ct));
        await progress.ReportAsync(jobRunId, 0, total, ct, force: true);

        await using var output = content.OpenWriter(8 << 20, ct);
        var gzip = input.Gzip ? new GZipStream(output.Stream, CompressionLevel.Fastest, leaveOpen: true) : null;
        await using (gzip)
            await writer.WriteAsync(website.Id, gzip ?? output.Stream, done => progress.ReportAsync(jobRunId, done, total, ct), ct);
        var blob = await output.CompleteAsync();
        var file = await files.KeepAsync(jobRunId, blob, WebsiteBackupWriter.FileName(website, Clock.UtcNow(time), input.Gzip),
            input.Gzip ? "application/gzip" : "application/json", ct);
        await progress.ReportAsync(jobRunId, total, total, ct, force: true);
        return new { websiteId = website.Id, file };
    }
}

public sealed record WebsiteImportInput(string BlobSha256, string OnDuplicate, bool DryRun, string? FileName);

/// <summary>
/// Imports a backup held as the run's input file. The import commits in one transaction after
/// every check passed, and leaves a receipt, so a retried or restarted run never imports twice.
/// </summary>
public sealed class WebsiteImportJob(CatalystDbContext db, WebsiteImportService imports, ContentStore content, JobProgress progress) : IJob
{
    public const string Kind = "website-import";
    public const string DisplayName = "Website import";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == jobRunId, ct);
        var input = JsonSerializer.Deserialize<WebsiteImportInput>(run.Input!, JsonSerializerOptions.Web)!;
        var user = await db.Users.AsNoTracking().Where(u => u.Id == run.RequestedById).Select(u => new { u.Id, u.Email }).FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException("The user who started the import no longer exists.");
        var policy = Enum.Parse<DuplicatePolicy>(input.OnDuplicate, ignoreCase: true);
        await using var backup = await content.OpenReadAsync(input.BlobSha256, ct)
            ?? throw new NotFoundException("The backup file of this import");
        var total = backup.Length;
        await progress.ReportAsync(jobRunId, 0, total, ct, force: true);

        var result = await imports.ImportAsync(new Actor(user.Id, user.Email ?? "", IsAdmin: false), backup,
            new ImportOptions(policy, input.DryRun, input.DryRun ? null : jobRunId),
            read => progress.ReportAsync(jobRunId, Math.Min(read, total), total, ct), ct);

        // The backup file (the run's input) is released when the run finishes (JobRunner).
        await progress.ReportAsync(jobRunId, total, total, ct, force: true);
        return result;
    }
}

/// <summary>Writes the requester's whole-account archive (zip with a SHA-256 manifest) as the run's result file.</summary>
public sealed class AccountExportJob(CatalystDbContext db, AccountArchive archive, ContentStore content, JobResultFiles files, JobProgress progress, TimeProvider time) : IJob
{
    public const string Kind = "account-export";
    public const string DisplayName = "Account archive";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == jobRunId, ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == run.RequestedById).Select(u => new { u.Id, u.Email }).SingleAsync(ct);
        var total = Math.Max(1, await db.Set<Catalyst.Data.Assets.Asset>().Where(a => a.OwnerId == user.Id).SumAsync(a => (long?)a.Length, ct) ?? 0);
        await progress.ReportAsync(jobRunId, 0, total, ct, force: true);

        await using var output = content.OpenWriter(8 << 20, ct);
        await archive.WriteAsync(new Actor(user.Id, user.Email ?? "", IsAdmin: false), output.Stream,
            done => progress.ReportAsync(jobRunId, Math.Min(done, total), total, ct), ct);
        var blob = await output.CompleteAsync();
        var file = await files.KeepAsync(jobRunId, blob, $"catalyst-account-{Clock.UtcNow(time):yyyyMMdd-HHmmss}.zip", "application/zip", ct);
        await progress.ReportAsync(jobRunId, total, total, ct, force: true);
        return new { file };
    }
}
