using System.Net;
using Catalyst.Data.Deployments;
using Catalyst.Data.Secrets;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>The website page's deployments tab and the config form.</summary>
public class DeploymentPageTests(PortalFactory portal)
{
    [Fact]
    public async Task An_owner_adds_and_edits_a_config_through_the_form_and_its_credential_never_comes_back()
    {
        var owner = await portal.CreateUserAsync("deployer");
        var website = await portal.CreateWebsiteAsync(owner, "Deployed site");
        var browser = await portal.CreateSignedInBrowserAsync(owner);
        const string secret = "form-credential-value-QQQQ";

        var created = await browser.PostFormAsync($"/Websites/{website.Id}/deployments", new Dictionary<string, string>
        {
            ["Input.Name"] = "Staging", ["Input.Provider"] = "netlify", ["Input.Endpoint"] = "https://api.netlify.example/build_hooks/abc",
            ["Input.Settings"] = """{"branch":"main"}""", ["Input.Credential"] = secret,
        });

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal($"/Websites/Details/{website.Id}?tab=deployments", created.Headers.Location?.OriginalString);
        var config = await portal.WithDbAsync(db => db.Set<DeploymentConfig>().AsNoTracking().SingleAsync(c => c.WebsiteId == website.Id, TestContext.Current.CancellationToken));
        Assert.Equal("netlify", config.Provider);
        Assert.Equal("""{"branch":"main"}""", config.Settings);
        var tab = await browser.GetAsync($"/Websites/Details/{website.Id}?tab=deployments");
        var html = await tab.Content.ReadAsStringAsync();
        Assert.Equal("••••••••QQQQ", (await Forms.ParseAsync(tab)).QuerySelector("[data-testid=credential-masked]")?.TextContent);
        Assert.DoesNotContain(secret, html, StringComparison.Ordinal);

        var edit = await browser.GetAsync($"/Websites/{website.Id}/deployments/{config.Id}");
        Assert.DoesNotContain(secret, await edit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var saved = await browser.PostFormAsync($"/Websites/{website.Id}/deployments/{config.Id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "Staging 2", ["Input.Provider"] = "netlify", ["Input.Endpoint"] = "https://api.netlify.example/build_hooks/abc", ["Version"] = "1",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = await portal.WithDbAsync(db => db.Set<DeploymentConfig>().AsNoTracking().SingleAsync(c => c.Id == config.Id, TestContext.Current.CancellationToken));
        Assert.Equal("Staging 2", after.Name);
        Assert.Equal(2, after.Version);
        Assert.True(await portal.WithDbAsync(db => db.Set<Credential>().AnyAsync(c => c.DeploymentConfigId == config.Id, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task A_refused_form_names_the_field_and_does_not_echo_the_credential()
    {
        var owner = await portal.CreateUserAsync("deployer");
        var website = await portal.CreateWebsiteAsync(owner, "Refused site");
        var browser = await portal.CreateSignedInBrowserAsync(owner);
        const string secret = "refused-credential-value-ZZZZ";

        var response = await browser.PostFormAsync($"/Websites/{website.Id}/deployments", new Dictionary<string, string>
        {
            ["Input.Name"] = "Local", ["Input.Provider"] = "webhook", ["Input.Endpoint"] = "https://127.0.0.1/hook", ["Input.Credential"] = secret,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
        var document = await Forms.ParseAsync(response);
        Assert.Contains("public addresses only", document.FieldError("Input.Endpoint"), StringComparison.Ordinal);
        Assert.False(await portal.WithDbAsync(db => db.Set<DeploymentConfig>().AnyAsync(c => c.WebsiteId == website.Id, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task The_run_history_polls_itself_while_a_run_is_in_progress_and_offers_retry_for_a_failed_one()
    {
        var owner = await portal.CreateUserAsync("deployer");
        var site = await portal.CreateFullWebsiteAsync(owner);
        var browser = await portal.CreateSignedInBrowserAsync(owner);

        var idle = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?handler=Runs");
        Assert.Equal("none", idle.QuerySelector("#deployment-runs")?.GetAttribute("hx-trigger"));
        Assert.NotNull(idle.QuerySelector("[data-testid=retry-run]"));
        Assert.Equal("failed", idle.QuerySelector("[data-testid=deployment-run]")?.GetAttribute("data-status"));

        var deployed = await browser.PostWithTokenFromAsync($"/Websites/Details/{site.Id}?tab=deployments",
            $"/Websites/Details/{site.Id}?handler=Deploy&configId={site.Deployment}");
        Assert.Equal(HttpStatusCode.Redirect, deployed.StatusCode);

        var busy = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?handler=Runs");
        Assert.Equal(2, busy.QuerySelectorAll("[data-testid=deployment-run]").Length);
        Assert.Equal("every 1s", busy.QuerySelector("#deployment-runs")?.GetAttribute("hx-trigger"));
    }
}
