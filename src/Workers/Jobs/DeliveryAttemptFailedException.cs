using Catalyst.Data.Outbox;

namespace Catalyst.Workers.Jobs;

/// <summary>What the dashboard shows for an attempt that did not succeed: the receiver's answer or the error, and what happens next.</summary>
public sealed class DeliveryAttemptFailedException(string title, AttemptResult result)
    : Exception($"{title} failed: {(result.StatusCode is { } code ? $"HTTP {code}" : "no answer")}{(result.Error is { } error ? $" ({error})" : "")}; " +
                (result.Outcome == AttemptOutcome.Retryable ? "it will be retried if attempts remain." : "not retried."))
{
    public AttemptResult Result { get; } = result;
}
