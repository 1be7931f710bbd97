using System.Net;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>SPEC §3: the Hangfire dashboard is for admins only.</summary>
public class HangfireDashboardTests(PortalFactory portal)
{
    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/jobs/enqueued")]
    [InlineData("/hangfire/stats")]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string url)
    {
        var response = await portal.CreateBrowser().GetAsync(url);

        Forms.AssertRedirectsToSignIn(response);
    }

    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/jobs/enqueued")]
    public async Task Signed_in_users_who_are_not_admins_get_403(string url)
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("Catalyst jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_admin_cannot_act_through_the_dashboard()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostAsync("/hangfire/recurring/trigger", new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "x" }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_does_not_open_the_dashboard()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);

        var response = await portal.CreateApiClient(admin.Token).GetAsync("/hangfire");

        Forms.AssertRedirectsToSignIn(response);
    }

    [Fact]
    public async Task Admins_see_the_dashboard()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var response = await browser.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Catalyst jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/hangfire/jobs/succeeded")).StatusCode);
    }
}
