using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Configuration;

/// <summary>Applies the provider's migrations; embedded mode calls it at start-up, production through <c>migrate-db</c>.</summary>
public sealed class DatabaseMigrator(CatalystDbContext db)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers proceed while a writer commits; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
