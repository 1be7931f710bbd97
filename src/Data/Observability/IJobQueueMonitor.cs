namespace Catalyst.Data.Observability;

public sealed record JobQueueCounts(long Enqueued, long Scheduled, long Processing, long Failed, long Servers);

/// <summary>How busy the job queue is; Hangfire implements it in src/Workers.</summary>
public interface IJobQueueMonitor
{
    JobQueueCounts Counts();
}
