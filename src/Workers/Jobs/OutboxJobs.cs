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
    // Retries are the outbox row's business, not Hangfire's.
    [Hangfire.AutomaticRetry(Attempts = 0)]
    public async Task DeliverAsync(Guid operationId, CancellationToken ct)
    {
        using var activity = CatalystTelemetry.Jobs.StartActivity("outbox.deliver", ActivityKind.Internal);
        activity?.SetTag("catalyst.outbox.operation_id", operationId.ToString());
        await dispatcher.DispatchAsync(operationId, ct);
    }

    [Hangfire.AutomaticRetry(Attempts = 0)]
    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task SweepAsync(CancellationToken ct)
    {
        using var activity = CatalystTelemetry.Jobs.StartActivity("outbox.sweep", ActivityKind.Internal);
        var queued = await sweeper.SweepAsync(ct);
        activity?.SetTag("catalyst.outbox.queued", queued);
    }
}
