using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Outbox;

public sealed record OutboxBacklog(int Pending, int Due, int InFlight, int Failed);

/// <summary>
/// Keeps outbox schedules alive when the job queue loses them (the embedded queue lives in memory):
/// at start-up every pending operation is scheduled again at its own nextAttemptAt, and a recurring
/// sweep queues whatever is due and takes back attempts whose worker died (expired lease).
/// </summary>
public sealed class OutboxSweeper(CatalystDbContext db, IDeliveryQueue queue, TimeProvider time)
{
    /// <summary>Queues due operations and frees expired leases; answers how many were queued.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        await ReleaseExpiredLeasesAsync(now, ct);
        var due = await db.Set<SyncOperation>().AsNoTracking()
            .Where(o => o.Status == SyncOperationStatus.Pending && (o.NextAttemptAt == null || o.NextAttemptAt <= now))
            .OrderBy(o => o.NextAttemptAt).Select(o => o.Id).Take(1000).ToListAsync(ct);
        foreach (var id in due)
            queue.Enqueue(id);
        return due.Count;
    }

    /// <summary>Start-up: every pending operation gets its appointment back, due ones at once.</summary>
    public async Task<int> RecoverAsync(CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        await ReleaseExpiredLeasesAsync(now, ct);
        var pending = await db.Set<SyncOperation>().AsNoTracking()
            .Where(o => o.Status == SyncOperationStatus.Pending)
            .Select(o => new { o.Id, o.NextAttemptAt }).ToListAsync(ct);
        foreach (var op in pending)
        {
            if (op.NextAttemptAt is { } at && at > now)
                queue.Schedule(op.Id, new DateTimeOffset(at, TimeSpan.Zero));
            else
                queue.Enqueue(op.Id);
        }
        return pending.Count;
    }

    public async Task<OutboxBacklog> BacklogAsync(CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var counts = await db.Set<SyncOperation>().AsNoTracking()
            .Where(o => o.Status != SyncOperationStatus.Succeeded)
            .GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var due = await db.Set<SyncOperation>().CountAsync(o => o.Status == SyncOperationStatus.Pending && (o.NextAttemptAt == null || o.NextAttemptAt <= now), ct);
        int Of(SyncOperationStatus s) => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0;
        return new OutboxBacklog(Of(SyncOperationStatus.Pending), due, Of(SyncOperationStatus.InFlight), Of(SyncOperationStatus.Failed));
    }

    private Task<int> ReleaseExpiredLeasesAsync(DateTime now, CancellationToken ct) =>
        db.Set<SyncOperation>().Where(o => o.Status == SyncOperationStatus.InFlight && o.LockedUntil < now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, SyncOperationStatus.Pending)
                .SetProperty(o => o.LockedUntil, (DateTime?)null)
                .SetProperty(o => o.NextAttemptAt, now), ct);
}
