using System.Data.Common;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Storage;

/// <summary>A chunk just cut from a payload: its hash and its bytes (owned by the caller until written).</summary>
public readonly record struct PendingChunk(string Sha256, ReadOnlyMemory<byte> Data);

/// <summary>
/// Makes a batch of chunks durable exactly once each: chunks already indexed are touched (so
/// garbage collection spares them), new ones are compressed, written to the blob store and then
/// indexed. Uses its own unit of work so it can run beside the request that feeds it.
/// </summary>
public sealed class ChunkWriter(IServiceScopeFactory scopes, IBlobStore store, TimeProvider time)
{
    public async Task WriteAsync(IReadOnlyList<PendingChunk> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
            return;
        var unique = new Dictionary<string, PendingChunk>(StringComparer.Ordinal);
        foreach (var chunk in batch)
            unique.TryAdd(chunk.Sha256, chunk);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var keys = unique.Keys.ToList();

        var known = await db.Set<StoredChunk>().Where(c => keys.Contains(c.Sha256)).Select(c => c.Sha256).ToListAsync(ct);
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

        var missing = keys.Except(known, StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
            return;

        var rows = new StoredChunk[missing.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, missing.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (i, token) =>
            {
                var chunk = unique[missing[i]];
                var (codec, stored) = ChunkCompression.Encode(chunk.Data);
                await store.EnsureAsync(chunk.Sha256, stored, token);
                rows[i] = new StoredChunk
                {
                    Sha256 = chunk.Sha256,
                    Length = chunk.Data.Length,
                    StoredLength = stored.Length,
                    Codec = codec,
                    CreatedAt = now,
                    LastUsedAt = now,
                };
            });

        try
        {
            await BulkInsert.InsertAsync(db, rows, ct);
        }
        catch (DbException)
        {
            // A concurrent writer indexed some of the same chunks: index the rest one by one.
            foreach (var row in rows)
            {
                if (await db.Set<StoredChunk>().Where(c => c.Sha256 == row.Sha256)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), ct) > 0)
                    continue;
                try
                {
                    await BulkInsert.InsertAsync(db, [row], ct);
                }
                catch (DbException)
                {
                    if (!await db.Set<StoredChunk>().AnyAsync(c => c.Sha256 == row.Sha256, ct))
                        throw;
                }
            }
        }
    }
}
