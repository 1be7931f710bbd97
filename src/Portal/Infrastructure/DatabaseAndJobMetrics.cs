using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Catalyst.Data.Observability;

namespace Catalyst.Portal.Infrastructure;

/// <summary>Per minute of the last hour: the database command p95 and the share of finished job runs that failed.</summary>
public sealed record DatabaseAndJobSnapshot(IReadOnlyList<DateTime> Minutes, IReadOnlyList<double?> DbP95Milliseconds, IReadOnlyList<double?> JobFailurePercent,
    double? HourDbP95Milliseconds, long HourJobRuns, long HourJobFailures);

/// <summary>
/// The System page's database and job figures, from Catalyst's own instruments
/// (<see cref="CatalystTelemetry.DbCommandDuration"/>, <see cref="CatalystTelemetry.JobRuns"/>): the p95
/// of EF Core command durations (the KPI is <see cref="DbP95TargetMilliseconds"/>) and the job failure
/// rate, per minute. Those instruments are process-wide, so a process hosting several hosts counts
/// their commands together; in production one process is one instance.
/// </summary>
public sealed class DatabaseAndJobMetrics(TimeProvider time) : MinuteMetrics
{
    public const double DbP95TargetMilliseconds = 50;

    private sealed class Cell
    {
        public readonly LatencyHistogram Db = new();
        public long JobRuns;
        public long JobFailures;
    }

    private readonly ConcurrentDictionary<long, Cell> _cells = new();
    protected override bool Listens(Instrument instrument) =>
        ReferenceEquals(instrument, CatalystTelemetry.DbCommandDuration) || ReferenceEquals(instrument, CatalystTelemetry.JobRuns);

    protected override void Configure(MeterListener listener)
    {
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => RecordDbCommand(seconds * 1000));
        listener.SetMeasurementEventCallback<long>((_, count, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "status", Value: string status })
                    RecordJobRuns(count, failed: status == "failed");
        });
    }

    public void RecordDbCommand(double milliseconds) => Current().Db.Add(milliseconds);

    public void RecordJobRuns(long count, bool failed)
    {
        var cell = Current();
        Interlocked.Add(ref cell.JobRuns, count);
        if (failed)
            Interlocked.Add(ref cell.JobFailures, count);
    }

    public DatabaseAndJobSnapshot Snapshot()
    {
        var first = MinuteOf(time.GetUtcNow()) - WindowMinutes + 1;
        var minutes = new DateTime[WindowMinutes];
        var db = new double?[WindowMinutes];
        var failures = new double?[WindowMinutes];
        var hour = new LatencyHistogram();
        long runs = 0, failed = 0;
        for (var i = 0; i < WindowMinutes; i++)
        {
            minutes[i] = DateTime.UnixEpoch.AddMinutes(first + i);
            if (!_cells.TryGetValue(first + i, out var cell))
                continue;
            db[i] = cell.Db.Percentile(0.95);
            cell.Db.AddTo(hour);
            var (r, f) = (Interlocked.Read(ref cell.JobRuns), Interlocked.Read(ref cell.JobFailures));
            if (r > 0)
                failures[i] = Math.Round(100.0 * f / r, 1);
            (runs, failed) = (runs + r, failed + f);
        }
        return new DatabaseAndJobSnapshot(minutes, db, failures, hour.Percentile(0.95), runs, failed);
    }

    private Cell Current()
    {
        var minute = MinuteOf(time.GetUtcNow());
        var cell = _cells.GetOrAdd(minute, static _ => new Cell());
        if (_cells.Count > WindowMinutes + 1)
            foreach (var key in _cells.Keys)
                if (key <= minute - WindowMinutes)
                    _cells.TryRemove(key, out _);
        return cell;
    }
}
