using Microsoft.Playwright;

namespace Catalyst.Tests.E2E.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download cannot run here).
/// <c>CATALYST_BROWSER_PATH</c> overrides the executable; set it to <c>playwright</c> to use
/// Playwright's own downloaded browser on machines that have it.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;
    public IBrowser Instance { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // An htmx swap can take seconds while the other test projects load the same 2 cores: 15 s, not Playwright's 5.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        var configured = Environment.GetEnvironmentVariable("CATALYST_BROWSER_PATH");
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            Headless = true,
            ExecutablePath = configured == "playwright" ? null : string.IsNullOrEmpty(configured) ? "/usr/bin/chromium" : configured,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Instance is not null)
            await Instance.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>
/// One Portal process (Development, a temporary data directory, an admin from the environment)
/// and one browser shared by the E2E tests of the collection.
/// </summary>
public sealed class PortalSession : IAsyncLifetime
{
    public const string AdminEmail = "admin@e2e.local";
    public const string AdminPassword = "E2e-Admin-Pass-1!";

    private static readonly PortalProcessOptions PortalOptions = new()
    {
        EnvironmentName = "Development",
        Environment = new Dictionary<string, string>
        {
            ["Catalyst__Admin__Email"] = AdminEmail,
            ["Catalyst__Admin__Password"] = AdminPassword,
            ["Catalyst__SignIn__PerAddressPerMinute"] = "10000",
            ["Catalyst__SignIn__PerAccountPerMinute"] = "10000",
            // The deployment journey delivers to a build hook on loopback (refused in production).
            ["Catalyst__Deployments__AllowPrivateEndpoints"] = "true",
        },
    };

    public PortalProcess Portal { get; private set; } = null!;
    public Browser Browser { get; } = new();

    public async ValueTask InitializeAsync()
    {
        var portal = PortalProcess.StartReadyAsync(PortalOptions);
        await Task.WhenAll(portal, Browser.InitializeAsync().AsTask());
        Portal = await portal;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        if (Portal is not null)
            await Portal.DisposeAsync();
    }

    /// <summary>Signs the admin in on <paramref name="page"/> through the sign-in form.</summary>
    public async Task SignInAsync(IPage page, string email = AdminEmail, string password = AdminPassword)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
    }

    /// <summary>A fresh browser context whose page fails the test on any console error or page error.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync()
    {
        var context = await Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = Portal.BaseUrl.ToString(), AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add("console: " + message.Text); };
        page.PageError += (_, error) => errors.Add("page: " + error);
        return (context, page, errors);
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalSession>
{
    public const string Name = "portal";
}
