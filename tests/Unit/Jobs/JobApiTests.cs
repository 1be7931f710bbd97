using Catalyst.Data.Projects;
using System.Net;
using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>Job runs through the API on the shared Portal, executed by its in-process Hangfire server.</summary>
public class JobApiTests(PortalFactory portal)
{
    private async Task<Guid> StartStatisticsAsync(HttpClient api)
    {
        var response = await api.PostAsync("/api/projects/statistics", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Starting_statistics_answers_202_with_the_run_and_its_Location_and_the_run_succeeds()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        await portal.SeedProjectsAsync(user.Id, 2, i => (Data.Projects.ProjectStatus.Active, ["stats"]));

        var response = await api.PostAsync("/api/projects/statistics", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(RecomputeProjectStatisticsJob.Kind, data.GetProperty("kind").GetString());
        Assert.Equal(1, data.GetProperty("attempts").GetInt32());
        Assert.Contains(data.GetProperty("status").GetString(), new[] { "queued", "running", "succeeded" });

        var done = await api.WaitForStatusAsync(id, "succeeded");
        Assert.Equal(2, done.GetProperty("result").GetProperty("total").GetInt32());
        Assert.Equal(2, done.GetProperty("progress").GetProperty("done").GetInt64());
        Assert.Equal(2, done.GetProperty("progress").GetProperty("total").GetInt64());
        Assert.Equal("stats", done.GetProperty("result").GetProperty("topTags")[0].GetProperty("tag").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, done.GetProperty("finishedAt").ValueKind);
    }

    [Fact]
    public async Task Users_see_only_their_own_runs_and_admins_see_all()
    {
        var owner = await portal.CreateUserAsync("owner");
        var other = await portal.CreateUserAsync("other");
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var run = await portal.InsertRunAsync(owner.Id, JobRunStatus.Failed, new { ownerId = owner.Id });
        var otherApi = portal.CreateApiClient(other.Token);

        await (await otherApi.GetAsync($"/api/jobs/{run.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherApi.PostAsync($"/api/jobs/{run.Id}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherApi.PostAsync($"/api/jobs/{run.Id}/cancel", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherApi.GetAsync($"/api/jobs/{run.Id}/result")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var othersList = await (await otherApi.GetAsync("/api/jobs")).ReadJsonAsync();
        Assert.DoesNotContain(othersList.GetProperty("data").EnumerateArray(), r => r.GetProperty("id").GetGuid() == run.Id);
        Assert.Equal(JobRunStatus.Failed, (await portal.WithDbAsync(db => db.JobRuns.SingleAsync(r => r.Id == run.Id, TestContext.Current.CancellationToken))).Status);

        var ownersList = await (await portal.CreateApiClient(owner.Token).GetAsync("/api/jobs")).ReadJsonAsync();
        Assert.Equal([run.Id], ownersList.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        Assert.Equal(1, ownersList.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(admin.Token).GetAsync($"/api/jobs/{run.Id}")).StatusCode);
        var failedForAdmin = await (await portal.CreateApiClient(admin.Token).GetAsync("/api/jobs?status=failed&pageSize=100")).ReadJsonAsync();
        Assert.All(failedForAdmin.GetProperty("data").EnumerateArray(), r => Assert.Equal("failed", r.GetProperty("status").GetString()));
        await (await portal.CreateApiClient().GetAsync($"/api/jobs/{run.Id}")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Canceling_a_running_job_ends_it_canceled_and_a_retry_runs_it_again()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        // Three batches of 500 with 2 s pauses: the run is still going when the cancel arrives.
        await portal.SeedProjectsAsync(user.Id, 1001);
        var run = await portal.WithScopeAsync(sp => sp.GetRequiredService<JobRunService>()
            .StartAsync(user.Actor, RecomputeProjectStatisticsJob.Kind, new { ownerId = user.Id, throttleMs = 2000 }, CancellationToken.None));
        await Poll.UntilAsync(() => api.GetRunAsync(run.Id),
            r => r.GetProperty("status").GetString() == "running" && r.GetProperty("progress").GetProperty("total").ValueKind != System.Text.Json.JsonValueKind.Null,
            TimeSpan.FromSeconds(30), "the run to start");

        var cancel = await api.PostAsync($"/api/jobs/{run.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var canceled = await api.WaitForStatusAsync(run.Id, "canceled");
        Assert.True(canceled.GetProperty("progress").GetProperty("done").GetInt64() < 1001, $"the run should have stopped early: {canceled}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, canceled.GetProperty("result").ValueKind);

        var retry = await api.PostAsync($"/api/jobs/{run.Id}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal($"/api/jobs/{run.Id}", retry.Headers.Location?.OriginalString);
        Assert.Equal(2, (await retry.ReadJsonAsync()).GetProperty("data").GetProperty("attempts").GetInt32());
        var succeeded = await api.WaitForStatusAsync(run.Id, "succeeded");
        Assert.Equal(2, succeeded.GetProperty("attempts").GetInt32());
        Assert.Equal(1001, succeeded.GetProperty("result").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Retrying_a_failed_run_queues_it_again_and_it_succeeds()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        await portal.SeedProjectsAsync(user.Id, 3);
        var failed = await portal.InsertRunAsync(user.Id, JobRunStatus.Failed, new { ownerId = user.Id });

        var retry = await api.PostAsync($"/api/jobs/{failed.Id}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var queued = (await retry.ReadJsonAsync()).GetProperty("data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, queued.GetProperty("error").ValueKind);
        var done = await api.WaitForStatusAsync(failed.Id, "succeeded");
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(3, done.GetProperty("result").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_finished_run_cannot_be_canceled_and_a_succeeded_one_cannot_be_retried()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = await StartStatisticsAsync(api);
        await api.WaitForStatusAsync(id, "succeeded");

        await (await api.PostAsync($"/api/jobs/{id}/cancel", null)).AssertProblemAsync(HttpStatusCode.Conflict, "job_finished");
        await (await api.PostAsync($"/api/jobs/{id}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict, "job_not_retryable");

        var after = await api.GetRunAsync(id);
        Assert.Equal("succeeded", after.GetProperty("status").GetString());
        Assert.Equal(1, after.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Canceling_a_queued_run_cancels_it_at_once()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var queued = await portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });

        var cancel = await api.PostAsync($"/api/jobs/{queued.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", (await cancel.ReadJsonAsync()).GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_run_answers_404()
    {
        var user = await portal.CreateUserAsync();

        await (await portal.CreateApiClient(user.Token).GetAsync($"/api/jobs/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Admin_job_actions_are_audited()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var api = portal.CreateApiClient(admin.Token);
        var id = await StartStatisticsAsync(api);
        await api.WaitForStatusAsync(id, "succeeded");

        var actions = await portal.WithDbAsync(db => db.AuditEntries.Where(e => e.EntityId == id.ToString()).Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken));

        Assert.Equal(["job.start"], actions);
    }
}
