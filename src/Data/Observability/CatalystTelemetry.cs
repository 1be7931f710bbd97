using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Catalyst.Data.Observability;

/// <summary>
/// Catalyst's own traces and metrics (SPEC §14), next to what ASP.NET Core and HttpClient report:
/// job runs, delivery attempts and EF Core commands. Everything here costs next to nothing when no
/// listener (the OpenTelemetry SDK, the admin System page) is attached.
/// </summary>
public static class CatalystTelemetry
{
    public const string JobsSourceName = "Catalyst.Jobs";
    public const string DataSourceName = "Catalyst.Data";
    public const string MeterName = "Catalyst";

    public static readonly ActivitySource Jobs = new(JobsSourceName);
    public static readonly ActivitySource Data = new(DataSourceName);
    public static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> JobRuns = Meter.CreateCounter<long>("catalyst.jobs.runs", "{run}", "Job runs finished, by kind and status.");
    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("catalyst.jobs.duration", "s", "How long job runs took.");
    public static readonly Counter<long> DeliveryAttempts = Meter.CreateCounter<long>("catalyst.deliveries.attempts", "{attempt}", "Outbox delivery attempts, by outcome.");
    public static readonly Histogram<double> DbCommandDuration = Meter.CreateHistogram<double>("catalyst.db.command.duration", "s", "How long EF Core database commands took.");
}
