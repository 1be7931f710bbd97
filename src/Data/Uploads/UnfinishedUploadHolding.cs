using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Uploads;

/// <summary>An unfinished upload holds its declared length of its owner's quota until it completes or is removed.</summary>
public sealed class UnfinishedUploadHolding(CatalystDbContext db) : IStorageHolding
{
    public async Task<IReadOnlyDictionary<Guid, long>> BytesByUserAsync(Guid? userId, CancellationToken ct)
    {
        var unfinished = db.Set<Upload>().AsNoTracking().Where(u => u.CompletedAt == null);
        if (userId is { } user)
            unfinished = unfinished.Where(u => u.OwnerId == user);
        return await unfinished.GroupBy(u => u.OwnerId).Select(g => new { g.Key, Bytes = g.Sum(u => u.Length) })
            .ToDictionaryAsync(g => g.Key, g => g.Bytes, ct);
    }
}
