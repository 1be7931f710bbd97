using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Jobs;
using Catalyst.Data.Observability;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Workers.Jobs;

/// <summary>
/// The one entry point the job queue calls. It moves a JobRun through running → succeeded /
/// failed / canceled around the <see cref="IJob"/> registered for its kind, and does nothing for
/// a run that is already finished, so a duplicate delivery by the queue is harmless.
/// </summary>
public sealed class JobRunner(CatalystDbContext db, IServiceProvider services, TimeProvider time, ILogger<JobRunner> logger)
{
    // Retries are the JobRun's business (SPEC §9), not Hangfire's.
    [Hangfire.AutomaticRetry(Attempts = 0)]
    [Hosting.JobRunTitle]
    public async Task RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var run = await db.JobRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == jobRunId, ct);
        if (run is null || run.IsFinished)
            return;
        if (run.CancelRequested)
        {
            await FinishAsync(jobRunId, JobRunStatus.Canceled, null, null, CancellationToken.None);
            return;
        }

        var job = services.GetKeyedService<IJob>(run.Kind);
        if (job is null)
        {
            await FinishAsync(jobRunId, JobRunStatus.Failed, null, $"No job is registered for kind '{run.Kind}'.", CancellationToken.None);
            return;
        }

        using var activity = CatalystTelemetry.Jobs.StartActivity("job " + run.Kind, System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("catalyst.job.kind", run.Kind);
        activity?.SetTag("catalyst.job.run_id", jobRunId.ToString());
        var startedAt = time.GetUtcNow().UtcDateTime;
        await db.JobRuns.Where(r => r.Id == jobRunId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, JobRunStatus.Running)
            .SetProperty(r => r.StartedAt, startedAt)
            .SetProperty(r => r.UpdatedAt, startedAt), ct);
        logger.LogInformation("Job {JobRunId} ({Kind}) started, attempt {Attempt}", jobRunId, run.Kind, run.Attempts);

        try
        {
            var result = await job.RunAsync(jobRunId, ct);
            var json = result is null ? null : JsonSerializer.Serialize(result, JsonSerializerOptions.Web);
            await FinishAsync(jobRunId, JobRunStatus.Succeeded, json, null, CancellationToken.None);
            Measure(run.Kind, JobRunStatus.Succeeded, startedAt);
            logger.LogInformation("Job {JobRunId} ({Kind}) succeeded", jobRunId, run.Kind);
        }
        catch (OperationCanceledException)
        {
            if (await IsCancelRequestedAsync(jobRunId))
            {
                await FinishAsync(jobRunId, JobRunStatus.Canceled, null, null, CancellationToken.None);
                Measure(run.Kind, JobRunStatus.Canceled, startedAt);
                logger.LogInformation("Job {JobRunId} ({Kind}) canceled", jobRunId, run.Kind);
                return;
            }
            // The process is shutting down: the run stays "running" and start-up recovery
            // (or the queue's own requeue) picks it up again.
            logger.LogWarning("Job {JobRunId} ({Kind}) interrupted by shutdown", jobRunId, run.Kind);
            throw;
        }
#pragma warning disable CA1031 // A job's failure of any kind is the run's result: logged, recorded as Failed, never rethrown into Hangfire.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The detail goes to the log under the run's id; the run itself keeps a sentence naming that id.
            logger.LogError(ex, "Job {JobRunId} ({Kind}) failed", jobRunId, run.Kind);
            await FinishAsync(jobRunId, JobRunStatus.Failed, null, Truncate(JobErrors.ForUser(ex, jobRunId), 4000), CancellationToken.None);
            Measure(run.Kind, JobRunStatus.Failed, startedAt);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
        }
    }

    private void Measure(string kind, JobRunStatus status, DateTime startedAt)
    {
        var tags = new[] { new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()) };
        CatalystTelemetry.JobRuns.Add(1, tags);
        CatalystTelemetry.JobDuration.Record((time.GetUtcNow().UtcDateTime - startedAt).TotalSeconds, tags);
    }

    /// <summary>Entry point of recurring jobs: records a JobRun for this occurrence and runs it here.</summary>
    [Hangfire.AutomaticRetry(Attempts = 0)]
    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 60)]
    [Hosting.JobRunTitle]
    public async Task RunScheduledAsync(string kind, CancellationToken ct)
    {
        var run = await services.GetRequiredService<JobRunService>().CreateScheduledAsync(kind, null, ct);
        await RunAsync(run.Id, ct);
    }

    private async Task<bool> IsCancelRequestedAsync(Guid jobRunId) =>
        await db.JobRuns.AsNoTracking().Where(r => r.Id == jobRunId).Select(r => r.CancelRequested).FirstOrDefaultAsync();

    /// <summary>
    /// Records the outcome. A finished run no longer needs the files it was given (an import's backup),
    /// so their references, and the requester's quota they were charged to, are released with it; a
    /// retry finds them while garbage collection's grace period lasts.
    /// </summary>
    private async Task FinishAsync(Guid jobRunId, JobRunStatus status, string? result, string? error, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Whatever a failed job left tracked in this scope's context was rolled back and must not be saved now.
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await ContentStore.RemoveReferencesAsync(db, time, BlobOwnerTypes.JobInput, jobRunId.ToString(), ct);
        await db.SaveChangesAsync(ct);
        await db.JobRuns.Where(r => r.Id == jobRunId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.Result, result)
            .SetProperty(r => r.Error, error)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.UpdatedAt, now)
            .SetProperty(r => r.ProgressDone, r => status == JobRunStatus.Succeeded && r.ProgressTotal != null ? r.ProgressTotal.Value : r.ProgressDone), ct);
        await tx.CommitAsync(ct);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
