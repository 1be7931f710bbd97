using Catalyst.Data.Jobs;

namespace Catalyst.Data.Uploads;

/// <summary>Removes uploads that expired unfinished (and old completed upload records).</summary>
public sealed class UploadCleanupJob(UploadService uploads) : IJob
{
    public const string Kind = "upload-cleanup";
    public const string DisplayName = "Expired upload cleanup";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct) =>
        new { removed = await uploads.CleanupExpiredAsync(ct) };
}
