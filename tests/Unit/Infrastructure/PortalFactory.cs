using System.Net.Http.Headers;
using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Data.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Infrastructure;

public static class TestUserActor
{
    extension(TestUser user)
    {
        /// <summary>The user as the domain services see a caller.</summary>
        public Actor Actor => new(user.Id, user.Email, user.IsAdmin);
    }
}

/// <summary>
/// The real Portal in process, on its own SQLite file in a temporary data directory, with the
/// in-process job server. Settings may be overridden per factory.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime, ICastPortal
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Admin-Pass-123!";
    public const string UserPassword = "User-Pass-123!";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDataDirectory;
    private Task<TestUser>? _admin;

    public PortalFactory() : this(null) { }

    /// <param name="overrides">Settings for this Portal; a <c>Catalyst:DataDirectory</c> among them reuses that directory.</param>
    /// <param name="ownsDataDirectory">Whether disposing deletes the data directory (not when another factory still uses it).</param>
    internal PortalFactory(IDictionary<string, string?>? overrides, bool ownsDataDirectory = true)
    {
        _ownsDataDirectory = ownsDataDirectory;
        DataDirectory = overrides?.TryGetValue("Catalyst:DataDirectory", out var shared) == true && shared is not null
            ? shared
            : Path.Combine(Path.GetTempPath(), "catalyst-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings = new Dictionary<string, string?>
        {
            ["Catalyst:DataDirectory"] = DataDirectory,
            ["Catalyst:Admin:Email"] = AdminEmail,
            ["Catalyst:Admin:Password"] = AdminPassword,
            ["Catalyst:SignIn:PerAddressPerMinute"] = "100000",
            ["Catalyst:SignIn:PerAccountPerMinute"] = "100000",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public string DataDirectory { get; }

    /// <summary>Whether the factory serves through real Kestrel on a loopback port (see <see cref="StartKestrel"/>).</summary>
    public bool OnKestrel { get; private set; }

    public Uri? KestrelAddress { get; private set; }

    /// <summary>
    /// A Portal on real Kestrel (127.0.0.1, free port), for what the in-memory test server does not
    /// model: dropped connections, chunked bodies, socket-level limits. Clients use plain http.
    /// </summary>
    public static PortalFactory StartKestrel(IDictionary<string, string?>? overrides = null)
    {
        var factory = new PortalFactory(overrides);
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        factory.OnKestrel = true;
        var addresses = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        factory.KestrelAddress = new Uri(addresses.First());
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        // No test resolves real names (and so none can reach an address off this machine).
        builder.ConfigureTestServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<Catalyst.Data.Deployments.IHostResolver, TestHostResolver>());
            // Legacy migrations also read the mapping tests' pre-decoded format (real dumps go to the real reader).
            services.Replace(ServiceDescriptor.Singleton<Catalyst.Data.LegacyImport.Reading.ILegacyDumpReader, LegacyImport.FakeLegacyReader>());
        });
    }

    /// <summary>A cookie-keeping client that does not follow redirects, over https so Secure cookies flow.</summary>
    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        BaseAddress = new Uri("https://localhost"),
        HandleCookies = true,
    });

    /// <summary>A browser already signed in as <paramref name="user"/> through the sign-in page.</summary>
    public async Task<HttpClient> CreateSignedInBrowserAsync(TestUser user)
    {
        var browser = CreateBrowser();
        await browser.SignInOrFailAsync(user.Email, user.Password);
        return browser;
    }

    public HttpClient CreateApiClient(string? token = null)
    {
        var client = CreateClient(OnKestrel
            ? new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = KestrelAddress! }
            : new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost"), HandleCookies = false });
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<TResult> WithScopeAsync<TResult>(Func<IServiceProvider, Task<TResult>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task WithScopeAsync(Func<IServiceProvider, Task> action) =>
        WithScopeAsync<bool>(async sp => { await action(sp); return true; });

    public Task<TResult> WithDbAsync<TResult>(Func<CatalystDbContext, Task<TResult>> action) =>
        WithScopeAsync(sp => action(sp.GetRequiredService<CatalystDbContext>()));

    /// <summary>The bootstrapped admin, with an API token (created once, whichever test asks first).</summary>
    public Task<TestUser> AdminAsync()
    {
        lock (_settings)
            return _admin ??= WithScopeAsync(async sp =>
            {
                var users = sp.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CatalystUser>>();
                var admin = await users.FindByEmailAsync(AdminEmail) ?? throw new InvalidOperationException("No bootstrapped admin.");
                var (_, token) = await sp.GetRequiredService<ApiTokenService>().CreateAsync(admin.Id, "tests", null, CancellationToken.None);
                return new TestUser(admin.Id, AdminEmail, AdminPassword, token, true);
            });
    }

    /// <summary>A new user with a unique e-mail and an API token.</summary>
    public async Task<TestUser> CreateUserAsync(string? name = null, bool admin = false)
    {
        var bootstrap = await AdminAsync();
        var email = $"{name ?? "user"}-{Guid.NewGuid():N}@test.local";
        return await WithScopeAsync(async sp =>
        {
            var roles = admin ? new[] { Roles.User, Roles.Admin } : [Roles.User];
            var created = await sp.GetRequiredService<UserAdminService>().CreateAsync(bootstrap.Actor, email, UserPassword, roles, CancellationToken.None);
            var (_, token) = await sp.GetRequiredService<ApiTokenService>().CreateAsync(created.Id, "tests", null, CancellationToken.None);
            return new TestUser(created.Id, email, UserPassword, token, admin);
        });
    }

    /// <summary>
    /// Starts the host once, before any test: tests running in parallel would otherwise race to
    /// start it lazily (two hosts migrating and bootstrapping the same database).
    /// </summary>
    public ValueTask InitializeAsync()
    {
        StartServer();
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (!_ownsDataDirectory)
            return;
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
