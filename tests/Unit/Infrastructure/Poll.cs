namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}; last value: {value}");
            await Task.Delay(50);
        }
    }
}
