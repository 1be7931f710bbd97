using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

public sealed record RecompressionResult(int Considered, int Recompressed, int Skipped, int Problems, long StoredBytesBefore, long StoredBytesAfter, bool Finished)
{
    public long BytesSaved => StoredBytesBefore - StoredBytesAfter;
}

/// <summary>
/// The background recompression of cold chunks (SPEC §6): chunks older than the age threshold
/// that still have their inline form (LZ4 or none) are rewritten with Brotli when that saves at
/// least the minimum share. The cold form goes under its own key (<see cref="StorageKeys.For"/>)
/// and only then does the chunk's row switch codec, so on every store a reader sees either the
/// old object with the old codec or the new one with the new codec, never a half-written chunk;
/// a reader that loaded the index before the switch falls back to the cold key once the inline
/// object is gone (<see cref="BlobReadStream"/>). The inline object is left to garbage collection.
/// Throttled to a share of one core, and stopped after a maximum run time (the next run goes on
/// where this one stopped: considered chunks are marked).
/// </summary>
public sealed class ChunkRecompressor(CatalystDbContext db, IBlobStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<ChunkRecompressor> logger)
{
    private const int Page = 100;

    public async Task<RecompressionResult> RunAsync(IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var settings = options.Value.Compression;
        var threshold = time.GetUtcNow().UtcDateTime.AddDays(-settings.AgeThresholdDays);
        var pending = db.Set<StoredChunk>().AsNoTracking().Where(c => c.ColdCheckedAt == null && c.CreatedAt <= threshold);
        var total = await pending.CountAsync(ct);
        var run = Stopwatch.StartNew();
        int considered = 0, recompressed = 0, skipped = 0, problems = 0;
        long before = 0, after = 0;
        progress?.Report((0, total));
        while (true)
        {
            var page = await pending.OrderBy(c => c.CreatedAt).ThenBy(c => c.Sha256).Take(Page).ToListAsync(ct);
            if (page.Count == 0)
                return new RecompressionResult(considered, recompressed, skipped, problems, before, after, Finished: true);
            foreach (var chunk in page)
            {
                if (run.Elapsed > settings.MaxRunTime)
                    return new RecompressionResult(considered, recompressed, skipped, problems, before, after, Finished: false);
                ct.ThrowIfCancellationRequested();
                considered++;
                var busy = Stopwatch.StartNew();
                var cold = chunk.Codec == ChunkCodec.Brotli ? null : await ColdFormAsync(chunk, settings, ct);
                busy.Stop();
                var now = time.GetUtcNow().UtcDateTime;
                if (cold is { Bytes: { } bytes })
                {
                    await store.EnsureAsync(StorageKeys.For(chunk.Sha256, ChunkCodec.Brotli), bytes, ct);
                    var switched = await db.Set<StoredChunk>().Where(c => c.Sha256 == chunk.Sha256 && c.Codec == chunk.Codec)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.Codec, ChunkCodec.Brotli).SetProperty(c => c.StoredLength, bytes.Length).SetProperty(c => c.ColdCheckedAt, now), ct);
                    if (switched == 1)
                    {
                        recompressed++;
                        before += chunk.StoredLength;
                        after += bytes.Length;
                    }
                }
                else
                {
                    if (cold is { Problem: true })
                        problems++;
                    else
                        skipped++;
                    await db.Set<StoredChunk>().Where(c => c.Sha256 == chunk.Sha256).ExecuteUpdateAsync(s => s.SetProperty(c => c.ColdCheckedAt, now), ct);
                }
                progress?.Report((considered, total));
                if (settings.CpuBudget < 1)
                    await Task.Delay(busy.Elapsed * (1 / settings.CpuBudget - 1), time, ct);
            }
        }
    }

    private sealed record ColdForm(byte[]? Bytes, bool Problem);

    /// <summary>Reads and checks the chunk (its hash is verified on the way: a free integrity check) and encodes its cold form.</summary>
    private async Task<ColdForm> ColdFormAsync(StoredChunk chunk, CompressionOptions settings, CancellationToken ct)
    {
        var stored = await store.ReadAsync(StorageKeys.For(chunk.Sha256, chunk.Codec), ct);
        if (stored is null)
        {
            logger.LogWarning("Chunk {Sha256} is missing from the {Store} store; left as it is for verify-storage to report", chunk.Sha256, store.Name);
            return new ColdForm(null, Problem: true);
        }
        byte[] bytes;
        try
        {
            bytes = ChunkCompression.Decode(chunk.Codec, stored, chunk.Length);
        }
        catch (InvalidDataException ex)
        {
            logger.LogWarning("Chunk {Sha256} does not decode ({Reason}); not recompressed", chunk.Sha256, ex.Message);
            return new ColdForm(null, Problem: true);
        }
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), chunk.Sha256, StringComparison.Ordinal))
        {
            logger.LogWarning("Chunk {Sha256} does not match its hash; not recompressed", chunk.Sha256);
            return new ColdForm(null, Problem: true);
        }
        return new ColdForm(ChunkCompression.EncodeCold(bytes, chunk.StoredLength, settings.Quality, settings.MinSaving), Problem: false);
    }
}
