using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Data;
using Catalyst.Data.Audit;
using Catalyst.Data.Chat;
using Catalyst.Data.Search;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Data.Projects;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>
/// The production provider for real: each test migrates a database of its own on the server named
/// by <c>CATALYST_TEST_SQLSERVER</c> (a connection string with rights to create databases) and drops
/// it afterwards. Without that variable the tests are skipped and say why.
/// </summary>
public class SqlServerIntegrationTests
{
    private const string Variable = "CATALYST_TEST_SQLSERVER";
    private static readonly string? ServerConnectionString = Environment.GetEnvironmentVariable(Variable);

    private static void SkipWithoutServer() =>
        Assert.SkipWhen(string.IsNullOrWhiteSpace(ServerConnectionString),
            $"{Variable} is not set; set it to a SQL Server connection string (e.g. Server=localhost;User Id=sa;Password=...;TrustServerCertificate=True) to run the SQL Server integration tests.");

    /// <summary>A freshly migrated database that is dropped on dispose.</summary>
    private sealed class FreshDatabase : IAsyncDisposable
    {
        private FreshDatabase(string connectionString) => ConnectionString = connectionString;

        public string ConnectionString { get; }

        public static async Task<FreshDatabase> CreateAsync()
        {
            var builder = new SqlConnectionStringBuilder(ServerConnectionString) { InitialCatalog = $"catalyst_test_{Guid.NewGuid():N}" };
            var database = new FreshDatabase(builder.ConnectionString);
            await using var db = database.Open();
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
            return database;
        }

        public SqlServerCatalystDbContext Open() =>
            new(new DbContextOptionsBuilder<SqlServerCatalystDbContext>().UseSqlServer(ConnectionString).Options);

        public async ValueTask DisposeAsync()
        {
            await using var db = Open();
            await db.Database.EnsureDeletedAsync();
            SqlConnection.ClearAllPools();
        }
    }

    private static ProjectService Projects(CatalystDbContext db) => new DataServices(db).Projects();

    private static async Task<Actor> CreateUserAsync(CatalystDbContext db, bool admin = false)
    {
        var email = $"sql-{Guid.NewGuid():N}@test.local";
        var user = new CatalystUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return new Actor(user.Id, email, admin);
    }

    [Fact]
    public async Task Migrations_create_the_whole_schema_on_a_fresh_database()
    {
        SkipWithoutServer();
        await using var database = await FreshDatabase.CreateAsync();
        await using var db = database.Open();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.Projects.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.JobRuns.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.ApiTokens.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.AuditEntries.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Projects_are_created_updated_and_refused_on_a_stale_version()
    {
        SkipWithoutServer();
        await using var database = await FreshDatabase.CreateAsync();
        Actor owner;
        Project created;
        await using (var db = database.Open())
        {
            owner = await CreateUserAsync(db);
            created = await Projects(db).CreateAsync(owner, new ProjectInput("  On SQL Server ", "desc", ["Web", "web", "sql"], null), CancellationToken.None);
        }

        Assert.Equal(1, created.Version);
        await using (var db = database.Open())
        {
            var loaded = await Projects(db).GetAsync(owner, created.Id, CancellationToken.None);
            Assert.Equal("On SQL Server", loaded.Name);
            Assert.Equal(["web", "sql"], loaded.Tags);
            Assert.Equal(DateTimeKind.Utc, loaded.CreatedAt.Kind);
            Assert.Equal(created.CreatedAt, loaded.CreatedAt);

            var updated = await Projects(db).UpdateAsync(owner, created.Id, 1, new ProjectInput("Renamed", null, ["sql"], ProjectStatus.Archived), CancellationToken.None);
            Assert.Equal(2, updated.Version);
        }

        await using (var db = database.Open())
        {
            var conflict = await Assert.ThrowsAsync<VersionConflictException>(() =>
                Projects(db).UpdateAsync(owner, created.Id, 1, new ProjectInput("Lost update", null, null, null), CancellationToken.None));
            Assert.Equal(2, conflict.CurrentVersion);
            var saved = await Projects(db).GetAsync(owner, created.Id, CancellationToken.None);
            Assert.Equal(("Renamed", ProjectStatus.Archived, 2L), (saved.Name, saved.Status, saved.Version));
        }
    }

    [Fact]
    public async Task A_write_racing_another_is_refused_by_the_concurrency_token()
    {
        SkipWithoutServer();
        await using var database = await FreshDatabase.CreateAsync();
        Actor owner;
        Guid id;
        await using (var db = database.Open())
        {
            owner = await CreateUserAsync(db);
            id = (await Projects(db).CreateAsync(owner, new ProjectInput("Raced", null, null, null), CancellationToken.None)).Id;
        }

        // Both writers read version 1; the first commits, the second must not overwrite it.
        await using var first = database.Open();
        await using var second = database.Open();
        var mine = await first.Projects.SingleAsync(p => p.Id == id, TestContext.Current.CancellationToken);
        var theirs = await second.Projects.SingleAsync(p => p.Id == id, TestContext.Current.CancellationToken);
        theirs.Name = "Theirs";
        await second.SaveChangesAsync(TestContext.Current.CancellationToken);
        mine.Name = "Mine";

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => first.SaveChangesAsync(TestContext.Current.CancellationToken));

        await using var check = database.Open();
        var saved = await check.Projects.AsNoTracking().SingleAsync(p => p.Id == id, TestContext.Current.CancellationToken);
        Assert.Equal(("Theirs", 2L), (saved.Name, saved.Version));
    }

