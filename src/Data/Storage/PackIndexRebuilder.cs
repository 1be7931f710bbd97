using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

public sealed record IndexRebuildResult(int Packs, int ChunksAdded, int ChunksRelocated, int ChunksKept, IReadOnlyList<string> Problems);

/// <summary>
/// Rebuilds the chunk index from the packs alone (<c>rebuild-index</c>): every pack in the store is
/// read from its trailer (<see cref="PackFormat"/>), its row recorded, and each chunk it lists
/// indexed there unless the index already names a place that exists. Loose objects (the layout
/// before packs) carry no trailer and are left as the index has them.
/// </summary>
public sealed class PackIndexRebuilder(CatalystDbContext db, IBlobStore store, TimeProvider time)
{
    public async Task<IndexRebuildResult> RebuildAsync(IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var packs = new List<BlobStoreItem>();
        await foreach (var item in store.ListAsync(ct))
            if (StorageKeys.IsPack(item.Key))
                packs.Add(item);
        var livePacks = packs.Select(p => StorageKeys.PackIdOf(p.Key)).ToHashSet(StringComparer.Ordinal);
        int added = 0, relocated = 0, kept = 0, done = 0;
        var problems = new List<string>();
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var item in packs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var id = StorageKeys.PackIdOf(item.Key);
            List<PackEntry> entries;
            try
            {
                entries = await ReadEntriesAsync(item, ct);
            }
            catch (InvalidDataException ex)
            {
                problems.Add($"{item.Key}: {ex.Message}");
                continue;
            }
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (!await db.Set<StoredPack>().AnyAsync(p => p.Id == id, ct))
                await BulkInsert.InsertAsync(db, [new StoredPack { Id = id, Length = item.Length, ChunkCount = entries.Count, CreatedAt = item.LastModified }], ct);
            var shas = entries.Select(e => e.Sha256).ToList();
            var existing = await db.Set<StoredChunk>().AsNoTracking().Where(c => shas.Contains(c.Sha256)).ToDictionaryAsync(c => c.Sha256, ct);
            foreach (var entry in entries)
            {
                if (existing.TryGetValue(entry.Sha256, out var row))
                {
                    if (row.PackId is null || livePacks.Contains(row.PackId))
                    {
                        kept++;
                        continue;
                    }
                    // The index names a pack that is gone: this one holds the chunk too.
                    await db.Set<StoredChunk>().Where(c => c.Sha256 == entry.Sha256).ExecuteUpdateAsync(s => s
                        .SetProperty(c => c.PackId, id).SetProperty(c => c.PackOffset, entry.Offset)
                        .SetProperty(c => c.Codec, entry.Codec).SetProperty(c => c.StoredLength, entry.StoredLength), ct);
                    existing[entry.Sha256] = new StoredChunk { Sha256 = entry.Sha256, PackId = id };
                    relocated++;
                    continue;
                }
                await BulkInsert.InsertAsync(db, [new StoredChunk
                {
                    Sha256 = entry.Sha256, Length = entry.Length, StoredLength = entry.StoredLength, Codec = entry.Codec,
                    PackId = id, PackOffset = entry.Offset, CreatedAt = item.LastModified, LastUsedAt = now,
                }], ct);
                existing[entry.Sha256] = new StoredChunk { Sha256 = entry.Sha256, PackId = id };
                added++;
            }
            await transaction.CommitAsync(ct);
            progress?.Report((++done, packs.Count));
        }
        return new IndexRebuildResult(packs.Count, added, relocated, kept, problems);
    }

    private async Task<List<PackEntry>> ReadEntriesAsync(BlobStoreItem pack, CancellationToken ct)
    {
        if (pack.Length < PackFormat.HeaderLength + PackFormat.FooterLength)
            throw new InvalidDataException("Too short to be a pack.");
        var footer = new byte[PackFormat.FooterLength];
        if (await store.ReadRangeAsync(pack.Key, pack.Length - footer.Length, footer, ct) != footer.Length)
            throw new InvalidDataException("The pack could not be read.");
        var trailer = new byte[PackFormat.TrailerLength(footer, pack.Length)];
        if (await store.ReadRangeAsync(pack.Key, pack.Length - footer.Length - trailer.Length, trailer, ct) != trailer.Length)
            throw new InvalidDataException("The pack's trailer could not be read.");
        return PackFormat.ParseEntries(trailer, pack.Length);
    }
}
