using System.Net;
using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Jobs;

public class JobPageTests(PortalFactory portal)
{
    [Fact]
    public async Task A_user_without_runs_sees_the_empty_state()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync("/Jobs");

        Assert.Contains("No jobs yet", page.QuerySelector("#job-list .empty")?.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("#job-list table"));
        Assert.NotNull(page.QuerySelector("[data-testid=start-statistics]"));
    }

    [Fact]
    public async Task Starting_statistics_from_the_page_opens_its_details_which_show_the_progress_and_result()
    {
        var user = await portal.CreateUserAsync();
        await portal.SeedProjectsAsync(user.Id, 3, _ => (Data.Projects.ProjectStatus.Active, ["page"]));
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var start = await browser.PostWithTokenFromAsync("/Jobs", "/Jobs?handler=RecomputeStatistics");

        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        Assert.StartsWith("/Jobs/Details/", location, StringComparison.Ordinal);
        var id = Guid.Parse(location["/Jobs/Details/".Length..]);
        await portal.CreateApiClient(user.Token).WaitForStatusAsync(id, "succeeded");

        var details = await browser.GetDocumentAsync(location);
        var status = details.QuerySelector("[data-testid=job-status]");
        Assert.Equal("Succeeded", status?.GetAttribute("data-status"));
        Assert.Equal("none", status?.GetAttribute("hx-trigger")); // finished: it stops polling
        var progress = details.QuerySelector("[data-testid=job-status] progress");
        Assert.Equal(("3", "3"), (progress?.GetAttribute("value"), progress?.GetAttribute("max")));
        Assert.Contains("\"total\": 3", details.QuerySelector("pre")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Recompute project statistics · Catalyst", details.Title);

        var list = await browser.GetDocumentAsync("/Jobs");
        var row = Assert.Single(list.QuerySelectorAll("#job-list tbody tr"));
        Assert.Equal(location, row.QuerySelector("a")?.GetAttribute("href"));
        Assert.Contains("Succeeded", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_run_shows_its_progress_and_keeps_refreshing()
    {
        var user = await portal.CreateUserAsync();
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Running, new { ownerId = user.Id }, hangfireJobId: "elsewhere");
        await portal.WithDbAsync(db => db.JobRuns.Where(r => r.Id == run.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ProgressDone, 40).SetProperty(r => r.ProgressTotal, 100), TestContext.Current.CancellationToken));
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var details = await browser.GetDocumentAsync($"/Jobs/Details/{run.Id}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Jobs/Details/{run.Id}");
        request.Headers.Add("HX-Request", "true");
        var fragment = await (await browser.SendAsync(request)).Content.ReadAsStringAsync();

        var progress = details.QuerySelector("[data-testid=job-status] progress");
        Assert.Equal(("40", "100"), (progress?.GetAttribute("value"), progress?.GetAttribute("max")));
        Assert.Equal("every 1s", details.QuerySelector("[data-testid=job-status]")?.GetAttribute("hx-trigger"));
        Assert.NotNull(details.QuerySelector("form[action*='handler=Cancel']"));
        Assert.DoesNotContain("<html", fragment, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("data-testid=\"job-status\"", fragment, StringComparison.Ordinal);
        var list = await browser.GetDocumentAsync("/Jobs");
        Assert.Equal("every 1s", list.QuerySelector("#job-list-body")?.GetAttribute("hx-trigger"));
    }

    [Theory]
    [InlineData(JobRunStatus.Running, true)]
    [InlineData(JobRunStatus.Succeeded, false)]
    [InlineData(JobRunStatus.Failed, false)]
    public async Task An_export_says_where_its_backup_will_be_only_while_it_runs_and_times_say_their_zone(JobRunStatus status, bool hint)
    {
        var user = await portal.CreateUserAsync();
        var run = await portal.InsertRunAsync(user.Id, status, new { websiteId = Guid.NewGuid() }, kind: Catalyst.Data.Backups.WebsiteExportJob.Kind, hangfireJobId: "elsewhere");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var details = await browser.GetDocumentAsync($"/Jobs/Details/{run.Id}");

        Assert.Equal(hint, details.QuerySelector("[data-testid=job-hint]") is not null);
        Assert.EndsWith(" UTC", details.QuerySelector("[data-testid=started]")?.TextContent, StringComparison.Ordinal);
        var finished = details.QuerySelector("[data-testid=finished]")?.TextContent;
        Assert.True(status == JobRunStatus.Running ? finished == "—" : finished?.EndsWith(" UTC", StringComparison.Ordinal) == true, finished);
        Assert.DoesNotContain("when the bar is full", details.QuerySelector(".flash")?.TextContent ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_shows_its_error_and_can_be_retried_from_the_page()
    {
        var user = await portal.CreateUserAsync();
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Failed, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var details = await browser.GetDocumentAsync($"/Jobs/Details/{run.Id}");
        Assert.Equal("It broke.", details.QuerySelector("[data-testid=job-status] .error")?.TextContent);

        var retry = await browser.PostWithTokenFromAsync($"/Jobs/Details/{run.Id}", $"/Jobs/Details/{run.Id}?handler=Retry");

        Assert.Equal(HttpStatusCode.Redirect, retry.StatusCode);
        var done = await portal.CreateApiClient(user.Token).WaitForStatusAsync(run.Id, "succeeded");
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        var after = await browser.GetDocumentAsync($"/Jobs/Details/{run.Id}");
        Assert.Null(after.QuerySelector("[data-testid=job-status] .error"));
    }

    [Fact]
    public async Task Canceling_from_the_page_stops_a_queued_run()
    {
        var user = await portal.CreateUserAsync();
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var cancel = await browser.PostWithTokenFromAsync($"/Jobs/Details/{run.Id}", $"/Jobs/Details/{run.Id}?handler=Cancel");

        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        Assert.Equal(JobRunStatus.Canceled, (await portal.WithDbAsync(db => db.JobRuns.SingleAsync(r => r.Id == run.Id, TestContext.Current.CancellationToken))).Status);
        var details = await browser.GetDocumentAsync($"/Jobs/Details/{run.Id}");
        Assert.Equal("Cancel requested.", details.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.NotNull(details.QuerySelector("form[action*='handler=Retry']"));
    }

    [Fact]
    public async Task Another_users_run_is_404_on_the_pages_and_is_not_touched()
    {
        var owner = await portal.CreateUserAsync("owner");
        var other = await portal.CreateUserAsync("other");
        var run = await portal.InsertRunAsync(owner.Id, JobRunStatus.Failed, new { ownerId = owner.Id });
        var browser = await portal.CreateSignedInBrowserAsync(other);

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/Jobs/Details/{run.Id}")).StatusCode);
        var retry = await browser.PostWithTokenFromAsync("/Jobs", $"/Jobs/Details/{run.Id}?handler=Retry");
        Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
        var list = await browser.GetAsync("/Jobs");
        Assert.DoesNotContain(run.Id.ToString(), await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await portal.WithDbAsync(db => db.JobRuns.SingleAsync(r => r.Id == run.Id, TestContext.Current.CancellationToken));
        Assert.Equal((JobRunStatus.Failed, 1), (after.Status, after.Attempts));
    }

    [Fact]
    public async Task The_jobs_list_pages()
    {
        var user = await portal.CreateUserAsync();
        for (var i = 0; i < 21; i++)
            await portal.InsertRunAsync(user.Id, JobRunStatus.Succeeded, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var first = await browser.GetDocumentAsync("/Jobs");
        var second = await browser.GetDocumentAsync("/Jobs?page=2");

        Assert.Equal(20, first.QuerySelectorAll("#job-list tbody tr").Length);
        Assert.Single(second.QuerySelectorAll("#job-list tbody tr"));
        Assert.Contains("21 total · page 2 of 2", second.QuerySelector(".pager")?.TextContent, StringComparison.Ordinal);
    }
}
