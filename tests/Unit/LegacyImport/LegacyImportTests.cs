using System.Text.Json.Nodes;
using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.LegacyImport;

public class LegacyImportTests(PortalFactory portal)
{
    private readonly LegacyHarness _legacy = new(portal);

    private static void CountsAddUp(LegacyReport report)
    {
        Assert.NotEmpty(report.Tables);
        foreach (var table in report.Tables)
            Assert.True(table.Source == table.Imported + table.Skipped + table.Failed, $"{table.Database}/{table.Table}: {table}");
        // Every row not imported is explained.
        foreach (var table in report.Tables.Where(t => t.Skipped + t.Failed > 0))
            Assert.True(report.Problems.Count(p => p.Database == table.Database && p.Table == table.Table) >= table.Skipped + table.Failed,
                $"{table.Database}/{table.Table} has unexplained rows");
    }

    private static LegacyTableReport Table(LegacyReport report, string database, string table) =>
        report.Tables.Single(t => t.Database == database && t.Table == table);

    private Task<int> StoredAsync(IEnumerable<string> hashes)
    {
        var list = hashes.ToList();
        return portal.WithDbAsync(db => db.Set<StoredBlob>().CountAsync(b => list.Contains(b.Sha256)));
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_and_reports_what_an_apply_would_do()
    {
        var user = await portal.CreateUserAsync("legacy-dry");
        var dumps = LegacyTestDumps.Create();
        var before = await _legacy.SnapshotAsync(user.Id);

        var (id, report) = await _legacy.RunAsync(user, dumps.Small(), dryRun: true);

        Assert.Equal(before, await _legacy.SnapshotAsync(user.Id));
        Assert.Equal(0, await portal.WithDbAsync(db => db.Set<LegacySourceKey>().CountAsync(k => k.UserId == user.Id)));
        Assert.Equal(0, await StoredAsync([LegacyTestDumps.Sha(dumps.Logo), LegacyTestDumps.Sha(dumps.Data), LegacyTestDumps.Sha(dumps.Notes)]));
        Assert.Equal("dry-run", report.Status);
        CountsAddUp(report);

        // The same plan an apply carries out.
        var applied = (await _legacy.RunAsync(user, dumps.Small(), dryRun: false)).Report;
        Assert.Equal(report.Tables, applied.Tables);
        Assert.Equal(report.Blobs, applied.Blobs);
        Assert.Equal(report.Problems.Select(p => (p.Database, p.Table, p.Key)).Order(), applied.Problems.Select(p => (p.Database, p.Table, p.Key)).Order());
        Assert.NotEqual(id, applied.Id);
    }

    [Fact]
    public async Task Apply_lands_every_row_and_blob_or_reports_why_and_verify_passes()
    {
        var user = await portal.CreateUserAsync("legacy-apply");
        var dumps = LegacyTestDumps.Create();
        var (id, report) = await _legacy.RunAsync(user, dumps.Small(), dryRun: false);

        Assert.Equal("applied", report.Status);
        CountsAddUp(report);
        Assert.Equal((2, 2, 0, 0), Counts(Table(report, "catalyst_global", "websites")));
        Assert.Equal((4, 3, 0, 1), Counts(Table(report, "website_w1_content", "contentItems")));
        Assert.Equal((4, 4, 0, 0), Counts(Table(report, "website_w1_assets", "assets")));
        Assert.Equal((1, 0, 1, 0), Counts(Table(report, "website_w1_assets", "thumbnails")));
        Assert.Equal((1, 0, 1, 0), Counts(Table(report, "website_w1_config", "cache")));
        Assert.Equal((1, 0, 0, 1), Counts(Table(report, "website_orphan_content", "contentTypes")));
        Assert.Equal((6, 3, 0, 3), Counts(Table(report, "kijko_db", "chatMessages")));
        Assert.Equal((2, 1, 0, 1), Counts(Table(report, "kijko_db", "assets")));
        Assert.Equal((1, 0, 1, 0), Counts(Table(report, "kijko_db", "syncQueue")));
        Assert.Equal((5, 4, 1, 0), Counts(Table(report, "localStorage.kijko", "localStorage")));
        Assert.Equal((2, 1, 1, 0), Counts(Table(report, "localStorage.kijko", "chat-storage.sessions")));
        Assert.Equal((2, 1, 1, 0), Counts(Table(report, "localStorage.kijko", "chat-storage.messages")));
        Assert.Equal((1, 1, 0, 0), Counts(Table(report, "localStorage.kijko", "chat-storage.projects")));
        Assert.Equal((1, 0, 1, 0), Counts(Table(report, "some_other_app", "things")));
        Assert.Contains(report.Problems, p => p.Key == "m9" && p.Message.Contains("Nesting", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Key == "i2" && p.Message.Contains("draft", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Key == "auth-storage" && p.Message.Contains("credential", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Key == "w2" && p.Message.Contains("no data", StringComparison.Ordinal));
        Assert.Equal(6, report.Blobs.Source);
        Assert.Equal(5, report.Blobs.Imported);

        await portal.WithDbAsync(async db =>
        {
            var site = await db.Set<Website>().AsNoTracking().SingleAsync(w => w.OwnerId == user.Id && w.Name == "Bakery");
            var metadata = JsonNode.Parse(site.Metadata)!;
            Assert.Equal("bread", (string?)metadata["icon"]);
            Assert.Equal("dark", (string?)metadata["settings"]!["theme"]);
            Assert.Equal(2, metadata["mystery"]!["deep"]!.AsArray().Count);
            Assert.Equal("#ff0000", (string?)metadata["config"]!["theme"]!["primary"]);
            var version = await db.Set<WebsiteDataVersion>().AsNoTracking().SingleAsync(v => v.WebsiteId == site.Id);
            Assert.Equal(WebsiteDataSources.Migration, version.Source);
            Assert.NotNull(version.ContentSha256);
            Assert.NotNull(version.AssetsSha256);
            Assert.NotNull(version.AiContextSha256);
            var items = await db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == site.Id).ToListAsync();
            Assert.Equal(3, items.Count);
            Assert.Single(items, i => i.Status == ContentItemStatus.Published);
            Assert.Equal(2, await db.Set<ContentType>().CountAsync(t => t.WebsiteId == site.Id));

            var hashes = await db.Set<Asset>().AsNoTracking().Where(a => a.OwnerId == user.Id).Select(a => a.Sha256).ToListAsync();
            Assert.All(dumps.ImportedBlobHashes, h => Assert.Contains(h, hashes));
            Assert.Equal(3, await db.Projects.CountAsync(p => p.OwnerId == user.Id));
            Assert.Equal(ProjectStatus.Archived, (await db.Projects.SingleAsync(p => p.OwnerId == user.Id && p.Name == "Old stuff")).Status);
            var sessions = await db.ChatSessions.AsNoTracking().Where(s => s.UserId == user.Id).ToListAsync();
            Assert.Equal(3, sessions.Count);
            Assert.Contains(sessions, s => s.Title == "First chat");
            Assert.DoesNotContain(sessions, s => s.Title.StartsWith("Store copy", StringComparison.Ordinal));
            var storeSession = Assert.Single(sessions, s => s.Title == "Only in the store");
            Assert.Equal(await db.Projects.Where(p => p.Name == "Store project" && p.OwnerId == user.Id).Select(p => (Guid?)p.Id).SingleAsync(), storeSession.ProjectId);
            var clientIds = await db.ChatMessages.AsNoTracking().Where(m => m.Session!.UserId == user.Id).Select(m => m.ClientId).OrderBy(c => c).ToListAsync();
            Assert.Equal(["m1", "m2", "m5", "sm1"], clientIds);
            var prefs = JsonNode.Parse(await db.Set<UserPreferences>().Where(p => p.UserId == user.Id).Select(p => p.Preferences).SingleAsync())!;
            Assert.Equal("dark", (string?)prefs["legacy"]!["kijko"]!["theme"]);
            Assert.Equal("w1", (string?)prefs["legacy"]!["catalyst_global"]!["lastOpened"]);
            Assert.Null(prefs["legacy"]!["kijko"]!["auth-storage"]);
            return true;
        });

        var verification = await _legacy.VerifyAsync(id);
        Assert.True(verification.Passed, string.Join("; ", verification.Mismatches));
        Assert.Equal(5, verification.BlobsChecked);
        var stored = await portal.WithScopeAsync(sp => _legacy.Service(sp).GetAsync(user.Actor, id, CancellationToken.None));
        Assert.Equal(LegacyImportStatus.Verified, stored.Status);
    }

    private static (int, int, int, int) Counts(LegacyTableReport t) => (t.Source, t.Imported, t.Skipped, t.Failed);

    [Fact]
    public async Task Verify_names_what_no_longer_matches()
    {
        var user = await portal.CreateUserAsync("legacy-verify");
        var (id, _) = await _legacy.RunAsync(user, LegacyTestDumps.Create().Small(), dryRun: false);
        var session = await portal.WithDbAsync(db => db.ChatSessions.Where(s => s.UserId == user.Id && s.Title == "First chat").Select(s => s.Id).SingleAsync());
        await portal.WithScopeAsync(sp => sp.GetRequiredService<ChatService>().DeleteSessionAsync(user.Actor, session, null, CancellationToken.None));

        var verification = await _legacy.VerifyAsync(id);

        Assert.False(verification.Passed);
        Assert.Contains(verification.Mismatches, m => m.Contains(session.ToString(), StringComparison.Ordinal));
        Assert.Equal(LegacyImportStatus.Failed, (await portal.WithScopeAsync(sp => _legacy.Service(sp).GetAsync(user.Actor, id, CancellationToken.None))).Status);
    }

    [Fact]
    public async Task Running_the_same_input_again_changes_nothing()
    {
        var user = await portal.CreateUserAsync("legacy-rerun");
        var dumps = LegacyTestDumps.Create();
        var (first, _) = await _legacy.RunAsync(user, dumps.Small(), dryRun: false);
        var after = await _legacy.SnapshotAsync(user.Id);

        // The same migration again (a retried job) and a new migration of the same files.
        var again = await _legacy.RunAsync(first);
        var (_, second) = await _legacy.RunAsync(user, dumps.Small(), dryRun: false);

        Assert.Equal(after, await _legacy.SnapshotAsync(user.Id));
        CountsAddUp(again);
        CountsAddUp(second);
        Assert.Equal(0, second.Tables.Sum(t => t.Imported));
        Assert.Contains(second.Problems, p => p.Message.Contains("Already imported", StringComparison.Ordinal));
        Assert.True((await _legacy.VerifyAsync(first)).Passed);
    }

    [Fact]
    public async Task Rollback_restores_the_previous_state_and_keeps_what_came_later()
    {
        var user = await portal.CreateUserAsync("legacy-rollback");
        await portal.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<PreferencesService>().PutAsync(user.Actor,
                System.Text.Json.JsonDocument.Parse("""{"ui": {"dense": true}, "legacy": {"kijko": {"theme": "light", "kept": 1}}}""").RootElement, null, CancellationToken.None);
            await sp.GetRequiredService<ProjectService>().CreateAsync(user.Actor, new ProjectInput("Before", null, null, null), CancellationToken.None);
        });
        var before = await _legacy.SnapshotAsync(user.Id);

        var (id, _) = await _legacy.RunAsync(user, LegacyTestDumps.Create().Small(), dryRun: false);
        Assert.NotEqual(before, await _legacy.SnapshotAsync(user.Id));
        var later = await portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>().CreateAsync(user.Actor, new ProjectInput("Made later", null, null, null), CancellationToken.None));
        var assetOwners = await portal.WithDbAsync(db => db.Set<LegacySourceKey>().Where(k => k.MigrationId == id && k.TargetKind == LegacyTargetKinds.Asset).Select(k => k.TargetId).ToListAsync());

        await _legacy.RollbackAsync(id);

        Assert.True(await portal.WithDbAsync(db => db.Projects.AnyAsync(p => p.Id == later.Id)));
        await portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>().DeleteAsync(user.Actor, later.Id, null, CancellationToken.None));
        Assert.Equal(before, await _legacy.SnapshotAsync(user.Id));
        Assert.Equal(0, await portal.WithDbAsync(db => db.Set<BlobReference>().CountAsync(r => r.OwnerType == BlobOwnerTypes.Asset && assetOwners.Contains(r.OwnerId))));
        var migration = await portal.WithScopeAsync(sp => _legacy.Service(sp).GetAsync(user.Actor, id, CancellationToken.None));
        Assert.Equal(LegacyImportStatus.RolledBack, migration.Status);
    }

    [Fact]
    public async Task Two_users_migrating_the_same_files_get_separate_copies_and_cannot_see_each_others_migration()
    {
        var dumps = LegacyTestDumps.Create();
        var alice = await portal.CreateUserAsync("legacy-alice");
        var bob = await portal.CreateUserAsync("legacy-bob");
        var (aliceId, aliceReport) = await _legacy.RunAsync(alice, dumps.Small(), dryRun: false);
        var (_, bobReport) = await _legacy.RunAsync(bob, dumps.Small(), dryRun: false);

        Assert.Equal(aliceReport.Tables, bobReport.Tables);
        await portal.WithDbAsync(async db =>
        {
            var sites = await db.Set<Website>().AsNoTracking().Where(w => (w.OwnerId == alice.Id || w.OwnerId == bob.Id) && w.Name == "Bakery").ToListAsync();
            Assert.Equal(2, sites.Select(s => s.Id).Distinct().Count());
            Assert.Equal(2, sites.Select(s => s.Slug).Distinct().Count());
            Assert.Equal(3, await db.ChatSessions.CountAsync(s => s.UserId == bob.Id));
            return true;
        });
        await Assert.ThrowsAsync<Catalyst.Data.Common.NotFoundException>(() =>
            portal.WithScopeAsync(sp => _legacy.Service(sp).GetAsync(bob.Actor, aliceId, CancellationToken.None)));
    }
}

