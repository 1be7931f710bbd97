using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Assets;

/// <summary>Presigned asset URLs (SPEC §8): every rule, through the real app on real SQLite.</summary>
public class PresignTests(PortalFactory portal)
{
    private sealed record Owned(TestUser User, HttpClient Api, Guid Id, byte[] Data);

    private async Task<Owned> UploadAsync(int length, string fileName = "photo.png", string mediaType = "image/png", TestUser? user = null)
    {
        user ??= await portal.CreateUserAsync("presign");
        var api = portal.CreateApiClient(user.Token);
        var data = Storage.StorageHost.RandomBytes(length, length);
        var location = await new TusClient(api).UploadAsync(data, 1 << 20, TusClient.Metadata(("filename", fileName), ("filetype", mediaType)));
        return new Owned(user, api, Guid.Parse(location[(location.LastIndexOf('/') + 1)..]), data);
    }

    private static async Task<JsonElement> DataAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }

    private static async Task<string> DownloadUrlAsync(HttpClient api, Guid id, int? expiresIn = null) =>
        (await DataAsync(await api.GetAsync($"/api/assets/{id}/download-url" + (expiresIn is { } e ? $"?expiresIn={e}" : ""))))
            .GetProperty("url").GetString()!;

    private static async Task<JsonElement> PresignUploadAsync(HttpClient api, object body) =>
        await DataAsync(await api.PostJsonAsync("/api/assets/presign", body));

    private static string WithQuery(string url, string name, string value)
    {
        var (path, query) = (url[..url.IndexOf('?', StringComparison.Ordinal)], url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..]);
        var pairs = query.Split('&').Select(p => p.StartsWith(name + "=", StringComparison.Ordinal) ? $"{name}={value}" : p);
        return path + "?" + string.Join('&', pairs);
    }

    private static string Query(string url, string name) =>
        url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private static string Flip(string value) => (value[0] == 'A' ? "B" : "A") + value[1..];

    [Fact]
    public async Task A_presigned_download_needs_no_token_and_serves_the_bytes_with_the_download_headers()
    {
        var owned = await UploadAsync(200_000);
        var url = await DownloadUrlAsync(owned.Api, owned.Id);
        Assert.StartsWith($"/api/assets/{owned.Id}/content?exp=", url, StringComparison.Ordinal);

        var response = await portal.CreateApiClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(owned.Data, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal($"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(owned.Data))}\"", response.Headers.ETag?.ToString());
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
    }

    [Fact]
    public async Task A_presigned_download_serves_ranges_and_html_as_an_attachment()
    {
        var owned = await UploadAsync(300_000, "page.html", "text/html");
        var url = await DownloadUrlAsync(owned.Api, owned.Id);
        var anonymous = portal.CreateApiClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(1000, 1099);
        var partial = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(owned.Data.AsSpan(1000, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 1000-1099/{owned.Data.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal("attachment", partial.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("text/plain", partial.Content.Headers.ContentType?.MediaType);

        using var beyond = new HttpRequestMessage(HttpMethod.Get, url);
        beyond.Headers.Range = new RangeHeaderValue(owned.Data.Length + 5, null);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await anonymous.SendAsync(beyond)).StatusCode);
    }

    [Fact]
    public async Task Many_ids_are_presigned_at_once_in_order_and_unknown_or_foreign_ids_are_not_found_items()
    {
        var first = await UploadAsync(1000);
        var second = await UploadAsync(2000, user: first.User);
        var foreign = await UploadAsync(3000);
        var unknown = Guid.NewGuid();

        var data = await DataAsync(await first.Api.PostJsonAsync("/api/assets/presign",
            new { operation = "download", assetIds = new[] { second.Id, unknown, first.Id, foreign.Id, second.Id }, expiresIn = 600 }));

        var items = data.EnumerateArray().ToList();
        Assert.Equal([second.Id, unknown, first.Id, foreign.Id], items.Select(i => i.GetProperty("assetId").GetGuid()));
        Assert.Equal(JsonValueKind.Null, items[1].GetProperty("url").ValueKind);
        Assert.Equal("not_found", items[1].GetProperty("error").GetString());
        Assert.Equal("not_found", items[3].GetProperty("error").GetString());
        var expiresAt = items[0].GetProperty("expiresAt").GetDateTime();
        Assert.InRange(expiresAt, DateTime.UtcNow.AddSeconds(590), DateTime.UtcNow.AddSeconds(610));

        var anonymous = portal.CreateApiClient();
        Assert.Equal(second.Data, await (await anonymous.GetAsync(items[0].GetProperty("url").GetString())).Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Data, await (await anonymous.GetAsync(items[2].GetProperty("url").GetString())).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Presigning_another_users_asset_answers_404_and_admins_may()
    {
        var owned = await UploadAsync(1000);
        var other = portal.CreateApiClient((await portal.CreateUserAsync("presign-other")).Token);

        await (await other.GetAsync($"/api/assets/{owned.Id}/download-url")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await other.GetAsync($"/api/assets/{Guid.NewGuid()}/download-url")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        var url = await DownloadUrlAsync(admin, owned.Id);
        Assert.Equal(owned.Data, await (await portal.CreateApiClient().GetAsync(url)).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_tampered_download_url_answers_403_problem()
    {
        var owned = await UploadAsync(1000);
        var other = await UploadAsync(1000, user: owned.User);
        var url = await DownloadUrlAsync(owned.Api, owned.Id);
        var anonymous = portal.CreateApiClient();
        var exp = long.Parse(Query(url, "exp"), CultureInfo.InvariantCulture);

        string[] tampered =
        [
            WithQuery(url, "sig", Flip(Query(url, "sig"))),
            WithQuery(url, "exp", (exp + 3600).ToString(CultureInfo.InvariantCulture)),
            WithQuery(url, "exp", "-5"),
            WithQuery(url, "sig", ""),
            WithQuery(url, "sig", "not base64 at all!"),
            url.Replace(owned.Id.ToString(), other.Id.ToString(), StringComparison.Ordinal),
            url[..url.IndexOf("&sig=", StringComparison.Ordinal)],
        ];
        foreach (var bad in tampered)
            await (await anonymous.GetAsync(bad)).AssertProblemAsync(HttpStatusCode.Forbidden, "presign_invalid");
    }

    [Fact]
    public async Task An_expired_download_url_answers_410_problem()
    {
        var owned = await UploadAsync(1000);
        // Signed with the server's key but an expiry already passed: no waiting on a clock.
        var exp = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1).ToString(CultureInfo.InvariantCulture);
        var sig = portal.Services.GetRequiredService<PresignKey>().Sign(PresignService.Download, owned.Id.ToString("N"), exp);

        await (await portal.CreateApiClient().GetAsync($"/api/assets/{owned.Id}/content?exp={exp}&sig={sig}"))
            .AssertProblemAsync(HttpStatusCode.Gone, "presign_expired");
    }

    [Fact]
    public async Task A_presigned_url_of_a_deleted_asset_answers_404()
    {
        var owned = await UploadAsync(1000);
        var url = await DownloadUrlAsync(owned.Api, owned.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await owned.Api.DeleteAsync($"/api/assets/{owned.Id}")).StatusCode);

        await (await portal.CreateApiClient().GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Content_without_a_token_or_a_signature_still_answers_401_and_a_bad_token_is_not_served_anonymously()
    {
        var owned = await UploadAsync(1000);
        var anonymous = await portal.CreateApiClient().GetAsync($"/api/assets/{owned.Id}/content");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");

        var badToken = await portal.CreateApiClient("cat_not-a-token").GetAsync($"/api/assets/{owned.Id}/content");
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
    }

    [Fact]
    public async Task An_upload_through_a_grant_needs_no_token_and_creates_an_asset_owned_by_the_granting_user()
    {
        var user = await portal.CreateUserAsync("grantor");
        var api = portal.CreateApiClient(user.Token);
        var data = Storage.StorageHost.RandomBytes(2_500_000, 7);
        var grant = await PresignUploadAsync(api, new { operation = "upload", fileName = "scan.pdf", length = data.Length, mediaType = "application/pdf" });
        var url = grant.GetProperty("url").GetString()!;
        Assert.StartsWith("/api/uploads?grant=", url, StringComparison.Ordinal);

        // A worker or another device: no token, only the URL. Its own metadata does not override the grant's.
        var worker = new TusClient(portal.CreateApiClient(), url);
        var location = await worker.UploadAsync(data, 1 << 20, TusClient.Metadata(("filename", "evil.html"), ("filetype", "text/html")));
        Assert.Contains("?grant=", location, StringComparison.Ordinal);
        var head = await worker.HeadAsync(location);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(data.Length, TusClient.Offset(head));

        var id = location[(location.LastIndexOf('/') + 1)..location.IndexOf('?', StringComparison.Ordinal)];
        var asset = await DataAsync(await api.GetAsync($"/api/assets/{id}"));
        Assert.Equal(user.Id, asset.GetProperty("ownerId").GetGuid());
        Assert.Equal("scan.pdf", asset.GetProperty("fileName").GetString());
        Assert.Equal("application/pdf", asset.GetProperty("mediaType").GetString());
        Assert.Equal(data, await (await api.GetAsync($"/api/assets/{id}/content")).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_grant_binds_the_project_target_and_creation_with_upload_works()
    {
        var user = await portal.CreateUserAsync("grant-project");
        var api = portal.CreateApiClient(user.Token);
        var project = await api.PostJsonAsync("/api/projects", new { name = "Presigned target" });
        var projectId = (await project.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var data = Storage.StorageHost.RandomBytes(4000, 3);
        var grant = await PresignUploadAsync(api, new { operation = "upload", fileName = "a.bin", length = data.Length, projectId });

        var created = await new TusClient(portal.CreateApiClient(), grant.GetProperty("url").GetString()!).CreateAsync(data.Length, metadata: null, body: data);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(data.Length, TusClient.Offset(created));
        var list = await (await api.GetAsync($"/api/assets?projectId={projectId}")).ReadJsonAsync();
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_reused_grant_answers_410_problem()
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("grant-reuse")).Token);
        var grant = await PresignUploadAsync(api, new { operation = "upload", fileName = "once.bin", length = 10 });
        var tus = new TusClient(portal.CreateApiClient(), grant.GetProperty("url").GetString()!);

        Assert.Equal(HttpStatusCode.Created, (await tus.CreateAsync(10)).StatusCode);
        await (await tus.CreateAsync(10)).AssertProblemAsync(HttpStatusCode.Gone, "presign_grant_used");
    }

    [Fact]
    public async Task Of_concurrent_uses_of_one_grant_exactly_one_wins()
    {
        var user = await portal.CreateUserAsync("grant-race");
        var api = portal.CreateApiClient(user.Token);
        var grant = await PresignUploadAsync(api, new { operation = "upload", fileName = "race.bin", length = 100 });
        var url = grant.GetProperty("url").GetString()!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => new TusClient(portal.CreateApiClient(), url).CreateAsync(100))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        foreach (var lost in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
            await lost.AssertProblemAsync(HttpStatusCode.Gone, "presign_grant_used");
        var uploads = await portal.WithDbAsync(db => db.Set<Catalyst.Data.Uploads.Upload>().CountAsync(u => u.OwnerId == user.Id));
        Assert.Equal(1, uploads);
    }

    [Fact]
    public async Task An_expired_grant_answers_410_problem()
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("grant-expired")).Token);
        var grantId = (await PresignUploadAsync(api, new { operation = "upload", fileName = "late.bin", length = 10 })).GetProperty("grantId").GetGuid();
        // The row's expiry moved into the past and a URL signed for it: the same as waiting it out.
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        var url = await portal.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<Catalyst.Data.CatalystDbContext>();
            await db.Set<UploadGrant>().Where(g => g.Id == grantId).ExecuteUpdateAsync(s => s.SetProperty(g => g.ExpiresAt, past.UtcDateTime));
            var grant = await db.Set<UploadGrant>().AsNoTracking().SingleAsync(g => g.Id == grantId);
            return "/api/uploads?" + sp.GetRequiredService<PresignService>().GrantQuery(grant, past.ToUnixTimeSeconds());
        });

        await (await new TusClient(portal.CreateApiClient(), url).CreateAsync(10)).AssertProblemAsync(HttpStatusCode.Gone, "presign_expired");
    }

    [Fact]
    public async Task A_tampered_grant_or_a_different_length_answers_403_and_leaves_the_grant_unspent()
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("grant-tamper")).Token);
        var url = (await PresignUploadAsync(api, new { operation = "upload", fileName = "t.bin", length = 10 })).GetProperty("url").GetString()!;
        var exp = long.Parse(Query(url, "exp"), CultureInfo.InvariantCulture);
        var anonymous = portal.CreateApiClient();

        string[] tampered =
        [
            WithQuery(url, "sig", Flip(Query(url, "sig"))),
            WithQuery(url, "exp", (exp + 3600).ToString(CultureInfo.InvariantCulture)),
            WithQuery(url, "grant", Guid.NewGuid().ToString("N")),
            WithQuery(url, "grant", "nonsense"),
            url[..url.IndexOf("&sig=", StringComparison.Ordinal)],
        ];
        foreach (var bad in tampered)
            await (await new TusClient(anonymous, bad).CreateAsync(10)).AssertProblemAsync(HttpStatusCode.Forbidden, "presign_invalid");
        await (await new TusClient(anonymous, url).CreateAsync(11)).AssertProblemAsync(HttpStatusCode.Forbidden, "presign_length_mismatch");

        Assert.Equal(HttpStatusCode.Created, (await new TusClient(anonymous, url).CreateAsync(10)).StatusCode);
    }

    [Fact]
    public async Task A_grant_authorizes_only_its_own_upload_and_no_other_endpoint()
    {
        var owner = await UploadAsync(1000);
        var url = (await PresignUploadAsync(owner.Api, new { operation = "upload", fileName = "x.bin", length = 10 })).GetProperty("url").GetString()!;
        var anonymous = portal.CreateApiClient();
        var location = (await new TusClient(anonymous, url).CreateAsync(10)).Headers.Location!.OriginalString;
        var query = location[location.IndexOf('?', StringComparison.Ordinal)..];

        // The owner's other upload: same user, but not the grant's upload.
        var other = await new TusClient(owner.Api).CreateOrFailAsync(20);
        await (await new TusClient(anonymous).HeadAsync(other + query)).AssertProblemAsync(HttpStatusCode.Forbidden, "presign_wrong_upload");
        // Elsewhere in the API the grant is no credential at all.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/assets{query}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/assets/{owner.Id}{query}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"operation":"download","assetIds":[""", "malformed_json")]
    [InlineData("""{"operation":"download","assetIds":["not-a-guid"]}""", "malformed_json")]
    [InlineData("""{"operation":"download","assetIds":[]}""", "validation_failed")]
    [InlineData("""{"operation":"download"}""", "validation_failed")]
    [InlineData("""{"operation":"download","assetIds":["6f1c7a52-1b7e-4c55-9a0e-6d6f1c7a521b"],"expiresIn":0}""", "validation_failed")]
    [InlineData("""{"operation":"download","assetIds":["6f1c7a52-1b7e-4c55-9a0e-6d6f1c7a521b"],"expiresIn":604801}""", "validation_failed")]
    [InlineData("""{"operation":"delete","assetIds":["6f1c7a52-1b7e-4c55-9a0e-6d6f1c7a521b"]}""", "validation_failed")]
    [InlineData("""{"assetIds":["6f1c7a52-1b7e-4c55-9a0e-6d6f1c7a521b"]}""", "validation_failed")]
    [InlineData("""{"operation":"upload","fileName":"a","length":-1}""", "validation_failed")]
    [InlineData("""{"operation":"upload","fileName":"a"}""", "validation_failed")]
    [InlineData("""{"operation":"upload","fileName":"a","length":"ten"}""", "malformed_json")]
    [InlineData("""{"operation":"upload","fileName":"a","length":10,"target":"website-data"}""", "validation_failed")]
    [InlineData("""{"operation":"upload","fileName":"a","length":10,"target":"nowhere"}""", "validation_failed")]
    [InlineData("""{"operation":"upload","fileName":"a","length":10,"projectId":"nope"}""", "malformed_json")]
    public async Task Bad_presign_input_answers_400_problem(string body, string code)
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("presign-bad")).Token);
        await (await api.SendRawAsync(HttpMethod.Post, "/api/assets/presign", body)).AssertProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Too_many_ids_a_bad_expiry_and_foreign_targets_are_refused()
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("presign-limits")).Token);
        var max = portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PresignOptions>>().Value.MaxAssetIds;
        var ids = Enumerable.Range(0, max + 1).Select(_ => Guid.NewGuid()).ToArray();

        await (await api.PostJsonAsync("/api/assets/presign", new { operation = "download", assetIds = ids })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await api.GetAsync($"/api/assets/{Guid.NewGuid()}/download-url?expiresIn=-3")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await api.PostJsonAsync("/api/assets/presign", new { operation = "upload", fileName = "a", length = 10, projectId = Guid.NewGuid() }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await api.PostJsonAsync("/api/assets/presign", new { operation = "upload", fileName = "a", length = long.MaxValue }))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "upload_too_large");
    }

    [Fact]
    public async Task Presigning_needs_a_token()
    {
        var anonymous = portal.CreateApiClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/api/assets/presign", new { operation = "download", assetIds = new[] { Guid.NewGuid() } })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/assets/{Guid.NewGuid()}/download-url")).StatusCode);
    }
}
