using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Backups;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.LegacyImport;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §16 bounded expansion: a decoder is bounded by its input's size, not only its nesting. A
/// typeson reference bomb (a 2 KB row describing a million values) is a problem entry of the
/// migration, never a failed job, and the rest of the dump lands.
/// </summary>
public class BoundedExpansionTests(PortalFactory portal)
{
    private readonly LegacyHarness _legacy = new(portal, new LegacyDumpReader());

    internal static void AssertBombReported(LegacyReport report)
    {
        var items = report.Tables.Single(t => t.Database == "website_s1_content" && t.Table == "contentItems");
        Assert.Equal((3, 2, 0, 1), (items.Source, items.Imported, items.Skipped, items.Failed));
        var problem = Assert.Single(report.Problems, p => p.Key == "bomb");
        Assert.Contains("'#' references", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4L << 20, 64L << 20, true)]
    [InlineData(1024, 1024, true)]
    [InlineData(512, 64L << 20, false)]
    [InlineData(4L << 20, 1L << 20, false)]
    public void The_expansion_bounds_are_validated_settings(long perRow, long perRun, bool valid) =>
        Assert.Equal(valid, new LegacyOptionsValidator().Validate(null, new LegacyOptions { MaxRowExpansionBytes = perRow, MaxRunExpansionBytes = perRun }).Succeeded);

    [Fact]
    public async Task A_typeson_reference_bomb_is_a_problem_entry_of_the_dry_run_and_the_apply_and_the_other_rows_land()
    {
        var user = await portal.CreateUserAsync("bomb");
        var files = DexieExports.Website("s1", DexieExports.Item("i1"), DexieExports.ReferenceBomb("bomb"), DexieExports.Item("i2"));

        var (_, dry) = await _legacy.RunAsync(user, files, dryRun: true);
        var (id, applied) = await _legacy.RunAsync(user, files, dryRun: false);

        Assert.Equal("dry-run", dry.Status);
        AssertBombReported(dry);
        Assert.Equal("applied", applied.Status);
        AssertBombReported(applied);
        var landed = await portal.WithDbAsync(db => db.Set<ContentItem>().Where(i => db.Set<Website>().Any(w => w.Id == i.WebsiteId && w.OwnerId == user.Id))
            .Select(i => i.Data).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, landed.Count);
        Assert.True((await _legacy.VerifyAsync(id)).Passed);
    }
}

/// <summary>
/// SPEC §11/§16: whatever JSON a reader accepts, the server can store and send back. One limit
/// (<see cref="JsonLimits.MaxDepth"/>) for the legacy reader, the API's values and every writer: a row
/// within it lands and reads back through the API; a row past the reader's limit, or one that would
/// pass it where it is stored, is a problem entry, and the rest of the run lands.
/// </summary>
public class DepthLimitTests(PortalFactory portal)
{
    private readonly LegacyHarness _legacy = new(portal, new LegacyDumpReader());

