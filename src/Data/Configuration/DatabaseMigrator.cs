using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Configuration;

/// <summary>Applies the provider's migrations; embedded mode calls it at start-up, production through <c>migrate-db</c>.</summary>
public sealed class DatabaseMigrator(CatalystDbContext db)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        await RefuseUnknownHistoryAsync(ct);
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers proceed while a writer commits; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    /// <summary>
    /// The schema history was squashed into one Initial migration per provider before the first
    /// release. A database whose history names migrations this build does not have (made by a
    /// pre-release build, or by a newer one) would otherwise fail half-way with "table already
    /// exists"; it is refused before anything runs, with what to do.
    /// </summary>
    private async Task RefuseUnknownHistoryAsync(CancellationToken ct)
    {
        var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
        if (applied.Count == 0)
            return;
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = applied.Where(m => !known.Contains(m)).ToList();
        if (unknown.Count > 0)
            throw new InvalidOperationException(
                $"The database's schema history names migrations this build of Catalyst does not have ({string.Join(", ", unknown.Take(3))}"
                + (unknown.Count > 3 ? ", ..." : "") + "). It was made by a pre-release or a newer build; use a new database (for the embedded "
                + "default, move the data directory away) or the build that made it.");
    }
}
