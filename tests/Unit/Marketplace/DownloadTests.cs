using System.Net;
using System.Net.Http.Headers;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Marketplace;

public class DownloadTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<(long Count, int Logged)> CountsAsync(Guid projectId) =>
        portal.WithDbAsync(async db => (
            await db.Projects.Where(p => p.Id == projectId).Select(p => p.DownloadCount).SingleAsync(Ct),
            await db.Set<Download>().CountAsync(d => d.ProjectId == projectId, Ct)));

    private async Task<(Listing Listing, TestUser Buyer, HttpClient Api)> BoughtAsync()
    {
        var listing = await portal.PublishedAsync();
        var buyer = await portal.CreateUserAsync("buyer");
        var api = portal.CreateApiClient(buyer.Token);
        await api.PurchaseOkAsync(listing.ProjectId);
        return (listing, buyer, api);
    }

    [Fact]
    public async Task A_buyer_s_token_streams_the_package_once_with_the_download_headers_and_logs_it()
    {
        var (listing, buyer, api) = await BoughtAsync();

        var issued = await api.PostAsync($"/api/marketplace/projects/{listing.ProjectId}/download-token", null, Ct);

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var data = (await issued.ReadJsonAsync()).GetProperty("data");
        var token = data.GetProperty("token").GetString()!;
        var url = data.GetProperty("url").GetString()!;
        Assert.Equal($"/api/marketplace/download/{token}", url);
        Assert.Equal(url, issued.Headers.Location?.OriginalString);
        var expiresAt = data.GetProperty("expiresAt").GetDateTime();
        Assert.InRange(expiresAt - DateTime.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10.5));

        // No bearer token: the download token is the credential.
        var download = await portal.CreateApiClient().GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(listing.Package, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("package.zip", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("sandbox", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("bytes", download.Headers.AcceptRanges.Single());
        Assert.True(download.Headers.CacheControl?.NoStore);
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));
        var log = await (await listing.SellerApi.GetAsync($"/api/marketplace/projects/{listing.ProjectId}/downloads", Ct)).ReadJsonAsync();
        Assert.Equal(buyer.Id, log.GetProperty("data")[0].GetProperty("userId").GetGuid());

        // A second use is 410 and counts nothing.
        await (await portal.CreateApiClient().GetAsync(url, Ct)).AssertProblemAsync(HttpStatusCode.Gone, "token_used");
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));
    }

    [Fact]
    public async Task A_token_serves_a_range()
    {
        var (listing, _, api) = await BoughtAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, await api.DownloadUrlAsync(listing.ProjectId));
        request.Headers.Range = new RangeHeaderValue(100, 199);

        var response = await portal.CreateApiClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(listing.Package![100..200], await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(listing.Package.Length, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Concurrent_redemptions_of_one_token_give_exactly_one_success()
    {
        var (listing, _, api) = await BoughtAsync();
        var url = await api.DownloadUrlAsync(listing.ProjectId);
        var anonymous = portal.CreateApiClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => anonymous.GetAsync(url, Ct)));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(listing.Package, await winner.Content.ReadAsByteArrayAsync(Ct));
        foreach (var loser in responses.Where(r => r != winner))
            await loser.AssertProblemAsync(HttpStatusCode.Gone, "token_used");
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));
    }

    [Fact]
    public async Task A_tampered_token_is_404_and_an_expired_one_410()
    {
        var (listing, buyer, api) = await BoughtAsync();
        var url = await api.DownloadUrlAsync(listing.ProjectId);
        var token = url[(url.LastIndexOf('/') + 1)..];
        var flipped = token[..20] + (token[20] == 'A' ? 'B' : 'A') + token[21..];

        await (await portal.CreateApiClient().GetAsync($"/api/marketplace/download/{flipped}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await portal.CreateApiClient().GetAsync("/api/marketplace/download/not-a-token", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await portal.CreateApiClient().GetAsync("/api/marketplace/download/" + new string('A', 600), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        // A token issued an hour ago with the 10-minute lifetime.
        var expired = await portal.WithScopeAsync(sp =>
            ActivatorUtilities.CreateInstance<DownloadService>(sp, new ShiftedTime(TimeSpan.FromHours(-1)))
                .IssueAsync(buyer.Actor, listing.ProjectId, Ct));
        await (await portal.CreateApiClient().GetAsync($"/api/marketplace/download/{expired.Token}", Ct)).AssertProblemAsync(HttpStatusCode.Gone, "token_expired");

        // None of these counted; the genuine token still works.
        Assert.Equal((0L, 0), await CountsAsync(listing.ProjectId));
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient().GetAsync(url, Ct)).StatusCode);
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        var (listing, _, api) = await BoughtAsync();
        var url = await api.DownloadUrlAsync(listing.ProjectId);
        var token = url[(url.LastIndexOf('/') + 1)..];

        var row = await portal.WithDbAsync(db => db.Set<DownloadToken>().AsNoTracking().SingleAsync(t => t.ProjectId == listing.ProjectId, Ct));

        Assert.Equal(DownloadService.Hash(token), row.TokenHash);
        Assert.NotEqual(token, row.TokenHash);
        // Nor anywhere in the database files (the WAL holds the latest writes).
        foreach (var file in Directory.GetFiles(portal.DataDirectory, "catalyst.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(token, await reader.ReadToEndAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Who_may_have_a_token_buyers_the_owner_admins_and_anyone_for_a_free_project()
    {
        var paid = await portal.PublishedAsync(price: 700);
        var free = await portal.PublishedAsync(price: 0);
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("stranger")).Token);
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);

        await (await stranger.PostAsync($"/api/marketplace/projects/{paid.ProjectId}/download-token", null, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(paid.Package, await (await portal.CreateApiClient().GetAsync(await paid.SellerApi.DownloadUrlAsync(paid.ProjectId), Ct)).Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(paid.Package, await (await portal.CreateApiClient().GetAsync(await admin.DownloadUrlAsync(paid.ProjectId), Ct)).Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(free.Package, await (await portal.CreateApiClient().GetAsync(await stranger.DownloadUrlAsync(free.ProjectId), Ct)).Content.ReadAsByteArrayAsync(Ct));
        await (await portal.CreateApiClient().PostAsync($"/api/marketplace/projects/{free.ProjectId}/download-token", null, Ct))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        // No package, nothing to download.
        var bare = await portal.PublishedAsync(price: 0, withPackage: false);
        await (await stranger.PostAsync($"/api/marketplace/projects/{bare.ProjectId}/download-token", null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, "no_package");
    }

    [Fact]
    public async Task The_download_log_is_for_the_owner_and_admins()
    {
        var (listing, _, api) = await BoughtAsync();

        await (await api.GetAsync($"/api/marketplace/projects/{listing.ProjectId}/downloads", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/marketplace/projects/{listing.ProjectId}/downloads", Ct)).StatusCode);
    }

    [Fact]
    public async Task Replacing_the_package_serves_the_new_bytes_and_keeps_one_reference()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var newer = System.Text.Encoding.UTF8.GetBytes("version two " + Guid.NewGuid());
        var asset = await portal.CreateAssetAsync(listing.Seller, newer, "v2.zip");

        var republished = await listing.SellerApi.PostJsonAsync($"/api/projects/{listing.ProjectId}/publish", new { price = 0, currency = "EUR", category = "templates", packageAssetId = asset });

        Assert.Equal(HttpStatusCode.OK, republished.StatusCode);
        var download = await portal.CreateApiClient().GetAsync(await listing.SellerApi.DownloadUrlAsync(listing.ProjectId), Ct);
        Assert.Equal(newer, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("v2.zip", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var references = await portal.WithDbAsync(db => db.Set<Catalyst.Data.Storage.BlobReference>()
            .CountAsync(r => r.OwnerType == MarketplacePackages.BlobOwnerType && r.OwnerId == listing.ProjectId.ToString(), Ct));
        Assert.Equal(1, references);
    }

    /// <summary>A clock shifted from the real one: tokens issued "in the past".</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
