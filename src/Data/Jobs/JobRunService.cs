using System.Text.Json;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Jobs;

public sealed record JobRunQuery(string? Kind = null, JobRunStatus? Status = null);

/// <summary>Starts, lists, cancels and retries JobRuns; the portal, the API and the CLI all come through here.</summary>
public sealed class JobRunService(CatalystDbContext db, IJobQueue queue, AuditLog audit, JobCatalog catalog)
{
    /// <param name="prepare">Runs after the JobRun row exists and before the job is queued (e.g. to hold its input file).</param>
    public async Task<JobRun> StartAsync(Actor actor, string kind, object? input, CancellationToken ct, Func<Guid, Task>? prepare = null)
    {
        if (!catalog.Contains(kind))
            throw ValidationFailedException.For("kind", $"Unknown job kind '{kind}'.");
        var run = new JobRun
        {
            Id = Guid.CreateVersion7(),
            Kind = kind,
            Status = JobRunStatus.Queued,
            RequestedById = actor.UserId,
            Input = input is null ? null : JsonSerializer.Serialize(input, JsonSerializerOptions.Web),
            Attempts = 1,
        };
        db.JobRuns.Add(run);
        if (actor.IsAdmin)
            audit.Record(actor, "job.start", nameof(JobRun), run.Id, new { kind });
        // The run and what it holds (an input file, charged to the requester's quota) commit together or not at all.
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            if (prepare is not null)
                await prepare(run.Id);
            await tx.CommitAsync(ct);
        }
        await EnqueueAsync(run, ct);
        return run;
    }

    /// <summary>A run started by the schedule (no requester, visible to admins); the caller runs it at once.</summary>
    public async Task<JobRun> CreateScheduledAsync(string kind, object? input, CancellationToken ct)
    {
        var run = new JobRun
        {
            Id = Guid.CreateVersion7(),
            Kind = kind,
            Status = JobRunStatus.Queued,
            Input = input is null ? null : JsonSerializer.Serialize(input, JsonSerializerOptions.Web),
            Attempts = 1,
        };
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(ct);
        return run;
    }

    public async Task<Page<JobRun>> ListAsync(Actor actor, JobRunQuery query, PageRequest page, CancellationToken ct)
    {
        var runs = Visible(actor);
        if (!string.IsNullOrWhiteSpace(query.Kind))
            runs = runs.Where(r => r.Kind == query.Kind);
        if (query.Status is { } status)
            runs = runs.Where(r => r.Status == status);
        var total = await runs.CountAsync(ct);
        var items = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<JobRun>(items, page.Page, page.PageSize, total);
    }

    public async Task<JobRun> GetAsync(Actor actor, Guid id, CancellationToken ct) =>
        await Visible(actor).FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("Job");

    public async Task<JobRun> CancelAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var run = await db.JobRuns.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null || !(actor.IsAdmin || run.RequestedById == actor.UserId))
            throw new NotFoundException("Job");
        if (run.IsFinished)
            throw new ConflictException("job_finished", $"The job has already {run.Status.ToString().ToLowerInvariant()}.");
        run.CancelRequested = true;
        if (run.Status == JobRunStatus.Queued)
        {
            // Not started yet: it will never start, so it is canceled now.
            run.Status = JobRunStatus.Canceled;
            run.FinishedAt = DateTime.UtcNow;
        }
        if (actor.IsAdmin)
            audit.Record(actor, "job.cancel", nameof(JobRun), run.Id);
        await db.SaveChangesAsync(ct);
        if (run.HangfireJobId is { } queued)
            queue.Cancel(queued);
        return run;
    }

    public async Task<JobRun> RetryAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var run = await db.JobRuns.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null || !(actor.IsAdmin || run.RequestedById == actor.UserId))
            throw new NotFoundException("Job");
        if (run.Status is not (JobRunStatus.Failed or JobRunStatus.Canceled))
            throw new ConflictException("job_not_retryable", "Only a failed or canceled job can be retried.");
        Reset(run);
        if (actor.IsAdmin)
            audit.Record(actor, "job.retry", nameof(JobRun), run.Id);
        await db.SaveChangesAsync(ct);
        await EnqueueAsync(run, ct);
        return run;
    }

    /// <summary>
    /// Start-up recovery (SPEC §9): any run still queued or running whose queue job no longer
    /// exists (the in-memory queue forgot it) is queued again, or failed after too many attempts.
    /// </summary>
    public async Task<(int Requeued, int Failed)> RecoverAsync(int maxAttempts, CancellationToken ct)
    {
        var open = await db.JobRuns
            .Where(r => r.Status == JobRunStatus.Queued || r.Status == JobRunStatus.Running)
            .ToListAsync(ct);
        int requeued = 0, failed = 0;
        foreach (var run in open)
        {
            if (run.HangfireJobId is { } id && queue.IsAlive(id))
                continue;
            if (run.CancelRequested)
            {
                run.Status = JobRunStatus.Canceled;
                run.FinishedAt = DateTime.UtcNow;
                await db.SaveChangesAsync(ct);
            }
            else if (run.Attempts >= maxAttempts)
            {
                run.Status = JobRunStatus.Failed;
                run.Error = $"The job was interrupted by a restart {run.Attempts} times and was not started again.";
                run.FinishedAt = DateTime.UtcNow;
                await db.SaveChangesAsync(ct);
                failed++;
            }
            else
            {
                Reset(run);
                await db.SaveChangesAsync(ct);
                await EnqueueAsync(run, ct);
                requeued++;
            }
        }
        return (requeued, failed);
    }

    private static void Reset(JobRun run)
    {
        run.Status = JobRunStatus.Queued;
        run.Attempts++;
        run.Error = null;
        run.Result = null;
        run.ProgressDone = 0;
        run.ProgressTotal = null;
        run.CancelRequested = false;
        run.StartedAt = null;
        run.FinishedAt = null;
    }

    private async Task EnqueueAsync(JobRun run, CancellationToken ct)
    {
        run.HangfireJobId = queue.Enqueue(run.Id);
        await db.SaveChangesAsync(ct);
    }

    private IQueryable<JobRun> Visible(Actor actor) =>
        actor.IsAdmin ? db.JobRuns.AsNoTracking() : db.JobRuns.AsNoTracking().Where(r => r.RequestedById == actor.UserId);
}
