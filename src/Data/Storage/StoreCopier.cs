using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

public sealed record StoreCopyResult(int Chunks, int Copied, int AlreadyPresent, long BytesCopied, IReadOnlyList<string> Problems, bool Resumed)
{
    public bool Complete => Problems.Count == 0;
}

/// <summary>
/// Copies every chunk object the index names from one blob store to another (a FileSystem store
/// moving to Azure, say), in key order: each object is read from the source and checked against
/// its hash before it is written, and read back from the target and checked again after.
/// Objects the target already has are skipped, and the last key done is kept in a checkpoint
/// file, so a stopped copy starts again where it was. Orphan objects (no index row) are not copied.
/// </summary>
public sealed class StoreCopier(CatalystDbContext db)
{
    private const int Page = 256;

    public async Task<StoreCopyResult> CopyAsync(IBlobStore source, IBlobStore target, string checkpointFile, bool verifyExisting,
        IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var total = await db.Set<StoredChunk>().CountAsync(ct);
        var after = File.Exists(checkpointFile) ? (await File.ReadAllTextAsync(checkpointFile, ct)).Trim() : null;
        var resumed = after is { Length: > 0 };
        var done = resumed ? await db.Set<StoredChunk>().CountAsync(c => c.Sha256.CompareTo(after) <= 0, ct) : 0;
        int copied = 0, present = 0;
        long bytes = 0;
        var problems = new List<string>();
        progress?.Report((done, total));
        while (true)
        {
            var query = db.Set<StoredChunk>().AsNoTracking();
            if (after is { Length: > 0 })
                query = query.Where(c => c.Sha256.CompareTo(after) > 0);
            var page = await query.OrderBy(c => c.Sha256).Select(c => new { c.Sha256, c.Codec, c.Length }).Take(Page).ToListAsync(ct);
            if (page.Count == 0)
                break;
            // Several objects at once: a remote store's latency, not its bandwidth, bounds one at a time.
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (chunk, token) =>
            {
                var key = StorageKeys.For(chunk.Sha256, chunk.Codec);
                var outcome = await CopyOneAsync(source, target, key, chunk.Sha256, chunk.Codec, chunk.Length, verifyExisting, token);
                lock (problems)
                {
                    switch (outcome)
                    {
                        case { Problem: { } problem }: problems.Add($"chunk {chunk.Sha256}: {problem}"); break;
                        case { Copied: true }: copied++; bytes += outcome.Bytes; break;
                        default: present++; break;
                    }
                }
            });
            done += page.Count;
            after = page[^1].Sha256;
            await File.WriteAllTextAsync(checkpointFile, after, ct);
            progress?.Report((done, total));
        }
        if (problems.Count == 0)
            File.Delete(checkpointFile); // the next run checks everything again (cheaply: the target has it all)
        return new StoreCopyResult(total, copied, present, bytes, problems, resumed);
    }

    private sealed record Outcome(bool Copied, long Bytes, string? Problem);

    private static async Task<Outcome> CopyOneAsync(IBlobStore source, IBlobStore target, string key, string sha256, ChunkCodec codec, int length,
        bool verifyExisting, CancellationToken ct)
    {
        if (await target.ExistsAsync(key, ct))
        {
            if (!verifyExisting)
                return new Outcome(false, 0, null);
            var existing = await target.ReadAsync(key, ct);
            if (existing is not null && ChunkCompression.Check(sha256, codec, length, existing) is null)
                return new Outcome(false, 0, null);
            // A damaged copy from an earlier run: write it again below.
        }
        var stored = await source.ReadAsync(key, ct);
        if (stored is null)
            return new Outcome(false, 0, $"missing from the {source.Name} store (not copied)");
        if (ChunkCompression.Check(sha256, codec, length, stored) is { } problem)
            return new Outcome(false, 0, $"{problem} in the {source.Name} store (not copied)");
        await target.EnsureAsync(key, stored, ct);
        var back = await target.ReadAsync(key, ct);
        if (back is null || ChunkCompression.Check(sha256, codec, length, back) is { } after)
            return new Outcome(false, 0, $"read back from the {target.Name} store does not match");
        return new Outcome(true, stored.Length, null);
    }
}
