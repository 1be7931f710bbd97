using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>Cancel and retry from the Jobs list: the same service as the API, only on runs the user may act on, htmx or plain forms.</summary>
public class JobListActionTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<JobRun> RunAsync(Guid id) => portal.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == id, Ct));

    private static IHtmlDocument ParseFragment(string html) => new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);

    /// <summary>Posts a row's form as htmx does: the page's antiforgery header and HX-Request.</summary>
    private static async Task<HttpResponseMessage> HtmxPostAsync(HttpClient browser, IHtmlDocument page, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add("HX-Request", "true");
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(page.Body!.GetAttribute("hx-headers")!)!;
        request.Headers.Add("RequestVerificationToken", headers["RequestVerificationToken"]);
        request.Content = new FormUrlEncodedContent([]);
        return await browser.SendAsync(request);
    }

    private static string? FormAction(IHtmlDocument page, Guid run, string testId) =>
        page.QuerySelector($"tr[data-run='{run}'] [data-testid={testId}]")?.Closest("form")?.GetAttribute("action");

    [Fact]
    public async Task A_queued_run_is_canceled_from_the_list_without_JavaScript_and_then_offers_a_retry()
    {
        var user = await portal.CreateUserAsync("list-cancel");
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var list = await browser.GetDocumentAsync("/Jobs?status=Queued");
        var action = FormAction(list, run.Id, "cancel-job");
        Assert.NotNull(action);
        Assert.Null(FormAction(list, run.Id, "retry-job"));
        Assert.Equal("#job-list", list.QuerySelector($"tr[data-run='{run.Id}'] [data-testid=cancel-job]")?.Closest("form")?.GetAttribute("hx-target"));

        var canceled = await browser.PostWithTokenFromAsync("/Jobs", action!);

        Assert.Equal(HttpStatusCode.Redirect, canceled.StatusCode);
        Assert.Equal("/Jobs?status=Queued&page=1", canceled.Headers.Location?.OriginalString);
        Assert.Equal(JobRunStatus.Canceled, (await RunAsync(run.Id)).Status);
        var after = await browser.GetDocumentAsync("/Jobs");
        Assert.Equal("Cancel requested.", after.QuerySelector(".flash")?.TextContent.Trim());
        Assert.NotNull(FormAction(after, run.Id, "retry-job"));
        Assert.Null(FormAction(after, run.Id, "cancel-job"));
    }

    [Fact]
    public async Task A_failed_run_is_retried_from_the_list_with_htmx_which_swaps_the_list_and_the_run_succeeds()
    {
        var user = await portal.CreateUserAsync("list-retry");
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Failed, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var list = await browser.GetDocumentAsync("/Jobs");

        var retried = await HtmxPostAsync(browser, list, FormAction(list, run.Id, "retry-job")!);

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var html = await retried.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html, StringComparison.OrdinalIgnoreCase);
        var fragment = ParseFragment(html);
        Assert.Equal("The job was queued again.", fragment.QuerySelector("[data-testid=job-notice]")?.TextContent.Trim());
        Assert.NotNull(fragment.QuerySelector("#job-list-body"));
        var done = await portal.CreateApiClient(user.Token).WaitForStatusAsync(run.Id, "succeeded");
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_finished_run_offers_no_action_and_a_posted_one_is_refused_with_a_message()
    {
        var user = await portal.CreateUserAsync("list-done");
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Succeeded, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var list = await browser.GetDocumentAsync("/Jobs");
        Assert.Null(FormAction(list, run.Id, "retry-job"));
        Assert.Null(FormAction(list, run.Id, "cancel-job"));

        var retry = await HtmxPostAsync(browser, list, $"/Jobs?page=1&handler=Retry&id={run.Id}");
        var cancel = await browser.PostWithTokenFromAsync("/Jobs", $"/Jobs?page=1&handler=Cancel&id={run.Id}");
        var flash = (await browser.GetDocumentAsync("/Jobs")).QuerySelector(".flash")?.TextContent.Trim();
        var garbled = await browser.PostWithTokenFromAsync("/Jobs", "/Jobs?page=1&handler=Cancel&id=not-a-guid");

        Assert.Equal("Only a failed or canceled job can be retried.", ParseFragment(await retry.Content.ReadAsStringAsync()).QuerySelector("[data-testid=job-notice]")?.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        Assert.Equal("The job has already succeeded.", flash);
        Assert.Equal(HttpStatusCode.NotFound, garbled.StatusCode);
        var after = await RunAsync(run.Id);
        Assert.Equal((JobRunStatus.Succeeded, 1), (after.Status, after.Attempts));
    }

    [Fact]
    public async Task Another_users_run_cannot_be_canceled_or_retried_from_the_list_but_an_admin_may()
    {
        var owner = await portal.CreateUserAsync("list-owner");
        var queued = await portal.InsertRunAsync(owner.Id, JobRunStatus.Queued, new { ownerId = owner.Id });
        var failed = await portal.InsertRunAsync(owner.Id, JobRunStatus.Failed, new { ownerId = owner.Id });
        var other = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("list-other"));

        var cancel = await other.PostWithTokenFromAsync("/Jobs", $"/Jobs?page=1&handler=Cancel&id={queued.Id}");
        var retry = await HtmxPostAsync(other, await other.GetDocumentAsync("/Jobs"), $"/Jobs?page=1&handler=Retry&id={failed.Id}");

        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
        Assert.DoesNotContain(queued.Id.ToString(), await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((JobRunStatus.Queued, JobRunStatus.Failed), ((await RunAsync(queued.Id)).Status, (await RunAsync(failed.Id)).Status));

        var admin = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("list-admin", admin: true));
        var adminList = await admin.GetDocumentAsync("/Jobs?status=Queued&page=1");
        var byAdmin = await admin.PostWithTokenFromAsync("/Jobs", FormAction(adminList, queued.Id, "cancel-job") ?? $"/Jobs?page=1&handler=Cancel&id={queued.Id}");
        Assert.Equal(HttpStatusCode.Redirect, byAdmin.StatusCode);
        Assert.Equal(JobRunStatus.Canceled, (await RunAsync(queued.Id)).Status);
        Assert.Contains("job.cancel", await portal.WithDbAsync(db => db.AuditEntries.Where(e => e.EntityId == queued.Id.ToString()).Select(e => e.Action).ToListAsync(Ct)));
    }

    [Fact]
    public async Task A_forged_cancel_is_refused_with_a_message_and_changes_nothing()
    {
        var user = await portal.CreateUserAsync("list-forged");
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var forged = await browser.PostAsync($"/Jobs?page=1&handler=Cancel&id={run.Id}", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "forged" }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("Bad request", (await Forms.ParseAsync(forged)).QuerySelector("h1")?.TextContent.Trim());
        Assert.Equal(JobRunStatus.Queued, (await RunAsync(run.Id)).Status);
    }
}
