using System.Net;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Secrets;

/// <summary>The admin Secrets page: keys and credentials, masked; a rotation started from it; and the audit page's filters.</summary>
public class SecretsPageTests(RotationPortal fixture) : IClassFixture<RotationPortal>
{
    private PortalFactory Portal => fixture.Portal;

    [Fact]
    public async Task The_page_lists_credentials_masked_and_starts_a_rotation_whose_job_it_opens()
    {
        var admin = await Portal.CreateUserAsync("secrets-page", admin: true);
        const string value = "secrets-page-credential-value-MASK";
        await SecretVaultTests.StoreAsync(Portal, admin, value);
        var browser = await Portal.CreateSignedInBrowserAsync(admin);

        var page = await browser.GetAsync("/Admin/Secrets");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain(value, html, StringComparison.Ordinal);
        var document = await Forms.ParseAsync(page);
        Assert.Contains("••••••••MASK", document.Body?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(document.QuerySelector("[data-testid=keys-table]"));

        var rotated = await browser.PostWithTokenFromAsync("/Admin/Secrets", "/Admin/Secrets?handler=Rotate");

        Assert.Equal(HttpStatusCode.Redirect, rotated.StatusCode);
        Assert.StartsWith("/Jobs/Details/", rotated.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var audit = await browser.GetDocumentAsync("/Admin/Audit?action=secret.&entity=SecretKey");
        Assert.Contains("secret.key_rotate", audit.QuerySelector("#audit-list")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(value, audit.DocumentElement.OuterHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_page_answers_an_htmx_filter_with_its_list_only()
    {
        var admin = await Portal.CreateUserAsync("audit-page", admin: true);
        var browser = await Portal.CreateSignedInBrowserAsync(admin);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Admin/Audit?user={Uri.EscapeDataString("nobody-" + Guid.NewGuid())}");
        request.Headers.Add("HX-Request", "true");

        var response = await browser.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<html", html, StringComparison.Ordinal);
        Assert.Contains("No audit entry matches", html, StringComparison.Ordinal);
    }
}
