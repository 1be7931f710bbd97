namespace Catalyst.Data.Outbox;

/// <summary>
/// Exponential backoff with jitter (SPEC §9): after the n-th failed attempt the next one waits
/// base·2^(n-1) (1, 2, 4, 8, 16 s by default), at most <see cref="Cap"/>, changed by ±<see cref="Jitter"/>,
/// and there are at most <see cref="MaxRetries"/> retries. Polly's retry strategy is not used on
/// purpose: its schedule lives in the memory of one process, and this one must survive a restart
/// (it is stored in the outbox row).
/// </summary>
public sealed record RetryPolicy(TimeSpan Base, TimeSpan Cap, int MaxRetries, double Jitter, TimeSpan MaxRetryAfter)
{
    /// <summary>The wait after <paramref name="failedAttempts"/> failures (1 for the first), before jitter is applied.</summary>
    public TimeSpan Nominal(int failedAttempts)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var seconds = Math.Min(Base.TotalSeconds * Math.Pow(2, exponent), Cap.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The wait with jitter: uniformly within ±<see cref="Jitter"/> of <see cref="Nominal"/>.</summary>
    public TimeSpan Delay(int failedAttempts, Random random)
    {
        var nominal = Nominal(failedAttempts).TotalSeconds;
        var factor = 1 + Jitter * (2 * random.NextDouble() - 1);
        return TimeSpan.FromSeconds(nominal * factor);
    }

    /// <summary>Whether another attempt is allowed after <paramref name="attempts"/> attempts (the first is not a retry).</summary>
    public bool MayRetry(int attempts) => attempts - 1 < MaxRetries;

    /// <summary>A server's Retry-After, bounded so a hostile answer cannot park a delivery forever.</summary>
    public TimeSpan BoundRetryAfter(TimeSpan requested) =>
        requested < TimeSpan.Zero ? TimeSpan.Zero : requested > MaxRetryAfter ? MaxRetryAfter : requested;
}
