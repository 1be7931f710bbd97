using Catalyst.Data.Observability;
using Hangfire;

namespace Catalyst.Workers.Hosting;

/// <summary>The job queue's counts from Hangfire's monitoring API, for the admin System page.</summary>
public sealed class HangfireQueueMonitor(JobStorage storage) : IJobQueueMonitor
{
    public JobQueueCounts Counts()
    {
        var stats = storage.GetMonitoringApi().GetStatistics();
        return new JobQueueCounts(stats.Enqueued, stats.Scheduled, stats.Processing, stats.Failed, stats.Servers);
    }
}
