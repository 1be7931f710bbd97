using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class WebsiteJourneyTests(PortalSession session)
{
    private static string Shot(string name) => Path.Combine(Path.GetTempPath(), $"catalyst-websites-{name}.png");

    [Fact]
    public async Task A_website_gets_a_content_type_and_an_item_in_the_portal_its_data_two_api_edits_and_the_first_version_back()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        var name = $"Bakery {Guid.NewGuid():N}"[..15];
        await session.SignInAsync(page);

        // A website, from the list's empty state or button.
        await page.GetByRole(AriaRole.Link, new() { Name = "Websites", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New website" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Expect(page.Locator("#Input_Slug")).ToHaveAttributeAsync("placeholder", name.ToLowerInvariant().Replace(' ', '-'));
        await page.GetByLabel("Category").FillAsync("shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create website" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Website “{name}” was created.");
        var websiteId = Guid.Parse(page.Url.Split('/').Last().Split('?')[0]);

        // A content type with two fields; the second row comes from htmx.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the first content type" }).ClickAsync();
        await page.Locator("#Input_Name").FillAsync("Product");
        await page.Locator("#Input_Fields_0_Name").FillAsync("title");
        await page.Locator("#Input_Fields_0_Required").CheckAsync();
        await page.GetByTestId("add-field").ClickAsync();
        await Expect(page.GetByTestId("field-row")).ToHaveCountAsync(2);
        var second = page.GetByTestId("field-row").Nth(1);
        await second.GetByLabel("Field name").FillAsync("price");
        await second.GetByLabel("Type").SelectOptionAsync("number");
        await page.GetByTestId("add-field").ClickAsync();
        var third = page.GetByTestId("field-row").Nth(2);
        await third.GetByLabel("Field name").FillAsync("tags");
        await third.GetByLabel("Type").SelectOptionAsync("list");
        await third.GetByLabel("List of").SelectOptionAsync("text");
        await page.ScreenshotAsync(new() { Path = Shot("schema-editor"), FullPage = true });
        await page.GetByTestId("save-type").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Content type “Product” was created.");
        await Expect(page.GetByTestId("types-table")).ToContainTextAsync("price");
        await page.ScreenshotAsync(new() { Path = Shot("tab-types"), FullPage = true });

        // An item through the generated form: a required field left empty is refused next to it first.
        await page.Locator("nav.tabs a[data-tab=items]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("tab=items"));
        await page.GetByRole(AriaRole.Button, new() { Name = "New item" }).ClickAsync();
        await page.GetByLabel("price").FillAsync("4.5");
        await page.GetByTestId("save-item").ClickAsync();
        await Expect(page.Locator("[data-valmsg-for='Values[title]']")).ToHaveTextAsync("title is required.");
        await page.GetByLabel("title").FillAsync("Sourdough loaf");
        await page.GetByLabel("tags").FillAsync("bread\nfresh");
        await page.GetByLabel("Status").SelectOptionAsync("Published");
        await page.GetByTestId("save-item").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The Product item was created.");
        await Expect(page.GetByTestId("items-table")).ToContainTextAsync("Sourdough loaf");
        await page.ScreenshotAsync(new() { Path = Shot("tab-items"), FullPage = true });

        // The app edits the data twice through the API, and a stale third write becomes a conflict backup.
        using var api = new HttpClient { BaseAddress = session.Portal.BaseUrl };
        var token = await api.PostAsJsonAsync("/api/auth/token", new { email = PortalSession.AdminEmail, password = PortalSession.AdminPassword, name = "e2e websites" });
        Assert.True(token.IsSuccessStatusCode, $"token: {(int)token.StatusCode}");
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await PutDataAsync(api, websiteId, "0", """{"content":{"headline":"Fresh bread daily","pages":["home"]},"assets":[],"aiContext":{"tone":"warm"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutDataAsync(api, websiteId, "1", """{"content":{"headline":"Closed for holidays","pages":["home","hours"]}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await PutDataAsync(api, websiteId, "1", """{"content":{"headline":"Offline draft"}}""")).StatusCode);

        // The versions tab: v2 current; compare, then restore v1.
        await page.Locator("nav.tabs a[data-tab=data]").ClickAsync();
        await Expect(page.GetByTestId("current-version")).ToHaveTextAsync("v2");
        await Expect(page.Locator("#data-size-chart")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Shot("tab-data"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare A and B side by side" }).ClickAsync();
        await Expect(page.GetByTestId("diff-table")).ToContainTextAsync("Closed for holidays");
        await page.ScreenshotAsync(new() { Path = Shot("diff"), FullPage = true });
        await page.GoBackAsync();

        await page.Locator("nav.tabs a[data-tab=conflicts]").ClickAsync();
        await Expect(page.GetByTestId("conflicts-table")).ToContainTextAsync("v1");
        await page.ScreenshotAsync(new() { Path = Shot("tab-conflicts"), FullPage = true });

        await page.Locator("nav.tabs a[data-tab=data]").ClickAsync();
        await page.GetByTestId("restore-1").ClickAsync();
        await Expect(page.Locator("details[data-section=content] pre")).ToContainTextAsync("Fresh bread daily");
        await page.ScreenshotAsync(new() { Path = Shot("version"), FullPage = true });
        await page.GetByTestId("confirm-restore").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Version v1 was restored as the new current version v4.");
        await Expect(page.GetByTestId("current-version")).ToHaveTextAsync("v4");

        var data = JsonDocument.Parse(await api.GetStringAsync($"/api/websites/{websiteId}/data", TestContext.Current.CancellationToken)).RootElement.GetProperty("data");
        Assert.Equal(4, data.GetProperty("version").GetInt32());
        Assert.Equal("Fresh bread daily", data.GetProperty("content").GetProperty("headline").GetString());
        Assert.Equal("warm", data.GetProperty("aiContext").GetProperty("tone").GetString());
        Assert.Empty(errors);
    }

    private static async Task<HttpResponseMessage> PutDataAsync(HttpClient api, Guid websiteId, string version, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/websites/{websiteId}/data") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        return await api.SendAsync(request);
    }
}
