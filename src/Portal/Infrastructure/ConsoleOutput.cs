using Serilog.Sinks.Async;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// The console the log shares with what the Portal prints for people (the start-up banner). Log
/// events reach the console from a queue on a background thread, so text printed directly first
/// lets the queue drain and then takes the console sink's lock: it comes after everything logged
/// before it, never in the middle of an event.
/// </summary>
public sealed class ConsoleOutput : IAsyncLogEventSinkMonitor
{
    private static readonly TimeSpan MaxDrainWait = TimeSpan.FromSeconds(5);
    private const int QuietChecks = 10;
    private IAsyncLogEventSinkInspector? _queue;

    /// <summary>The console sink's lock.</summary>
    public object SyncRoot { get; } = new();

    public async Task WriteAsync(string text, CancellationToken ct)
    {
        // Bounded: a console that cannot keep up must not hold the start-up.
        // An empty queue can still have its last event on the way (taken off the queue, written to the
        // file, not yet to the console): the queue must stay empty for a moment before the text goes.
        var started = TimeProvider.System.GetTimestamp();
        var quiet = 0;
        while (quiet < QuietChecks && TimeProvider.System.GetElapsedTime(started) < MaxDrainWait)
        {
            quiet = _queue is { Count: > 0 } ? 0 : quiet + 1;
            await Task.Delay(10, ct);
        }
        Write(text);
    }

    private void Write(string text)
    {
        lock (SyncRoot)
        {
            Console.Out.Write(text);
            Console.Out.Flush();
        }
    }

    void IAsyncLogEventSinkMonitor.StartMonitoring(IAsyncLogEventSinkInspector inspector) => _queue = inspector;

    void IAsyncLogEventSinkMonitor.StopMonitoring(IAsyncLogEventSinkInspector inspector) => _queue = null;
}
