using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

public sealed record GarbageCollectionResult(int BlobsDeleted, int ChunksDeleted, int OrphansDeleted, long BytesFreed, int PacksDeleted = 0, int PacksRewritten = 0);

/// <summary>
/// Frees what nothing references any more, in four passes, each sparing anything used within
/// the grace period (a writer may be about to reference it):
/// blobs without reference rows; chunks no blob and no unfinished upload uses (a packed chunk's
/// row goes, its bytes become dead space in its pack); packs (<see cref="PackPruner"/>: deleted
/// when nothing in them lives, rewritten when little does or when they are small); and objects in
/// the blob store that no index row describes (left by a crash between a write and its index
/// rows). Every delete is conditional, so a writer that touches a row or an object at the same
/// moment wins.
/// </summary>
public sealed class StorageGarbageCollector(CatalystDbContext db, IBlobStore store, BlobIndexCache indexes, PackPruner pruner, IOptions<StorageOptions> options, TimeProvider time,
    IEnumerable<IChunkHolder> holders)
{
    private const int Batch = 500;

    public async Task<GarbageCollectionResult> CollectAsync(IProgress<string>? progress, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.GarbageCollectionGrace;

        // 1. Blobs nobody references (their chunk index rows go with them).
        var blobsDeleted = 0;
        while (true)
        {
            var candidates = await db.Set<StoredBlob>()
                .Where(b => b.LastUsedAt < cutoff && !db.Set<BlobReference>().Any(r => r.BlobSha256 == b.Sha256))
                .Select(b => b.Sha256).Take(Batch).ToListAsync(ct);
            if (candidates.Count == 0)
                break;
            var deleted = 0;
            foreach (var sha in candidates)
            {
                deleted += await db.Set<StoredBlob>()
                    .Where(b => b.Sha256 == sha && b.LastUsedAt < cutoff && !db.Set<BlobReference>().Any(r => r.BlobSha256 == b.Sha256))
                    .ExecuteDeleteAsync(ct);
                indexes.Remove(sha);
                await db.Set<BlobChunk>().Where(c => c.BlobSha256 == sha && !db.Set<StoredBlob>().Any(b => b.Sha256 == sha)).ExecuteDeleteAsync(ct);
            }
            blobsDeleted += deleted;
            progress?.Report($"{blobsDeleted} blobs deleted");
            if (deleted == 0)
                break;
        }

        // 2. Chunks no blob and no unfinished upload uses: index row first, then the object.
        int chunksDeleted = 0;
        long freed = 0;
        while (true)
        {
            var candidates = await Unheld(db.Set<StoredChunk>()
                .Where(c => c.LastUsedAt < cutoff && !db.Set<BlobChunk>().Any(b => b.ChunkSha256 == c.Sha256)))
                .Select(c => c.Sha256).Take(Batch).ToListAsync(ct);
            if (candidates.Count == 0)
                break;
            var deletedThisRound = 0;
            var loose = (await db.Set<StoredChunk>().Where(c => candidates.Contains(c.Sha256) && c.PackId == null).Select(c => c.Sha256).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var sha in candidates)
            {
                var deleted = await Unheld(db.Set<StoredChunk>()
                    .Where(c => c.Sha256 == sha && c.LastUsedAt < cutoff && !db.Set<BlobChunk>().Any(b => b.ChunkSha256 == c.Sha256)))
                    .ExecuteDeleteAsync(ct);
                if (deleted == 0)
                    continue;
                deletedThisRound++;
                if (loose.Contains(sha))
                    foreach (var key in StorageKeys.AllFor(sha))
                        freed += await store.DeleteIfStaleAsync(key, cutoff, ct);
            }
            chunksDeleted += deletedThisRound;
            progress?.Report($"{chunksDeleted} chunks deleted");
            if (deletedThisRound == 0)
                break;
        }

        // 3. Packs: empty ones deleted, sparse and small ones rewritten.
        var packs = await pruner.PruneAsync(cutoff, progress, ct);
        freed += packs.BytesFreed;

        // 4. Objects without an index row.
        var orphans = 0;
        var batch = new List<BlobStoreItem>();
        await foreach (var item in store.ListAsync(ct))
        {
            if (item.LastModified >= cutoff)
                continue;
            batch.Add(item);
            if (batch.Count >= Batch)
            {
                (var count, var bytes) = await DeleteOrphansAsync(batch, cutoff, ct);
                orphans += count;
                freed += bytes;
                batch.Clear();
            }
        }
        (var lastCount, var lastBytes) = await DeleteOrphansAsync(batch, cutoff, ct);
        orphans += lastCount;
        freed += lastBytes;
        // What interrupted writes left (an unsealed pack of a crashed writer).
        freed += await store.DeleteStaleLeftoversAsync(cutoff, ct);

        return new GarbageCollectionResult(blobsDeleted, chunksDeleted, orphans, freed, packs.Deleted, packs.Rewritten);
    }

    private async Task<(int Count, long Bytes)> DeleteOrphansAsync(List<BlobStoreItem> items, DateTime cutoff, CancellationToken ct)
    {
        if (items.Count == 0)
            return (0, 0);
        // A loose object is live when a chunk row without a pack names it with its current codec:
        // the inline object of a recompressed or repacked chunk is an orphan too. A pack is live
        // when its row exists.
        var chunks = items.Where(i => !StorageKeys.IsPack(i.Key)).Select(i => StorageKeys.ChunkOf(i.Key)).Distinct().ToList();
        var live = (await db.Set<StoredChunk>().Where(c => chunks.Contains(c.Sha256) && c.PackId == null).Select(c => new { c.Sha256, c.Codec }).ToListAsync(ct))
            .Select(c => StorageKeys.For(c.Sha256, c.Codec)).ToHashSet(StringComparer.Ordinal);
        var packIds = items.Where(i => StorageKeys.IsPack(i.Key)).Select(i => StorageKeys.PackIdOf(i.Key)).ToList();
        foreach (var id in await db.Set<StoredPack>().Where(p => packIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct))
            live.Add(StorageKeys.Pack(id));
        int count = 0;
        long bytes = 0;
        foreach (var item in items.Where(i => !live.Contains(i.Key)))
        {
            var freed = await store.DeleteIfStaleAsync(item.Key, cutoff, ct);
            if (freed > 0)
            {
                count++;
                bytes += freed;
            }
        }
        return (count, bytes);
    }

    /// <summary>Leaves out the chunks another part holds directly (not through a blob), each in the same query.</summary>
    private IQueryable<StoredChunk> Unheld(IQueryable<StoredChunk> chunks)
    {
        foreach (var holder in holders)
        {
            var held = holder.HeldChunks;
            chunks = chunks.Where(c => !held.Contains(c.Sha256));
        }
        return chunks;
    }
}
