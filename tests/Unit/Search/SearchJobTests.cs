using System.Text.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Workers.Jobs;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Tests.Unit.Search;

/// <summary>
/// Rebuild and verify-integrity jobs called directly (STYLE rule 4), on a database of their own since
/// their results cover the whole index. (No second Portal: Serilog's static logger is shared by the
/// hosts of one process, and another host would take the log files from under the logging tests.)
/// </summary>
public class SearchJobTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> RunAsync(SearchDatabase database, string kind, object input)
    {
        var db = database.Db;
        var run = new JobRun { Id = Guid.CreateVersion7(), Kind = kind, Status = JobRunStatus.Running, Input = JsonSerializer.Serialize(input, JsonSerializerOptions.Web) };
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        var progress = new JobProgress(db, TimeProvider.System);
        var maintenance = new SearchMaintenance(db, new SearchIndexer(db, Options.Create(new SearchOptions())), [new ChatSearchSource(db), new ProjectSearchSource(db)], Options.Create(new SearchOptions()));
        IJob job = kind == SearchRebuildJob.Kind ? new SearchRebuildJob(maintenance, db, progress) : new SearchVerificationJob(maintenance, db, progress);

        var result = await job.RunAsync(run.Id, Ct);

        var stored = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id, Ct);
        Assert.Equal(stored.ProgressTotal, stored.ProgressDone);
        Assert.True(stored.ProgressDone > 0);
        return JsonSerializer.SerializeToElement(result, JsonSerializerOptions.Web);
    }

    [Fact]
    public async Task Verify_reports_damage_repair_fixes_it_and_rebuild_leaves_a_consistent_index()
    {
        await using var database = await SearchDatabase.CreateAsync();
        var user = await database.CreateUserAsync();
        var chat = database.Services.Chat();
        var session = await chat.CreateSessionAsync(user, new ChatSessionInput("jobs", null), Ct);
        await chat.AppendBatchAsync(user, Enumerable.Range(0, 30).Select(i => (ChatMessageInput?)new ChatMessageInput($"m{i}", session.Id.ToString(), "user", $"job test words {i}", null)).ToList(), Ct);
        await database.Services.Projects().CreateAsync(user, new ProjectInput("Indexed project", null, ["jobs"], null), Ct);
        database.Db.ChangeTracker.Clear();

        Assert.True((await RunAsync(database, SearchVerificationJob.Kind, new { })).GetProperty("consistent").GetBoolean());

        var first = await database.Db.SearchDocuments.MinAsync(d => d.Id, Ct);
        await database.Db.SearchPostings.Where(p => p.DocumentId == first).ExecuteDeleteAsync(Ct);
        var damaged = await RunAsync(database, SearchVerificationJob.Kind, new { repair = true });
        var repaired = await RunAsync(database, SearchVerificationJob.Kind, new { repair = false });
        var rebuilt = await RunAsync(database, SearchRebuildJob.Kind, new { clear = true });
        var afterRebuild = await RunAsync(database, SearchVerificationJob.Kind, new { });

        Assert.False(damaged.GetProperty("consistent").GetBoolean());
        Assert.True(damaged.GetProperty("repaired").GetBoolean());
        Assert.Equal(1, damaged.GetProperty("mismatched").GetInt32());
        Assert.True(repaired.GetProperty("consistent").GetBoolean());
        Assert.Equal(31, rebuilt.GetProperty("documents").GetInt64());
        Assert.True(afterRebuild.GetProperty("consistent").GetBoolean());
        var hits = await database.Services.Search().SearchAsync(user, new SearchRequest("job words"), new Catalyst.Data.Common.PageRequest(1, 20), Ct);
        Assert.Equal(30, hits.Page.Total);
    }
}

public class SearchRecurringJobTests(PortalFactory portal)
{
    [Fact]
    public void Search_index_verification_runs_on_a_schedule()
    {
        using var connection = portal.Services.GetRequiredService<JobStorage>().GetConnection();

        Assert.Contains(connection.GetRecurringJobs(), j => j.Id == SearchVerificationJob.Kind && !string.IsNullOrEmpty(j.Cron));
    }

    [Fact]
    public void Both_search_jobs_are_registered_for_the_runner()
    {
        using var scope = portal.Services.CreateScope();

        Assert.IsType<SearchRebuildJob>(scope.ServiceProvider.GetRequiredKeyedService<IJob>(SearchRebuildJob.Kind));
        Assert.IsType<SearchVerificationJob>(scope.ServiceProvider.GetRequiredKeyedService<IJob>(SearchVerificationJob.Kind));
    }
}
