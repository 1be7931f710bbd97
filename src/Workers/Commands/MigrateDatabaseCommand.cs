using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Workers.Commands;

/// <summary><c>migrate-db</c>: applies the schema explicitly (production does not migrate at web start-up) and bootstraps roles and the admin.</summary>
public static class MigrateDatabaseCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        await scope.ServiceProvider.GetRequiredService<IdentityBootstrapper>().EnsureAsync(Console.Out, ct);
        await Console.Out.WriteLineAsync("The database schema is up to date.");
        return 0;
    }
}
