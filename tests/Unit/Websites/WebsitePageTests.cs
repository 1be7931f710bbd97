using System.Net;
using System.Text.Json;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Websites;

/// <summary>The websites pages driven like a browser without JavaScript (and with htmx where it swaps partials).</summary>
public class WebsitePageTests(PortalFactory portal)
{
    private Task<Website?> LoadAsync(Guid id) =>
        portal.WithDbAsync(db => db.Set<Website>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, TestContext.Current.CancellationToken));

    private Task<int> CountAsync(TestUser owner) =>
        portal.WithDbAsync(db => db.Set<Website>().CountAsync(w => w.OwnerId == owner.Id, TestContext.Current.CancellationToken));

    private static async Task<string> HtmxGetAsync(HttpClient browser, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("HX-Request", "true");
        var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Creating_a_website_derives_the_slug_from_the_name_keeps_the_metadata_and_opens_its_page()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var name = $"Garden Shop {Guid.NewGuid():N}"[..24];

        var response = await browser.PostFormAsync("/Websites/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.Slug"] = "",
            ["Input.Category"] = "shop",
            ["Input.Metadata"] = """{ "theme": "dark", "nav": [1, 2] }""",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var saved = await portal.WithDbAsync(db => db.Set<Website>().SingleAsync(w => w.OwnerId == user.Id, TestContext.Current.CancellationToken));
        Assert.Equal(WebsiteRules.Slugify(name), saved.Slug);
        Assert.Equal("shop", saved.Category);
        Assert.Equal("dark", JsonDocument.Parse(saved.Metadata).RootElement.GetProperty("theme").GetString());
        Assert.Equal($"/Websites/Details/{saved.Id}", response.Headers.Location?.OriginalString);
        var details = await browser.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Equal($"Website “{name}” was created.", details.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.Equal(name, details.QuerySelector("h1")?.TextContent);
        Assert.NotNull(details.QuerySelector("[data-testid=types-empty]"));
        var list = await browser.GetDocumentAsync("/Websites");
        Assert.NotNull(list.QuerySelector($"a[href='/Websites/Details/{saved.Id}']"));
        Assert.Equal("page", list.QuerySelector("a[href='/Websites']")?.GetAttribute("aria-current")); // the nav entry
    }

    public static TheoryData<string, string, string, string> Invalid_websites() => new()
    {
        { "", "", "Input.Name", "Name is required." },
        { "Bad slug", "Not A Slug!", "Input.Slug", "Slug must be 1-100 lower-case letters, digits or dashes, not starting or ending with a dash." },
        { "Bad metadata", "{ theme: dark", "Input.Metadata", "Metadata is not valid JSON" },
        { "Array metadata", "[1, 2]", "Input.Metadata", "metadata must be a JSON object." },
    };

    [Theory]
    [MemberData(nameof(Invalid_websites))]
    public async Task Website_form_errors_are_shown_next_to_their_field_and_nothing_is_saved(string name, string slugOrMetadata, string field, string message)
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var metadataCase = field == "Input.Metadata";

        var response = await browser.PostFormAsync("/Websites/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.Slug"] = metadataCase ? "" : slugOrMetadata,
            ["Input.Description"] = "Keep what I typed",
            ["Input.Metadata"] = metadataCase ? slugOrMetadata : "",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.StartsWith(message, page.FieldError(field), StringComparison.Ordinal);
        Assert.Equal("true", page.QuerySelector($"[name='{field}']")?.GetAttribute("aria-invalid"));
        Assert.Equal("Keep what I typed", page.QuerySelector("#Input_Description")?.TextContent);
        Assert.Equal(0, await CountAsync(user));
    }

    [Fact]
    public async Task A_slug_another_website_uses_is_refused_next_to_the_slug_field()
    {
        var user = await portal.CreateUserAsync();
        var other = await portal.CreateUserAsync("other");
        var taken = await portal.CreateWebsiteAsync(other, "Taken");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await Forms.ParseAsync(await browser.PostFormAsync("/Websites/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "Mine",
            ["Input.Slug"] = taken.Slug,
        }));

        Assert.Equal("Another website already uses this slug.", page.FieldError("Input.Slug"));
        Assert.Equal(0, await CountAsync(user));
    }

    [Fact]
    public async Task Editing_saves_and_a_stale_version_shows_the_conflict_and_saves_nothing()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Before");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var form = await browser.GetDocumentAsync($"/Websites/Edit/{website.Id}");
        Assert.Equal("Before", form.QuerySelector("#Input_Name")?.GetAttribute("value"));
        Assert.Equal(website.Slug, form.QuerySelector("#Input_Slug")?.GetAttribute("value"));

        var saved = await browser.PostFormAsync($"/Websites/Edit/{website.Id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "After",
            ["Input.Slug"] = website.Slug,
            ["Input.Metadata"] = """{"theme":"light"}""",
            ["Version"] = "1",
        });
        var stale = await browser.PostFormAsync($"/Websites/Edit/{website.Id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "Lost?",
            ["Input.Slug"] = website.Slug,
            ["Version"] = "1",
        });

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var conflict = await Forms.ParseAsync(stale);
        Assert.Contains("Your changes were not saved", conflict.QuerySelector("[data-testid=conflict]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Lost?", conflict.QuerySelector("#Input_Name")?.GetAttribute("value"));
        var after = await LoadAsync(website.Id);
        Assert.Equal("After", after?.Name);
        Assert.Equal("""{"theme":"light"}""", after?.Metadata);
        Assert.Equal(2, after?.Version);
    }

    [Fact]
    public async Task Deleting_asks_first_says_the_history_goes_too_and_removes_the_website_with_its_versions()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user, "Short-lived");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var confirmation = await browser.GetDocumentAsync($"/Websites/Delete/{site.Id}");
        Assert.Equal("Delete “Short-lived”?", confirmation.QuerySelector("h1")?.TextContent);
        var consequences = confirmation.QuerySelector("[data-testid=delete-consequences]")?.TextContent;
        Assert.Contains("its whole history", consequences, StringComparison.Ordinal);
        Assert.Contains("3 version(s)", consequences, StringComparison.Ordinal);
        Assert.Contains("2 content type(s) and 1 content item(s)", consequences, StringComparison.Ordinal);
        Assert.NotNull(await LoadAsync(site.Id)); // looking deletes nothing

        var response = await browser.PostFormAsync($"/Websites/Delete/{site.Id}", new Dictionary<string, string> { ["version"] = "1" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(await LoadAsync(site.Id));
        Assert.Equal(0, await portal.VersionCountAsync(site.Id));
        var list = await browser.GetDocumentAsync("/Websites");
        Assert.Equal("Website “Short-lived” and its data's history were deleted.", list.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.NotNull(list.QuerySelector("[data-testid=websites-empty]"));
    }

    [Fact]
    public async Task The_list_searches_as_you_type_with_an_htmx_partial_pages_and_says_when_nothing_matches()
    {
        var user = await portal.CreateUserAsync();
        await portal.CreateWebsiteAsync(user, "Garden planner");
        for (var i = 1; i <= 20; i++)
            await portal.CreateWebsiteAsync(user, $"Recipe box {i:00}");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var fragment = await HtmxGetAsync(browser, "/Websites?q=garden");
        var empty = await browser.GetDocumentAsync("/Websites?q=%3Cb%3Enothing%3C%2Fb%3E");
        var second = await browser.GetDocumentAsync("/Websites?q=&page=2");

        Assert.DoesNotContain("<html", fragment, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Garden planner", fragment, StringComparison.Ordinal);
        Assert.DoesNotContain("Recipe box", fragment, StringComparison.Ordinal);
        Assert.Contains("No website matches “<b>nothing</b>”.", empty.QuerySelector("[data-testid=websites-empty]")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("21 total · page 2 of 2", second.QuerySelector(".pager")?.TextContent, StringComparison.Ordinal);
        Assert.Single(second.QuerySelectorAll("[data-testid=websites-table] tbody tr"));
    }

    [Theory]
    [InlineData("types", "types-table")]
    [InlineData("items", "items-table")]
    [InlineData("data", "versions-table")]
    [InlineData("conflicts", "conflicts-table")]
    [InlineData("deployments", "deployment-configs")]
    public async Task Each_tab_is_a_link_and_htmx_gets_the_tab_strip_with_that_tab_only(string tab, string table)
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab={tab}");
        var fragment = await HtmxGetAsync(browser, $"/Websites/Details/{site.Id}?tab={tab}");

        Assert.NotNull(page.QuerySelector($"[data-testid={table}]"));
        Assert.Equal("page", page.QuerySelector($"nav.tabs a[data-tab={tab}]")?.GetAttribute("aria-current"));
        Assert.Equal(5, page.QuerySelectorAll("nav.tabs a[hx-get][href]").Length);
        Assert.DoesNotContain("<html", fragment, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"data-testid=\"{table}\"", fragment, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"tab-{tab}\"", fragment, StringComparison.Ordinal);
        Assert.DoesNotContain(page.All, e => e.HasAttribute("style") || e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_tabs_show_their_empty_states()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Empty");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        foreach (var (tab, empty) in new[] { ("types", "types-empty"), ("items", "items-empty"), ("data", "versions-empty"), ("conflicts", "conflicts-empty") })
            Assert.NotNull((await browser.GetDocumentAsync($"/Websites/Details/{website.Id}?tab={tab}")).QuerySelector($"[data-testid={empty}]"));
    }
}
