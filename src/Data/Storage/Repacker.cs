using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

public sealed record RepackResult(int Chunks, int Packs, long Bytes, int Problems, bool Finished);

/// <summary>
/// Moves loose chunks (one object per chunk, the layout before packs) into packs (<c>repack</c>):
/// each chunk is read and checked against its hash, appended to a pack, and when the pack is
/// sealed the chunks' rows move to it in one transaction (each only if still loose); the loose
/// objects are deleted after. Safe beside a serving Portal (readers of a moved chunk find it
/// through <see cref="ChunkLocator"/>) and resumable: a stopped run leaves sealed packs recorded
/// and the rest loose, and the next run takes what is still loose.
/// </summary>
public sealed class Repacker(CatalystDbContext db, IBlobStore store, IOptions<StorageOptions> options, TimeProvider time)
{
    private const int Page = 500;

    public async Task<RepackResult> RepackAsync(IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var total = await db.Set<StoredChunk>().CountAsync(c => c.PackId == null, ct);
        int moved = 0, packs = 0, problems = 0;
        long bytes = 0;
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        await using var pack = new PackAppender(store);
        var inPack = new List<StoredChunk>();
        string? after = null;
        while (true)
        {
            var query = db.Set<StoredChunk>().AsNoTracking().Where(c => c.PackId == null);
            if (after is not null)
                query = query.Where(c => c.Sha256.CompareTo(after) > 0);
            var page = await query.OrderBy(c => c.Sha256).Take(Page).ToListAsync(ct);
            if (page.Count == 0)
                break;
            foreach (var chunk in page)
            {
                ct.ThrowIfCancellationRequested();
                var stored = await store.ReadAsync(StorageKeys.For(chunk.Sha256, chunk.Codec), ct);
                if (stored is null || ChunkCompression.Check(chunk.Sha256, chunk.Codec, chunk.Length, stored) is not null)
                {
                    problems++; // left loose, for verify-storage to report
                    continue;
                }
                await pack.AppendAsync(chunk.Sha256, chunk.Codec, chunk.Length, stored, ct);
                inPack.Add(chunk);
                if (pack.Length >= options.Value.PackBytes)
                {
                    (var n, var b) = await SealAsync(pack, inPack, ct);
                    moved += n; bytes += b; packs++;
                    progress?.Report((moved, total));
                }
            }
            after = page[^1].Sha256;
        }
        (var lastMoved, var lastBytes) = await SealAsync(pack, inPack, ct);
        if (lastMoved > 0 || lastBytes > 0)
            packs++;
        moved += lastMoved;
        bytes += lastBytes;
        progress?.Report((moved, total));
        return new RepackResult(moved, packs, bytes, problems, Finished: problems == 0);
    }

    private async Task<(int Moved, long Bytes)> SealAsync(PackAppender pack, List<StoredChunk> chunks, CancellationToken ct)
    {
        var sealedPack = await pack.SealAsync(time.GetUtcNow().UtcDateTime, ct);
        if (sealedPack is null)
            return (0, 0);
        await PackPruner.MoveAsync(db, sealedPack, ct, onlyLoose: true);
        // Each loose object whose chunk now lives in the pack goes (a cold and an inline form alike).
        var shas = chunks.Select(c => c.Sha256).ToList();
        var movedShas = await db.Set<StoredChunk>().Where(c => shas.Contains(c.Sha256) && c.PackId == sealedPack.Pack.Id).Select(c => c.Sha256).ToListAsync(ct);
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(1);
        foreach (var sha in movedShas)
            foreach (var key in StorageKeys.AllFor(sha))
                await store.DeleteIfStaleAsync(key, cutoff, ct);
        chunks.Clear();
        return (movedShas.Count, sealedPack.Pack.Length);
    }
}
