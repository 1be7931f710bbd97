using System.Net;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Websites;

/// <summary>The data versions and conflicts tabs: list, view, side-by-side diff, restore.</summary>
public class DataPageTests(PortalFactory portal)
{
    [Fact]
    public async Task The_versions_tab_lists_every_version_marks_the_current_one_and_flags_conflict_backups()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=data");

        var rows = page.QuerySelectorAll("[data-testid=versions-table] tbody tr");
        Assert.Equal(["3", "2", "1"], rows.Select(r => r.GetAttribute("data-version")));
        Assert.Equal("v2", page.QuerySelector("[data-testid=current-version]")?.TextContent);
        var current = Assert.Single(rows, r => r.QuerySelector("[data-testid=current-badge]") is not null);
        Assert.Equal("2", current.GetAttribute("data-version"));
        Assert.Contains("conflict backup", rows[0].TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("conflict backup", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("api", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains(user.Email, rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("31 B", rows[2].TextContent, StringComparison.Ordinal); // {"title":"First","pages":[1,2]}
        Assert.Null(current.QuerySelector("[data-testid^=restore-]"));     // the current version needs no restoring
        Assert.NotNull(rows[2].QuerySelector("a[data-testid=restore-1]"));
        // Diff choice: from the accepted version before the current one to the current one, per section.
        Assert.True(rows[2].QuerySelector("input[name=from]")?.HasAttribute("checked"));
        Assert.True(rows[1].QuerySelector("input[name=to]")?.HasAttribute("checked"));
        Assert.Equal($"/Websites/{site.Id}/diff", page.QuerySelector("[data-testid=diff-form]")?.GetAttribute("action"));
        var chart = JsonDocument.Parse(page.QuerySelector("canvas[data-chart]")!.GetAttribute("data-chart")!).RootElement;
        Assert.Equal(["v1", "v2"], chart.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(3, chart.GetProperty("series").GetArrayLength());
    }

    [Fact]
    public async Task The_history_says_what_is_kept_and_its_pin_buttons_pin_and_unpin_versions_and_backups()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var tab = $"/Websites/Details/{site.Id}?tab=data";

        var page = await browser.GetDocumentAsync(tab);
        Assert.Contains("keeps its last 50 versions and 20 conflict backups", page.QuerySelector("[data-testid=retention]")?.TextContent, StringComparison.Ordinal);
        var pin = page.QuerySelector("button[data-testid=pin-1]")!;
        var form = page.GetElementById(pin.GetAttribute("form")!)!;
        var fields = Fields(form);
        var posted = await browser.PostFormAsync(tab, fields, form.GetAttribute("action"));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        page = await browser.GetDocumentAsync(tab);
        Assert.NotNull(page.QuerySelector("[data-testid=pinned-1]"));
        Assert.NotNull(page.QuerySelector("button[data-testid=unpin-1]"));
        Assert.True(await portal.WithDbAsync(db => db.Set<WebsiteDataVersion>().AnyAsync(v => v.WebsiteId == site.Id && v.Version == 1 && v.IsPinned, TestContext.Current.CancellationToken)));

        // The conflict backup is pinned from its own tab, and unpinned the same way.
        var conflicts = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=conflicts");
        var pinBackup = conflicts.QuerySelector("button[data-testid=pin-3]")!.Closest("form")!;
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync($"/Websites/Details/{site.Id}?tab=conflicts",
            Fields(pinBackup), pinBackup.GetAttribute("action"))).StatusCode);
        conflicts = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=conflicts");
        Assert.NotNull(conflicts.QuerySelector("[data-testid=pinned-3]"));
        var unpin = conflicts.QuerySelector("button[data-testid=unpin-3]")!.Closest("form")!;
        await browser.PostFormAsync($"/Websites/Details/{site.Id}?tab=conflicts",
            Fields(unpin), unpin.GetAttribute("action"));
        Assert.Null((await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=conflicts")).QuerySelector("[data-testid=pinned-3]"));
    }

    /// <summary>A form's own fields (the antiforgery token is added by the poster).</summary>
    private static Dictionary<string, string> Fields(AngleSharp.Dom.IElement form) =>
        form.QuerySelectorAll("input").Where(i => i.GetAttribute("name") != "__RequestVerificationToken")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value")!);

    [Fact]
    public async Task A_version_is_shown_pretty_printed_section_by_section()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/{site.Id}/versions/1");

        Assert.Equal("Data version 1", page.QuerySelector("h1")?.TextContent);
        Assert.Equal("{\n  \"title\": \"First\",\n  \"pages\": [\n    1,\n    2\n  ]\n}", page.QuerySelector("details[data-section=content] pre")?.TextContent);
        Assert.Equal("[]", page.QuerySelector("details[data-section=assets] pre")?.TextContent);
        Assert.Contains("no aiContext section", page.QuerySelector("details[data-section=aiContext]")?.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid^=truncated]"));
        Assert.NotNull(page.QuerySelector("[data-testid=confirm-restore]"));
        var backup = await browser.GetDocumentAsync($"/Websites/{site.Id}/versions/3");
        Assert.Contains("v1 (the version its author had", backup.QuerySelector("dl.facts")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_section_above_1_MiB_is_shown_truncated_with_a_notice_and_the_download_has_it_all()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Large");
        var large = BigContent(1_300_000);
        await portal.PutDataAsync(user, website.Id, 0, large);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/{website.Id}/versions/1");
        var download = await browser.GetAsync($"/Websites/{website.Id}/versions/1?handler=Download");

        Assert.Contains("only its first 1 MiB is shown", page.QuerySelector("[data-testid=truncated-content]")?.TextContent, StringComparison.Ordinal);
        var shown = page.QuerySelector("details[data-section=content] pre")!.TextContent;
        Assert.EndsWith("…", shown, StringComparison.Ordinal);
        Assert.StartsWith("[\n  {\n    \"id\": 0,", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        var document = JsonDocument.Parse(await download.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonDocument.Parse(large).RootElement.GetProperty("content").GetArrayLength(), document.GetProperty("content").GetArrayLength());
    }

    private static string BigContent(int atLeastBytes)
    {
        var json = new StringBuilder("{\"content\":[");
        for (var i = 0; json.Length < atLeastBytes; i++)
            json.Append(i == 0 ? "" : ",").Append($"{{\"id\":{i},\"text\":\"paragraph {i} of a long page, with some words in it\"}}");
        return json.Append("]}").ToString();
    }

    [Fact]
    public async Task Two_versions_are_compared_side_by_side_for_one_section()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/{site.Id}/diff?from=1&to=2&section=content");
        var assets = await browser.GetDocumentAsync($"/Websites/{site.Id}/diff?from=1&to=2&section=assets");

        // "title" and "2" → "2," changed, "3" added.
        Assert.EndsWith("content from v1 to v2: +3 −2 lines", System.Text.RegularExpressions.Regex.Replace(page.QuerySelector("[data-testid=diff-summary]")!.TextContent, @"\s+", " ").Trim(), StringComparison.Ordinal);
        var rows = page.QuerySelectorAll("[data-testid=diff-table] tbody tr");
        var changed = rows.Single(r => r.QuerySelector("td.mod") is not null && r.TextContent.Contains("title", StringComparison.Ordinal));
        Assert.Equal("  \"title\": \"First\",", changed.QuerySelectorAll("td.line")[0].TextContent);
        Assert.Equal("  \"title\": \"Second\",", changed.QuerySelectorAll("td.line")[1].TextContent);
        Assert.Equal("Second", changed.QuerySelectorAll("td.line")[1].QuerySelector("span.ins")?.TextContent.Trim('"'));
        var inserted = rows.Single(r => r.QuerySelector("td.ins") is not null);
        Assert.Equal("    3", inserted.QuerySelectorAll("td.line")[1].TextContent);
        Assert.NotNull(inserted.QuerySelector("td.gap")); // nothing on the old side
        Assert.Equal("2", page.QuerySelector("#diff-to option[selected]")?.GetAttribute("value"));
        Assert.Contains("identical", assets.QuerySelector("[data-testid=diff-summary]")?.TextContent, StringComparison.Ordinal);
        Assert.Null(assets.QuerySelector("[data-testid=diff-table]"));
    }

    [Fact]
    public async Task Long_unchanged_stretches_are_folded_around_the_change()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Folded");
        var lines = Enumerable.Range(0, 100).Select(i => $"\"line {i}\"").ToList();
        await portal.PutDataAsync(user, website.Id, 0, $"{{\"content\":[{string.Join(',', lines)}]}}");
        lines[50] = "\"changed\"";
        await portal.PutDataAsync(user, website.Id, 1, $"{{\"content\":[{string.Join(',', lines)}]}}");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/{website.Id}/diff?from=1&to=2");

        var folds = page.QuerySelectorAll("[data-testid=diff-table] tr.fold").Select(r => r.TextContent.Trim()).ToList();
        Assert.Equal(["⋯ 48 unchanged lines", "⋯ 47 unchanged lines"], folds); // "[", 100 entries, "]": the change is line 52
        Assert.Equal(1 + 3 + 3 + 2, page.QuerySelectorAll("[data-testid=diff-table] tbody tr").Length);
    }

    [Fact]
    public async Task Sections_above_1_MiB_are_not_diffed_and_the_page_says_why()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Too big to diff");
        await portal.PutDataAsync(user, website.Id, 0, BigContent(1_100_000));
        await portal.PutDataAsync(user, website.Id, 1, """{"content":[]}""");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Websites/{website.Id}/diff?from=1&to=2&section=content");

        Assert.Contains("too large to compare here", page.QuerySelector("[data-testid=diff-refused]")?.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=diff-table]"));
    }

    [Fact]
    public async Task Restoring_a_version_makes_its_data_current_again_as_a_new_version()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var confirmation = await browser.GetDocumentAsync($"/Websites/{site.Id}/versions/1");
        Assert.Equal(2, await portal.CurrentVersionAsync(site.Id)); // looking restores nothing
        Assert.Equal("2", confirmation.QuerySelector("#restore input[name=current]")?.GetAttribute("value"));

        var response = await browser.PostFormAsync($"/Websites/{site.Id}/versions/1", new Dictionary<string, string> { ["current"] = "2" },
            $"/Websites/{site.Id}/versions/1?handler=Restore");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(4, await portal.CurrentVersionAsync(site.Id));
        var api = portal.CreateApiClient(user.Token);
        var data = await api.GetDataAsync(site.Id);
        Assert.Equal(4, data.GetProperty("version").GetInt32());
        Assert.Equal("First", data.GetProperty("content").GetProperty("title").GetString());
        var tab = await browser.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Equal("Version v1 was restored as the new current version v4.", tab.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.Contains("restore", tab.QuerySelector("tr[data-version='4']")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restore_confirmed_after_the_data_moved_on_is_kept_as_a_conflict_backup_not_applied()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var confirmation = await browser.GetDocumentAsync($"/Websites/{site.Id}/versions/1");
        await portal.PutDataAsync(user, site.Id, 2, """{"content":{"title":"Meanwhile"}}"""); // v4

        var response = await browser.PostFormAsync($"/Websites/{site.Id}/versions/1", new Dictionary<string, string>
        {
            ["current"] = confirmation.QuerySelector("#restore input[name=current]")!.GetAttribute("value")!,
        }, $"/Websites/{site.Id}/versions/1?handler=Restore");

        Assert.Equal(4, await portal.CurrentVersionAsync(site.Id));
        Assert.Equal($"/Websites/Details/{site.Id}?tab=conflicts", response.Headers.Location?.OriginalString);
        var tab = await browser.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("kept as conflict backup v5", tab.QuerySelector("[role=status]")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(tab.QuerySelector("[data-testid=conflicts-table] tr[data-version='5']"));
    }

    [Fact]
    public async Task The_conflicts_tab_shows_each_backup_with_its_base_and_a_backup_can_be_restored()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var tab = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=conflicts");
        var row = Assert.Single(tab.QuerySelectorAll("[data-testid=conflicts-table] tbody tr"));
        Assert.Equal("3", row.GetAttribute("data-version"));
        Assert.Equal("v1", row.QuerySelectorAll("td")[1].TextContent);
        Assert.NotNull(row.QuerySelector($"a[href='/Websites/{site.Id}/diff?from=1&to=3']"));
        Assert.NotNull(row.QuerySelector($"a[href='/Websites/{site.Id}/diff?from=2&to=3']"));
        var backup = await browser.GetDocumentAsync($"/Websites/{site.Id}/versions/3");
        Assert.Contains("Offline edit", backup.QuerySelector("details[data-section=content] pre")?.TextContent, StringComparison.Ordinal);

        await browser.PostFormAsync($"/Websites/{site.Id}/versions/3", new Dictionary<string, string> { ["current"] = "2" }, $"/Websites/{site.Id}/versions/3?handler=Restore");

        var data = await portal.CreateApiClient(user.Token).GetDataAsync(site.Id);
        Assert.Equal(4, data.GetProperty("version").GetInt32());
        Assert.Equal("Offline edit", data.GetProperty("content").GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Array, data.GetProperty("assets").ValueKind); // a backup is completed from the version it was based on
    }
}