    private static async Task<JsonElement> ReadDeepJsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(), new JsonDocumentOptions { MaxDepth = 2 * JsonLimits.MaxDepth });
        return document.RootElement.Clone();
    }

    /// <summary>How many "d" levels the value holds (DexieExports.Nested).</summary>
    private static int Levels(JsonElement value)
    {
        var levels = 0;
        while (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("d", out var inner))
        {
            value = inner;
            levels++;
        }
        return levels;
    }

    private static (string Name, byte[] Bytes)[] DeepDumps()
    {
        string Message(string id, string content) =>
            $$"""{"id":"{{id}}","sessionId":"s1","role":"user","content":{{content}},"createdAt":"2024-03-15T09:28:30.000Z"}""";
        var localStorage = new JsonObject
        {
            ["theme"] = "dark",
            ["deep"] = DexieExports.Nested(100),
            ["edge"] = DexieExports.Nested(JsonLimits.MaxDepth - 1),
            ["too-deep"] = DexieExports.Nested(600),
        };
        return
        [
            .. DexieExports.Website("d1", DexieExports.Item("shallow"), DexieExports.Item("deep100", DexieExports.Nested(100)), DexieExports.Item("deep600", DexieExports.Nested(600))),
            ("kijko_db.json", DexieExports.Export("kijko_db",
                new DexieExports.Table("chatSessions", "id,projectId,updatedAt", """{"id":"s1","title":"Deep chat"}"""),
                new DexieExports.Table("chatMessages", "id,sessionId,[sessionId+createdAt]",
                    Message("m-plain", "\"hello\""), Message("m-deep", DexieExports.Nested(100)), Message("m-too-deep", DexieExports.Nested(600))))),
            ("localStorage.app.json", System.Text.Encoding.UTF8.GetBytes(localStorage.ToJsonString())),
        ];
    }

    private static void AssertCounted(LegacyReport report)
    {
        (int, int, int, int) Counts(string database, string table) =>
            report.Tables.Single(t => t.Database == database && t.Table == table) is var t ? (t.Source, t.Imported, t.Skipped, t.Failed) : default;
        Assert.Equal((3, 2, 0, 1), Counts("website_d1_content", "contentItems"));
        Assert.Equal((3, 2, 0, 1), Counts("kijko_db", "chatMessages"));
        // "too-deep" does not parse as JSON here (past the limit), so it is kept as the string it is; "edge" would nest past the limit under legacy.app.
        Assert.Equal((4, 3, 0, 1), Counts("localStorage.app", "localStorage"));
        Assert.Contains(report.Problems, p => p.Table == "contentItems" && p.Message.Contains($"deeper than {JsonLimits.MaxDepth}", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Table == "chatMessages" && p.Message.Contains($"deeper than {JsonLimits.MaxDepth}", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Key == "edge" && p.Message.Contains("preferences", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rows_nested_100_deep_land_and_read_back_through_the_api_and_rows_past_the_limit_are_problem_entries()
    {
        var user = await portal.CreateUserAsync("deep-rows");
        var api = portal.CreateApiClient(user.Token);

        var (_, dry) = await _legacy.RunAsync(user, DeepDumps(), dryRun: true);
        var (id, applied) = await _legacy.RunAsync(user, DeepDumps(), dryRun: false);

        AssertCounted(dry);
        AssertCounted(applied);
        Assert.Equal("applied", applied.Status);
        Assert.True((await _legacy.VerifyAsync(id)).Passed);

        var website = (await ReadDeepJsonAsync(await api.GetAsync("/api/websites"))).GetProperty("data").EnumerateArray().Single(w => w.GetProperty("name").GetString() == "Site d1");
        var items = (await ReadDeepJsonAsync(await api.GetAsync($"/api/websites/{website.GetProperty("id").GetGuid()}/content-items"))).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([0, 100], items.Select(i => Levels(i.GetProperty("data"))).Order());

        var session = (await ReadDeepJsonAsync(await api.GetAsync("/api/chat/sessions"))).GetProperty("data").EnumerateArray().Single(s => s.GetProperty("title").GetString() == "Deep chat");
        var messages = (await ReadDeepJsonAsync(await api.GetAsync($"/api/chat/sessions/{session.GetProperty("id").GetGuid()}/messages"))).GetProperty("data").EnumerateArray().ToList();
        var deepMessage = messages.Single(m => m.GetProperty("content").GetString()!.StartsWith('{')).GetProperty("content").GetString()!;
        using (var content = JsonDocument.Parse(deepMessage, new JsonDocumentOptions { MaxDepth = JsonLimits.MaxDepth }))
            Assert.Equal(100, Levels(content.RootElement));

        var preferences = (await ReadDeepJsonAsync(await api.GetAsync("/api/me/preferences"))).GetProperty("data").GetProperty("preferences").GetProperty("legacy").GetProperty("app");
        Assert.Equal(100, Levels(preferences.GetProperty("deep")));
        Assert.Equal("dark", preferences.GetProperty("theme").GetString());
        Assert.Equal(DexieExports.Nested(600), preferences.GetProperty("too-deep").GetString());
        Assert.False(preferences.TryGetProperty("edge", out _));
    }

    [Fact]
    public async Task The_api_stores_and_sends_back_a_value_nested_to_the_limit_and_refuses_one_level_more()
    {
        var user = await portal.CreateUserAsync("deep-api");
        var api = portal.CreateApiClient(user.Token);
        // {"preferences": {"v": <nested>}}: the preferences value is 1 + the nested levels deep.
        string Body(int levels) => """{"preferences":{"v":""" + DexieExports.Nested(levels) + "}}";

        var saved = await api.SendRawAsync(HttpMethod.Put, "/api/me/preferences", Body(JsonLimits.MaxDepth - 1));
        var refused = await api.SendRawAsync(HttpMethod.Put, "/api/me/preferences", Body(JsonLimits.MaxDepth));

        Assert.Equal(JsonLimits.MaxDepth - 1, Levels((await ReadDeepJsonAsync(saved)).GetProperty("data").GetProperty("preferences").GetProperty("v")));
        Assert.Equal(JsonLimits.MaxDepth - 1, Levels((await ReadDeepJsonAsync(await api.GetAsync("/api/me/preferences"))).GetProperty("data").GetProperty("preferences").GetProperty("v")));
        await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Fact]
    public async Task A_migrated_item_nested_300_deep_exports_and_imports_as_a_copy()
    {
        // Only a migration brings item data this deep (a content type's fields are flat); the backup writer and reader keep it.
        var user = await portal.CreateUserAsync("deep-backup");
        var api = portal.CreateApiClient(user.Token);
        await _legacy.RunAsync(user, DexieExports.Website("d2", DexieExports.Item("deep300", DexieExports.Nested(300))), dryRun: false);
        var id = (await ReadDeepJsonAsync(await api.GetAsync("/api/websites"))).GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid();

        var backup = await api.GetByteArrayAsync($"/api/websites/{id}/export");
        var job = await BackupTests.ImportAsync(api, backup, "copy");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var copyId = job.GetProperty("result").GetProperty("websiteId").GetGuid();
        var item = (await ReadDeepJsonAsync(await api.GetAsync($"/api/websites/{copyId}/content-items"))).GetProperty("data").EnumerateArray().Single();
        Assert.Equal(300, Levels(item.GetProperty("data")));
    }
}

/// <summary>A Portal process of its own, signed in as its admin: its working set is what these tests measure.</summary>
public sealed class MeasuredPortal : IAsyncLifetime
{
    private const string Email = "measured@test.local";
    private const string Password = "Measured-Pass-123!";

    public PortalProcess Portal { get; } = PortalProcess.Start(new Dictionary<string, string>
    {
        ["Catalyst__Admin__Email"] = Email,
        ["Catalyst__Admin__Password"] = Password,
    });

    public HttpClient Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Portal.WaitUntilReadyAsync();
        Api = Portal.CreateClient();
        Api.Timeout = TimeSpan.FromSeconds(120);
        var issued = await Api.PostAsJsonAsync("/api/auth/token", new { email = Email, password = Password, name = "measured" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Api.DefaultRequestHeaders.Authorization = new("Bearer", (await issued.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        await Portal.DisposeAsync();
    }
}

/// <summary>
/// SPEC §15/§16 memory bar on the real server process: small hostile uploads that expand (typeson
/// references, gzip) grow its working set by less than 100 MiB. Each measurement follows a warm-up
/// run of a harmless twin, so start-up costs (JIT, pools, caches) are not counted.
/// </summary>
public class BoundedExpansionMemoryTests(MeasuredPortal measured) : IClassFixture<MeasuredPortal>
{
    private const long Bound = 100L << 20;

    private HttpClient Api => measured.Api;

    private async Task<LegacyReport> MigrateAsync(string mode, IReadOnlyList<(string Name, byte[] Bytes)> files)
    {
        var job = await LegacyApiTests.FinishAsync(Api, await Api.PostAsync($"/api/migrations/legacy?mode={mode}", LegacyApiTests.Form(files)));
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var report = await (await Api.GetAsync($"/api/migrations/{job.GetProperty("result").GetGuid()}")).ReadJsonAsync();
        return report.GetProperty("data").Deserialize<LegacyReport>(JsonSerializerOptions.Web)!;
    }

    [Fact]
    public async Task A_legacy_dump_holding_a_reference_bomb_grows_the_portal_by_less_than_100_MiB()
    {
        var harmless = DexieExports.Website("w0", DexieExports.Item("i1"), DexieExports.Item("i2"), DexieExports.Item("i3"));
        await MigrateAsync("dry-run", harmless);
        await MigrateAsync("apply", harmless);
        var files = DexieExports.Website("s1", DexieExports.Item("i1"), DexieExports.ReferenceBomb("bomb"), DexieExports.Item("i2"));
        Assert.True(files.Sum(f => f.Bytes.Length) < 4096);

        LegacyReport dry = null!, applied = null!;
        var dryGrowth = await ProcessMemory.PeakGrowthAsync(measured.Portal.ProcessId, async () => dry = await MigrateAsync("dry-run", files));
        var applyGrowth = await ProcessMemory.PeakGrowthAsync(measured.Portal.ProcessId, async () => applied = await MigrateAsync("apply", files));

        BoundedExpansionTests.AssertBombReported(dry);
        BoundedExpansionTests.AssertBombReported(applied);
        Assert.True(dryGrowth < Bound, $"the dry run grew the Portal by {dryGrowth >> 20} MiB");
        Assert.True(applyGrowth < Bound, $"the apply grew the Portal by {applyGrowth >> 20} MiB");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_400_KB_gzip_backup_declaring_16_items_of_24_MB_grows_the_portal_by_less_than_100_MiB(bool oneToken)
    {
        var warmUp = new HandMadeBackup(Guid.CreateVersion7(), "warm-" + Guid.NewGuid().ToString("N")[..8]);
        var small = await warmUp.ToBytesAsync([HandMadeBackup.Small(Guid.CreateVersion7(), """{"title":"fine"}""")], gzip: true, TestContext.Current.CancellationToken);
        Assert.Equal("succeeded", (await BackupTests.ImportAsync(Api, small, "copy")).GetProperty("status").GetString());
        var backup = await HandMadeBackup.SixteenItemsOf24MBAsync(oneToken);
        Assert.InRange(backup.Length, 100_000, 600_000);

        JsonElement job = default;
        var growth = await ProcessMemory.PeakGrowthAsync(measured.Portal.ProcessId, async () => job = await BackupTests.ImportAsync(Api, backup, "copy"));

        Assert.True(growth < Bound, $"the import grew the Portal by {growth >> 20} MiB");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("MaxBackupPartBytes", job.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_of_200_MB_of_content_items_imports_with_the_portal_growing_less_than_100_MiB()
    {
        // 800 items of 256 KB (the API's own item limit): they stream to the store while read and come back in
        // batches at the commit. The warm-up (100 such items) sizes the server's pools and heap first.
        var warmUp = new HandMadeBackup(Guid.CreateVersion7(), "warm-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal("succeeded", (await BackupTests.ImportAsync(Api, await warmUp.ToBytesAsync(Items(100), gzip: true, TestContext.Current.CancellationToken), "skip"))
            .GetProperty("status").GetString());
        var made = new HandMadeBackup(Guid.CreateVersion7(), "items-" + Guid.NewGuid().ToString("N")[..8]);
        var backup = await made.ToBytesAsync(Items(800), gzip: true, TestContext.Current.CancellationToken);

        JsonElement dry = default, job = default;
        var dryGrowth = await ProcessMemory.PeakGrowthAsync(measured.Portal.ProcessId, async () => dry = await BackupTests.ImportAsync(Api, backup, "skip", dryRun: true));
        var growth = await ProcessMemory.PeakGrowthAsync(measured.Portal.ProcessId, async () => job = await BackupTests.ImportAsync(Api, backup, "skip"));

        Assert.True(dryGrowth < Bound, $"the dry run grew the Portal by {dryGrowth >> 20} MiB");
        Assert.True(growth < Bound, $"the import grew the Portal by {growth >> 20} MiB");
        Assert.Equal("valid", dry.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("imported", job.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal(800, job.GetProperty("result").GetProperty("contentItems").GetInt32());
        var items = await (await Api.GetAsync($"/api/websites/{made.WebsiteId}/content-items?pageSize=1")).ReadJsonAsync();
        Assert.Equal(800, items.GetProperty("meta").GetProperty("total").GetInt32());

        static IEnumerable<HandMadeBackup.Item> Items(int count)
        {
            var body = Encoding.UTF8.GetBytes(new string('y', 256 << 10));
            return Enumerable.Range(0, count).Select(i => new HandMadeBackup.Item(Guid.CreateVersion7(),
                [Encoding.UTF8.GetBytes($"{{\"title\":\"Item {i}\",\"body\":\""), body, Encoding.UTF8.GetBytes("\"}")]));
        }
    }
}
