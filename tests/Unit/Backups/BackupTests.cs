using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Backups;

public class BackupTests(PortalFactory portal)
{
    /// <summary>A website with a content model (items referencing each other), ~10 MiB of data and a few MiB of assets.</summary>
    internal static async Task<(Guid Id, string Content, byte[][] Assets)> SeedAsync(PortalFactory server, HttpClient api, Guid id, int pages = 100_000)
    {
        var type = (await (await api.PostAsJsonAsync($"/api/websites/{id}/content-types", new
        {
            name = "Page",
            fields = new object[] { new { name = "title", type = "text", required = true }, new { name = "parent", type = "reference" }, new { name = "related", type = "list", of = "reference" } },
        })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var root = (await (await api.PostAsJsonAsync($"/api/websites/{id}/content-items", new { contentTypeId = type, data = new { title = "Root" }, status = "published" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        await api.PostAsJsonAsync($"/api/websites/{id}/content-items", new { contentTypeId = type, data = new { title = "Child", parent = root, related = new[] { root } } });

        var content = JsonSerializer.Serialize(new { pages = Enumerable.Range(0, pages).Select(i => new { id = i, title = $"Page {i}", body = $"text {i % 97} é ✓" }) });
        var put = await api.PutDataAsync(id, $"{{\"content\": {content}, \"assets\": [1, 2, 3], \"aiContext\": \"tone: \\u00e9\"}}", "\"0\"");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var tus = new TusClient(api);
        var assets = new[] { RandomNumberGenerator.GetBytes(4_500_000), RandomNumberGenerator.GetBytes(10), Array.Empty<byte>() };
        for (var i = 0; i < assets.Length; i++)
            await tus.UploadAsync(assets[i], 1 << 20, TusClient.Metadata(("filename", $"asset-{i}.bin"), ("websiteId", id.ToString())));
        _ = server;
        return (id, content, assets);
    }

    internal static async Task<JsonElement> WaitForJobAsync(HttpClient api, string location)
    {
        var job = await Poll.UntilAsync(async () => (await (await api.GetAsync(location)).ReadJsonAsync()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled", TimeSpan.FromSeconds(60), "the job to finish");
        return job;
    }

    internal static async Task<JsonElement> ImportAsync(HttpClient api, byte[] backup, string policy, bool dryRun = false)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(backup);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "file", "site.catalyst-backup.json");
        var response = await api.PostAsync($"/api/websites/import?onDuplicate={policy}&dryRun={dryRun.ToString().ToLowerInvariant()}", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await WaitForJobAsync(api, response.Headers.Location!.OriginalString);
    }

    private static async Task<string> RawDataAsync(HttpClient api, Guid id) => await api.GetStringAsync($"/api/websites/{id}/data");

    [Fact]
    public async Task Export_then_import_as_a_copy_round_trips_exactly()
    {
        var (user, api, id) = await portal.UserWithWebsiteAsync("backup");
        var (_, content, assets) = await SeedAsync(portal, api, id);

        var export = await api.GetAsync($"/api/websites/{id}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".catalyst-backup.json", export.Content.Headers.ContentDisposition?.FileNameStar ?? export.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var backup = await export.Content.ReadAsByteArrayAsync();
        Assert.True(backup.Length > 10 << 20);

        var job = await ImportAsync(api, backup, "copy");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var result = job.GetProperty("result");
        Assert.Equal("copied", result.GetProperty("status").GetString());
        var copyId = result.GetProperty("websiteId").GetGuid();
        Assert.NotEqual(id, copyId);
        Assert.EndsWith("-copy", result.GetProperty("slug").GetString(), StringComparison.Ordinal);

        // Byte-identical sections (the envelopes differ only by website id).
        Assert.Equal((await RawDataAsync(api, id)).Replace(id.ToString(), "", StringComparison.Ordinal), (await RawDataAsync(api, copyId)).Replace(copyId.ToString(), "", StringComparison.Ordinal)
            .Replace("\"version\":1", $"\"version\":{(await api.GetDataAsync(id)).GetProperty("version").GetInt32()}", StringComparison.Ordinal));
        Assert.Contains(content, await RawDataAsync(api, copyId), StringComparison.Ordinal);
        var versions = await (await api.GetAsync($"/api/websites/{copyId}/data/versions")).ReadJsonAsync();
        Assert.Equal("import", versions.GetProperty("data")[0].GetProperty("source").GetString());

        // Same content model, references pointing at the copied items.
        var items = (await (await api.GetAsync($"/api/websites/{copyId}/content-items")).ReadJsonAsync()).GetProperty("data").EnumerateArray().ToList();
        var copiedIds = items.Select(i => i.GetProperty("id").GetGuid()).ToHashSet();
        var child = items.Single(i => i.GetProperty("data").GetProperty("title").GetString() == "Child");
        Assert.Contains(child.GetProperty("data").GetProperty("parent").GetGuid(), copiedIds);
        Assert.Contains(child.GetProperty("data").GetProperty("related")[0].GetGuid(), copiedIds);

        // Same asset bytes, now held by the copy too.
        var copiedAssets = (await (await api.GetAsync($"/api/assets?websiteId={copyId}")).ReadJsonAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(assets.Select(a => Convert.ToHexStringLower(SHA256.HashData(a))).Order(), copiedAssets.Select(a => a.GetProperty("sha256").GetString()!).Order());
        _ = user;
    }

    [Fact]
    public async Task A_backup_imported_into_a_fresh_server_keeps_its_ids_and_bytes()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync("move");
        await SeedAsync(portal, api, id, pages: 2_000);
        var backup = await api.GetByteArrayAsync($"/api/websites/{id}/export?gzip=true");
        Assert.Equal(0x1f, backup[0]);

        await using var fresh = new PortalFactory();
        await fresh.InitializeAsync();
        var importer = await fresh.CreateUserAsync("importer");
        var target = fresh.CreateApiClient(importer.Token);
        var job = await ImportAsync(target, backup, "skip");

        Assert.Equal("imported", job.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal(id, job.GetProperty("result").GetProperty("websiteId").GetGuid());
        var site = (await (await target.GetAsync($"/api/websites/{id}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(importer.Id, site.GetProperty("ownerId").GetGuid()); // importing gives the importer ownership
        Assert.Equal((await RawDataAsync(api, id)).Replace("\"version\":1", "", StringComparison.Ordinal), (await RawDataAsync(target, id)).Replace("\"version\":1", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exports_validate_against_the_published_json_schema()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync("schema");
        await SeedAsync(portal, api, id, pages: 50);
        var backup = await api.GetStringAsync($"/api/websites/{id}/export");

        var schema = await NJsonSchema.JsonSchema.FromFileAsync(Path.Combine(RepositoryPaths.Root, "docs", "backup-format.schema.json"));
        var errors = schema.Validate(backup);

        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public async Task The_export_job_keeps_a_result_file_downloadable_with_ranges()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync("job");
        await api.PutDataAsync(id, """{"content": {"hello": "world"}}""", "\"0\"");
        var response = await api.PostAsJsonAsync($"/api/websites/{id}/exports", new { gzip = false });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await WaitForJobAsync(api, response.Headers.Location!.OriginalString);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(job.GetProperty("progress").GetProperty("total").GetInt64(), job.GetProperty("progress").GetProperty("done").GetInt64());

        var resultUrl = $"/api/jobs/{job.GetProperty("id").GetGuid()}/result";
        var file = await api.GetByteArrayAsync(resultUrl);
        Assert.Contains("\"hello\": \"world\"", Encoding.UTF8.GetString(file), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Get, resultUrl);
        request.Headers.Range = new RangeHeaderValue(0, 9);
        var part = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(file.AsSpan(0, 10).ToArray(), await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Duplicates_follow_the_policy_skip_overwrite_or_copy()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync("dup");
        await api.PutDataAsync(id, """{"content": {"v": "original"}}""", "\"0\"");
        var backup = await api.GetByteArrayAsync($"/api/websites/{id}/export");
        await api.PutDataAsync(id, """{"content": {"v": "changed"}}""", "\"1\"");

        var skipped = await ImportAsync(api, backup, "skip");
        Assert.Equal("skipped", skipped.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("changed", (await api.GetDataAsync(id)).GetProperty("content").GetProperty("v").GetString());

        var dryRun = await ImportAsync(api, backup, "overwrite", dryRun: true);
        Assert.Equal("valid", dryRun.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("changed", (await api.GetDataAsync(id)).GetProperty("content").GetProperty("v").GetString());

        var overwritten = await ImportAsync(api, backup, "overwrite");
        Assert.Equal("overwritten", overwritten.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("original", (await api.GetDataAsync(id)).GetProperty("content").GetProperty("v").GetString());

        var copied = await ImportAsync(api, backup, "copy");
        var copyId = copied.GetProperty("result").GetProperty("websiteId").GetGuid();
        Assert.NotEqual(id, copyId);
        var again = await ImportAsync(api, backup, "copy");
        Assert.EndsWith("-copy-2", again.GetProperty("result").GetProperty("slug").GetString(), StringComparison.Ordinal);

        // Someone else's website cannot be overwritten by a backup of it.
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("stranger")).Token);
        var refused = await ImportAsync(stranger, backup, "overwrite");
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Equal("original", (await api.GetDataAsync(id)).GetProperty("content").GetProperty("v").GetString());
    }

    [Fact]
    public async Task Thousands_of_items_stream_through_an_import_and_a_copy_remaps_their_references()
    {
        // 2,500 items of ~3 KB: the rows are saved in several batches (every 1,000 rows or 4 MiB), each referencing the one before.
        var (user, api, _) = await portal.UserWithWebsiteAsync("many-items");
        var ids = Enumerable.Range(0, 2_500).Select(_ => Guid.CreateVersion7()).ToList();
        var body = new string('b', 3_000);
        var items = ids.Select((id, i) => HandMadeBackup.Small(id, $$"""{"title":"Item {{i}}","related":["{{ids[Math.Max(0, i - 1)]}}"],"body":"{{body}}"}"""));
        var made = new HandMadeBackup(Guid.CreateVersion7(), "many-" + Guid.NewGuid().ToString("N")[..8]);
        var backup = await made.ToBytesAsync(items, gzip: false, TestContext.Current.CancellationToken);

        var imported = await ImportAsync(api, backup, "skip");
        var copied = await ImportAsync(api, backup, "copy");

        Assert.Equal("imported", imported.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal(2_500, imported.GetProperty("result").GetProperty("contentItems").GetInt32());
        Assert.Equal("copied", copied.GetProperty("result").GetProperty("status").GetString());
        var copyId = copied.GetProperty("result").GetProperty("websiteId").GetGuid();
        var (original, copy) = await portal.WithDbAsync(async db => (
            await db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == made.WebsiteId).ToDictionaryAsync(i => i.Id, i => i.Data, TestContext.Current.CancellationToken),
            await db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == copyId).ToListAsync(TestContext.Current.CancellationToken)));
        Assert.Equal(ids.Order(), original.Keys.Order());
        Assert.Equal($$"""{"title":"Item 7","related":["{{ids[6]}}"],"body":"{{body}}"}""", original[ids[7]]);
        Assert.Equal(2_500, copy.Count);
        var copiedIds = copy.Select(i => i.Id).ToHashSet();
        Assert.Empty(copiedIds.Intersect(ids));
        Assert.All(copy, item =>
        {
            using var data = JsonDocument.Parse(item.Data);
            Assert.Contains(data.RootElement.GetProperty("related")[0].GetGuid(), copiedIds);
            Assert.Equal(body, data.RootElement.GetProperty("body").GetString());
        });
        _ = user;
    }

    [Fact]
    public async Task Exports_of_another_users_website_are_404()
    {
        var (_, _, id) = await portal.UserWithWebsiteAsync("mine");
        var other = portal.CreateApiClient((await portal.CreateUserAsync("notmine")).Token);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/websites/{id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/websites/{id}/exports", new { })).StatusCode);
        await (await other.PostAsJsonAsync("/api/websites/import", new { uploadId = Guid.NewGuid() })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}

/// <summary>A Portal of its own: these tests count every row before and after, so no other test may write meanwhile.</summary>
public sealed class RefusalPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new();
    public ValueTask InitializeAsync() => Portal.InitializeAsync();
    public ValueTask DisposeAsync() => Portal.DisposeAsync();
}

public class BackupRefusalTests(RefusalPortal isolated) : IClassFixture<RefusalPortal>
{
    private PortalFactory Portal => isolated.Portal;

    private static Task<(Guid Id, string Content, byte[][] Assets)> SeedAsync(PortalFactory server, HttpClient api, Guid id, int pages) => BackupTests.SeedAsync(server, api, id, pages);

    private static Task<JsonElement> ImportAsync(HttpClient api, byte[] backup, string policy) => BackupTests.ImportAsync(api, backup, policy);

    public static TheoryData<string, string> Damages() => new()
    {
        { "truncated", "ends early" },
        { "checksum", "SHA-256" },
        { "format", "not a Catalyst website backup" },
        { "version", "format version 2" },
        { "garbage", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_backup_is_refused_and_leaves_nothing_behind(string damage, string message)
    {
        var (_, api, id) = await Portal.UserWithWebsiteAsync("damage");
        await SeedAsync(Portal, api, id, pages: 500);
        var text = await api.GetStringAsync($"/api/websites/{id}/export");
        var broken = damage switch
        {
            "truncated" => text[..(text.Length * 2 / 3)],
            "checksum" => text.Replace("\"assets\":[1, 2, 3]", "\"assets\":[1, 2, 4]", StringComparison.Ordinal),
            "format" => text.Replace("catalyst.website-backup", "someone.else", StringComparison.Ordinal),
            "version" => text.Replace("\"formatVersion\":1", "\"formatVersion\":2", StringComparison.Ordinal),
            _ => "{\"format\":\"catalyst.website-backup\",\"formatVersion\":1, oops",
        };
        Assert.NotEqual(text, broken);
        var before = await CountsAsync();

        var job = await ImportAsync(api, Encoding.UTF8.GetBytes(broken), "copy");

        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains(message, job.GetProperty("error").GetString(), StringComparison.Ordinal);
        var after = await CountsAsync();
        Assert.Equal(before with { InputReferences = after.InputReferences }, after);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_gzip_backup_declaring_content_items_past_the_part_bound_is_refused_and_leaves_nothing_behind(bool oneToken)
    {
        var user = await Portal.CreateUserAsync("huge-items");
        var api = Portal.CreateApiClient(user.Token);
        var backup = await HandMadeBackup.SixteenItemsOf24MBAsync(oneToken);
        Assert.InRange(backup.Length, 100_000, 600_000);
        var before = await CountsAsync();

        var job = await ImportAsync(api, backup, "copy");

        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("Catalyst:Websites:MaxBackupPartBytes", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        var after = await CountsAsync();
        Assert.Equal(before with { InputReferences = after.InputReferences }, after);
    }

    private sealed record Counts(int Websites, int Versions, int Items, int Assets, int DataReferences, int AssetReferences, int InputReferences);

    private Task<Counts> CountsAsync() => Portal.WithDbAsync(async db => new Counts(
        await db.Set<Website>().CountAsync(), await db.Set<WebsiteDataVersion>().CountAsync(), await db.Set<ContentItem>().CountAsync(),
        await db.Set<Asset>().CountAsync(), await db.Set<BlobReference>().CountAsync(r => r.OwnerType == BlobOwnerTypes.WebsiteDataVersion),
        await db.Set<BlobReference>().CountAsync(r => r.OwnerType == BlobOwnerTypes.Asset), await db.Set<BlobReference>().CountAsync(r => r.OwnerType == BlobOwnerTypes.JobInput)));

    [Fact]
    public async Task An_import_canceled_midway_leaves_nothing_half_imported()
    {
        var (user, api, id) = await Portal.UserWithWebsiteAsync("cancel");
        await SeedAsync(Portal, api, id, pages: 20_000);
        var backup = await api.GetByteArrayAsync($"/api/websites/{id}/export");
        var before = await CountsAsync();

        var canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Portal.WithScopeAsync(sp =>
            sp.GetRequiredService<WebsiteImportService>().ImportAsync(user.Actor, new MemoryStream(backup), new ImportOptions(DuplicatePolicy.Copy),
                read => read > backup.Length / 2 ? throw new OperationCanceledException("canceled") : Task.CompletedTask, CancellationToken.None)));

        Assert.NotNull(canceled);
        Assert.Equal(before, await CountsAsync());
    }

}
