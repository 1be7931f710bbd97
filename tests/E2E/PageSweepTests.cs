using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Tests.E2E.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

/// <summary>
/// SPEC §16 and the accessibility bar, on every page a signed-in admin can reach by following links
/// from the home page (so a new page is swept as soon as the navigation leads to it): no console
/// error, no Content-Security-Policy violation (Chromium reports each as a console error), and no
/// serious or critical axe-core violation. Keyboard-only use of the main flows is checked too.
/// </summary>
[Collection(PortalCollection.Name)]
public partial class PageSweepTests(PortalSession session)
{
    /// <summary>Where the sweep does not go: the tools with their own policy, the API, files, signing out.</summary>
    private static readonly string[] Excluded = ["/hangfire", "/api/", "/openapi", "/health", "/lib/", "/css/", "/js/", "/Account/Logout", "/portal/uploads"];

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"/\d+(?=/|$)")]
    private static partial Regex Number();

    /// <summary>One visit per kind of page: ids replaced, query reduced to its parameter names (tab values kept: each tab is its own view).</summary>
    private static string Shape(Uri url)
    {
        var path = Number().Replace(Guid().Replace(url.AbsolutePath, "{id}"), "/{n}");
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var keys = query.AllKeys.OfType<string>().Where(k => k != "page").Order().Select(k => k == "tab" ? $"tab={query[k]}" : k);
        return path + "?" + string.Join('&', keys);
    }

    /// <summary>Data for the detail pages to show: a project, a website with a type, an item and data, a chat session with a message.</summary>
    private async Task SeedAsync()
    {
        using var api = new HttpClient { BaseAddress = session.Portal.BaseUrl };
        var token = await api.PostAsJsonAsync("/api/auth/token", new { email = PortalSession.AdminEmail, password = PortalSession.AdminPassword, name = "sweep" });
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("token").GetString());
        async Task<string> CreateAsync(string url, object body)
        {
            var response = await api.PostAsJsonAsync(url, body);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("id").ToString();
        }
        await CreateAsync("/api/projects", new { name = $"Swept {System.Guid.NewGuid():N}"[..14], description = "A project to sweep", tags = new[] { "sweep" } });
        var site = await CreateAsync("/api/websites", new { name = $"Swept site {System.Guid.NewGuid():N}"[..18], category = "blog" });
        var type = await CreateAsync($"/api/websites/{site}/content-types", new { name = "Post", fields = new[] { new { name = "title", type = "text", required = true } } });
        await CreateAsync($"/api/websites/{site}/content-items", new { contentTypeId = type, data = new { title = "Hello" } });
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/websites/{site}/data") { Content = JsonContent.Create(new { content = new { title = "v1" } }) };
        put.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
        await api.SendAsync(put);
        var chat = await CreateAsync("/api/chat/sessions", new { title = "Swept chat" });
        await api.PostAsJsonAsync("/api/chat/messages/batch", new { messages = new[] { new { clientId = $"sweep-{System.Guid.NewGuid():N}", sessionId = chat, role = "user", content = "Hello", createdAt = DateTime.UtcNow.ToString("O") } } });
    }

    [Fact]
    public async Task Every_reachable_page_runs_without_console_errors_or_CSP_violations_and_passes_axe()
    {
        await SeedAsync();
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        await session.SignInAsync(page);
        var origin = session.Portal.BaseUrl;
        var queue = new Queue<Uri>([new Uri(origin, "/")]);
        var seen = new HashSet<string>();
        var failures = new List<string>();
        var visited = new List<string>();
        var axeRules = 0;

        while (queue.Count > 0 && visited.Count < 120)
        {
            var url = queue.Dequeue();
            if (!seen.Add(Shape(url)))
                continue;
            errors.Clear();
            IResponse? response;
            try
            {
                response = await page.GotoAsync(url.PathAndQuery);
            }
            catch (PlaywrightException ex) when (ex.Message.Contains("Download is starting", StringComparison.Ordinal))
            {
                continue; // a file, not a page
            }
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            visited.Add(url.PathAndQuery);
            if (response is { Status: >= 500 })
                failures.Add($"{url.PathAndQuery}: {response.Status}");
            failures.AddRange(errors.Select(e => $"{url.PathAndQuery}: {e}"));

            var axe = await page.RunAxe();
            axeRules += axe.Passes.Length;
            failures.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{url.PathAndQuery}: axe {v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}"));

            foreach (var href in await page.Locator("a[href]:not([download])").EvaluateAllAsync<string[]>("links => links.map(a => a.href)"))
            {
                if (!Uri.TryCreate(href, UriKind.Absolute, out var link) || link.Authority != origin.Authority)
                    continue;
                if (Excluded.Any(x => link.AbsolutePath.StartsWith(x, StringComparison.OrdinalIgnoreCase)) || link.Query.Contains("handler=", StringComparison.OrdinalIgnoreCase))
                    continue; // handler links are actions (downloads), not pages
                queue.Enqueue(new Uri(link.GetLeftPart(UriPartial.Query)));
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Swept {visited.Count} pages:\n" + string.Join('\n', visited));
        Assert.True(axeRules > visited.Count, $"axe checked only {axeRules} rules on {visited.Count} pages");
        Assert.True(visited.Count >= 25, $"the sweep reached only {visited.Count} pages: {string.Join(", ", visited)}");
        Assert.True(failures.Count == 0, $"{failures.Count} problem(s) on {visited.Count} pages:\n" + string.Join('\n', failures.Distinct()));
    }

    [Fact]
    public async Task The_sign_in_page_passes_axe_for_anonymous_visitors()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/Account/Login");

        var axe = await page.RunAxe();

        Assert.Empty(axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Signing_in_and_creating_a_project_work_with_the_keyboard_alone()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        var name = $"Keyboard {System.Guid.NewGuid():N}"[..16];

        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail").FocusAsync();
        await page.Keyboard.TypeAsync(PortalSession.AdminEmail);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(PortalSession.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));

        await page.GotoAsync("/Projects");
        await TabToAsync(page, "a[href='/Projects/Create']");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.Contains("/Projects/Create", StringComparison.Ordinal));
        await TabToAsync(page, "input[name='Input.Name']");
        await page.Keyboard.TypeAsync(name);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByText(name).First).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus (at most 60 times), as a keyboard user would.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) === true", selector))
            {
                await Expect(page.Locator(selector).First).ToBeFocusedAsync();
                return;
            }
        }
        Assert.Fail($"Tab never reached {selector}");
    }
}
