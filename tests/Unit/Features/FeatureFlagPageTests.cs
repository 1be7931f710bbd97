using System.Net;
using Catalyst.Data.Features;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Features;

/// <summary>The admin pages for feature flags: the form names refused fields next to them, saves, and the check tells what a user gets.</summary>
public class FeatureFlagPageTests(PortalFactory portal)
{
    private Task<FeatureFlag?> FlagAsync(string name) =>
        portal.WithDbAsync(db => db.Set<FeatureFlag>().AsNoTracking().FirstOrDefaultAsync(f => f.Name == name, TestContext.Current.CancellationToken));

    [Fact]
    public async Task A_refused_flag_form_shows_the_message_next_to_the_field_and_a_valid_one_is_saved_and_listed()
    {
        var admin = await portal.CreateUserAsync("flag-page", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var name = $"page.flag{Guid.NewGuid():N}"[..20];

        var refused = await browser.PostFormAsync("/Admin/Features/Edit", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.State"] = "Percentage", ["Input.Percentage"] = "150",
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var document = await Forms.ParseAsync(refused);
        Assert.Equal("Percentage must be between 0 and 100.", document.FieldError("Input.Percentage"));
        Assert.Equal("true", document.QuerySelector("#Input_Percentage")?.GetAttribute("aria-invalid"));
        Assert.Null(await FlagAsync(name));

        var targeted = await browser.PostFormAsync("/Admin/Features/Edit", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.State"] = "Targeted",
        });
        Assert.Contains("at least one user or role", (await Forms.ParseAsync(targeted)).FieldError("Input.Users"), StringComparison.Ordinal);

        var saved = await browser.PostFormAsync("/Admin/Features/Edit", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.State"] = "Targeted", ["Input.Users"] = $"{admin.Email}\nsomeone@example.com", ["Input.Roles"] = "Admin",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var flag = await FlagAsync(name);
        Assert.Equal(FeatureFlagState.Targeted, flag!.State);
        Assert.Equal([admin.Email.ToLowerInvariant(), "someone@example.com"], flag.Users);
        Assert.Equal(["Admin"], flag.Roles);

        var list = await browser.GetDocumentAsync("/Admin/Features");
        Assert.Equal("targeted", list.QuerySelector($"tr[data-flag='{name}'] [data-testid=flag-state]")?.TextContent);
        var check = await browser.GetDocumentAsync($"/Admin/Features?check={Uri.EscapeDataString(admin.Email)}");
        Assert.Contains(check.QuerySelectorAll("[data-testid=checked-flags] li"), li => li.TextContent.Contains(name, StringComparison.Ordinal) && li.TextContent.Contains("on", StringComparison.Ordinal));

        var deleted = await browser.PostWithTokenFromAsync("/Admin/Features", $"/Admin/Features?handler=Delete&name={name}");
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Null(await FlagAsync(name));
    }

    [Fact]
    public async Task An_edit_made_from_a_stale_form_is_refused_with_a_conflict_notice()
    {
        var admin = await portal.CreateUserAsync("flag-page", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var name = $"stale.flag{Guid.NewGuid():N}"[..21];
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync("/Admin/Features/Edit", new Dictionary<string, string> { ["Input.Name"] = name, ["Input.State"] = "On" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync($"/Admin/Features/Edit/{name}", new Dictionary<string, string> { ["Input.State"] = "Off", ["Version"] = "1" })).StatusCode);

        var stale = await browser.PostFormAsync($"/Admin/Features/Edit/{name}", new Dictionary<string, string> { ["Input.State"] = "On", ["Version"] = "1" });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.NotNull((await Forms.ParseAsync(stale)).QuerySelector("[data-testid=conflict]"));
        Assert.Equal(FeatureFlagState.Off, (await FlagAsync(name))!.State);
    }

    [Fact]
    public async Task Non_admins_cannot_open_the_flag_pages()
    {
        var browser = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("flag-user"));

        foreach (var url in new[] { "/Admin/Features", "/Admin/Features/Edit" })
        {
            var response = await browser.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{url}: {(int)response.StatusCode}");
        }
    }
}
