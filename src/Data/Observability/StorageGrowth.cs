using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Observability;

/// <summary>How fast the store grows: the bytes of the chunks written in each minute of a window (after compression).</summary>
public sealed class StorageGrowth(CatalystDbContext db, TimeProvider time)
{
    public async Task<IReadOnlyList<long>> PhysicalBytesPerMinuteAsync(int minutes, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var end = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(1);
        var start = end.AddMinutes(-minutes);
        var chunks = await db.Set<StoredChunk>().AsNoTracking().Where(c => c.CreatedAt >= start)
            .Select(c => new { c.CreatedAt, c.StoredLength }).ToListAsync(ct);
        var perMinute = new long[minutes];
        foreach (var chunk in chunks)
        {
            var index = (int)((chunk.CreatedAt - start).Ticks / TimeSpan.TicksPerMinute);
            if (index >= 0 && index < minutes)
                perMinute[index] += chunk.StoredLength;
        }
        return perMinute;
    }
}
