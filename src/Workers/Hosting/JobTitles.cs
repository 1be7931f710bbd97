using Catalyst.Data;
using Catalyst.Data.Deployments;
using Catalyst.Data.Jobs;
using Catalyst.Data.Outbox;
using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Workers.Hosting;

/// <summary>
/// The names an admin reads in the Hangfire dashboard (SPEC §9): <c>Storage garbage collection</c>,
/// <c>Website export</c>, <c>Deliver deployment "Production" attempt 3</c> instead of a method call.
/// A delivery's title is fixed when its attempt is queued (it is the job's argument), so each attempt
/// keeps its own number; a JobRun's comes from its kind.
/// </summary>
public static class JobTitles
{
    /// <summary>The title of the next attempt of an outbox operation, read when it is queued.</summary>
    public static string Delivery(CatalystDbContext db, Guid operationId)
    {
        // Queuing is synchronous (IDeliveryQueue); one lookup by key per attempt.
        var operation = db.Set<SyncOperation>().AsNoTracking().Where(o => o.Id == operationId)
            .Select(o => new { o.Kind, o.PayloadRef, o.Attempts }).FirstOrDefault();
        if (operation is null)
            return $"Deliver operation {operationId}";
        if (operation.Kind == SyncOperationKinds.Deployment && Guid.TryParse(operation.PayloadRef, out var runId))
        {
            var run = (from r in db.Set<DeploymentRun>().AsNoTracking()
                       join c in db.Set<DeploymentConfig>().AsNoTracking() on r.ConfigId equals c.Id
                       where r.Id == runId
                       select new { c.Name, r.Attempts }).FirstOrDefault();
            if (run is not null)
                return $"Deliver deployment \"{run.Name}\" attempt {run.Attempts + 1}";
        }
        return $"Deliver {operation.Kind} attempt {operation.Attempts + 1}";
    }

    /// <summary>A JobRun's title: its kind's display name, and the attempt when it is a retry.</summary>
    public static string Run(JobCatalog catalog, JobRun? run, Guid jobRunId) => run switch
    {
        null => $"Job {jobRunId}",
        { Attempts: > 1 } => $"{catalog.DisplayName(run.Kind)} attempt {run.Attempts}",
        _ => catalog.DisplayName(run.Kind),
    };
}

/// <summary>
/// Names <see cref="Jobs.JobRunner"/>'s jobs in the dashboard by their kind's display name (the job's
/// arguments are only an id or a kind), reading the run when the dashboard shows it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class JobRunTitleAttribute() : JobDisplayNameAttribute("{0}")
{
    public override string Format(DashboardContext context, Job job)
    {
        var services = context.GetHttpContext().RequestServices;
        var catalog = services.GetRequiredService<JobCatalog>();
        return (job.Args.Count > 0 ? job.Args[0] : null) switch
        {
            string kind => catalog.DisplayName(kind),
            Guid id => JobTitles.Run(catalog, services.GetRequiredService<CatalystDbContext>().JobRuns.AsNoTracking().FirstOrDefault(r => r.Id == id), id),
            _ => base.Format(context, job),
        };
    }
}
