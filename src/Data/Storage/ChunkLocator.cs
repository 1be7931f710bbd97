using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Storage;

/// <summary>
/// Where a chunk's stored bytes are now, from the chunk index: a reader whose cached index names
/// a pack that pruning or recompression has since replaced asks here and reads again.
/// </summary>
public sealed class ChunkLocator(IServiceScopeFactory scopes)
{
    public async Task<BlobReadStream.Segment?> LocateAsync(BlobReadStream.Segment segment, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        var row = await db.Set<StoredChunk>().AsNoTracking().Where(c => c.Sha256 == segment.Sha256)
            .Select(c => new { c.Codec, c.StoredLength, c.PackId, c.PackOffset }).FirstOrDefaultAsync(ct);
        return row is null ? null : segment with { Codec = row.Codec, StoredLength = row.StoredLength, PackId = row.PackId, PackOffset = row.PackOffset };
    }
}
