using System.Text.Json;
using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Chat;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Jobs;
using Catalyst.Workers.Jobs;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Search;

/// <summary>Rebuild and verify-integrity as JobRuns, through <see cref="JobRunner"/> on a Portal of their own (whole-index results).</summary>
public class SearchJobTests(StatisticsPortal isolated) : IClassFixture<StatisticsPortal>
{
    private PortalFactory Portal => isolated.Portal;

    private async Task<JsonElement> RunAsync(string kind, object input)
    {
        var run = await Portal.InsertRunAsync(null, JobRunStatus.Queued, input, kind);
        await Portal.WithScopeAsync(sp => sp.GetRequiredService<JobRunner>().RunAsync(run.Id, TestContext.Current.CancellationToken));
        var done = await Portal.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id, TestContext.Current.CancellationToken));
        Assert.True(done.Status == JobRunStatus.Succeeded, done.Error);
        Assert.Equal(done.ProgressTotal, done.ProgressDone);
        return JsonDocument.Parse(done.Result!).RootElement.Clone();
    }

    [Fact]
    public async Task Verify_reports_damage_repair_fixes_it_and_rebuild_leaves_a_consistent_index()
    {
        var user = await Portal.CreateUserAsync();
        var api = Portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();
        await api.PostBatchAsync(Enumerable.Range(0, 30).Select(i => ChatTestData.Message(session, $"m{i}", $"job test words {i}")).ToArray());
        await api.PostJsonAsync("/api/projects", new { name = "Indexed project", tags = new[] { "jobs" } });

        Assert.True((await RunAsync(JobKinds.SearchVerification, new { })).GetProperty("consistent").GetBoolean());

        await Portal.WithDbAsync(db => db.SearchPostings.Where(p => p.DocumentId == db.SearchDocuments.Min(d => d.Id)).ExecuteDeleteAsync(TestContext.Current.CancellationToken));
        var damaged = await RunAsync(JobKinds.SearchVerification, new { repair = true });
        var repaired = await RunAsync(JobKinds.SearchVerification, new { repair = false });
        var rebuilt = await RunAsync(JobKinds.SearchRebuild, new { clear = true });
        var afterRebuild = await RunAsync(JobKinds.SearchVerification, new { });

        Assert.False(damaged.GetProperty("consistent").GetBoolean());
        Assert.True(damaged.GetProperty("repaired").GetBoolean());
        Assert.Equal(1, damaged.GetProperty("mismatched").GetInt32());
        Assert.True(repaired.GetProperty("consistent").GetBoolean());
        Assert.True(rebuilt.GetProperty("documents").GetInt64() >= 31);
        Assert.True(afterRebuild.GetProperty("consistent").GetBoolean());
        var hits = await (await api.GetAsync("/api/search?q=job+words")).ReadJsonAsync();
        Assert.Equal(30, hits.GetProperty("meta").GetProperty("total").GetInt32());
    }
}

public class SearchRecurringJobTests(PortalFactory portal)
{
    [Fact]
    public void Search_index_verification_runs_on_a_schedule()
    {
        using var connection = portal.Services.GetRequiredService<JobStorage>().GetConnection();

        Assert.Contains(connection.GetRecurringJobs(), j => j.Id == JobKinds.SearchVerification && !string.IsNullOrEmpty(j.Cron));
    }
}
