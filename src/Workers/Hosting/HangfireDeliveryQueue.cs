using Catalyst.Data.Outbox;
using Catalyst.Workers.Jobs;
using Hangfire;

namespace Catalyst.Workers.Hosting;

/// <summary>The outbox's wake-ups as Hangfire jobs: enqueued now, or scheduled at the row's nextAttemptAt.</summary>
public sealed class HangfireDeliveryQueue(IBackgroundJobClient client) : IDeliveryQueue
{
    public void Enqueue(Guid operationId) =>
        client.Enqueue<OutboxJobs>(jobs => jobs.DeliverAsync(operationId, CancellationToken.None));

    public void Schedule(Guid operationId, DateTimeOffset at) =>
        client.Schedule<OutboxJobs>(jobs => jobs.DeliverAsync(operationId, CancellationToken.None), at);
}
