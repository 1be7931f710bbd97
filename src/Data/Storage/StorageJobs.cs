using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

/// <summary>Frees unreferenced blobs and chunks (recurring, and on demand from the Storage page).</summary>
public sealed class StorageGarbageCollectionJob(StorageGarbageCollector collector, JobProgress progress) : IJob
{
    public const string Kind = "storage-gc";
    public const string DisplayName = "Storage garbage collection";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        await progress.ReportAsync(jobRunId, 0, null, ct, force: true);
        return await collector.CollectAsync(null, ct);
    }
}

/// <summary>Recompresses cold chunks with the strong codec (recurring; SPEC §6 background compression).</summary>
public sealed class StorageRecompressionJob(ChunkRecompressor recompressor, Microsoft.Extensions.Options.IOptions<StorageOptions> options, JobProgress progress) : IJob
{
    public const string Kind = "storage-recompress";
    public const string DisplayName = "Cold chunk recompression";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        await progress.ReportAsync(jobRunId, 0, null, ct, force: true);
        if (!options.Value.Compression.Enabled)
            return new { skipped = "Storage:Compression:Enabled is false" };
        var reporter = new StorageVerificationJob.SyncProgress(p => progress.ReportAsync(jobRunId, p.Done, p.Total, ct).GetAwaiter().GetResult());
        return await recompressor.RunAsync(reporter, ct);
    }
}

public sealed record StorageVerificationInput(bool Rebuild = false, bool Deep = false);

/// <summary>Checks (and optionally rebuilds) reference counts and chunk indexes; deep mode re-hashes every chunk.</summary>
public sealed class StorageVerificationJob(StorageVerifier verifier, CatalystDbContext db, JobProgress progress) : IJob
{
    public const string Kind = "storage-verify";
    public const string DisplayName = "Storage verification";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var json = await db.JobRuns.AsNoTracking().Where(r => r.Id == jobRunId).Select(r => r.Input).SingleAsync(ct);
        var input = json is null ? new StorageVerificationInput() : JsonSerializer.Deserialize<StorageVerificationInput>(json, JsonSerializerOptions.Web) ?? new();
        var reporter = new SyncProgress(p => progress.ReportAsync(jobRunId, p.Done, p.Total, ct).GetAwaiter().GetResult());
        return await verifier.VerifyAsync(input.Rebuild, input.Deep, reporter, ct);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and race the job's end).</summary>
    internal sealed class SyncProgress(Action<(long Done, long Total)> report) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => report(value);
    }
}
