using System.Net;
using Catalyst.Data.Chat;
using Catalyst.Data.Deployments;
using Catalyst.Data.Features;
using Catalyst.Data.Jobs;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Mcp;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Jobs;
using Catalyst.Tests.Unit.Websites;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>An admin with a project, a job run and a website with content and data versions, signed in, so every page can be opened.</summary>
public sealed class PageVisitor(PortalFactory portal) : IAsyncLifetime
{
    public TestUser Admin { get; private set; } = null!;
    public HttpClient Browser { get; private set; } = null!;
    public Guid ProjectId { get; private set; }
    public Guid JobId { get; private set; }
    public Guid SessionId { get; private set; }
    public FullWebsite Website { get; private set; } = null!;
    public Guid McpServerId { get; private set; }
    public string FlagName { get; } = $"visited.flag{Guid.NewGuid():N}"[..24];
    public Guid DeploymentConfigId { get; private set; }
    public Guid MigrationId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Admin = await portal.CreateUserAsync("visitor", admin: true);
        Browser = await portal.CreateSignedInBrowserAsync(Admin);
        ProjectId = (await portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>()
            .CreateAsync(Admin.Actor, new ProjectInput("Visited", "A description", ["tour"], null), CancellationToken.None))).Id;
        SessionId = (await portal.WithScopeAsync(sp => sp.GetRequiredService<ChatService>()
            .CreateSessionAsync(Admin.Actor, new ChatSessionInput("Visited chat", ProjectId), CancellationToken.None))).Id;
        await portal.WithScopeAsync(sp => sp.GetRequiredService<MarketplaceCatalog>()
            .PublishAsync(Admin.Actor, ProjectId, null, new PublishInput(990, "EUR", "templates", null), CancellationToken.None));
        JobId = (await portal.InsertRunAsync(Admin.Id, JobRunStatus.Succeeded, new { ownerId = Admin.Id })).Id;
        Website = await portal.CreateFullWebsiteAsync(Admin, "Visited site");
        MigrationId = (await new LegacyImport.LegacyHarness(portal).RunAsync(Admin, LegacyImport.LegacyTestDumps.Create().Small(), dryRun: true)).Id;
        await portal.WithScopeAsync(async sp =>
        {
            McpServerId = (await sp.GetRequiredService<McpServerService>().CreateAsync(Admin.Actor,
                new McpServerInput($"Visited MCP {Guid.NewGuid():N}", "A server", McpTransport.Http, "https://mcp.example.com/mcp", null, null),
                "visited-credential-1234", CancellationToken.None)).Server.Id;
            await sp.GetRequiredService<FeatureFlagService>().CreateAsync(Admin.Actor,
                new FeatureFlagInput(FlagName, "Visited", FeatureFlagState.Percentage, 50, null, null), CancellationToken.None);
            DeploymentConfigId = (await sp.GetRequiredService<DeploymentService>().CreateConfigAsync(Admin.Actor, Website.Id,
                new DeploymentConfigInput("Visited deploy", "webhook", "https://deploy.example.com/hook", null), "visited-deploy-credential", CancellationToken.None)).Config.Id;
        });
    }

    public ValueTask DisposeAsync()
    {
        Browser.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// SPEC §16 on every portal page: the security headers, a Content-Security-Policy the page really
/// lives within (no inline script, handlers or styles), and a title. The pages come from the app's
/// own endpoint list, so a new page is checked as soon as it exists.
/// </summary>
public class PortalPageTests(PortalFactory portal, PageVisitor visitor) : IClassFixture<PageVisitor>
{
    /// <summary>The URL to open for each page, and the status it answers for the signed-in admin.</summary>
    private static readonly Dictionary<string, (string Url, HttpStatusCode Status)> Pages = new()
    {
        ["/Index"] = ("/", HttpStatusCode.OK),
        ["/Error"] = ("/Error?code=404", HttpStatusCode.NotFound),
        ["/Account/Login"] = ("/Account/Login", HttpStatusCode.OK),
        ["/Account/Logout"] = ("/Account/Logout", HttpStatusCode.Redirect), // GET only sends you home; signing out is a POST
        ["/Account/Register"] = ("/Account/Register", HttpStatusCode.NotFound), // registration is off by default
        ["/Account/AccessDenied"] = ("/Account/AccessDenied", HttpStatusCode.Forbidden),
        ["/Account/Tokens"] = ("/Account/Tokens", HttpStatusCode.OK),
        ["/Projects/Index"] = ("/Projects", HttpStatusCode.OK),
        ["/Projects/Create"] = ("/Projects/Create", HttpStatusCode.OK),
        ["/Projects/Edit"] = ("/Projects/Edit/{project}", HttpStatusCode.OK),
        ["/Projects/Delete"] = ("/Projects/Delete/{project}", HttpStatusCode.OK),
        ["/Jobs/Index"] = ("/Jobs", HttpStatusCode.OK),
        ["/Jobs/Details"] = ("/Jobs/Details/{job}", HttpStatusCode.OK),
        ["/Admin/Users/Index"] = ("/Admin/Users", HttpStatusCode.OK),
        ["/Admin/Users/Create"] = ("/Admin/Users/Create", HttpStatusCode.OK),
        ["/Admin/Users/Edit"] = ("/Admin/Users/Edit/{user}", HttpStatusCode.OK),
        ["/Admin/Audit/Index"] = ("/Admin/Audit", HttpStatusCode.OK),
        ["/Admin/Storage/Index"] = ("/Admin/Storage", HttpStatusCode.OK),
        ["/Admin/Index"] = ("/Admin", HttpStatusCode.OK),
        ["/Admin/Mcp/Index"] = ("/Admin/Mcp?deleted=true", HttpStatusCode.OK),
        ["/Admin/Mcp/Edit"] = ("/Admin/Mcp/Edit/{mcp}", HttpStatusCode.OK),
        ["/Admin/Features/Index"] = ("/Admin/Features?check={email}", HttpStatusCode.OK),
        ["/Admin/Features/Edit"] = ("/Admin/Features/Edit/{flag}", HttpStatusCode.OK),
        ["/Admin/Secrets/Index"] = ("/Admin/Secrets", HttpStatusCode.OK),
        ["/Admin/Tokens/Index"] = ("/Admin/Tokens?all=true", HttpStatusCode.OK),
        ["/Admin/Monitoring/Index"] = ("/Admin/System", HttpStatusCode.OK),
        ["/Websites/Deployment"] = ("/Websites/{website}/deployments/{deployment}", HttpStatusCode.OK),
        ["/Assets/Index"] = ("/Assets", HttpStatusCode.OK),
        ["/Chat/Index"] = ("/Chat", HttpStatusCode.OK),
        ["/Chat/Session"] = ("/Chat/Session/{session}", HttpStatusCode.OK),
        ["/Admin/Cache/Index"] = ("/Admin/Cache", HttpStatusCode.OK),
        ["/Websites/Import"] = ("/Websites/Import", HttpStatusCode.OK),
        ["/Websites/Index"] = ("/Websites", HttpStatusCode.OK),
        ["/Websites/Create"] = ("/Websites/Create", HttpStatusCode.OK),
        ["/Websites/Edit"] = ("/Websites/Edit/{website}", HttpStatusCode.OK),
        ["/Websites/Delete"] = ("/Websites/Delete/{website}", HttpStatusCode.OK),
        ["/Websites/Details"] = ("/Websites/Details/{website}?tab=data", HttpStatusCode.OK),
        ["/Websites/ContentType"] = ("/Websites/{website}/types/{type}", HttpStatusCode.OK),
        ["/Websites/ContentItem"] = ("/Websites/{website}/items/{item}", HttpStatusCode.OK),
        ["/Websites/Version"] = ("/Websites/{website}/versions/1", HttpStatusCode.OK),
        ["/Websites/Diff"] = ("/Websites/{website}/diff?from=1&to=2", HttpStatusCode.OK),
        ["/Marketplace/Index"] = ("/Marketplace", HttpStatusCode.OK),
        ["/Marketplace/Details"] = ("/Marketplace/Details/{project}", HttpStatusCode.OK),
        ["/Marketplace/Publish"] = ("/Marketplace/Publish/{project}", HttpStatusCode.OK),
        ["/Marketplace/Purchases"] = ("/Marketplace/Purchases", HttpStatusCode.OK),
        ["/Marketplace/Sales"] = ("/Marketplace/Sales", HttpStatusCode.OK),
        ["/Marketplace/Stats"] = ("/Marketplace/Stats", HttpStatusCode.OK),
        ["/LegacyImport/Index"] = ("/legacy-import", HttpStatusCode.OK),
        ["/LegacyImport/Details"] = ("/legacy-import/{migration}", HttpStatusCode.OK),
    };

    public static TheoryData<string> PageNames() => [.. Pages.Keys];

    [Fact]
    public void Every_page_of_the_app_is_visited_here()
    {
        var pages = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<PageActionDescriptor>()?.ViewEnginePath)
            .OfType<string>().Distinct().Order();

        Assert.Equal(Pages.Keys.Order(), pages);
    }

    private string UrlOf(string page) => Pages[page].Url
        .Replace("{project}", visitor.ProjectId.ToString(), StringComparison.Ordinal)
        .Replace("{job}", visitor.JobId.ToString(), StringComparison.Ordinal)
        .Replace("{session}", visitor.SessionId.ToString(), StringComparison.Ordinal)
        .Replace("{user}", visitor.Admin.Id.ToString(), StringComparison.Ordinal)
        .Replace("{website}", visitor.Website.Id.ToString(), StringComparison.Ordinal)
        .Replace("{type}", visitor.Website.Type.Id.ToString(), StringComparison.Ordinal)
        .Replace("{item}", visitor.Website.Item.Id.ToString(), StringComparison.Ordinal)
        .Replace("{mcp}", visitor.McpServerId.ToString(), StringComparison.Ordinal)
        .Replace("{flag}", visitor.FlagName, StringComparison.Ordinal)
        .Replace("{email}", Uri.EscapeDataString(visitor.Admin.Email), StringComparison.Ordinal)
        .Replace("{deployment}", visitor.DeploymentConfigId.ToString(), StringComparison.Ordinal)
        .Replace("{migration}", visitor.MigrationId.ToString(), StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(PageNames))]
    public async Task Every_page_carries_the_security_headers(string page)
    {
        var response = await visitor.Browser.GetAsync(UrlOf(page));

        Assert.True(response.StatusCode == Pages[page].Status, $"{page} answered {(int)response.StatusCode}");
        AssertSecurityHeaders(response);
    }

    [Theory]
    [MemberData(nameof(PageNames))]
    public async Task Every_page_has_a_title_and_no_inline_script_or_style(string page)
    {
        var response = await visitor.Browser.GetAsync(UrlOf(page));
        if (response.StatusCode == HttpStatusCode.Redirect)
            return; // nothing rendered (sign-out by GET)

        var document = await Forms.ParseAsync(response);

        Assert.Matches(@"^\S.* · Catalyst$", document.Title);
        Assert.All(document.Scripts, script => Assert.False(string.IsNullOrEmpty(script.Source), $"{page} has an inline <script>"));
        var inline = document.All.SelectMany(e => e.Attributes.Select(a => (Element: e.LocalName, a.Name)))
            .Where(a => a.Name.StartsWith("on", StringComparison.Ordinal) || a.Name == "style" || a.Name.StartsWith("hx-on", StringComparison.Ordinal))
            .ToList();
        Assert.True(inline.Count == 0, $"{page} has inline handlers or styles the CSP blocks: {string.Join(", ", inline)}");
    }

    [Theory]
    [MemberData(nameof(PageNames))]
    public async Task No_form_on_any_page_renders_an_empty_action(string page)
    {
        var response = await visitor.Browser.GetAsync(UrlOf(page));
        if (response.StatusCode == HttpStatusCode.Redirect)
            return;

        var document = await Forms.ParseAsync(response);

        // An empty action posts to the page's own URL without the handler and its values.
        var empty = document.QuerySelectorAll("form[action]").Where(f => string.IsNullOrWhiteSpace(f.GetAttribute("action"))).Select(f => f.OuterHtml[..Math.Min(200, f.OuterHtml.Length)]).ToList();
        Assert.True(empty.Count == 0, $"{page} has forms without an action: {string.Join(" | ", empty)}");
    }

    [Fact]
    public void No_view_sets_a_route_value_that_Razor_Pages_owns()
    {
        // asp-route-page (or -handler, -area) replaces the value naming the target page, so the link
        // or form cannot be generated and renders an empty href or action.
        var reserved = new System.Text.RegularExpressions.Regex(@"asp-route-(page|handler|area|controller|action)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var offenders = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src", "Portal", "Pages"), "*.cshtml", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
            .Where(l => reserved.IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(RepositoryPaths.Root, l.file)}:{l.i + 1}")
            .ToList();

        Assert.True(offenders.Count == 0, "Reserved route values in views: " + string.Join(", ", offenders));
    }

    [Fact]
    public async Task The_sign_in_page_carries_the_headers_for_anonymous_visitors_too()
    {
        var response = await portal.CreateBrowser().GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.Equal("Sign in · Catalyst", (await Forms.ParseAsync(response)).Title);
    }

    [Fact]
    public async Task Error_pages_carry_the_headers_too()
    {
        var response = await visitor.Browser.GetAsync($"/Projects/Edit/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.Equal("Not found · Catalyst", (await Forms.ParseAsync(response)).Title);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(response.Headers.GetValues("Referrer-Policy"))));
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        var scripts = directives.GetValueOrDefault("script-src") ?? directives["default-src"];
        Assert.DoesNotContain("'unsafe-inline'", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("*", scripts, StringComparison.Ordinal);
    }
}
