using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

/// <summary>Objects counts packs and loose chunks (the layout before packs) alike.</summary>
public sealed record StoreCopyResult(int Objects, int Copied, int AlreadyPresent, long BytesCopied, IReadOnlyList<string> Problems, bool Resumed)
{
    public bool Complete => Problems.Count == 0;
}

/// <summary>
/// Copies every object the index names from one blob store to another (a FileSystem store moving
/// to Azure, say): each pack, then each loose chunk, in key order. Every chunk an object holds is
/// read from the source and checked against its hash before the object is written, and read back
/// from the target and checked again after. Objects the target already has are skipped, and the
/// last object done is kept in a checkpoint file, so a stopped copy starts again where it was.
/// Orphan objects (no index row) are not copied.
/// </summary>
public sealed class StoreCopier(CatalystDbContext db)
{
    private const int Page = 64;
    private const string PackMark = "pack:";
    private const string LooseMark = "loose:";

    public async Task<StoreCopyResult> CopyAsync(IBlobStore source, IBlobStore target, string checkpointFile, bool verifyExisting,
        IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var total = await db.Set<StoredPack>().CountAsync(ct) + await db.Set<StoredChunk>().CountAsync(c => c.PackId == null, ct);
        var checkpoint = File.Exists(checkpointFile) ? (await File.ReadAllTextAsync(checkpointFile, ct)).Trim() : "";
        var resumed = checkpoint.Length > 0;
        var afterPack = checkpoint.StartsWith(PackMark, StringComparison.Ordinal) ? checkpoint[PackMark.Length..] : null;
        var afterLoose = checkpoint.StartsWith(LooseMark, StringComparison.Ordinal) ? checkpoint[LooseMark.Length..] : null;
        var packsDone = afterLoose is not null;
        var done = 0;
        if (afterPack is not null)
            done = await db.Set<StoredPack>().CountAsync(p => p.Id.CompareTo(afterPack) <= 0, ct);
        else if (afterLoose is not null)
            done = await db.Set<StoredPack>().CountAsync(ct) + await db.Set<StoredChunk>().CountAsync(c => c.PackId == null && c.Sha256.CompareTo(afterLoose) <= 0, ct);
        int copied = 0, present = 0;
        long bytes = 0;
        var problems = new List<string>();
        progress?.Report((done, total));

        void Count(Outcome outcome)
        {
            lock (problems)
            {
                if (outcome.Problems.Count > 0) problems.AddRange(outcome.Problems);
                else if (outcome.Copied) { copied++; bytes += outcome.Bytes; }
                else present++;
            }
        }

        while (!packsDone)
        {
            var query = db.Set<StoredPack>().AsNoTracking();
            if (afterPack is not null)
                query = query.Where(p => p.Id.CompareTo(afterPack) > 0);
            var page = await query.OrderBy(p => p.Id).Select(p => p.Id).Take(Page).ToListAsync(ct);
            if (page.Count == 0)
                break;
            var chunks = (await db.Set<StoredChunk>().AsNoTracking().Where(c => page.Contains(c.PackId!)).ToListAsync(ct)).ToLookup(c => c.PackId!);
            // Several objects at once: a remote store's latency, not its bandwidth, bounds one at a time.
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (id, token) =>
                Count(await CopyOneAsync(source, target, StorageKeys.Pack(id), [.. chunks[id]], verifyExisting, token)));
            done += page.Count;
            afterPack = page[^1];
            await File.WriteAllTextAsync(checkpointFile, PackMark + afterPack, ct);
            progress?.Report((done, total));
        }

        while (true)
        {
            var query = db.Set<StoredChunk>().AsNoTracking().Where(c => c.PackId == null);
            if (afterLoose is not null)
                query = query.Where(c => c.Sha256.CompareTo(afterLoose) > 0);
            var page = await query.OrderBy(c => c.Sha256).Take(Page * 4).ToListAsync(ct);
            if (page.Count == 0)
                break;
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (chunk, token) =>
                Count(await CopyOneAsync(source, target, StorageKeys.For(chunk.Sha256, chunk.Codec), [chunk], verifyExisting, token)));
            done += page.Count;
            afterLoose = page[^1].Sha256;
            await File.WriteAllTextAsync(checkpointFile, LooseMark + afterLoose, ct);
            progress?.Report((done, total));
        }
        if (problems.Count == 0)
            File.Delete(checkpointFile); // the next run checks everything again (cheaply: the target has it all)
        return new StoreCopyResult(total, copied, present, bytes, problems, resumed);
    }

    private sealed record Outcome(bool Copied, long Bytes, IReadOnlyList<string> Problems);

    /// <summary>Problems with the chunks of <paramref name="bytes"/> (a pack or a loose object), one line per chunk.</summary>
    private static List<string> Check(byte[] bytes, IReadOnlyList<StoredChunk> chunks, string where)
    {
        var problems = new List<string>();
        foreach (var chunk in chunks)
        {
            var offset = chunk.PackId is null ? 0 : chunk.PackOffset;
            var length = chunk.PackId is null ? bytes.Length : chunk.StoredLength;
            if (offset < 0 || offset + length > bytes.Length)
                problems.Add($"chunk {chunk.Sha256}: outside its object {where}");
            else if (ChunkCompression.Check(chunk.Sha256, chunk.Codec, chunk.Length, bytes.AsSpan((int)offset, length).ToArray()) is { } problem)
                problems.Add($"chunk {chunk.Sha256}: {problem} {where}");
        }
        return problems;
    }

    private static async Task<Outcome> CopyOneAsync(IBlobStore source, IBlobStore target, string key, IReadOnlyList<StoredChunk> chunks,
        bool verifyExisting, CancellationToken ct)
    {
        if (await target.ExistsAsync(key, ct))
        {
            if (!verifyExisting)
                return new Outcome(false, 0, []);
            var existing = await target.ReadAsync(key, ct);
            if (existing is not null && Check(existing, chunks, "").Count == 0)
                return new Outcome(false, 0, []);
            // A damaged copy from an earlier run: write it again below.
        }
        var stored = await source.ReadAsync(key, ct);
        if (stored is null)
            return new Outcome(false, 0, [$"{key}: missing from the {source.Name} store (not copied; chunks {string.Join(", ", chunks.Select(c => c.Sha256))})"]);
        if (Check(stored, chunks, $"in {key} in the {source.Name} store (not copied)") is { Count: > 0 } problems)
            return new Outcome(false, 0, problems);
        await target.EnsureAsync(key, stored, ct);
        var back = await target.ReadAsync(key, ct);
        if (back is null || Check(back, chunks, "").Count > 0)
            return new Outcome(false, 0, [$"{key}: read back from the {target.Name} store does not match"]);
        return new Outcome(true, stored.Length, []);
    }
}
