using System.Diagnostics;
using Catalyst.Data.Observability;
using Catalyst.Data.Outbox;

namespace Catalyst.Workers.Jobs;

/// <summary>
/// Hangfire's entry points into the outbox: one attempt of an operation, and the recurring sweep.
/// Their state is the outbox row (SPEC §9), so they record no JobRun of their own: the
/// DeploymentRun and its attempts are the durable record of a delivery.
/// </summary>
public sealed class OutboxJobs(OutboxDispatcher dispatcher, OutboxSweeper sweeper)
{
    /// <summary>
    /// One attempt, titled in the dashboard by <paramref name="title"/>. An attempt that did not
    /// succeed ends the Hangfire job as failed (its next attempt, if any, is already scheduled as
    /// another job), so the dashboard shows failed attempts as failed.
    /// </summary>
    // Retries are the outbox row's business, not Hangfire's; the dispatcher logs each attempt already.
    [Hangfire.AutomaticRetry(Attempts = 0, LogEvents = false)]
    [Hangfire.JobDisplayName("{1}")]
    public async Task DeliverAsync(Guid operationId, string title, CancellationToken ct)
    {
        using var activity = CatalystTelemetry.Jobs.StartActivity("outbox.deliver", ActivityKind.Internal);
        activity?.SetTag("catalyst.outbox.operation_id", operationId.ToString());
        var result = await dispatcher.DispatchAsync(operationId, ct);
        if (result is { Outcome: not AttemptOutcome.Succeeded })
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Outcome.ToString());
            throw new DeliveryAttemptFailedException(title, result);
        }
    }

    /// <summary>Attempts queued before attempts had titles (a persistent job storage keeps them across an upgrade).</summary>
    [Hangfire.AutomaticRetry(Attempts = 0, LogEvents = false)]
    public Task DeliverAsync(Guid operationId, CancellationToken ct) => DeliverAsync(operationId, $"Deliver operation {operationId}", ct);

    [Hangfire.AutomaticRetry(Attempts = 0)]
    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task SweepAsync(CancellationToken ct)
    {
        using var activity = CatalystTelemetry.Jobs.StartActivity("outbox.sweep", ActivityKind.Internal);
        var queued = await sweeper.SweepAsync(ct);
        activity?.SetTag("catalyst.outbox.queued", queued);
    }
}
