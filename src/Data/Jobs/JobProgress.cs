using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Jobs;

/// <summary>
/// How a running job reports progress and learns it was canceled. Writes go straight to the
/// JobRun row (not through the job's own unit of work) at most a few times a second.
/// </summary>
public sealed class JobProgress(CatalystDbContext db, TimeProvider time)
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;

    /// <summary>Records done/total; throws <see cref="OperationCanceledException"/> when a cancel was requested.</summary>
    public async Task ReportAsync(Guid jobRunId, long done, long? total, CancellationToken ct, bool force = false)
    {
        ct.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        if (!force && now - _lastWrite < MinInterval)
            return;
        _lastWrite = now;
        await db.JobRuns.Where(r => r.Id == jobRunId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ProgressDone, done).SetProperty(r => r.ProgressTotal, total)
                .SetProperty(r => r.UpdatedAt, now.UtcDateTime), ct);
        var canceled = await db.JobRuns.AsNoTracking().Where(r => r.Id == jobRunId).Select(r => r.CancelRequested).FirstOrDefaultAsync(ct);
        if (canceled)
            throw new OperationCanceledException("The job was canceled.");
    }
}
