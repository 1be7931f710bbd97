using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Projects;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>SPEC §3 and §11: ids named inside legacy files are never adopted, and a row too large to be a content item is a problem entry.</summary>
public class LegacyReferenceTests(PortalFactory portal)
{
    private readonly LegacyHarness _legacy = new(portal);

    /// <summary>A file in the test reader's form (<see cref="FakeLegacyReader"/>).</summary>
    internal static (string Name, byte[] Bytes) File(string database, params (string Table, (string Key, JsonNode Value)[] Rows)[] tables) =>
        ($"{database}.json", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["database"] = database,
            ["tables"] = new JsonArray(tables.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Table,
                ["rows"] = new JsonArray(t.Rows.Select(r => (JsonNode)new JsonObject { ["key"] = r.Key, ["value"] = r.Value }).ToArray()),
            }).ToArray()),
        }.ToJsonString()));

    [Fact]
    public async Task A_dump_naming_another_users_ids_gets_rows_of_its_own_and_reveals_nothing_of_theirs()
    {
        var alice = await portal.CreateUserAsync("legacy-ids-alice");
        var bob = await portal.CreateUserAsync("legacy-ids-bob");
        var aliceApi = portal.CreateApiClient(alice.Token);
        var project = (await (await aliceApi.PostAsJsonAsync("/api/projects", new { name = "Alice's plans" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var site = (await (await aliceApi.PostAsJsonAsync("/api/websites", new { name = "Alice's shop", slug = $"alice-shop-{Guid.NewGuid():N}" })).ReadJsonAsync()).GetProperty("data");
        var siteId = site.GetProperty("id").GetGuid();
        var siteSlug = site.GetProperty("slug").GetString()!;

        // Bob's files use Alice's ids as their own keys and references, and her website's slug as its name.
        var files = new[]
        {
            File("kijko_db",
                ("projects", [(project.ToString(), JsonNode.Parse($$"""{"id": "{{project}}", "name": "Bob's project"}""")!)]),
                ("chatSessions", [("s1", JsonNode.Parse($$"""{"id": "s1", "title": "Bob's chat", "projectId": "{{project}}"}""")!)])),
            File("catalyst_global",
                ("websites", [(siteId.ToString(), JsonNode.Parse($$"""{"id": "{{siteId}}", "name": "{{siteSlug}}"}""")!)])),
        };
        var (_, report) = await _legacy.RunAsync(bob, files, dryRun: false);

        var (aliceProject, aliceSite, bobProjects, bobSites, bobSession) = await portal.WithDbAsync(async db => (
            await db.Projects.AsNoTracking().SingleAsync(p => p.Id == project),
            await db.Set<Website>().AsNoTracking().SingleAsync(w => w.Id == siteId),
            await db.Projects.AsNoTracking().Where(p => p.OwnerId == bob.Id).ToListAsync(),
            await db.Set<Website>().AsNoTracking().Where(w => w.OwnerId == bob.Id).ToListAsync(),
            await db.ChatSessions.AsNoTracking().SingleAsync(s => s.UserId == bob.Id)));
        Assert.Equal(alice.Id, aliceProject.OwnerId);
        Assert.Equal("Alice's plans", aliceProject.Name);
        Assert.Equal((alice.Id, "Alice's shop"), (aliceSite.OwnerId, aliceSite.Name));
        var bobProject = Assert.Single(bobProjects);
        Assert.NotEqual(project, bobProject.Id);
        Assert.Equal(bobProject.Id, bobSession.ProjectId);
        var bobSite = Assert.Single(bobSites);
        Assert.NotEqual(siteId, bobSite.Id);
        Assert.NotEqual(siteSlug, bobSite.Slug);

        var text = JsonSerializer.Serialize(report);
        Assert.DoesNotContain(alice.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(alice.Id.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(bobSite.Slug, text, StringComparison.Ordinal); // nothing says which slug was free either
    }

    [Fact]
    public async Task A_content_item_too_large_for_a_backup_part_is_a_problem_entry_and_the_rest_lands()
    {
        var user = await portal.CreateUserAsync("legacy-big-item");
        var huge = new string('x', 4 << 20);
        var files = new[]
        {
            File("catalyst_global", ("websites", [("w1", JsonNode.Parse("""{"id": "w1", "name": "Big items"}""")!)])),
            File("website_w1_content",
                ("contentTypes", [("t1", JsonNode.Parse("""{"id": "t1", "name": "Post", "schema": {"fields": [{"name": "body", "type": "text"}]}}""")!)]),
                ("contentItems",
                [
                    ("small", JsonNode.Parse("""{"id": "small", "contentTypeId": "t1", "data": {"body": "fits"}}""")!),
                    ("huge", new JsonObject { ["id"] = "huge", ["contentTypeId"] = "t1", ["data"] = new JsonObject { ["body"] = huge } }),
                ])),
        };
        var (_, report) = await _legacy.RunAsync(user, files, dryRun: false);

        var items = Assert.Single(report.Tables, t => t.Table == "contentItems");
        Assert.Equal((2, 1, 1), (items.Source, items.Imported, items.Failed));
        Assert.Contains(report.Problems, p => p.Key == "huge" && p.Message.Contains("the most a content item holds", StringComparison.Ordinal));

        // The website exports and imports again as a copy: nothing in it is too large for a backup.
        var api = portal.CreateApiClient(user.Token);
        var website = await portal.WithDbAsync(db => db.Set<Website>().AsNoTracking().SingleAsync(w => w.OwnerId == user.Id));
        var backup = await api.GetByteArrayAsync($"/api/websites/{website.Id}/export");
        var job = await Backups.BackupTests.ImportAsync(api, backup, "copy");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
    }
}
