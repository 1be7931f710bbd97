using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Catalyst.Data.Features;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Features;

/// <summary>The inline toggle on the flag list: htmx swaps the row, a plain post comes back to the list; both versioned and audited like the edit page.</summary>
public class FeatureFlagTogglePageTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<FeatureFlag?> FlagAsync(string name) =>
        portal.WithDbAsync(db => db.Set<FeatureFlag>().AsNoTracking().FirstOrDefaultAsync(f => f.Name == name, Ct));

    private Task<List<string?>> AuditDetailsAsync(string name) =>
        portal.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.EntityType == "FeatureFlag" && e.EntityId == name && e.Action == "feature.update").OrderBy(e => e.At).Select(e => e.Details).ToListAsync(Ct));

    private async Task<(HttpClient Browser, string Name)> AdminWithFlagAsync(string state = "Off", string? percentage = null)
    {
        var browser = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("toggler", admin: true));
        var name = $"toggle.f{Guid.NewGuid():N}"[..22];
        var fields = new Dictionary<string, string> { ["Input.Name"] = name, ["Input.State"] = state };
        if (percentage is not null)
            fields["Input.Percentage"] = percentage;
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync("/Admin/Features/Edit", fields)).StatusCode);
        return (browser, name);
    }

    private static string ToggleUrl(string name) => $"/Admin/Features?handler=Toggle&name={Uri.EscapeDataString(name)}";

    /// <summary>Posts the row's toggle form as htmx does: the antiforgery header of the page's body, the HX-Request header.</summary>
    private static async Task<HttpResponseMessage> HtmxToggleAsync(HttpClient browser, IHtmlDocument list, string name, string? version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ToggleUrl(name));
        request.Headers.Add("HX-Request", "true");
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(list.Body!.GetAttribute("hx-headers")!)!;
        request.Headers.Add("RequestVerificationToken", headers["RequestVerificationToken"]);
        request.Content = new FormUrlEncodedContent(version is null ? [] : new Dictionary<string, string> { ["version"] = version });
        return await browser.SendAsync(request);
    }

    /// <summary>The swapped row, parsed inside a table as the browser places it (a bare &lt;tr&gt; would lose its cells).</summary>
    private static async Task<IHtmlDocument> RowAsync(HttpResponseMessage response) =>
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument($"<table><tbody>{await response.Content.ReadAsStringAsync()}</tbody></table>");

    private static string? RowVersion(IHtmlDocument document, string name) =>
        document.QuerySelector($"tr[data-flag='{name}'] form[action*='handler=Toggle'] input[name=version]")?.GetAttribute("value");

    [Fact]
    public async Task The_htmx_toggle_swaps_the_row_and_audits_the_change_like_the_edit_page()
    {
        var (browser, name) = await AdminWithFlagAsync();
        var list = await browser.GetDocumentAsync("/Admin/Features");
        var form = list.QuerySelector($"tr[data-flag='{name}'] form[action*='handler=Toggle']");
        Assert.Equal("closest tr", form?.GetAttribute("hx-target"));
        Assert.Equal("Turn on", form?.QuerySelector("button")?.TextContent.Trim());

        var on = await HtmxToggleAsync(browser, list, name, RowVersion(list, name));

        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        var fragment = await on.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment, StringComparison.OrdinalIgnoreCase);
        var row = await RowAsync(on);
        Assert.Equal("on", row.QuerySelector($"tr[data-flag='{name}'] [data-testid=flag-state]")?.TextContent);
        Assert.Equal("Turn off", row.QuerySelector("[data-testid=toggle-flag]")?.TextContent.Trim());
        Assert.Null(row.QuerySelector("[data-testid=flag-notice]"));
        var flag = await FlagAsync(name);
        Assert.Equal(FeatureFlagState.On, flag!.State);
        Assert.Equal(flag.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), RowVersion(row, name));

        // The swapped row carries the new version, so the next toggle from it is accepted.
        var off = await HtmxToggleAsync(browser, list, name, RowVersion(row, name));
        Assert.Equal("off", (await RowAsync(off)).QuerySelector("[data-testid=flag-state]")?.TextContent);
        Assert.Equal(FeatureFlagState.Off, (await FlagAsync(name))!.State);

        var audited = await AuditDetailsAsync(name);
        Assert.Equal(2, audited.Count);
        var first = JsonDocument.Parse(audited[0]!).RootElement;
        Assert.Equal(("off", "on"), (first.GetProperty("before").GetProperty("state").GetString(), first.GetProperty("after").GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Without_JavaScript_the_toggle_is_a_form_post_that_comes_back_to_the_list_and_turns_a_rollout_off()
    {
        var (browser, name) = await AdminWithFlagAsync("Percentage", "30");
        var list = await browser.GetDocumentAsync("/Admin/Features");
        Assert.Equal("Turn off", list.QuerySelector($"tr[data-flag='{name}'] [data-testid=toggle-flag]")?.TextContent.Trim());

        var posted = await browser.PostFormAsync("/Admin/Features", new Dictionary<string, string> { ["version"] = RowVersion(list, name)! }, ToggleUrl(name));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/Admin/Features", posted.Headers.Location?.OriginalString);
        var after = await browser.GetDocumentAsync("/Admin/Features");
        Assert.Equal($"Feature flag “{name}” is now off for everyone.", after.QuerySelector(".flash")?.TextContent.Trim());
        Assert.Equal("off", after.QuerySelector($"tr[data-flag='{name}'] [data-testid=flag-state]")?.TextContent);
        Assert.Single(await AuditDetailsAsync(name));
    }

    [Fact]
    public async Task A_toggle_from_a_stale_row_changes_nothing_and_shows_the_current_state_with_a_notice()
    {
        var (browser, name) = await AdminWithFlagAsync();
        var list = await browser.GetDocumentAsync("/Admin/Features");
        var staleVersion = RowVersion(list, name);
        Assert.Equal(HttpStatusCode.OK, (await HtmxToggleAsync(browser, list, name, staleVersion)).StatusCode); // someone else turns it on

        var stale = await HtmxToggleAsync(browser, list, name, staleVersion);
        var plain = await browser.PostFormAsync("/Admin/Features", new Dictionary<string, string> { ["version"] = staleVersion! }, ToggleUrl(name));

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var row = await RowAsync(stale);
        Assert.Contains("changed this flag meanwhile", row.QuerySelector("[data-testid=flag-notice]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("on", row.QuerySelector("[data-testid=flag-state]")?.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        Assert.Contains("changed this flag meanwhile", (await browser.GetDocumentAsync("/Admin/Features")).QuerySelector(".flash")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(FeatureFlagState.On, (await FlagAsync(name))!.State);
        Assert.Single(await AuditDetailsAsync(name));
    }

    [Fact]
    public async Task A_toggle_without_a_version_or_for_an_unknown_flag_is_refused_with_a_message_not_a_500()
    {
        var (browser, name) = await AdminWithFlagAsync();
        var list = await browser.GetDocumentAsync("/Admin/Features");

        var versionless = await HtmxToggleAsync(browser, list, name, null);
        var garbled = await browser.PostFormAsync("/Admin/Features", new Dictionary<string, string> { ["version"] = "not-a-number" }, ToggleUrl(name));
        var unknown = await browser.PostFormAsync("/Admin/Features", new Dictionary<string, string> { ["version"] = "1" }, ToggleUrl("no.such.flag"));

        Assert.Contains("without the flag's version", (await RowAsync(versionless)).QuerySelector("[data-testid=flag-notice]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, garbled.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Not found", (await Forms.ParseAsync(unknown)).QuerySelector("h1")?.TextContent.Trim());
        Assert.Equal(FeatureFlagState.Off, (await FlagAsync(name))!.State);
        Assert.Empty(await AuditDetailsAsync(name));
    }

    [Fact]
    public async Task A_forged_toggle_and_a_non_admins_toggle_change_nothing()
    {
        var (admin, name) = await AdminWithFlagAsync();
        var list = await admin.GetDocumentAsync("/Admin/Features");
        var version = RowVersion(list, name)!;

        var forged = await admin.PostAsync(ToggleUrl(name), new FormUrlEncodedContent(new Dictionary<string, string> { ["version"] = version, ["__RequestVerificationToken"] = "forged" }));
        var user = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("not-admin"));
        var byUser = await user.PostWithTokenFromAsync("/Jobs", ToggleUrl(name), new Dictionary<string, string> { ["version"] = version });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("Bad request", (await Forms.ParseAsync(forged)).QuerySelector("h1")?.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Assert.Equal(FeatureFlagState.Off, (await FlagAsync(name))!.State);
        Assert.Empty(await AuditDetailsAsync(name));
    }
}
