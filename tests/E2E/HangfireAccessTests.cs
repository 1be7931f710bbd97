using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class HangfireAccessTests(PortalSession session)
{
    /// <summary>A plain user created through the admin users API with a token exchanged for the admin's credentials.</summary>
    private async Task<(string Email, string Password)> CreatePlainUserAsync()
    {
        using var http = new HttpClient { BaseAddress = session.Portal.BaseUrl };
        var issued = await http.PostAsJsonAsync("/api/auth/token", new { email = PortalSession.AdminEmail, password = PortalSession.AdminPassword, name = "e2e" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var token = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var email = $"viewer-{Guid.NewGuid():N}@e2e.local";
        const string password = "E2e-Viewer-Pass-1!";
        var created = await http.PostAsJsonAsync("/api/admin/users", new { email, password, roles = new[] { "User" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (email, password);
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome to Catalyst" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_signed_in_user_who_is_not_an_admin_cannot_open_the_Hangfire_dashboard_but_the_admin_can()
    {
        var (email, password) = await CreatePlainUserAsync();

        var (userContext, userPage, userErrors) = await session.NewPageAsync();
        await using (userContext)
        {
            await SignInAsync(userPage, email, password);
            await Expect(userPage.Locator("a[href='/hangfire']")).ToHaveCountAsync(0); // not even offered

            var denied = await userPage.GotoAsync("/hangfire");

            Assert.Equal(403, denied?.Status);
            await Expect(userPage.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
            await Expect(userPage.GetByText("Catalyst jobs")).ToHaveCountAsync(0);
            // The browser reports the 403 itself as a failed load; nothing else may go wrong.
            Assert.DoesNotContain(userErrors, e => !e.Contains("403", StringComparison.Ordinal));
        }

        var (adminContext, adminPage, adminErrors) = await session.NewPageAsync();
        await using (adminContext)
        {
            await SignInAsync(adminPage, PortalSession.AdminEmail, PortalSession.AdminPassword);
            await Expect(adminPage.Locator("a[href='/hangfire']")).ToHaveCountAsync(1);

            var dashboard = await adminPage.GotoAsync("/hangfire");

            Assert.Equal(200, dashboard?.Status);
            await Expect(adminPage).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("Catalyst jobs"));
            Assert.DoesNotContain(adminErrors, e => e.StartsWith("page:", StringComparison.Ordinal));
        }
    }
}
