using System.Diagnostics;
using System.Security.Cryptography;
using Catalyst.Data.Common;
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
/// least the minimum share. The cold forms are appended to a new pack, and only when it is sealed
/// do the chunks' rows switch codec and place (each only if it still has the codec it was read
/// with), so on every store a reader sees either the old bytes with the old codec or the new ones
/// with the new codec, never a half-written chunk; a reader that loaded the index before the
/// switch finds the new place through <see cref="ChunkLocator"/> once the old pack is pruned.
/// The old bytes are left to garbage collection (a loose object becomes an orphan, a pack's bytes
/// dead space that pruning reclaims).
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
        await using var pack = new PackAppender(store);
        var packed = new Dictionary<string, StoredChunk>(StringComparer.Ordinal);
        async Task SealAsync()
        {
            var now = time.GetUtcNow().UtcDateTime;
            var sealedPack = await pack.SealAsync(now, ct);
            if (sealedPack is null)
                return;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await BulkInsert.InsertAsync(db, [sealedPack.Pack], ct);
            foreach (var entry in sealedPack.Entries)
            {
                var chunk = packed[entry.Sha256];
                var switched = await db.Set<StoredChunk>().Where(c => c.Sha256 == chunk.Sha256 && c.Codec == chunk.Codec)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Codec, ChunkCodec.Brotli).SetProperty(c => c.StoredLength, entry.StoredLength)
                        .SetProperty(c => c.PackId, sealedPack.Pack.Id).SetProperty(c => c.PackOffset, entry.Offset).SetProperty(c => c.ColdCheckedAt, now), ct);
                if (switched == 1)
                {
                    recompressed++;
                    before += chunk.StoredLength;
                    after += entry.StoredLength;
                }
            }
            await transaction.CommitAsync(ct);
            packed.Clear();
        }
        async Task<RecompressionResult> DoneAsync(bool finished)
        {
            await SealAsync();
            return new RecompressionResult(considered, recompressed, skipped, problems, before, after, finished);
        }
        while (true)
        {
            var page = await pending.Where(c => !packed.Keys.Contains(c.Sha256)).OrderBy(c => c.CreatedAt).ThenBy(c => c.Sha256).Take(Page).ToListAsync(ct);
            if (page.Count == 0)
                return await DoneAsync(finished: true);
            foreach (var chunk in page)
            {
                if (run.Elapsed > settings.MaxRunTime)
                    return await DoneAsync(finished: false);
                ct.ThrowIfCancellationRequested();
                considered++;
                var busy = Stopwatch.StartNew();
                var cold = chunk.Codec == ChunkCodec.Brotli ? null : await ColdFormAsync(chunk, settings, ct);
                busy.Stop();
                var now = time.GetUtcNow().UtcDateTime;
                if (cold is { Bytes: { } bytes })
                {
                    await pack.AppendAsync(chunk.Sha256, ChunkCodec.Brotli, chunk.Length, bytes, ct);
                    packed[chunk.Sha256] = chunk;
                    if (pack.Length >= options.Value.PackBytes)
                        await SealAsync();
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
        var stored = await StoredBytes.ReadAsync(store, chunk, ct);
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
