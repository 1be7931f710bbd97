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
    public async Task A_package_a_browser_could_show_is_still_an_attachment_with_its_file_name_from_the_page_s_button()
    {
        var seller = await portal.CreateUserAsync("seller");
        var sellerApi = portal.CreateApiClient(seller.Token);
        var projectId = await sellerApi.CreateProjectAsync($"Text package {Guid.NewGuid():N}"[..24]);
        var bytes = "Read me first: a plain text package."u8.ToArray();
        var assetId = await portal.CreateAssetAsync(seller, bytes, fileName: "read me.txt", mediaType: "text/plain", projectId: projectId);
        var published = await sellerApi.PostJsonAsync($"/api/projects/{projectId}/publish", new { price = 0, currency = "EUR", category = "templates", packageAssetId = assetId });
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var buyer = await portal.CreateUserAsync("buyer");
        await portal.CreateApiClient(buyer.Token).PurchaseOkAsync(projectId);
        var browser = await portal.CreateSignedInBrowserAsync(buyer);

        var button = await browser.PostWithTokenFromAsync($"/Marketplace/Details/{projectId}", $"/Marketplace/Details/{projectId}?handler=Download");
        var download = await browser.GetAsync(button.Headers.Location!.OriginalString, Ct);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("read me.txt", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("text/plain", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
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

    private static string TokenOf(string url) => url[(url.LastIndexOf('/') + 1)..];

    private static Task<HttpResponseMessage> GetRangeAsync(HttpClient client, string url, long? from, long? to)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(from, to);
        return client.SendAsync(request, Ct);
    }

    /// <summary>No package header at all: a refused HEAD says nothing about what the token was for.</summary>
    private static void AssertNoPackageHeaders(HttpResponseMessage response)
    {
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Null(response.Headers.ETag);
        Assert.Empty(response.Headers.AcceptRanges);
        Assert.Null(response.Content.Headers.LastModified);
        Assert.NotEqual("application/zip", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_refund_revokes_the_purchase_s_outstanding_tokens_which_then_answer_410()
    {
        var (listing, buyer, api) = await BoughtAsync();
        var purchaseId = await portal.WithDbAsync(db => db.Set<Purchase>().Where(p => p.UserId == buyer.Id && p.ProjectId == listing.ProjectId).Select(p => p.Id).SingleAsync(Ct));
        var outstanding = await api.DownloadUrlAsync(listing.ProjectId);
        var resumable = await api.DownloadUrlAsync(listing.ProjectId);
        Assert.Equal(HttpStatusCode.PartialContent, (await GetRangeAsync(portal.CreateApiClient(), resumable, 0, 99)).StatusCode);
        // The seller's own token is not the buyer's purchase: the refund leaves it alone.
        var sellers = await listing.SellerApi.DownloadUrlAsync(listing.ProjectId);
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/marketplace/purchases/{purchaseId}/refund", null, Ct)).StatusCode);

        await (await portal.CreateApiClient().GetAsync(outstanding, Ct)).AssertProblemAsync(HttpStatusCode.Gone, "token_revoked");
        // Nor can a download started before the refund be resumed.
        await (await GetRangeAsync(portal.CreateApiClient(), resumable, 100, null)).AssertProblemAsync(HttpStatusCode.Gone, "token_revoked");
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient().GetAsync(sellers, Ct)).StatusCode);
        Assert.Equal((2L, 2), await CountsAsync(listing.ProjectId));
    }

    [Fact]
    public async Task Unpublishing_revokes_every_outstanding_token_of_the_project_which_then_answer_410()
    {
        var (listing, _, api) = await BoughtAsync();
        var buyers = await api.DownloadUrlAsync(listing.ProjectId);
        var sellers = await listing.SellerApi.DownloadUrlAsync(listing.ProjectId);
        var admins = await portal.CreateApiClient((await portal.AdminAsync()).Token).DownloadUrlAsync(listing.ProjectId);

        Assert.Equal(HttpStatusCode.OK, (await listing.SellerApi.PostAsync($"/api/projects/{listing.ProjectId}/unpublish", null, Ct)).StatusCode);

        foreach (var url in new[] { buyers, sellers, admins })
            await (await portal.CreateApiClient().GetAsync(url, Ct)).AssertProblemAsync(HttpStatusCode.Gone, "token_revoked");
        Assert.Equal((0L, 0), await CountsAsync(listing.ProjectId));
        // The buyer keeps the right itself: a token asked for after the unpublish works.
        Assert.Equal(listing.Package, await (await portal.CreateApiClient().GetAsync(await api.DownloadUrlAsync(listing.ProjectId), Ct)).Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_free_project_s_tokens_are_revoked_when_it_is_unpublished()
    {
        var free = await portal.PublishedAsync(price: 0);
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("fan")).Token);
        var url = await stranger.DownloadUrlAsync(free.ProjectId);

        await free.SellerApi.PostAsync($"/api/projects/{free.ProjectId}/unpublish", null, Ct);

        var refused = await portal.CreateApiClient().GetAsync(url, Ct);
        await refused.AssertProblemAsync(HttpStatusCode.Gone, "token_revoked");
    }

    [Fact]
    public async Task A_download_may_be_resumed_in_ranges_within_the_token_s_lifetime_but_a_second_download_is_410()
    {
        var (listing, _, api) = await BoughtAsync();
        var url = await api.DownloadUrlAsync(listing.ProjectId);
        var client = portal.CreateApiClient();

        var first = await GetRangeAsync(client, url, 0, 99);
        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        var head = await first.Content.ReadAsByteArrayAsync(Ct);
        // The connection dropped after 100 bytes; the client resumes where it stopped.
        var rest = await GetRangeAsync(client, url, 100, null);

        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal(listing.Package, head.Concat(await rest.Content.ReadAsByteArrayAsync(Ct)).ToArray());
        Assert.Equal("attachment", rest.Content.Headers.ContentDisposition?.DispositionType);
        // One download, logged and counted once.
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));

        // Fetching it all again is a second download: refused, with or without a range from the start.
        await (await client.GetAsync(url, Ct)).AssertProblemAsync(HttpStatusCode.Gone, "token_used");
        await (await GetRangeAsync(client, url, 0, null)).AssertProblemAsync(HttpStatusCode.Gone, "token_used");
        await (await GetRangeAsync(client, url, null, 5000)).AssertProblemAsync(HttpStatusCode.Gone, "token_used");
        using (var stale = new HttpRequestMessage(HttpMethod.Get, url))
        {
            // A resume whose If-Range no longer holds would be answered with the whole package.
            stale.Headers.Range = new RangeHeaderValue(100, null);
            stale.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"not-the-package\""));
            await (await client.SendAsync(stale, Ct)).AssertProblemAsync(HttpStatusCode.Gone, "token_used");
        }
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));
    }

    [Fact]
    public async Task A_resume_after_the_token_s_lifetime_is_410()
    {
        var (listing, buyer, _) = await BoughtAsync();
        // Issued eleven minutes ago with the ten-minute lifetime; claimed back then.
        var issued = await portal.WithScopeAsync(sp =>
            ActivatorUtilities.CreateInstance<DownloadService>(sp, new ShiftedTime(TimeSpan.FromMinutes(-11))).IssueAsync(buyer.Actor, listing.ProjectId, Ct));
        await portal.WithDbAsync(db => db.Set<DownloadToken>().Where(t => t.TokenHash == DownloadService.Hash(issued.Token))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, DateTime.UtcNow.AddMinutes(-10)), Ct));

        var resumed = await GetRangeAsync(portal.CreateApiClient(), $"/api/marketplace/download/{issued.Token}", 100, null);

        await resumed.AssertProblemAsync(HttpStatusCode.Gone, "token_expired");
    }

    [Fact]
    public async Task HEAD_describes_an_unused_token_s_package_without_spending_it_and_says_nothing_otherwise()
    {
        var (listing, _, api) = await BoughtAsync();
        var url = await api.DownloadUrlAsync(listing.ProjectId);
        var client = portal.CreateApiClient();

        var probe = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);

        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(listing.Package!.Length, probe.Content.Headers.ContentLength);
        Assert.Equal("bytes", probe.Headers.AcceptRanges.Single());
        Assert.Equal((0L, 0), await CountsAsync(listing.ProjectId));
        // Still unused: the download that follows is the one.
        Assert.Equal(listing.Package, await (await client.GetAsync(url, Ct)).Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));

        // Spent, unknown, tampered, revoked: a status and nothing about the package.
        var spent = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
        Assert.Equal(HttpStatusCode.Gone, spent.StatusCode);
        AssertNoPackageHeaders(spent);
        var token = TokenOf(url);
        var flipped = token[..20] + (token[20] == 'A' ? 'B' : 'A') + token[21..];
        foreach (var unknown in new[] { $"/api/marketplace/download/{flipped}", "/api/marketplace/download/not-a-token" })
        {
            var answer = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, unknown), Ct);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            AssertNoPackageHeaders(answer);
        }
        var revoked = await api.DownloadUrlAsync(listing.ProjectId);
        await listing.SellerApi.PostAsync($"/api/projects/{listing.ProjectId}/unpublish", null, Ct);
        var afterUnpublish = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, revoked), Ct);
        Assert.Equal(HttpStatusCode.Gone, afterUnpublish.StatusCode);
        AssertNoPackageHeaders(afterUnpublish);
        Assert.Equal((1L, 1), await CountsAsync(listing.ProjectId));
    }

    /// <summary>A clock shifted from the real one: tokens issued "in the past".</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
