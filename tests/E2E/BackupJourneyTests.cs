using System.Net.Http.Json;
using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class BackupJourneyTests(PortalSession session)
{
    [Fact]
    public async Task A_website_exported_from_its_page_imports_as_a_copy_that_opens()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        var name = $"Export me {Guid.NewGuid():N}"[..22];

        // A website with data, made through the API.
        using var http = new HttpClient { BaseAddress = session.Portal.BaseUrl };
        var token = (await (await http.PostAsJsonAsync("/api/auth/token", new { email = PortalSession.AdminEmail, password = PortalSession.AdminPassword, name = "e2e-backup" }))
            .Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("data").GetProperty("token").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var created = await (await http.PostAsJsonAsync("/api/websites", new { name })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var id = created.GetProperty("data").GetProperty("id").GetGuid();
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/websites/{id}/data") { Content = JsonContent.Create(new { content = new { pages = Enumerable.Range(0, 2000).Select(i => new { i, title = $"Page {i}" }) } }) };
        put.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
        Assert.True((await http.SendAsync(put)).IsSuccessStatusCode);

        await session.SignInAsync(page);
        await page.GotoAsync($"/Websites/Details/{id}");
        await page.GetByTestId("export-website").ClickAsync();
        await Expect(page.GetByTestId("job-status")).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("job-status").Locator("progress")).ToHaveAttributeAsync("value", new System.Text.RegularExpressions.Regex(".+"));
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("job-status").GetByTestId("download-result").ClickAsync());
        var file = Path.Combine(Path.GetTempPath(), $"e2e-backup-{Guid.NewGuid():N}.json");
        await download.SaveAsAsync(file);
        try
        {
            Assert.Contains("catalyst.website-backup", await File.ReadAllTextAsync(file), StringComparison.Ordinal);

            await page.GotoAsync("/Websites/Import");
            await page.Locator("#backup-file").SetInputFilesAsync(file);
            await page.GetByLabel("Import it as a copy").CheckAsync();
            await page.GetByTestId("start-import").ClickAsync();
            await Expect(page.GetByTestId("job-status")).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 30_000 });
            await page.GetByTestId("confirm-import").ClickAsync();
            await Expect(page.GetByTestId("job-status")).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 30_000 });
            await page.GetByTestId("open-imported").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
            await Expect(page.Locator("code").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("-copy$") }).First).ToBeVisibleAsync();
            Assert.Empty(errors);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
