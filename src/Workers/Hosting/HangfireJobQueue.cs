using Catalyst.Data.Jobs;
using Catalyst.Workers.Jobs;
using Hangfire;
using Hangfire.States;

namespace Catalyst.Workers.Hosting;

/// <summary>The domain's job queue on Hangfire: every JobRun is one Hangfire job calling <see cref="JobRunner"/>.</summary>
public sealed class HangfireJobQueue(IBackgroundJobClient client, JobStorage storage) : IJobQueue
{
    private static readonly HashSet<string> AliveStates =
        [EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName];

    public string Enqueue(Guid jobRunId) =>
        client.Enqueue<JobRunner>(runner => runner.RunAsync(jobRunId, CancellationToken.None));

    public void Cancel(string queueJobId) => client.Delete(queueJobId);

    public bool IsAlive(string queueJobId)
    {
        using var connection = storage.GetConnection();
        var data = connection.GetJobData(queueJobId);
        return data?.State is { } state && AliveStates.Contains(state);
    }
}
