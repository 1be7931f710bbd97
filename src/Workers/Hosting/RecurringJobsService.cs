using Catalyst.Data.Storage;
using Catalyst.Data.Search;
using Catalyst.Data.Uploads;
using Catalyst.Data.Jobs;
using Catalyst.Workers.Jobs;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Workers.Hosting;

/// <summary>
/// Housekeeping on a schedule (SPEC §9): blob garbage collection, cold-chunk recompression, expired-upload cleanup and
/// search-index verification, each occurrence recorded as a JobRun; and the outbox sweep every minute, which records
/// nothing (its state is the outbox). Schedules are cron expressions under
/// <c>Catalyst:Jobs:Schedules:&lt;kind&gt;</c>; "never" turns one off.
/// </summary>
public sealed class RecurringJobsService(IRecurringJobManager recurring, IConfiguration configuration, ILogger<RecurringJobsService> logger) : IHostedService
{
    private static readonly Dictionary<string, string> Defaults = new()
    {
        [StorageGarbageCollectionJob.Kind] = "17 3 * * *",
        [UploadCleanupJob.Kind] = "7 * * * *",
        [StorageRecompressionJob.Kind] = "47 * * * *",
        [SearchVerificationJob.Kind] = "37 4 * * *",
    };

    public const string OutboxSweep = "outbox-sweep";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var sweep = configuration[$"Catalyst:Jobs:Schedules:{OutboxSweep}"] ?? "* * * * *";
        if (string.Equals(sweep, "never", StringComparison.OrdinalIgnoreCase))
            recurring.RemoveIfExists(OutboxSweep);
        else
            recurring.AddOrUpdate<OutboxJobs>(OutboxSweep, jobs => jobs.SweepAsync(CancellationToken.None), sweep);

        foreach (var (kind, fallback) in Defaults)
        {
            var cron = configuration[$"Catalyst:Jobs:Schedules:{kind}"] ?? fallback;
            if (string.Equals(cron, "never", StringComparison.OrdinalIgnoreCase))
                recurring.RemoveIfExists(kind);
            else
                recurring.AddOrUpdate<JobRunner>(kind, runner => runner.RunScheduledAsync(kind, CancellationToken.None), cron);
            logger.LogInformation("Recurring job {Kind}: {Schedule}", kind, cron);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
