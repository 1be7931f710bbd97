namespace Catalyst.Tests.Support;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Probes until <paramref name="done"/> holds for the value and returns it; a <see cref="TimeoutException"/> naming <paramref name="what"/> and the last value after the deadline.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null,
        TimeSpan? interval = null, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}; last value: {value}");
            await Task.Delay(interval ?? DefaultInterval, ct);
        }
    }

    /// <summary>Checks until <paramref name="condition"/> holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after the deadline.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null, TimeSpan? interval = null, CancellationToken ct = default) =>
        UntilAsync(() => Task.FromResult(condition()), held => held, timeout, what, interval, ct);
}
