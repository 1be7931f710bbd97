using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Catalyst.Tests.Unit.Backups;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>A Portal whose users hold at most 1 MiB, keeping 3 versions and 2 conflict backups per website.</summary>
public sealed class QuotaPortal : IAsyncLifetime
{
    public const long Quota = 1 << 20;

    public PortalFactory Portal { get; } = new(new Dictionary<string, string?>
    {
        ["Storage:Uploads:QuotaBytesPerUser"] = Quota.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Catalyst:Websites:MaxVersions"] = "3",
        ["Catalyst:Websites:MaxConflictBackups"] = "2",
        ["Catalyst:Websites:MaxPinnedVersions"] = "2",
    });

    public ValueTask InitializeAsync() => Portal.InitializeAsync();
    public ValueTask DisposeAsync() => Portal.DisposeAsync();

    public Task<long> UsedAsync(TestUser user) =>
        Portal.WithScopeAsync(sp => sp.GetRequiredService<StorageQuota>().UsedAsync(user.Id, CancellationToken.None));

    /// <summary>The recorded usage equals what the user's rows hold (charged references and unfinished uploads), and is returned.</summary>
    public async Task<long> AssertSettledAsync(TestUser user)
    {
        var (used, actual) = await Portal.WithScopeAsync(async sp =>
        {
            var quota = sp.GetRequiredService<StorageQuota>();
            return (await quota.UsedAsync(user.Id, CancellationToken.None), await quota.ComputeAsync(user.Id, CancellationToken.None));
        });
        Assert.Equal(actual, used);
        return used;
    }
}

/// <summary>
/// SPEC §6: <c>Storage:Uploads:QuotaBytesPerUser</c> counts every byte a user holds — assets, unfinished
/// uploads, website data versions and conflict backups, imports and migrations — and each path enforces
/// it atomically, under concurrency, leaving nothing half-written when it refuses.
/// </summary>
public class QuotaTests(QuotaPortal fixture) : IClassFixture<QuotaPortal>
{
    private PortalFactory Portal => fixture.Portal;

    private static string Json(int bytes) => Content("text", $"\"{new string('x', bytes)}\"");

    private static string Content(string key, object value) => "{\"content\": {\"" + key + "\": " + value + "}}";

    private Task<int> UploadRowsAsync(TestUser user) => Portal.WithDbAsync(db => db.Set<Upload>().CountAsync(u => u.OwnerId == user.Id));

