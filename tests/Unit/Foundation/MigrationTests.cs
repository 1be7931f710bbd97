using Catalyst.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>Both providers' migrations must describe the current model exactly.</summary>
public class MigrationTests
{
    private static SqliteCatalystDbContext Sqlite(string connectionString = "Data Source=:memory:") =>
        new(new DbContextOptionsBuilder<SqliteCatalystDbContext>().UseSqlite(connectionString).Options);

    private static SqlServerCatalystDbContext SqlServer() =>
        new(new DbContextOptionsBuilder<SqlServerCatalystDbContext>()
            .UseSqlServer("Server=unused.invalid;Database=Catalyst;Trusted_Connection=True;TrustServerCertificate=True").Options);

    [Fact]
    public void Sqlite_model_has_no_pending_changes()
    {
        using var db = Sqlite();
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --project src/Data --context SqliteCatalystDbContext --output-dir Migrations/Sqlite");
    }

    [Fact]
    public void SqlServer_model_has_no_pending_changes()
    {
        using var db = SqlServer();
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --project src/Data --context SqlServerCatalystDbContext --output-dir Migrations/SqlServer");
    }

    [Fact]
    public void Both_providers_have_the_same_migrations()
    {
        using var sqlite = Sqlite();
        using var sqlServer = SqlServer();
        static IEnumerable<string> Names(DbContext db) => db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(Names(sqlite), Names(sqlServer));
        Assert.NotEmpty(Names(sqlite));
    }

    [Fact]
    public void SqlServer_migration_script_generates()
    {
        using var db = SqlServer();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE [Projects]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [AspNetUsers]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [JobRuns]", script, StringComparison.Ordinal);
        Assert.Contains("__EFMigrationsHistory", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqlite_migrations_apply_to_an_empty_database()
    {
        var file = Path.Combine(Path.GetTempPath(), $"catalyst-migrate-{Guid.NewGuid():N}.db");
        try
        {
            await using (var db = Sqlite($"Data Source={file}"))
            {
                await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
                Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
                Assert.Equal(0, await db.Projects.CountAsync(TestContext.Current.CancellationToken));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_database_made_by_a_pre_release_schema_history_is_refused_before_anything_runs()
    {
        var file = Path.Combine(Path.GetTempPath(), $"catalyst-migrate-{Guid.NewGuid():N}.db");
        try
        {
            await using (var connection = new SqliteConnection($"Data Source={file}"))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var create = connection.CreateCommand();
                create.CommandText = "CREATE TABLE __EFMigrationsHistory (MigrationId TEXT PRIMARY KEY, ProductVersion TEXT NOT NULL);"
                                     + "INSERT INTO __EFMigrationsHistory VALUES ('20261123164729_Initial', '10.0.0');"
                                     + "CREATE TABLE Projects (Id TEXT PRIMARY KEY);";
                await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }
            await using var db = Sqlite($"Data Source={file}");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                new Catalyst.Data.Configuration.DatabaseMigrator(db).MigrateAsync(TestContext.Current.CancellationToken));
            Assert.Contains("20261123164729_Initial", error.Message, StringComparison.Ordinal);
            Assert.Contains("new database", error.Message, StringComparison.Ordinal);
            Assert.Single(await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
