using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Search;

/// <summary>
/// A SQLite database of its own, migrated, with the domain services over it: for tests that compare the
/// whole index (rebuild, verification, brute-force ranking), which other tests' writes would disturb.
/// </summary>
public sealed class SearchDatabase : IAsyncDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"catalyst-search-{Guid.NewGuid():N}.db");

    public SqliteCatalystDbContext Db { get; }
    public DataServices Services { get; }

    private SearchDatabase()
    {
        Db = new SqliteCatalystDbContext(new DbContextOptionsBuilder<SqliteCatalystDbContext>().UseSqlite($"Data Source={_file}").Options);
        Services = new DataServices(Db);
    }

    public static async Task<SearchDatabase> CreateAsync()
    {
        var database = new SearchDatabase();
        await database.Db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        return database;
    }

    public async Task<Actor> CreateUserAsync(bool admin = false)
    {
        var email = $"search-{Guid.NewGuid():N}@test.local";
        var user = new CatalystUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        Db.Users.Add(user);
        await Db.SaveChangesAsync(TestContext.Current.CancellationToken);
        Db.ChangeTracker.Clear();
        return new Actor(user.Id, email, admin);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        Services.Cache.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }
}
