using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Data.Outbox;

public enum AttemptOutcome { Succeeded, Retryable, Fatal }

/// <summary>What one attempt did: its outcome, the receiver's status code or the error, how long it took.</summary>
public sealed record AttemptResult(AttemptOutcome Outcome, int? StatusCode, string? Error, TimeSpan Duration, TimeSpan? RetryAfter = null);

/// <summary>A kind of delivery (keyed by <see cref="SyncOperation.Kind"/>): makes one attempt and records it in its own rows.</summary>
public interface IOutboxHandler
{
    RetryPolicy Policy { get; }

    /// <summary>How long an attempt may hold the operation before another worker may take it over.</summary>
    TimeSpan Lease { get; }

    /// <summary>Makes one attempt; <see cref="SyncOperation.Attempts"/> already counts it (from 1 in each round).</summary>
    Task<AttemptResult> AttemptAsync(SyncOperation operation, CancellationToken ct);

    /// <summary>
    /// Stages the domain rows of a finished attempt (the operation already carries the decision:
    /// its new status and next attempt time); the dispatcher saves them with the operation, at once.
    /// </summary>
    Task RecordAsync(SyncOperation operation, DateTime attemptStartedAt, AttemptResult result, CancellationToken ct);
}

/// <summary>
/// Runs one attempt of an outbox operation and moves it along its schedule. An attempt starts by
/// claiming the row with one conditional update (pending and due, or in flight with an expired
/// lease), so duplicate wake-ups — a scheduled job and the sweep — make one attempt, not two.
/// </summary>
public sealed class OutboxDispatcher(CatalystDbContext db, IServiceProvider services, IDeliveryQueue queue, TimeProvider time, ILogger<OutboxDispatcher> logger)
{
    /// <summary>Makes the operation's due attempt; answers its result, or null when no attempt was made (finished, not due, taken).</summary>
    public async Task<AttemptResult?> DispatchAsync(Guid operationId, CancellationToken ct)
    {
        var current = await db.Set<SyncOperation>().AsNoTracking().FirstOrDefaultAsync(o => o.Id == operationId, ct);
        if (current is null || current.IsFinished)
            return null;
        var handler = services.GetKeyedService<IOutboxHandler>(current.Kind);
        if (handler is null)
        {
            await db.Set<SyncOperation>().Where(o => o.Id == operationId).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, SyncOperationStatus.Failed)
                .SetProperty(o => o.LastError, $"No delivery is registered for kind '{current.Kind}'."), ct);
            return new AttemptResult(AttemptOutcome.Fatal, null, $"No delivery is registered for kind '{current.Kind}'.", TimeSpan.Zero);
        }

        var now = Clock.UtcNow(time);
        var lease = now + handler.Lease;
        var claimed = await db.Set<SyncOperation>()
            .Where(o => o.Id == operationId &&
                        ((o.Status == SyncOperationStatus.Pending && (o.NextAttemptAt == null || o.NextAttemptAt <= now)) ||
                         (o.Status == SyncOperationStatus.InFlight && o.LockedUntil < now)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, SyncOperationStatus.InFlight)
                .SetProperty(o => o.LockedUntil, lease)
                .SetProperty(o => o.Attempts, o => o.Attempts + 1)
                .SetProperty(o => o.UpdatedAt, now), ct);
        if (claimed == 0)
        {
            // Woken before its time (the queue's clock runs a little early): keep the appointment.
            if (current is { Status: SyncOperationStatus.Pending, NextAttemptAt: { } next } && next > now)
                queue.Schedule(operationId, new DateTimeOffset(next, TimeSpan.Zero));
            return null;
        }

        // The claim changed the row behind the unit of work's back: read it afresh even if it is tracked.
        var operation = db.Set<SyncOperation>().Local.FirstOrDefault(o => o.Id == operationId);
        if (operation is null)
            operation = await db.Set<SyncOperation>().FirstAsync(o => o.Id == operationId, ct);
        else
            await db.Entry(operation).ReloadAsync(ct);
        AttemptResult result;
        try
        {
            result = await handler.AttemptAsync(operation, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The process is stopping: the attempt is given back and made again after the restart.
            await db.Set<SyncOperation>().Where(o => o.Id == operationId).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, SyncOperationStatus.Pending)
                .SetProperty(o => o.LockedUntil, (DateTime?)null)
                .SetProperty(o => o.NextAttemptAt, now)
                .SetProperty(o => o.Attempts, o => o.Attempts - 1), CancellationToken.None);
            throw;
        }

        var finishedAt = Clock.UtcNow(time);
        var policy = handler.Policy;
        operation.LockedUntil = null;
        operation.LastError = result.Error;
        switch (result.Outcome)
        {
            case AttemptOutcome.Succeeded:
                operation.Status = SyncOperationStatus.Succeeded;
                operation.NextAttemptAt = null;
                break;
            case AttemptOutcome.Retryable when policy.MayRetry(operation.Attempts):
                var wait = result.RetryAfter is { } after ? policy.BoundRetryAfter(after) : policy.Delay(operation.Attempts, Random.Shared);
                operation.Status = SyncOperationStatus.Pending;
                // Microsecond precision, like every stored time (Clock.UtcNow), so "due" compares equal times equal.
                var next = finishedAt + wait;
                operation.NextAttemptAt = new DateTime(next.Ticks - next.Ticks % 10, DateTimeKind.Utc);
                break;
            default:
                operation.Status = SyncOperationStatus.Failed;
                operation.NextAttemptAt = null;
                break;
        }
        await handler.RecordAsync(operation, now, result, CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Outbox {Kind} operation {OperationId}: attempt {Attempt} {Outcome} ({Status}), now {OperationStatus}",
            operation.Kind, operation.Id, operation.Attempts, result.Outcome, result.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer", operation.Status);
        if (operation is { Status: SyncOperationStatus.Pending, NextAttemptAt: { } at })
            queue.Schedule(operation.Id, new DateTimeOffset(at, TimeSpan.Zero));
        return result;
    }
}
