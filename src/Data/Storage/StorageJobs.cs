using Catalyst.Data.Jobs;

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
        var reporter = new JobInput.Reporter(progress, jobRunId, ct);
        var result = await recompressor.RunAsync(reporter, ct);
        await reporter.FlushAsync();
        return result;
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
        var input = await JobInput.ReadAsync<StorageVerificationInput>(db, jobRunId, ct) ?? new();
        var reporter = new JobInput.Reporter(progress, jobRunId, ct);
        var result = await verifier.VerifyAsync(input.Rebuild, input.Deep, reporter, ct);
        await reporter.FlushAsync();
        return result;
    }
}
