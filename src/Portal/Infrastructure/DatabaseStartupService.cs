using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Before the Portal serves anything: the embedded default (SQLite) applies its migrations;
/// production (SQL Server) only checks that <c>migrate-db</c> has been run. Then roles and the
/// admin account are ensured.
/// </summary>
public sealed class DatabaseStartupService(IServiceScopeFactory scopes, IOptions<DatabaseOptions> database, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var migrate = configuration.GetValue<bool?>("Database:MigrateOnStartup") ?? database.Value.IsSqlite;
        if (migrate)
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        }
        else
        {
            var pending = await services.GetRequiredService<CatalystDbContext>().Database.GetPendingMigrationsAsync(cancellationToken);
            if (pending.Any())
                throw new InvalidOperationException(
                    "The database schema is not up to date. Run `dotnet run --project src/Workers -- migrate-db` first " +
                    "(or set Database:MigrateOnStartup=true).");
        }
        await services.GetRequiredService<IdentityBootstrapper>().EnsureAsync(Console.Out, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