    [Fact]
    public async Task Thirty_simultaneous_upload_creations_near_the_quota_admit_only_what_fits()
    {
        var user = await Portal.CreateUserAsync("race");
        const int length = 100_000; // ten fit in 1 MiB, eleven do not
        var clients = Enumerable.Range(0, 30).Select(_ => new TusClient(Portal.CreateApiClient(user.Token))).ToList();
        using var start = new SemaphoreSlim(0);
        var creations = clients.Select(async tus =>
        {
            await start.WaitAsync();
            return await tus.CreateAsync(length);
        }).ToList();
        start.Release(30);
        var answers = await Task.WhenAll(creations);

        Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
            await refused.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
        Assert.Equal(10, await UploadRowsAsync(user));
        Assert.Equal(10L * length, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task An_upload_refused_at_creation_leaves_no_row_holding_quota()
    {
        var user = await Portal.CreateUserAsync("refused");
        var tus = new TusClient(Portal.CreateApiClient(user.Token));
        await (await tus.CreateAsync(QuotaPortal.Quota + 1)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
        var (_, _, foreignSite) = await Portal.UserWithWebsiteAsync("foreign");
        Assert.Equal(HttpStatusCode.NotFound, (await tus.CreateAsync(10, TusClient.Metadata(("filename", "a.bin"), ("websiteId", foreignSite.ToString())))).StatusCode);

        Assert.Equal(0, await UploadRowsAsync(user));
        Assert.Equal(0, await fixture.AssertSettledAsync(user));
        // The whole quota is still there to use.
        await tus.CreateOrFailAsync(QuotaPortal.Quota);
    }

    [Fact]
    public async Task An_upload_holds_its_length_until_it_is_terminated_or_becomes_an_asset_which_holds_it_until_deleted()
    {
        var user = await Portal.CreateUserAsync("settle");
        var api = Portal.CreateApiClient(user.Token);
        var tus = new TusClient(api);

        var abandoned = await tus.CreateOrFailAsync(300_000);
        Assert.Equal(300_000, await fixture.AssertSettledAsync(user));
        Assert.Equal(HttpStatusCode.NoContent, (await tus.DeleteAsync(abandoned)).StatusCode);
        Assert.Equal(0, await fixture.AssertSettledAsync(user));

        var location = await tus.UploadAsync(RandomNumberGenerator.GetBytes(200_000), 64_000);
        Assert.Equal(200_000, await fixture.AssertSettledAsync(user));
        var assetId = location.Split('/')[^1];
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/assets/{assetId}")).StatusCode);
        Assert.Equal(0, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task Website_data_versions_and_conflict_backups_count_and_a_write_past_the_quota_keeps_nothing()
    {
        var (user, api, id) = await Portal.UserWithWebsiteAsync("versions");
        Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(id, Json(400_000), "\"0\"")).StatusCode);
        var one = await fixture.AssertSettledAsync(user);
        Assert.InRange(one, 400_000, 400_100);

        // A stale write is kept as a conflict backup: its bytes count too.
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.PutDataAsync(id, Json(400_000).Replace('x', 'y'), "\"0\"")).StatusCode);
        Assert.Equal(2 * one, await fixture.AssertSettledAsync(user));

        // A third copy does not fit: refused whole, nothing kept, whether current or stale.
        await (await api.PutDataAsync(id, Json(400_000).Replace('x', 'z'), "\"1\"")).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
        await (await api.PutDataAsync(id, Json(400_000).Replace('x', 'w'), "\"0\"")).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
        var versions = await (await api.GetAsync($"/api/websites/{id}/data/versions")).ReadJsonAsync();
        Assert.Equal(2, versions.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(2 * one, await fixture.AssertSettledAsync(user));

        // A restore is a new version of the same bytes: it counts again, so it is refused as well.
        await (await api.PostAsync($"/api/websites/{id}/data/versions/1/restore", null)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
    }

    [Fact]
    public async Task Unfinished_uploads_and_website_data_share_one_quota()
    {
        var (user, api, id) = await Portal.UserWithWebsiteAsync("shared");
        await new TusClient(api).CreateOrFailAsync(900_000);
        await (await api.PutDataAsync(id, Json(200_000), "\"0\"")).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
        Assert.Equal(900_000, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task Old_versions_are_pruned_beyond_the_limit_pinned_ones_are_kept_and_their_bytes_given_back()
    {
        var (user, api, id) = await Portal.UserWithWebsiteAsync("prune");
        for (var v = 1; v <= 4; v++)
            Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(id, Content("v", v), $"\"{v - 1}\"")).StatusCode);
        Assert.Equal(new[] { 4, 3, 2 }, await VersionNumbersAsync(api, id));

        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/api/websites/{id}/data/versions/2/pin", null)).StatusCode);
        for (var v = 5; v <= 6; v++)
            Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(id, Content("v", v), $"\"{v - 1}\"")).StatusCode);
        Assert.Equal(new[] { 6, 5, 4, 2 }, await VersionNumbersAsync(api, id));
        var listed = await (await api.GetAsync($"/api/websites/{id}/data/versions")).ReadJsonAsync();
        Assert.True(listed.GetProperty("data")[3].GetProperty("isPinned").GetBoolean());

        // Conflict backups are bounded apart (two here), newest kept.
        for (var b = 1; b <= 3; b++)
            Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.PutDataAsync(id, Content("stale", b), "\"1\"")).StatusCode);
        var backups = await (await api.GetAsync($"/api/websites/{id}/data/versions?conflictBackups=true")).ReadJsonAsync();
        Assert.Equal(new[] { 9, 8 }, backups.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));

        // At most two pins; unpinning lets the version go at once.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/api/websites/{id}/data/versions/8/pin", null)).StatusCode);
        await (await api.PutAsync($"/api/websites/{id}/data/versions/9/pin", null)).AssertProblemAsync(HttpStatusCode.Conflict, "pin_limit");
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync($"/api/websites/{id}/data/versions/2/pin")).StatusCode);
        Assert.Equal(new[] { 9, 8, 6, 5, 4 }, await VersionNumbersAsync(api, id, includeBackups: true));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/websites/{id}/data/versions/2")).StatusCode);

        // What is held is exactly what is left.
        var left = await Portal.WithDbAsync(db => db.Set<Data.Websites.WebsiteDataVersion>().Where(v => v.WebsiteId == id)
            .SumAsync(v => (v.ContentLength ?? 0) + (v.AssetsLength ?? 0) + (v.AiContextLength ?? 0)));
        Assert.Equal(left, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task An_import_past_the_quota_fails_with_a_sentence_and_leaves_nothing_behind()
    {
        var (user, api, id) = await Portal.UserWithWebsiteAsync("import");
        Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(id, Json(600_000), "\"0\"")).StatusCode);
        var backup = await api.GetByteArrayAsync($"/api/websites/{id}/export?gzip=true");
        Assert.True(backup.Length < 20_000, "the gzip backup is small: only its contents exceed the quota");
        var before = await fixture.AssertSettledAsync(user);

        var job = await BackupTests.ImportAsync(api, backup, "copy");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("quota", job.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, (await (await api.GetAsync("/api/websites")).ReadJsonAsync()).GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(before, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task A_queued_import_holds_its_file_so_files_past_the_quota_are_refused_at_once()
    {
        var (user, api, _) = await Portal.UserWithWebsiteAsync("queued");
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(RandomNumberGenerator.GetBytes((int)QuotaPortal.Quota + 1));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        form.Add(file, "file", "big.json.gz");
        await (await api.PostAsync("/api/websites/import?onDuplicate=copy", form)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "quota_exceeded");
        Assert.Equal(0, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task The_verifier_finds_and_repairs_a_recorded_usage_that_drifted()
    {
        var user = await Portal.CreateUserAsync("drift");
        await new TusClient(Portal.CreateApiClient(user.Token)).CreateOrFailAsync(1234);
        await Portal.WithDbAsync(db => db.Set<StorageUsage>().Where(u => u.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Bytes, 99)));

        var drifts = await Portal.WithScopeAsync(sp => sp.GetRequiredService<StorageQuota>().VerifyAsync(repair: true, CancellationToken.None));
        var drift = Assert.Single(drifts, d => d.UserId == user.Id);
        Assert.Equal((99, 1234), (drift.Recorded, drift.Actual));
        Assert.Equal(1234, await fixture.AssertSettledAsync(user));
    }

    [Fact]
    public async Task A_migration_past_the_quota_fails_the_assets_that_do_not_fit_and_lands_the_rest()
    {
        var user = await Portal.CreateUserAsync("legacy-quota");
        var blobs = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(150_000)).ToList();
        // The dump (600 KB of base64, charged while the migration is kept) leaves room for two of the three.
        var file = ("kijko_db.json", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["database"] = "kijko_db",
            ["tables"] = new JsonArray(new JsonObject
            {
                ["name"] = "assets",
                ["rows"] = new JsonArray(blobs.Select((b, i) => (JsonNode)new JsonObject
                {
                    ["key"] = $"a{i}",
                    ["value"] = new JsonObject { ["id"] = $"a{i}", ["name"] = $"file{i}.bin", ["uploadStatus"] = "done" },
                    ["blobs"] = new JsonArray(new JsonObject { ["path"] = "file", ["type"] = "application/octet-stream", ["base64"] = Convert.ToBase64String(b) }),
                }).ToArray()),
            }),
        }.ToJsonString()));
        var (_, report) = await new LegacyImport.LegacyHarness(Portal).RunAsync(user, [file], dryRun: false);

        Assert.Equal("applied", report.Status);
        var assets = Assert.Single(report.Tables, t => t.Table == "assets");
        Assert.True((3, 2, 1) == (assets.Source, assets.Imported, assets.Failed), string.Join("\n", report.Problems.Select(p => p.Message)));
        Assert.Equal(1, report.Problems.Count(p => p.Message.Contains("quota", StringComparison.Ordinal)));
        Assert.InRange(await fixture.AssertSettledAsync(user), 0, QuotaPortal.Quota);
    }

    private static async Task<int[]> VersionNumbersAsync(HttpClient api, Guid id, bool includeBackups = false)
    {
        var query = includeBackups ? "" : "?conflictBackups=false";
        var page = await (await api.GetAsync($"/api/websites/{id}/data/versions{query}")).ReadJsonAsync();
        return page.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ToArray();
    }
}