    [Fact]
    public async Task Search_is_owner_scoped_case_insensitive_and_treats_wildcards_literally()
    {
        SkipWithoutServer();
        await using var database = await FreshDatabase.CreateAsync();
        await using var db = database.Open();
        var alice = await CreateUserAsync(db);
        var bob = await CreateUserAsync(db);
        var admin = await CreateUserAsync(db, admin: true);
        foreach (var name in new[] { "100% done", "1000 done", "a_b plan", "axb plan", "Website" })
            await Projects(db).CreateAsync(alice, new ProjectInput(name, null, null, null), CancellationToken.None);
        await Projects(db).CreateAsync(bob, new ProjectInput("bob's website", null, null, null), CancellationToken.None);

        async Task<List<string>> SearchAsync(Actor actor, string q) =>
            (await Projects(db).ListAsync(actor, new ProjectQuery(q), new PageRequest(1, 100), CancellationToken.None)).Items.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["100% done"], await SearchAsync(alice, "100%"));
        Assert.Equal(["a_b plan"], await SearchAsync(alice, "a_b"));
        Assert.Equal(["Website"], await SearchAsync(alice, "WEBSITE"));
        Assert.Equal(["bob's website"], await SearchAsync(bob, "website"));
        Assert.Equal(["Website", "bob's website"], await SearchAsync(admin, "website"));
    }

    [Fact]
    public async Task Chat_batches_the_change_feed_and_the_search_index_work_on_SQL_Server()
    {
        SkipWithoutServer();
        var ct = TestContext.Current.CancellationToken;
        await using var database = await FreshDatabase.CreateAsync();
        await using var db = database.Open();
        var alice = await CreateUserAsync(db);
        var bob = await CreateUserAsync(db);
        var services = new DataServices(db);
        var chat = services.Chat();
        var session = await chat.CreateSessionAsync(alice, new ChatSessionInput("sql server", null), ct);
        var batch = Enumerable.Range(0, 40).Select(i => (ChatMessageInput?)new ChatMessageInput(
            $"m{i}", session.Id.ToString(), "user", $"apple {(i % 2 == 0 ? "banana" : "cherry")} number{i}", null)).ToList();

        var first = await chat.AppendBatchAsync(alice, batch, ct);
        var replay = await chat.AppendBatchAsync(alice, batch, ct);
        await services.Projects().CreateAsync(bob, new ProjectInput("apple orchard", null, ["fruit"], null), ct);
        db.ChangeTracker.Clear();

        Assert.Equal(40, first.Created);
        Assert.Equal(first.Ids, replay.Ids);
        var search = services.Search();
        var and = await search.SearchAsync(alice, new SearchRequest("apple banana"), new PageRequest(1, 100), ct);
        var or = await search.SearchAsync(alice, new SearchRequest("banana cherry", "or", Sort: "recent"), new PageRequest(1, 100), ct);
        var tagged = await search.SearchAsync(alice with { IsAdmin = true }, new SearchRequest("apple", Tags: "fruit"), new PageRequest(1, 20), ct);
        Assert.Equal(20, and.Page.Total);
        Assert.Equal(40, or.Page.Total);
        Assert.Equal("apple orchard", Assert.Single(tagged.Page.Items).Title);
        var changes = await services.Sync().ChangesAsync(alice, null, 1000, ct);
        Assert.Equal(41, changes.Changes.Count);
        await chat.DeleteSessionAsync(alice, session.Id, null, ct);
        var verified = await services.Maintenance().VerifyAsync(repair: false, null, ct);
        Assert.True(verified.Consistent, string.Join("; ", verified.Examples));
    }

    [Fact]
    public async Task Two_worker_hosts_run_hangfire_over_sql_server_with_the_recurring_jobs_registered_once()
    {
        SkipWithoutServer();
        await using var database = await FreshDatabase.CreateAsync();
        string[] args = ["--Database:Provider=SqlServer", $"--ConnectionStrings:Catalyst={database.ConnectionString}", $"--Catalyst:DataDirectory={Path.GetTempPath()}"];
        using var first = Catalyst.Workers.Hosting.WorkerHost.CreateBuilder(args, runJobServer: true).Build();
        using var second = Catalyst.Workers.Hosting.WorkerHost.CreateBuilder(args, runJobServer: true).Build();
        var ct = TestContext.Current.CancellationToken;
        await first.StartAsync(ct);
        await second.StartAsync(ct);
        try
        {
            var storage = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Hangfire.JobStorage>(first.Services);
            Assert.IsType<Hangfire.SqlServer.SqlServerStorage>(storage);
            using var connection = storage.GetConnection();
            var recurring = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection);
            Assert.Equal(recurring.Count, recurring.Select(r => r.Id).Distinct().Count());
            Assert.Contains(recurring, r => r.Id == StorageRecompressionJob.Kind);
            Assert.Contains(recurring, r => r.Id == StorageGarbageCollectionJob.Kind);
            var servers = storage.GetMonitoringApi().Servers();
            Assert.True(servers.Count >= 2, "both hosts announce a Hangfire server");
        }
        finally
        {
            await second.StopAsync(ct);
            await first.StopAsync(ct);
        }
    }
}
