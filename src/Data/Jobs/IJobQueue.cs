namespace Catalyst.Data.Jobs;

/// <summary>The job queue as the domain sees it; Hangfire implements it in src/Workers.</summary>
public interface IJobQueue
{
    /// <summary>Queues the run and returns the queue's own job id.</summary>
    string Enqueue(Guid jobRunId);

    /// <summary>Asks the queue to stop a job; the job also sees <see cref="JobRun.CancelRequested"/>.</summary>
    void Cancel(string queueJobId);

    /// <summary>Whether the queue still knows the job (and will run or is running it).</summary>
    bool IsAlive(string queueJobId);
}
