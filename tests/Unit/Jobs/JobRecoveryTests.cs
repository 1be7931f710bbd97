using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Workers.Hosting;
using Catalyst.Workers.Jobs;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>
/// A Portal of its own with its job server: recovery looks at every open run in the database, so it
/// must not see (and requeue) the runs other tests are starting on the shared Portal.
/// </summary>
public sealed class RecoveryPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new();

    public async ValueTask InitializeAsync() => await Portal.InitializeAsync();

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}

/// <summary>SPEC §9 start-up recovery: the in-memory queue forgets everything on restart, the JobRun rows do not.</summary>
public class JobRecoveryTests(RecoveryPortal isolated) : IClassFixture<RecoveryPortal>
{
    private PortalFactory Portal => isolated.Portal;

    private Task<(int Requeued, int Failed)> RecoverAsync() =>
        Portal.WithScopeAsync(sp => sp.GetRequiredService<JobRunService>().RecoverAsync(JobRecoveryService.MaxAttempts, CancellationToken.None));

    private Task<JobRun> LoadAsync(Guid id) =>
        Portal.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == id, TestContext.Current.CancellationToken));

    [Fact]
    public async Task A_run_left_running_by_a_previous_process_is_queued_again_and_succeeds()
    {
        var user = await Portal.CreateUserAsync();
        await Portal.SeedProjectsAsync(user.Id, 2);
        var orphan = await Portal.InsertRunAsync(user.Id, JobRunStatus.Running, new { ownerId = user.Id }, hangfireJobId: "does-not-exist");
        var neverQueued = await Portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });

        var (requeued, failed) = await RecoverAsync();

        Assert.Equal((2, 0), (requeued, failed));
        var api = Portal.CreateApiClient(user.Token);
        foreach (var id in new[] { orphan.Id, neverQueued.Id })
        {
            var done = await api.WaitForStatusAsync(id, "succeeded");
            Assert.Equal(2, done.GetProperty("attempts").GetInt32());
            Assert.Equal(2, done.GetProperty("result").GetProperty("total").GetInt32());
        }
        Assert.NotEqual("does-not-exist", (await LoadAsync(orphan.Id)).HangfireJobId);
    }

    [Fact]
    public async Task A_run_interrupted_too_often_is_failed_with_a_reason_instead()
    {
        var user = await Portal.CreateUserAsync();
        var worn = await Portal.InsertRunAsync(user.Id, JobRunStatus.Running, new { ownerId = user.Id }, attempts: JobRecoveryService.MaxAttempts, hangfireJobId: "does-not-exist");

        var (requeued, failed) = await RecoverAsync();

        Assert.Equal((0, 1), (requeued, failed));
        var run = await LoadAsync(worn.Id);
        Assert.Equal(JobRunStatus.Failed, run.Status);
        Assert.Contains("interrupted", run.Error, StringComparison.Ordinal);
        Assert.Equal(JobRecoveryService.MaxAttempts, run.Attempts);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task A_run_whose_cancel_was_requested_before_the_restart_ends_canceled()
    {
        var user = await Portal.CreateUserAsync();
        var stopping = await Portal.InsertRunAsync(user.Id, JobRunStatus.Running, new { ownerId = user.Id }, hangfireJobId: "does-not-exist", cancelRequested: true);

        await RecoverAsync();

        var run = await LoadAsync(stopping.Id);
        Assert.Equal(JobRunStatus.Canceled, run.Status);
        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task Runs_the_queue_still_knows_and_finished_runs_are_left_alone()
    {
        var user = await Portal.CreateUserAsync();
        var scheduled = await Portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });
        // A queue entry that is alive (scheduled for later) for this run.
        var hangfireId = await Portal.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<IBackgroundJobClient>()
            .Schedule<JobRunner>(r => r.RunAsync(scheduled.Id, CancellationToken.None), TimeSpan.FromHours(1))));
        await Portal.WithDbAsync(db => db.JobRuns.Where(r => r.Id == scheduled.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HangfireJobId, hangfireId), TestContext.Current.CancellationToken));
        var succeeded = await Portal.InsertRunAsync(user.Id, JobRunStatus.Succeeded, new { ownerId = user.Id }, hangfireJobId: "long-gone");
        var failed = await Portal.InsertRunAsync(user.Id, JobRunStatus.Failed, new { ownerId = user.Id }, hangfireJobId: "long-gone");

        await RecoverAsync();

        var alive = await LoadAsync(scheduled.Id);
        Assert.Equal((JobRunStatus.Queued, 1, hangfireId), (alive.Status, alive.Attempts, alive.HangfireJobId));
        Assert.Equal((JobRunStatus.Succeeded, 1), ((await LoadAsync(succeeded.Id)).Status, (await LoadAsync(succeeded.Id)).Attempts));
        Assert.Equal((JobRunStatus.Failed, 1), ((await LoadAsync(failed.Id)).Status, (await LoadAsync(failed.Id)).Attempts));
    }

    [Fact]
    public async Task Recovery_runs_when_the_job_server_starts()
    {
        // A second Portal on the same data directory plays "the next process start".
        var user = await Portal.CreateUserAsync();
        await Portal.SeedProjectsAsync(user.Id, 1);
        var orphan = await Portal.InsertRunAsync(user.Id, JobRunStatus.Running, new { ownerId = user.Id }, hangfireJobId: "does-not-exist");

        await using var restarted = new PortalFactory(new Dictionary<string, string?> { ["Catalyst:DataDirectory"] = Portal.DataDirectory }, ownsDataDirectory: false);
        await restarted.InitializeAsync();

        var done = await restarted.CreateApiClient(user.Token).WaitForStatusAsync(orphan.Id, "succeeded");
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
    }
}
