using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

public sealed record PruneResult(int Deleted, int Rewritten, long BytesFreed);

/// <summary>
/// Garbage collection's pack pass. A pack older than the grace period in which no chunk lives is
/// deleted; one whose live share is under <see cref="StorageOptions.PruneLiveShare"/>, or which
/// is small (under an eighth of <see cref="StorageOptions.PackBytes"/>, as a pack per small blob
/// is), has its live chunks copied into new packs (each checked against its hash on the way) and is
/// then deleted. A chunk's row moves to its new place only if it still names the old one, in the
/// same transaction that records the new pack; readers that still hold the old place find the
/// new one through <see cref="ChunkLocator"/>.
/// </summary>
public sealed class PackPruner(CatalystDbContext db, IBlobStore store, IOptions<StorageOptions> options, TimeProvider time)
{
    public async Task<PruneResult> PruneAsync(DateTime cutoff, IProgress<string>? progress, CancellationToken ct)
    {
        var settings = options.Value;
        var packs = await db.Set<StoredPack>().AsNoTracking().Where(p => p.CreatedAt < cutoff)
            .Select(p => new
            {
                p.Id,
                p.Length,
                Live = db.Set<StoredChunk>().Where(c => c.PackId == p.Id).Sum(c => (long?)c.StoredLength) ?? 0,
                Chunks = db.Set<StoredChunk>().Count(c => c.PackId == p.Id),
            })
            .ToListAsync(ct);

        int deleted = 0;
        long freed = 0;
        foreach (var pack in packs.Where(p => p.Chunks == 0))
        {
            var (removed, bytes) = await DeleteIfEmptyAsync(pack.Id, ct);
            deleted += removed;
            freed += bytes;
        }

        var small = settings.PackBytes / 8;
        var sparse = packs.Where(p => p.Chunks > 0 && (p.Live < settings.PruneLiveShare * p.Length || p.Length < small)).ToList();
        // One small pack alone gains nothing from a rewrite.
        if (sparse.Count == 1 && sparse[0].Live >= settings.PruneLiveShare * sparse[0].Length)
            sparse.Clear();
        var rewritten = 0;
        if (sparse.Count > 0)
        {
            await using var target = new PackAppender(store);
            foreach (var pack in sparse)
            {
                ct.ThrowIfCancellationRequested();
                if (!await CopyLiveAsync(pack.Id, target, ct))
                    continue;
                rewritten++;
                if (target.Length >= settings.PackBytes)
                    await SealAsync(target, ct);
                progress?.Report($"{rewritten} packs rewritten");
            }
            await SealAsync(target, ct);
            foreach (var pack in sparse)
            {
                var (removed, bytes) = await DeleteIfEmptyAsync(pack.Id, ct);
                deleted += removed;
                freed += bytes;
            }
        }
        return new PruneResult(deleted, rewritten, freed);
    }

    /// <summary>Appends the pack's live chunks to <paramref name="target"/>; false when the pack cannot be read (left for verify-storage to report).</summary>
    private async Task<bool> CopyLiveAsync(string packId, PackAppender target, CancellationToken ct)
    {
        var bytes = await store.ReadAsync(StorageKeys.Pack(packId), ct);
        if (bytes is null)
            return false;
        var chunks = await db.Set<StoredChunk>().AsNoTracking().Where(c => c.PackId == packId).ToListAsync(ct);
        foreach (var chunk in chunks)
        {
            if (chunk.PackOffset < 0 || chunk.PackOffset + chunk.StoredLength > bytes.Length)
                return false;
            var stored = bytes.AsMemory((int)chunk.PackOffset, chunk.StoredLength);
            if (ChunkCompression.Check(chunk.Sha256, chunk.Codec, chunk.Length, stored.ToArray()) is not null)
                return false;
            if (!target.Contains(chunk.Sha256))
                await target.AppendAsync(chunk.Sha256, chunk.Codec, chunk.Length, stored, ct);
        }
        return true;
    }

    /// <summary>Records the new pack and moves each chunk that still lives where it was copied from.</summary>
    private async Task SealAsync(PackAppender target, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var sealedPack = await target.SealAsync(now, ct);
        if (sealedPack is null)
            return;
        await MoveAsync(db, sealedPack, ct);
    }

    /// <summary>
    /// Records <paramref name="sealedPack"/> and points every chunk it holds at it, in one
    /// transaction, unless the chunk's row has gone (garbage collection) or changed codec meanwhile.
    /// </summary>
    public static async Task MoveAsync(CatalystDbContext db, SealedPack sealedPack, CancellationToken ct, bool onlyLoose = false)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await BulkInsert.InsertAsync(db, [sealedPack.Pack], ct);
        var packId = sealedPack.Pack.Id;
        foreach (var entry in sealedPack.Entries)
        {
            var rows = db.Set<StoredChunk>().Where(c => c.Sha256 == entry.Sha256 && c.Codec == entry.Codec);
            if (onlyLoose)
                rows = rows.Where(c => c.PackId == null);
            await rows.ExecuteUpdateAsync(s => s
                .SetProperty(c => c.PackId, packId)
                .SetProperty(c => c.PackOffset, entry.Offset)
                .SetProperty(c => c.StoredLength, entry.StoredLength), ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Deletes the pack's row and object when no chunk lives in it any more.</summary>
    private async Task<(int Deleted, long Bytes)> DeleteIfEmptyAsync(string packId, CancellationToken ct)
    {
        var removed = await db.Set<StoredPack>().Where(p => p.Id == packId && !db.Set<StoredChunk>().Any(c => c.PackId == packId)).ExecuteDeleteAsync(ct);
        if (removed == 0)
            return (0, 0);
        // No row names the pack now, so no reader can be sent to it: delete whatever its age.
        var bytes = await store.DeleteIfStaleAsync(StorageKeys.Pack(packId), time.GetUtcNow().UtcDateTime.AddDays(1), ct);
        return (1, bytes);
    }
}
