using System.Data.Common;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Storage;

/// <summary>A chunk just cut from a payload: its hash and its bytes (owned by the caller until written).</summary>
public readonly record struct PendingChunk(string Sha256, ReadOnlyMemory<byte> Data);

/// <summary>
/// Stores chunks exactly once each, in packs: chunks already indexed are touched (so garbage
/// collection spares them), new ones are compressed and appended to the writer's open pack
/// (<see cref="PackAppender"/>, one per writer). <see cref="SealAsync"/> commits the pack and only
/// then records its chunks in the index, in one transaction; it runs when the pack reaches
/// <see cref="StorageOptions.PackBytes"/> and whenever the writer needs its chunks durable.
/// Uses its own unit of work so it can run beside the request that feeds it.
/// </summary>
public sealed class ChunkWriter(IServiceScopeFactory scopes, IBlobStore store, TimeProvider time, Microsoft.Extensions.Options.IOptions<StorageOptions> options)
{
    public PackAppender OpenPack() => new(store);

    public async Task WriteAsync(IReadOnlyList<PendingChunk> batch, PackAppender pack, CancellationToken ct)
    {
        if (batch.Count == 0)
            return;
        var unique = new Dictionary<string, PendingChunk>(StringComparer.Ordinal);
        foreach (var chunk in batch)
            if (!pack.Contains(chunk.Sha256))
                unique.TryAdd(chunk.Sha256, chunk);
        if (unique.Count == 0)
            return;

        var now = time.GetUtcNow().UtcDateTime;
        var keys = unique.Keys.ToList();
        List<string> known;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
            known = await db.Set<StoredChunk>().Where(c => keys.Contains(c.Sha256)).Select(c => c.Sha256).ToListAsync(ct);
            if (known.Count > 0)
            {
                var touched = await db.Set<StoredChunk>().Where(c => known.Contains(c.Sha256))
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), ct);
                if (touched != known.Count)
                {
                    // Garbage collection removed some between our read and our touch: those are new again.
                    known = await db.Set<StoredChunk>().Where(c => known.Contains(c.Sha256)).Select(c => c.Sha256).ToListAsync(ct);
                }
            }
        }

        var missing = keys.Except(known, StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
            return;

        // Compression runs in parallel; the appends keep the payload's order.
        var encoded = new (ChunkCodec Codec, ReadOnlyMemory<byte> Stored)[missing.Count];
        Parallel.For(0, missing.Count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            i => encoded[i] = ChunkCompression.Encode(unique[missing[i]].Data));
        for (var i = 0; i < missing.Count; i++)
        {
            var chunk = unique[missing[i]];
            await pack.AppendAsync(chunk.Sha256, encoded[i].Codec, chunk.Data.Length, encoded[i].Stored, ct);
            if (pack.Length >= options.Value.PackBytes)
                await SealAsync(pack, ct);
        }
    }

    /// <summary>Commits the open pack and records its chunks in the index (nothing when no pack is open).</summary>
    public async Task SealAsync(PackAppender pack, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var sealedPack = await pack.SealAsync(now, ct);
        if (sealedPack is null)
            return;
        await using var scope = scopes.CreateAsyncScope();
        await RecordAsync(scope.ServiceProvider.GetRequiredService<CatalystDbContext>(), sealedPack, now, ct);
    }

    /// <summary>
    /// Records a sealed pack and its chunks in one transaction. A chunk a concurrent writer indexed
    /// meanwhile keeps its row (its bytes in this pack are dead, for pruning to reclaim).
    /// </summary>
    public static async Task RecordAsync(CatalystDbContext db, SealedPack sealedPack, DateTime now, CancellationToken ct)
    {
        var rows = sealedPack.Entries.Select(e => new StoredChunk
        {
            Sha256 = e.Sha256, Length = e.Length, StoredLength = e.StoredLength, Codec = e.Codec,
            PackId = sealedPack.Pack.Id, PackOffset = e.Offset, CreatedAt = now, LastUsedAt = now,
        }).ToList();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                await BulkInsert.InsertAsync(db, [sealedPack.Pack], ct);
                await BulkInsert.InsertAsync(db, rows, ct);
                await transaction.CommitAsync(ct);
                return;
            }
            catch (DbException)
            {
                await transaction.RollbackAsync(ct);
            }
        }
        // A concurrent writer indexed some of the same chunks: index the rest one by one.
        await using var retry = await db.Database.BeginTransactionAsync(ct);
        await BulkInsert.InsertAsync(db, [sealedPack.Pack], ct);
        foreach (var row in rows)
        {
            if (await db.Set<StoredChunk>().Where(c => c.Sha256 == row.Sha256)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), ct) > 0)
                continue;
            await BulkInsert.InsertAsync(db, [row], ct);
        }
        await retry.CommitAsync(ct);
    }
}
