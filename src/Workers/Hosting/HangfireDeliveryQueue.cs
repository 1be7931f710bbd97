using Catalyst.Data;
using Catalyst.Data.Outbox;
using Catalyst.Workers.Jobs;
using Hangfire;

namespace Catalyst.Workers.Hosting;

/// <summary>
/// The outbox's wake-ups as Hangfire jobs: enqueued now, or scheduled at the row's nextAttemptAt, each
/// titled with what it delivers and the attempt's number (<see cref="JobTitles.Delivery"/>).
/// </summary>
public sealed class HangfireDeliveryQueue(IBackgroundJobClient client, CatalystDbContext db) : IDeliveryQueue
{
    public void Enqueue(Guid operationId)
    {
        var title = JobTitles.Delivery(db, operationId);
        client.Enqueue<OutboxJobs>(jobs => jobs.DeliverAsync(operationId, title, CancellationToken.None));
    }

    public void Schedule(Guid operationId, DateTimeOffset at)
    {
        var title = JobTitles.Delivery(db, operationId);
        client.Schedule<OutboxJobs>(jobs => jobs.DeliverAsync(operationId, title, CancellationToken.None), at);
    }
}
