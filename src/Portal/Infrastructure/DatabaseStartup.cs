using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Before the host starts anything (Data Protection reads its keys from the database in its own
/// hosted service, the job server polls its tables): the embedded default (SQLite) applies its
/// migrations; production (SQL Server) only checks that <c>migrate-db</c> has been run. Then the roles
/// exist. The admin account comes once the server listens (<see cref="StartupBanner"/>).
/// </summary>
public static class DatabaseStartup
{
    public static async Task PrepareDatabaseAsync(this WebApplication app, CancellationToken ct = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var migrate = app.Configuration.GetValue<bool?>("Database:MigrateOnStartup") ?? database.IsSqlite;
        if (migrate)
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        }
        else
        {
            var pending = (await services.GetRequiredService<CatalystDbContext>().Database.GetPendingMigrationsAsync(ct)).Count();
            if (pending > 0)
                throw new SchemaOutOfDateException(pending);
        }
        await services.GetRequiredService<IdentityBootstrapper>().EnsureRolesAsync(ct);
    }
}

/// <summary>
/// The database lacks migrations this version needs. An operator's task, not a fault: Program prints
/// <see cref="Exception.Message"/> as one line (with the fix) and exits, without a stack trace.
/// </summary>
public sealed class SchemaOutOfDateException(int pendingMigrations) : Exception(
    $"The database schema is not up to date ({pendingMigrations} migration(s) pending). Run `dotnet run --project src/Workers -- migrate-db` first " +
    "(or set Database:MigrateOnStartup=true).")
{
    public int PendingMigrations { get; } = pendingMigrations;
}
