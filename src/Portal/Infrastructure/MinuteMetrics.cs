using System.Diagnostics.Metrics;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// What the System page's collectors share: a <see cref="MeterListener"/> that lives as long as the
/// host (started and stopped as a hosted service) over the instruments a collector picks, and the
/// minute numbering their per-minute cells are keyed by.
/// </summary>
public abstract class MinuteMetrics : IHostedService, IDisposable
{
    /// <summary>The minutes the page shows: the last hour.</summary>
    public const int WindowMinutes = 60;

    private MeterListener? _listener;

    /// <summary>True for the instruments this collector records.</summary>
    protected abstract bool Listens(Instrument instrument);

    /// <summary>Sets the listener's measurement callbacks.</summary>
    protected abstract void Configure(MeterListener listener);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (Listens(instrument))
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        Configure(_listener);
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _listener?.Dispose();
    }

    /// <summary>Minutes since the Unix epoch: the key of a per-minute cell.</summary>
    protected static long MinuteOf(DateTimeOffset at) => (long)Math.Floor((at.UtcDateTime - DateTime.UnixEpoch).TotalMinutes);
}
