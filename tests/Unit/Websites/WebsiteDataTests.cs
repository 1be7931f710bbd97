using System.Net;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Websites;

public class WebsiteDataTests(PortalFactory portal)
{
    [Fact]
    public async Task A_website_without_data_is_version_0_with_null_sections()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var response = await api.GetAsync($"/api/websites/{id}/data");
        Assert.Equal("\"0\"", response.Etag());
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.Equal(0, data.GetProperty("version").GetInt32());
        Assert.Equal(id, data.GetProperty("websiteId").GetGuid());
        foreach (var section in WebsiteSections.All)
            Assert.Equal(JsonValueKind.Null, data.GetProperty(section).ValueKind);
    }

    [Fact]
    public async Task Put_replaces_present_sections_keeps_the_others_and_every_write_is_a_version()
    {
        var (user, api, id) = await portal.UserWithWebsiteAsync();
        var first = await api.PutDataAsync(id, """{"content": {"pages": [{"title": "Home"}]}, "aiContext": "tone: friendly"}""", "\"0\"");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"1\"", first.Etag());

        var second = await api.PutDataAsync(id, """{"assets": [{"id": "logo"}]}""", "\"1\"");
        Assert.Equal("\"2\"", second.Etag());

        var data = await api.GetDataAsync(id);
        Assert.Equal(2, data.GetProperty("version").GetInt32());
        Assert.Equal("Home", data.GetProperty("content").GetProperty("pages")[0].GetProperty("title").GetString());
        Assert.Equal("logo", data.GetProperty("assets")[0].GetProperty("id").GetString());
        Assert.Equal("tone: friendly", data.GetProperty("aiContext").GetString());

        var versions = await (await api.GetAsync($"/api/websites/{id}/data/versions")).ReadJsonAsync();
        var items = versions.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([2, 1], items.Select(v => v.GetProperty("version").GetInt32()));
        Assert.All(items, v => Assert.Equal("api", v.GetProperty("source").GetString()));
        Assert.All(items, v => Assert.Equal(user.Id, v.GetProperty("createdBy").GetGuid()));
        Assert.True(items[0].GetProperty("isCurrent").GetBoolean());
    }

    [Fact]
    public async Task Sections_are_stored_byte_for_byte_and_field_selection_returns_only_those()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        const string content = "{ \"b\" : 1,\n  \"a\": [ 1.50, \"\\u00e9\" ] }";
        await api.PutDataAsync(id, $"{{\"content\": {content}, \"assets\": []}}", "\"0\"");

        var raw = await api.GetStringAsync($"/api/websites/{id}/data?fields=content");
        Assert.Contains(content, raw, StringComparison.Ordinal);
        var data = await api.GetDataAsync(id, "content");
        Assert.False(data.TryGetProperty("assets", out _));
        Assert.False(data.TryGetProperty("aiContext", out _));
        await (await api.GetAsync($"/api/websites/{id}/data?fields=content,secrets")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Writes_need_if_match_and_a_stale_one_keeps_the_payload_as_a_conflict_backup()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        await api.PutDataAsync(id, """{"content": {"v": "base"}}""", "\"0\"");
        await (await api.PutDataAsync(id, """{"content": {"v": "x"}}""", null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");

        // Two clients start from version 1; the first wins, the second is kept aside.
        var alice = await api.PutDataAsync(id, """{"content": {"v": "alice"}}""", "\"1\"");
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        var bob = await api.PutDataAsync(id, """{"content": {"v": "bob"}}""", "\"1\"");

        var problem = await bob.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal("\"2\"", bob.Etag());
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());
        var backup = problem.GetProperty("conflictBackupVersion").GetInt32();
        Assert.Equal("alice", (await api.GetDataAsync(id)).GetProperty("content").GetProperty("v").GetString());

        var kept = await (await api.GetAsync($"/api/websites/{id}/data/versions/{backup}")).ReadJsonAsync();
        Assert.True(kept.GetProperty("data").GetProperty("metadata").GetProperty("isConflictBackup").GetBoolean());
        Assert.Equal(1, kept.GetProperty("data").GetProperty("metadata").GetProperty("basedOnVersion").GetInt32());
        Assert.Equal("bob", kept.GetProperty("data").GetProperty("document").GetProperty("content").GetProperty("v").GetString());

        // Restoring the backup makes the client's payload current, as a new version.
        var restored = await api.PostAsync($"/api/websites/{id}/data/versions/{backup}/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var data = await api.GetDataAsync(id);
        Assert.Equal("bob", data.GetProperty("content").GetProperty("v").GetString());
        Assert.Equal(backup + 1, data.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Concurrent_writers_from_one_base_get_one_winner_and_every_payload_is_kept()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        await api.PutDataAsync(id, """{"content": 0}""", "\"0\"");
        var writes = Enumerable.Range(1, 6).Select(i => api.PutDataAsync(id, $$"""{"content": {{i}}}""", "\"1\"")).ToList();
        var responses = await Task.WhenAll(writes);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var versions = await (await api.GetAsync($"/api/websites/{id}/data/versions?pageSize=50")).ReadJsonAsync();
        Assert.Equal(7, versions.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(5, versions.GetProperty("data").EnumerateArray().Count(v => v.GetProperty("isConflictBackup").GetBoolean()));
    }

    [Fact]
    public async Task Merge_patch_follows_rfc_7386()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        await api.PutDataAsync(id, """{"content": {"title": "Old", "theme": {"color": "red", "font": "serif"}, "tags": ["a", "b"], "draft": true}, "aiContext": "keep"}""", "\"0\"");

        var response = await api.PatchDataAsync(id, """{"content": {"title": "New", "theme": {"color": null, "size": 12}, "tags": ["c"], "draft": null}}""", "\"1\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var content = (await api.GetDataAsync(id)).GetProperty("content");
        Assert.Equal("New", content.GetProperty("title").GetString());
        Assert.False(content.GetProperty("theme").TryGetProperty("color", out _));          // null deletes
        Assert.Equal("serif", content.GetProperty("theme").GetProperty("font").GetString()); // nested objects merge
        Assert.Equal(12, content.GetProperty("theme").GetProperty("size").GetInt32());
        Assert.Equal(["c"], content.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));   // arrays are replaced
        Assert.False(content.TryGetProperty("draft", out _));
        Assert.Equal("keep", (await api.GetDataAsync(id)).GetProperty("aiContext").GetString());

        var wrongType = await api.PutDataAsync(id, "{}", "\"2\"");
        Assert.Equal(HttpStatusCode.OK, wrongType.StatusCode); // an empty PUT is a new version with nothing replaced
        using var plain = new HttpRequestMessage(HttpMethod.Patch, $"/api/websites/{id}/data") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        plain.Headers.TryAddWithoutValidation("If-Match", "\"3\"");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await api.SendAsync(plain)).StatusCode);
    }

    [Theory]
    [InlineData("{\"content\": {\"a\": [1, 2")]
    [InlineData("{\"content\": {\"a\": 1}, \"content\": 2}")]
    [InlineData("{\"unknown\": 1}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"content\": {\"a\": 1}} trailing")]
    [InlineData("")]
    [InlineData("{\"content\": tru}")]
    public async Task Malformed_or_truncated_bodies_answer_400_and_create_no_version(string body)
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var response = await api.PutDataAsync(id, body, "\"0\"");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await api.GetDataAsync(id)).GetProperty("version").GetInt32());
        Assert.Equal(0, (await (await api.GetAsync($"/api/websites/{id}/data/versions")).ReadJsonAsync()).GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_document_nested_10000_deep_is_refused_with_400()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var deep = "{\"content\": " + new string('[', 10_000) + new string(']', 10_000) + "}";
        await (await api.PutDataAsync(id, deep, "\"0\"")).AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Fact]
    public async Task A_10_MiB_document_round_trips_and_a_small_edit_adds_little_storage()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var pages = Enumerable.Range(0, 70_000).Select(i => new { id = i, title = $"Page {i}", body = $"Lorem ipsum dolor sit amet {i % 97} consectetur" }).ToList();
        var content = JsonSerializer.Serialize(new { pages });
        Assert.True(content.Length > 4 << 20);
        var document = $"{{\"content\": {content}, \"assets\": {content}}}";
        Assert.True(document.Length > 10 << 20);

        Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(id, document, "\"0\"")).StatusCode);
        var stored = await api.GetStringAsync($"/api/websites/{id}/data");
        Assert.Contains(content, stored, StringComparison.Ordinal);

        var edited = content.Replace("\"title\":\"Page 20000\"", "\"title\":\"Page twenty thousand\"", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(id, $"{{\"content\": {edited}}}", "\"1\"")).StatusCode);

        // Only the chunks around the edit are new (count this website's blobs only: the store is shared).
        var growth = await portal.WithDbAsync(async db =>
        {
            var shas = await db.Set<WebsiteDataVersion>().Where(v => v.WebsiteId == id).OrderBy(v => v.Version).Select(v => v.ContentSha256!).ToListAsync();
            var before = await db.Set<BlobChunk>().Where(c => c.BlobSha256 == shas[0]).Select(c => c.ChunkSha256).ToListAsync();
            var after = await db.Set<BlobChunk>().Where(c => c.BlobSha256 == shas[1]).Select(c => c.ChunkSha256).ToListAsync();
            var added = after.Except(before).ToList();
            return await db.Set<StoredChunk>().Where(c => added.Contains(c.Sha256)).SumAsync(c => (long)c.StoredLength);
        });
        Assert.True(growth < 1 << 20, $"a one-field edit of a 5 MB section stored {growth} new bytes");
    }

    [Fact]
    public async Task The_download_is_the_whole_document_with_ranges()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        await api.PutDataAsync(id, """{"content": {"a": 1}, "aiContext": "ctx"}""", "\"0\"");

        var whole = await api.GetAsync($"/api/websites/{id}/download");
        var text = await whole.Content.ReadAsStringAsync();
        Assert.Equal("""{"content":{"a": 1},"assets":null,"aiContext":"ctx"}""", text);
        Assert.Equal("\"1\"", whole.Headers.ETag?.ToString());
        Assert.Equal("attachment", whole.Content.Headers.ContentDisposition?.DispositionType);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/websites/{id}/download");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(11, 19);
        var part = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(text.Substring(11, 9), await part.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deleting_a_website_releases_its_data_blobs_to_garbage_collection()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var unique = $"\"{Guid.NewGuid()}\"";
        await api.PutDataAsync(id, $"{{\"content\": {{\"marker\": {unique}}}}}", "\"0\"");
        var prefix = $"{id:N}/";
        Assert.True(await portal.WithDbAsync(db => db.Set<BlobReference>().AnyAsync(r => r.OwnerId.StartsWith(prefix))));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/websites/{id}")).StatusCode);

        Assert.False(await portal.WithDbAsync(db => db.Set<BlobReference>().AnyAsync(r => r.OwnerId.StartsWith(prefix))));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/websites/{id}/data")).StatusCode);
    }

    [Fact]
    public async Task A_tus_upload_with_target_website_data_becomes_a_version_under_the_same_rules()
    {
        var (user, api, id) = await portal.UserWithWebsiteAsync();
        var tus = new TusClient(api);
        var document = Encoding.UTF8.GetBytes("""{"content": {"from": "upload"}, "aiContext": "up"}""");

        var missingIfMatch = await tus.CreateAsync(document.Length, TusClient.Metadata(("target", "website-data"), ("websiteId", id.ToString())));
        Assert.Equal(HttpStatusCode.PreconditionRequired, missingIfMatch.StatusCode);

        await tus.UploadAsync(document, 1 << 20, TusClient.Metadata(("target", "website-data"), ("websiteId", id.ToString()), ("ifMatch", "0")));
        var data = await api.GetDataAsync(id);
        Assert.Equal(1, data.GetProperty("version").GetInt32());
        Assert.Equal("upload", data.GetProperty("content").GetProperty("from").GetString());
        var versions = await (await api.GetAsync($"/api/websites/{id}/data/versions")).ReadJsonAsync();
        Assert.Equal("upload", versions.GetProperty("data")[0].GetProperty("source").GetString());

        // A stale upload is kept as a conflict backup; the current version stays.
        await tus.UploadAsync(Encoding.UTF8.GetBytes("""{"content": {"from": "stale"}}"""), 1 << 20,
            TusClient.Metadata(("target", "website-data"), ("websiteId", id.ToString()), ("ifMatch", "0")));
        Assert.Equal("upload", (await api.GetDataAsync(id)).GetProperty("content").GetProperty("from").GetString());
        var backups = await (await api.GetAsync($"/api/websites/{id}/data/versions?conflictBackups=true")).ReadJsonAsync();
        Assert.Equal(1, backups.GetProperty("meta").GetProperty("total").GetInt32());

        // Invalid JSON never becomes a version; its bytes can never complete, so the upload is discarded (and its quota freed).
        var bad = Encoding.UTF8.GetBytes("""{"content": [1, 2""");
        var location = await tus.CreateOrFailAsync(bad.Length, TusClient.Metadata(("target", "website-data"), ("websiteId", id.ToString()), ("ifMatch", "1")));
        var response = await tus.PatchAsync(location, 0, bad);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tus.HeadAsync(location)).StatusCode);
        Assert.Equal(2, (await (await api.GetAsync($"/api/websites/{id}/data/versions")).ReadJsonAsync()).GetProperty("meta").GetProperty("total").GetInt32());

        var other = portal.CreateApiClient((await portal.CreateUserAsync("other")).Token);
        var foreign = await new TusClient(other).CreateAsync(10, TusClient.Metadata(("target", "website-data"), ("websiteId", id.ToString()), ("ifMatch", "1")));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        _ = user;
    }
}
