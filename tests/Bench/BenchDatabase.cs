using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Catalyst.Data.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Bench;

/// <summary>
/// Catalyst.Data's own services over the Portal's data directory, used before the Portal starts:
/// the same migrations and admin bootstrap as the Portal's start-up, then users, tokens and rows
/// written through the product's services and DbContext, so the API serves real data.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private BenchDatabase(ServiceProvider services) => _services = services;

    public string SqliteFile => _services.GetRequiredService<CatalystPaths>().SqliteFile;

    /// <param name="overrides">Settings of this process only (the Portal keeps the run's), e.g. a short grace period for a garbage collection the bench runs.</param>
    public static async Task<BenchDatabase> CreateAsync(string dataDirectory, CancellationToken ct, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = BenchPortal.Settings(dataDirectory);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
            settings[key] = value;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddCatalystData(configuration, dataDirectory);
        services.AddIdentityCore<CatalystUser>(IdentityRules.Apply)
            .AddRoles<CatalystRole>()
            .AddEntityFrameworkStores<CatalystDbContext>();
        var database = new BenchDatabase(services.BuildServiceProvider());
        await database.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            await sp.GetRequiredService<IdentityBootstrapper>().EnsureAsync(TextWriter.Null, ct);
        });
        return database;
    }

    /// <summary>A new non-admin user, created as the admin would, with an API token.</summary>
    public Task<(Guid UserId, string Token)> CreateUserAsync(string email, CancellationToken ct) =>
        WithScopeAsync(async sp =>
        {
            var admin = await sp.GetRequiredService<UserManager<CatalystUser>>().FindByEmailAsync(BenchPortal.AdminEmail)
                ?? throw new InvalidOperationException("The admin was not bootstrapped.");
            var actor = new Actor(admin.Id, BenchPortal.AdminEmail, IsAdmin: true);
            var user = await sp.GetRequiredService<UserAdminService>().CreateAsync(actor, email, "Bench-User-Pass-1!", [Roles.User], ct);
            var (_, token) = await sp.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, "bench", null, ct);
            return (user.Id, token);
        });

    /// <summary>Adds entities in batches of one transaction each; the DbContext stamps them as usual.</summary>
    public async Task InsertAsync<T>(IEnumerable<T> entities, CancellationToken ct) where T : class
    {
        foreach (var batch in entities.Chunk(2_000))
        {
            await WithScopeAsync(async sp =>
            {
                var db = sp.GetRequiredService<CatalystDbContext>();
                db.AddRange(batch);
                await db.SaveChangesAsync(ct);
            });
        }
    }

    public async Task WithScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = _services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        // Close the pooled connections so the Portal is the only writer once it starts.
        SqliteConnection.ClearAllPools();
    }
}
