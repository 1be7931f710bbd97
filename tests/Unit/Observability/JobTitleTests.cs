using Catalyst.Data.Deployments;
using Catalyst.Data.Jobs;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Deployments;
using Catalyst.Workers.Hosting;
using Catalyst.Workers.Jobs;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Observability;

/// <summary>SPEC §9: the Hangfire dashboard names jobs so an admin can read them, and a failed delivery attempt shows as failed there.</summary>
public class JobTitleTests(DeliveryPortal fixture) : IClassFixture<DeliveryPortal>
{
    [Fact]
    public async Task Each_delivery_attempt_is_a_job_titled_with_the_deployment_and_its_number_and_failed_attempts_are_failed_jobs()
    {
        await using var endpoint = await LoopbackEndpoint.StartAsync(_ => (503, null));
        var (api, _, configId) = await fixture.Portal.ConfigAsync(endpoint.Url);
        var name = await fixture.Portal.WithDbAsync(db => db.Set<DeploymentConfig>().Where(c => c.Id == configId).Select(c => c.Name).SingleAsync(TestContext.Current.CancellationToken));

        await api.WaitForRunAsync(await api.DeployAsync(configId), "failed");

        var monitoring = fixture.Portal.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var titles = await Poll.UntilAsync(() => Task.FromResult(monitoring.FailedJobs(0, 500)
                .Where(j => j.Value.Job?.Method.Name == nameof(OutboxJobs.DeliverAsync))
                .Select(j => j.Value.Job.Args[1] as string).Where(t => t?.Contains($"\"{name}\"", StringComparison.Ordinal) == true).ToList()),
            t => t.Count == 6, TimeSpan.FromSeconds(20), "six failed attempts in the job storage");

        Assert.Equal(Enumerable.Range(1, 6).Select(n => $"Deliver deployment \"{name}\" attempt {n}"), titles.Order(StringComparer.Ordinal));
        var failure = monitoring.FailedJobs(0, 500).First(j => j.Value.Job?.Args[1] as string == titles[0]).Value;
        Assert.Contains("HTTP 503", failure.ExceptionMessage, StringComparison.Ordinal);
        var attribute = typeof(OutboxJobs).GetMethod(nameof(OutboxJobs.DeliverAsync), [typeof(Guid), typeof(string), typeof(CancellationToken)])!
            .GetCustomAttributes(typeof(JobDisplayNameAttribute), false).Cast<JobDisplayNameAttribute>().Single();
        Assert.Equal("{1}", attribute.DisplayName);
    }

    [Fact]
    public void Job_runs_are_titled_by_their_kind_and_retries_by_their_attempt()
    {
        var catalog = fixture.Portal.Services.GetRequiredService<JobCatalog>();
        var id = Guid.NewGuid();

        Assert.Equal(StorageGarbageCollectionJob.DisplayName, JobTitles.Run(catalog, new JobRun { Id = id, Kind = StorageGarbageCollectionJob.Kind, Attempts = 1 }, id));
        Assert.Equal($"{StorageGarbageCollectionJob.DisplayName} attempt 3", JobTitles.Run(catalog, new JobRun { Id = id, Kind = StorageGarbageCollectionJob.Kind, Attempts = 3 }, id));
        Assert.Equal($"Job {id}", JobTitles.Run(catalog, null, id));
        Assert.Equal("no-such-kind", JobTitles.Run(catalog, new JobRun { Id = id, Kind = "no-such-kind" }, id));
    }
}
