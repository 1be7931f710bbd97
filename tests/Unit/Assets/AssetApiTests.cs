using System.Net;
using System.Net.Http.Headers;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Assets;

public class AssetApiTests(PortalFactory portal)
{
    private async Task<(TestUser User, HttpClient Api, string Id, byte[] Data)> UploadAsync(int length, string fileName = "data.bin", string mediaType = "application/octet-stream", int seed = 1)
    {
        var user = await portal.CreateUserAsync("assets");
        var api = portal.CreateApiClient(user.Token);
        var data = Storage.StorageHost.RandomBytes(length, seed);
        var location = await new TusClient(api).UploadAsync(data, 1 << 20, TusClient.Metadata(("filename", fileName), ("filetype", mediaType)));
        return (user, api, location[(location.LastIndexOf('/') + 1)..], data);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient api, string url, Action<HttpRequestMessage> tweak)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        tweak(request);
        return await api.SendAsync(request);
    }

    [Fact]
    public async Task Content_serves_ranges_with_206_and_the_right_bytes()
    {
        var (_, api, id, data) = await UploadAsync(3 << 20);
        var url = $"/api/assets/{id}/content";

        var middle = await GetAsync(api, url, r => r.Headers.Range = new RangeHeaderValue(1_000_000, 1_000_099));
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(data.AsSpan(1_000_000, 100).ToArray(), await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 1000000-1000099/{data.Length}", middle.Content.Headers.ContentRange?.ToString());

        var suffix = await GetAsync(api, url, r => r.Headers.Range = new RangeHeaderValue(null, 500));
        Assert.Equal(data.AsSpan(data.Length - 500).ToArray(), await suffix.Content.ReadAsByteArrayAsync());

        var open = await GetAsync(api, url, r => r.Headers.Range = new RangeHeaderValue(data.Length - 10, null));
        Assert.Equal(data.AsSpan(data.Length - 10).ToArray(), await open.Content.ReadAsByteArrayAsync());

        var beyond = await GetAsync(api, url, r => r.Headers.Range = new RangeHeaderValue(data.Length + 10, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal($"bytes */{data.Length}", beyond.Content.Headers.ContentRange?.ToString());

        var whole = await api.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(data, await whole.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_etag_is_the_sha256_and_caching_is_immutable()
    {
        var (_, api, id, data) = await UploadAsync(100_000);
        var url = $"/api/assets/{id}/content";
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

        var response = await api.GetAsync(url);
        Assert.Equal($"\"{sha}\"", response.Headers.ETag?.ToString());
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

        var notModified = await GetAsync(api, url, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha}\"")));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var ifRangeMatches = await GetAsync(api, url, r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue($"\"{sha}\"")); });
        Assert.Equal(HttpStatusCode.PartialContent, ifRangeMatches.StatusCode);
        var ifRangeStale = await GetAsync(api, url, r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"other\"")); });
        Assert.Equal(HttpStatusCode.OK, ifRangeStale.StatusCode);
        Assert.Equal(data.Length, (await ifRangeStale.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("page.html", "text/html", "attachment")]
    [InlineData("drawing.svg", "image/svg+xml", "attachment")]
    [InlineData("photo.png", "image/png", "inline")]
    [InlineData("notes.txt", "text/plain", "inline")]
    public async Task Uploaded_bytes_can_never_run_script_in_the_portal(string fileName, string mediaType, string disposition)
    {
        var (_, api, id, _) = await UploadAsync(2000, fileName, mediaType, seed: 3);
        var response = await api.GetAsync($"/api/assets/{id}/content");

        Assert.Equal(disposition, response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Listing_filters_by_sha256_and_another_users_asset_is_404()
    {
        var (_, api, id, data) = await UploadAsync(10_000, seed: 4);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        var list = await (await api.GetAsync($"/api/assets?sha256={sha}")).ReadJsonAsync();
        Assert.Equal(id, list.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total").GetInt32());

        var other = portal.CreateApiClient((await portal.CreateUserAsync("other")).Token);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/assets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/assets/{id}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/assets/{id}")).StatusCode);
        Assert.Equal(0, (await (await other.GetAsync($"/api/assets?sha256={sha}")).ReadJsonAsync()).GetProperty("meta").GetProperty("total").GetInt32());

        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/assets/{id}")).StatusCode);
    }

    [Fact]
    public async Task Deleting_an_asset_drops_its_reference_and_leaves_the_bytes_to_garbage_collection()
    {
        var (_, api, id, data) = await UploadAsync(500_000, seed: 5);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/assets/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/assets/{id}")).StatusCode);
        var references = await portal.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
            db.Set<BlobReference>(), r => r.BlobSha256 == sha));
        Assert.Equal(0, references);
        // Within the grace period the bytes stay (an upload may be about to use them again).
        Assert.True(await portal.WithScopeAsync(sp => sp.GetRequiredService<ContentStore>().ExistsAsync(sha, CancellationToken.None)));
    }
}
