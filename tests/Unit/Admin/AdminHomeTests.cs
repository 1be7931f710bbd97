using System.Net;
using Catalyst.Data.Deployments;
using Catalyst.Data.Jobs;
using Catalyst.Data.Tokens;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Jobs;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Admin;

/// <summary>The admin home (issue 9 §5) on a Portal of its own, so its "recent failures" are this test's.</summary>
public class AdminHomeTests
{
    [Fact]
    public async Task The_admin_home_shows_accounts_tokens_storage_recent_failures_and_the_way_to_Hangfire_and_revokes_a_token()
    {
        await using var portal = new PortalFactory();
        await portal.InitializeAsync();
        var admin = await portal.CreateUserAsync("home", admin: true);
        var user = await portal.CreateUserAsync("someone");
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var quiet = await browser.GetDocumentAsync("/Admin");
        Assert.Equal("No job has failed.", quiet.QuerySelector("[data-testid=failed-jobs] p")?.TextContent.Trim());
        Assert.Equal("No deployment has failed.", quiet.QuerySelector("[data-testid=failed-deliveries] p")?.TextContent.Trim());
        Assert.Equal("/hangfire", quiet.QuerySelector("[data-testid=hangfire-link]")?.GetAttribute("href"));
        Assert.Contains("3", quiet.QuerySelector("[data-testid=users-card] dd")?.TextContent, StringComparison.Ordinal); // bootstrap admin, admin, user
        Assert.Contains(user.Email, quiet.QuerySelector("[data-testid=tokens-card]")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.NotNull(quiet.QuerySelector("[data-testid=storage-card]"));

        var site = await portal.CreateFullWebsiteAsync(user, "Failing site");
        var job = await portal.InsertRunAsync(user.Id, JobRunStatus.Failed, new { ownerId = user.Id });
        var busy = await browser.GetDocumentAsync("/Admin");
        Assert.Contains("503 Service Unavailable", busy.QuerySelector("[data-testid=failed-deliveries]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/Websites/Details/{site.Id}?tab=deployments", busy.QuerySelector("[data-testid=failed-deliveries] li a")?.GetAttribute("href"));
        Assert.Equal($"/Jobs/Details/{job.Id}", busy.QuerySelector("[data-testid=failed-jobs] li a")?.GetAttribute("href"));

        var tokenId = await portal.WithDbAsync(db => db.Set<ApiToken>().Where(t => t.UserId == user.Id).Select(t => t.Id).SingleAsync(TestContext.Current.CancellationToken));
        var revoked = await browser.PostWithTokenFromAsync("/Admin", $"/Admin?handler=RevokeToken&id={tokenId}");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.CreateApiClient(user.Token).GetAsync("/api/projects")).StatusCode);
        Assert.DoesNotContain(user.Email, (await browser.GetDocumentAsync("/Admin")).QuerySelector("[data-testid=tokens-card]")?.TextContent ?? "", StringComparison.Ordinal);
    }
}
