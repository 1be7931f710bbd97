using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class LegacyImportJourneyTests(PortalSession session)
{
    private static async Task<HashSet<string>> NamesAsync(HttpClient http, string url, string property)
    {
        var data = (await http.GetFromJsonAsync<JsonElement>(url)).GetProperty("data");
        return data.EnumerateArray().Select(e => e.GetProperty(property).GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public async Task The_small_fixture_set_is_uploaded_dry_run_applied_seen_and_rolled_back()
    {
        var files = LegacyFixtures.DumpFiles("small");

        using var http = new HttpClient { BaseAddress = session.Portal.BaseUrl };
        var token = (await (await http.PostAsJsonAsync("/api/auth/token", new { email = PortalSession.AdminEmail, password = PortalSession.AdminPassword, name = "e2e-migration" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("token").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var websitesBefore = await NamesAsync(http, "/api/websites?pageSize=100", "name");
        var sessionsBefore = await NamesAsync(http, "/api/chat/sessions?pageSize=100", "title");

        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        await session.SignInAsync(page);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Legacy import" }).ClickAsync();
        await page.GetByTestId("legacy-files").SetInputFilesAsync(files);
        await page.GetByTestId("start-migration").ClickAsync();

        // The dry-run report, as tables.
        await Expect(page.GetByTestId("migration-status")).ToHaveAttributeAsync("data-status", "dry-run", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("report-tables")).ToContainTextAsync("kijko_db");
        await Expect(page.GetByTestId("report-tables")).ToContainTextAsync("chatSessions");
        Assert.Equal(websitesBefore, await NamesAsync(http, "/api/websites?pageSize=100", "name"));

        await page.GetByTestId("apply-migration").ClickAsync();
        await Expect(page.GetByTestId("migration-status")).ToHaveAttributeAsync("data-status", "applied", new() { Timeout = 60_000 });
        var newWebsites = (await NamesAsync(http, "/api/websites?pageSize=100", "name")).Except(websitesBefore).ToList();
        var newSessions = (await NamesAsync(http, "/api/chat/sessions?pageSize=100", "title")).Except(sessionsBefore).ToList();
        Assert.NotEmpty(newWebsites);
        Assert.NotEmpty(newSessions);
        var migration = page.Url;

        await page.GotoAsync($"/Websites?q={Uri.EscapeDataString(newWebsites[0])}");
        await Expect(page.GetByTestId("websites-table")).ToContainTextAsync(newWebsites[0]);
        await page.GotoAsync("/Chat");
        await Expect(page.Locator("main")).ToContainTextAsync(newSessions[0]);

        await page.GotoAsync(migration);
        await page.GetByTestId("rollback-migration").ClickAsync();
        await Expect(page.GetByTestId("migration-status")).ToHaveAttributeAsync("data-status", "rolled-back", new() { Timeout = 60_000 });
        await page.GotoAsync($"/Websites?q={Uri.EscapeDataString(newWebsites[0])}");
        await Expect(page.GetByTestId("websites-empty")).ToBeVisibleAsync();
        await page.GotoAsync("/Chat");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(newSessions[0]);
        Assert.Empty(errors);
    }
}
