using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class ProjectJourneyTests(PortalSession session)
{
    [Fact]
    public async Task Admin_signs_in_creates_and_edits_a_project_finds_it_by_search_and_signs_out()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        var name = $"Launch site {Guid.NewGuid():N}"[..24];

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));
        await page.GetByLabel("E-mail").FillAsync(PortalSession.AdminEmail);
        await page.GetByLabel("Password").FillAsync(PortalSession.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome to Catalyst" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true }).First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page.Locator("[data-valmsg-for='Input.Name']")).ToHaveTextAsync("Name is required.");

        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Description").FillAsync("Created by the end-to-end test");
        await page.GetByLabel("Tags").FillAsync("e2e, launch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Project “{name}” was created.");

        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-projects.png"), FullPage = true });
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await page.GetByLabel("Name").FillAsync(name + " v2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("was saved");

        // Search-as-you-type swaps the list in place (htmx) and keeps the URL shareable.
        await page.GetByLabel("Search projects by name").FillAsync("no such project at all");
        await Expect(page.GetByTestId("projects-empty")).ToBeVisibleAsync();
        await page.GetByLabel("Search projects by name").FillAsync(name + " v2");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name + " v2" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=Launch"));

        await page.Locator("summary", new() { HasText = PortalSession.AdminEmail }).ClickAsync();
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));
        await page.GotoAsync("/Projects");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));

        Assert.Empty(errors);
    }
}