public class LegacyInterruptionTests(PortalFactory portal)
{
    private readonly LegacyHarness _legacy = new(portal);

    [Theory]
    [InlineData(7)] // the website landed, the chat database not yet
    [InlineData(9)] // everything but the preferences
    public async Task An_apply_stopped_part_way_is_completed_by_running_it_again_without_duplicates(int stopAtFile)
    {
        var dumps = LegacyTestDumps.Create();
        var reference = await portal.CreateUserAsync("legacy-whole");
        var (_, whole) = await _legacy.RunAsync(reference, dumps.Small(), dryRun: false);

        var user = await portal.CreateUserAsync("legacy-stopped");
        var id = await _legacy.CreateAsync(user.Actor, user.Id, dumps.Small(), dryRun: false);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => portal.WithScopeAsync(sp => _legacy.Service(sp).RunAsync(id,
            (done, _) => done >= stopAtFile ? throw new OperationCanceledException("stopped") : Task.CompletedTask, CancellationToken.None)));
        var partial = await portal.WithDbAsync(db => db.Set<Catalyst.Data.LegacyImport.LegacySourceKey>().CountAsync(k => k.MigrationId == id));
        Assert.True(partial > 0, "something landed before the stop");

        var completed = await _legacy.RunAsync(id);

        Assert.Equal(whole.Tables, completed.Tables);
        await portal.WithDbAsync(async db =>
        {
            Assert.Equal(2, await db.Websites.CountAsync(w => w.OwnerId == user.Id));
            Assert.Equal(3, await db.ChatSessions.CountAsync(s => s.UserId == user.Id));
            Assert.Equal(4, await db.ChatMessages.CountAsync(m => m.Session!.UserId == user.Id));
            Assert.Equal(3, await db.Projects.CountAsync(p => p.OwnerId == user.Id));
            Assert.Equal(await db.Assets.CountAsync(a => a.OwnerId == reference.Id), await db.Assets.CountAsync(a => a.OwnerId == user.Id));
            return true;
        });
        Assert.True((await _legacy.VerifyAsync(id)).Passed);
    }
}
