using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

public sealed record VerificationResult(int BlobsChecked, int ChunksChecked, int CountsRebuilt, IReadOnlyList<string> Problems)
{
    public bool Healthy => Problems.Count == 0;
}

/// <summary>
/// Checks that the store is what its index says: reference counts match reference rows (and
/// are rebuilt from them on request), each user's recorded storage usage matches what their rows
/// hold (repaired on the same request), every blob's chunk index is contiguous and complete,
/// every chunk row has its pack (or loose object) — and, in deep mode, that every chunk's stored
/// bytes decode to bytes with the chunk's hash.
/// </summary>
public sealed class StorageVerifier(CatalystDbContext db, IBlobStore store, StorageQuota quota)
{
    private const int MaxProblems = 1000;

    public async Task<VerificationResult> VerifyAsync(bool rebuildCounts, bool deep, IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var problems = new List<string>();
        void Problem(string text) { if (problems.Count < MaxProblems) problems.Add(text); }

        // Reference counts.
        var counts = await db.Set<StoredBlob>().AsNoTracking()
            .Select(b => new { b.Sha256, b.ReferenceCount, Actual = db.Set<BlobReference>().Count(r => r.BlobSha256 == b.Sha256) })
            .Where(b => b.ReferenceCount != b.Actual).ToListAsync(ct);
        var rebuilt = 0;
        foreach (var wrong in counts)
        {
            Problem($"blob {wrong.Sha256}: reference count {wrong.ReferenceCount}, {wrong.Actual} reference rows");
            if (rebuildCounts)
                rebuilt += await db.Set<StoredBlob>().Where(b => b.Sha256 == wrong.Sha256)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReferenceCount, b => db.Set<BlobReference>().Count(r => r.BlobSha256 == b.Sha256)), ct);
        }
        var dangling = await db.Set<BlobReference>().AsNoTracking()
            .Where(r => !db.Set<StoredBlob>().Any(b => b.Sha256 == r.BlobSha256))
            .OrderBy(r => r.Id).Select(r => new { r.OwnerType, r.OwnerId, r.BlobSha256 }).Take(MaxProblems).ToListAsync(ct);
        foreach (var d in dangling)
            Problem($"{d.OwnerType} {d.OwnerId} references missing blob {d.BlobSha256}");

        // Quota usage.
        foreach (var drift in await quota.VerifyAsync(rebuildCounts, ct))
        {
            Problem($"user {drift.UserId}: storage usage recorded as {drift.Recorded} bytes, {drift.Actual} held");
            if (rebuildCounts)
                rebuilt++;
        }

        // Chunk indexes.
        var blobs = await db.Set<StoredBlob>().AsNoTracking().Select(b => new { b.Sha256, b.Length, b.ChunkCount }).ToListAsync(ct);
        var totalChunks = await db.Set<StoredChunk>().CountAsync(ct);
        long done = 0, total = blobs.Count + totalChunks;
        foreach (var blob in blobs)
        {
            var index = await db.Set<BlobChunk>().AsNoTracking().Where(c => c.BlobSha256 == blob.Sha256).OrderBy(c => c.Ordinal)
                .Select(c => new { c.Offset, c.Length, Known = db.Set<StoredChunk>().Any(s => s.Sha256 == c.ChunkSha256), c.ChunkSha256 }).ToListAsync(ct);
            long expected = 0;
            foreach (var c in index)
            {
                if (c.Offset != expected)
                    Problem($"blob {blob.Sha256}: chunk at {c.Offset}, expected {expected}");
                if (!c.Known)
                    Problem($"blob {blob.Sha256}: chunk {c.ChunkSha256} is not in the chunk index");
                expected = c.Offset + c.Length;
            }
            if (expected != blob.Length || index.Count != blob.ChunkCount)
                Problem($"blob {blob.Sha256}: chunks cover {expected} of {blob.Length} bytes in {index.Count} of {blob.ChunkCount} chunks");
            progress?.Report((++done, total));
        }

        // Chunk objects (a pack is checked for existence once).
        var packs = new Dictionary<string, bool>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var query = db.Set<StoredChunk>().AsNoTracking();
            if (after is not null)
                query = query.Where(c => c.Sha256.CompareTo(after) > 0);
            var page = await query.OrderBy(c => c.Sha256).Take(500).ToListAsync(ct);
            if (page.Count == 0)
                break;
            foreach (var chunk in page)
            {
                var key = StoredBytes.KeyOf(chunk);
                if (deep)
                {
                    var stored = await StoredBytes.ReadAsync(store, chunk, ct);
                    if (stored is null)
                        Problem($"chunk {chunk.Sha256} is missing from the {store.Name} store ({key})");
                    else if (ChunkCompression.Check(chunk.Sha256, chunk.Codec, chunk.Length, stored) is { } problem)
                        Problem($"chunk {chunk.Sha256}: {problem}");
                }
                else
                {
                    if (!packs.TryGetValue(key, out var exists))
                    {
                        exists = await store.ExistsAsync(key, ct);
                        if (chunk.PackId is not null)
                            packs[key] = exists;
                    }
                    if (!exists)
                        Problem($"chunk {chunk.Sha256} is missing from the {store.Name} store ({key})");
                }
                progress?.Report((++done, total));
            }
            after = page[^1].Sha256;
        }
        return new VerificationResult(blobs.Count, totalChunks, rebuilt, problems);
    }
}
