using Catalyst.Data.Jobs;
using System.Text.Json;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

/// <summary>A job's result file: a blob held by the job (reference owner <c>job-result/&lt;run id&gt;</c>).</summary>
public sealed record JobResultFile(string Sha256, long Length, string FileName, string MediaType);

/// <summary>Keeps and finds the files jobs produce (exports, archives), stored in the content store.</summary>
public sealed class JobResultFiles(CatalystDbContext db, ContentStore content)
{
    /// <summary>Holds <paramref name="blob"/> as the run's result file (saved with the caller's unit of work).</summary>
    public async Task<JobResultFile> KeepAsync(Guid jobRunId, BlobInfo blob, string fileName, string mediaType, CancellationToken ct)
    {
        await content.RemoveReferencesAsync(BlobOwnerTypes.JobResult, jobRunId.ToString(), ct);
        // Derived from what the user already holds (an export), and replaced by the next run: not charged.
        await content.AddReferenceAsync(blob.Sha256, BlobOwnerTypes.JobResult, jobRunId.ToString(), null, ct);
        await db.SaveChangesAsync(ct);
        return new JobResultFile(blob.Sha256, blob.Length, fileName, mediaType);
    }

    /// <summary>The run's result file, read from its result JSON (<c>{"file": {...}}</c>), or null when it has none.</summary>
    public static JobResultFile? Of(JobRun run)
    {
        if (run.Result is null)
            return null;
        using var doc = JsonDocument.Parse(run.Result);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("file", out var file)
            ? file.Deserialize<JobResultFile>(JsonSerializerOptions.Web)
            : null;
    }

    public async Task<Stream> OpenAsync(JobResultFile file, CancellationToken ct) =>
        await content.OpenReadAsync(file.Sha256, ct) ?? throw new NotFoundException("Result file");
}
