using System.Text.Json;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Workers.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>A Portal of its own, without a job server, so the test alone decides what runs and the counts are exact.</summary>
public sealed class StatisticsPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new(new Dictionary<string, string?> { ["Catalyst:Jobs:RunInProcess"] = "false" });

    public async ValueTask InitializeAsync() => await Portal.InitializeAsync();

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}

/// <summary>The job and <see cref="JobRunner"/> called directly (STYLE rule 4): no Hangfire involved.</summary>
public class RecomputeProjectStatisticsJobTests(StatisticsPortal isolated) : IClassFixture<StatisticsPortal>
{
    private PortalFactory Portal => isolated.Portal;

    private Task RunAsync(Guid runId) =>
        Portal.WithScopeAsync(sp => sp.GetRequiredService<JobRunner>().RunAsync(runId, TestContext.Current.CancellationToken));

    private Task<JobRun> LoadAsync(Guid runId) =>
        Portal.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == runId, TestContext.Current.CancellationToken));

    private static ProjectStatistics Result(JobRun run) =>
        JsonSerializer.Deserialize<ProjectStatistics>(run.Result!, JsonSerializerOptions.Web)!;

    [Fact]
    public async Task A_run_counts_status_owners_and_top_tags_and_ends_with_full_progress()
    {
        // Counting every project needs a database holding only this test's projects.
        await using var fresh = new StatisticsPortal();
        await fresh.InitializeAsync();
        var Portal = fresh.Portal;
        Task RunAsync(Guid runId) =>
            Portal.WithScopeAsync(sp => sp.GetRequiredService<JobRunner>().RunAsync(runId, TestContext.Current.CancellationToken));
        Task<JobRun> LoadAsync(Guid runId) =>
            Portal.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == runId, TestContext.Current.CancellationToken));
        var alice = await Portal.CreateUserAsync("alice");
        var bob = await Portal.CreateUserAsync("bob");
        await Portal.SeedProjectsAsync(alice.Id, 4, i => i switch
        {
            0 => (ProjectStatus.Active, ["web", "design"]),
            1 => (ProjectStatus.Active, ["web"]),
            2 => (ProjectStatus.Active, ["api"]),
            _ => (ProjectStatus.Archived, ["web"]),
        });
        await Portal.SeedProjectsAsync(bob.Id, 1, _ => (ProjectStatus.Archived, ["design"]));
        var everyone = await Portal.InsertRunAsync(alice.Id, JobRunStatus.Queued, new { ownerId = (Guid?)null });
        var alicesOnly = await Portal.InsertRunAsync(alice.Id, JobRunStatus.Queued, new { ownerId = alice.Id });

        await RunAsync(everyone.Id);
        await RunAsync(alicesOnly.Id);

        var all = await LoadAsync(everyone.Id);
        Assert.Equal(JobRunStatus.Succeeded, all.Status);
        Assert.NotNull(all.StartedAt);
        Assert.NotNull(all.FinishedAt);
        Assert.Null(all.Error);
        var stats = Result(all);
        Assert.Equal((5, 3, 2, 2), (stats.Total, stats.Active, stats.Archived, stats.Owners));
        Assert.Equal([new TagCount("web", 3), new TagCount("design", 2), new TagCount("api", 1)], stats.TopTags);
        Assert.Equal((5L, 5L), (all.ProgressDone, all.ProgressTotal!.Value));

        var own = await LoadAsync(alicesOnly.Id);
        var ownStats = Result(own);
        Assert.Equal((4, 3, 1, 1), (ownStats.Total, ownStats.Active, ownStats.Archived, ownStats.Owners));
        Assert.Equal([new TagCount("web", 3), new TagCount("api", 1), new TagCount("design", 1)], ownStats.TopTags);
        Assert.Equal((4L, 4L), (own.ProgressDone, own.ProgressTotal!.Value));
    }

    [Fact]
    public async Task Many_projects_are_walked_in_batches_and_all_counted()
    {
        var owner = await Portal.CreateUserAsync("many");
        await Portal.SeedProjectsAsync(owner.Id, 1201, i => (i % 3 == 0 ? ProjectStatus.Archived : ProjectStatus.Active, [$"t{i % 12}"]));
        var run = await Portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, new { ownerId = owner.Id });

        await RunAsync(run.Id);

        var done = await LoadAsync(run.Id);
        var stats = Result(done);
        Assert.Equal((1201, 800, 401, 1), (stats.Total, stats.Active, stats.Archived, stats.Owners));
        Assert.Equal(10, stats.TopTags.Count); // the ten most used of twelve
        Assert.Equal((1201L, 1201L), (done.ProgressDone, done.ProgressTotal!.Value));
    }

    [Fact]
    public async Task A_user_without_projects_gets_zero_counts()
    {
        var owner = await Portal.CreateUserAsync("empty");
        var run = await Portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, new { ownerId = owner.Id });

        await RunAsync(run.Id);

        var done = await LoadAsync(run.Id);
        Assert.Equal(JobRunStatus.Succeeded, done.Status);
        var stats = Result(done);
        Assert.Equal((0, 0, 0, 0), (stats.Total, stats.Active, stats.Archived, stats.Owners));
        Assert.Empty(stats.TopTags);
        Assert.Equal((0L, 0L), (done.ProgressDone, done.ProgressTotal!.Value));
    }

    [Fact]
    public async Task A_run_that_is_already_finished_is_left_alone_when_delivered_again()
    {
        var owner = await Portal.CreateUserAsync("dup");
        var run = await Portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, new { ownerId = owner.Id });
        await RunAsync(run.Id);
        var first = await LoadAsync(run.Id);
        await Portal.SeedProjectsAsync(owner.Id, 3);

        await RunAsync(run.Id);

        var second = await LoadAsync(run.Id);
        Assert.Equal(first.Result, second.Result);
        Assert.Equal(first.FinishedAt, second.FinishedAt);
    }

    [Fact]
    public async Task A_run_canceled_before_it_started_ends_canceled_without_running()
    {
        var owner = await Portal.CreateUserAsync("early");
        var run = await Portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, new { ownerId = owner.Id }, cancelRequested: true);

        await RunAsync(run.Id);

        var done = await LoadAsync(run.Id);
        Assert.Equal(JobRunStatus.Canceled, done.Status);
        Assert.Null(done.Result);
        Assert.Null(done.StartedAt);
    }

    [Fact]
    public async Task A_run_of_an_unknown_kind_fails_with_a_reason()
    {
        var owner = await Portal.CreateUserAsync("unknown");
        var run = await Portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, kind: "no-such-kind");

        await RunAsync(run.Id);

        var done = await LoadAsync(run.Id);
        Assert.Equal(JobRunStatus.Failed, done.Status);
        Assert.Contains("no-such-kind", done.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_input_cannot_be_read_fails_with_a_reason()
    {
        var owner = await Portal.CreateUserAsync("broken");
        var run = await Portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, new { ownerId = "not a guid" });

        await RunAsync(run.Id);

        var done = await LoadAsync(run.Id);
        Assert.Equal(JobRunStatus.Failed, done.Status);
        Assert.False(string.IsNullOrWhiteSpace(done.Error));
        Assert.NotNull(done.FinishedAt);
    }
}
