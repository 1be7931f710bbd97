using System.Net;
using System.Text.Json;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Marketplace;

public class PublishAndBrowseTests(PortalFactory portal)
{
    /// <summary>A word no other test's project carries, so a browse by it sees only this test's listings.</summary>
    private static string UniqueWord() => "w" + Guid.NewGuid().ToString("N")[..10];

    private async Task<JsonElement> BrowseAsync(string query, HttpClient? client = null)
    {
        var response = await (client ?? portal.CreateApiClient()).GetAsync("/api/marketplace/projects?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"browse answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Publish_refuses_bad_fields_with_an_error_per_field()
    {
        var seller = await portal.CreateUserAsync("seller");
        var api = portal.CreateApiClient(seller.Token);
        var projectId = await api.CreateProjectAsync("To be listed");

        var bad = await api.PostJsonAsync($"/api/projects/{projectId}/publish", new { price = -1, currency = "XYZ", category = "weapons" });
        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.Contains("between 0", errors.GetProperty("price")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("ISO 4217", errors.GetProperty("currency")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("templates", errors.GetProperty("category")[0].GetString(), StringComparison.Ordinal);

        var missing = await (await api.PostJsonAsync($"/api/projects/{projectId}/publish", new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["category", "currency", "price"], missing.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());

        // A fractional price is not minor units: a 400, never a 500 or a rounded price.
        await (await api.SendRawAsync(HttpMethod.Post, $"/api/projects/{projectId}/publish", """{"price": 12.5, "currency": "EUR", "category": "themes"}"""))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        await (await api.SendRawAsync(HttpMethod.Post, $"/api/projects/{projectId}/publish", """{"price": 1e30, "currency": "EUR", "category": "themes"}"""))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");

        // Someone else's asset cannot become this project's package.
        var stranger = await portal.CreateUserAsync("stranger");
        var foreignAsset = await portal.CreateAssetAsync(stranger, [1, 2, 3]);
        var foreign = await (await api.PostJsonAsync($"/api/projects/{projectId}/publish", new { price = 100, currency = "EUR", category = "themes", packageAssetId = foreignAsset }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(foreign.GetProperty("errors").TryGetProperty("packageAssetId", out _));

        var project = await portal.WithDbAsync(db => db.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId, TestContext.Current.CancellationToken));
        Assert.False(project.IsPublished);
        Assert.Null(project.Price);
    }

    [Fact]
    public async Task Publish_normalizes_the_currency_and_answers_the_project_with_its_new_etag()
    {
        var seller = await portal.CreateUserAsync("seller");
        var api = portal.CreateApiClient(seller.Token);
        var projectId = await api.CreateProjectAsync("Priced in yen");

        var response = await api.PostJsonAsync($"/api/projects/{projectId}/publish", new { price = 1200, currency = " jpy ", category = "Themes" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.True(data.GetProperty("isPublished").GetBoolean());
        Assert.Equal("JPY", data.GetProperty("currency").GetString());
        Assert.Equal("themes", data.GetProperty("category").GetString());
        var listing = await portal.CreateApiClient().ListingAsync(projectId);
        Assert.Equal("1,200 JPY", listing.GetProperty("priceText").GetString());
        Assert.Equal(1200, listing.GetProperty("price").GetInt64());

        // A stale If-Match is refused; an archived project cannot be listed.
        await (await api.SendJsonAsync(HttpMethod.Post, $"/api/projects/{projectId}/publish", new { price = 1, currency = "JPY", category = "themes" }, "\"1\""))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        var archived = await api.CreateProjectAsync("Archived one");
        await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{archived}", new { name = "Archived one", status = "archived" }, "\"1\"");
        await (await api.PostJsonAsync($"/api/projects/{archived}/publish", new { price = 1, currency = "EUR", category = "themes" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "project_archived");
    }

    [Fact]
    public async Task Unpublishing_hides_a_project_from_browse_but_buyers_keep_it_their_reviews_and_downloads()
    {
        var word = UniqueWord();
        var listing = await portal.PublishedAsync(tags: [word]);
        var buyer = await portal.CreateUserAsync("buyer");
        var buyerApi = portal.CreateApiClient(buyer.Token);
        await buyerApi.PurchaseOkAsync(listing.ProjectId);
        Assert.Equal(HttpStatusCode.Created, (await buyerApi.ReviewAsync(listing.ProjectId, 4, "Good")).StatusCode);
        Assert.Equal([listing.ProjectId], (await BrowseAsync($"q={word}")).Ids());

        var unpublished = await listing.SellerApi.PostAsync($"/api/projects/{listing.ProjectId}/unpublish", null);

        Assert.Equal(HttpStatusCode.OK, unpublished.StatusCode);
        Assert.Empty((await BrowseAsync($"q={word}")).Ids());
        Assert.Empty((await BrowseAsync($"q={word}", buyerApi)).Ids());
        // Strangers and anonymous callers no longer find it; the buyer still does, with review and download.
        await (await portal.CreateApiClient().GetAsync($"/api/marketplace/projects/{listing.ProjectId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("stranger")).Token);
        await (await stranger.GetAsync($"/api/marketplace/projects/{listing.ProjectId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.PurchaseAsync(listing.ProjectId)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var kept = await buyerApi.ListingAsync(listing.ProjectId);
        Assert.False(kept.GetProperty("isPublished").GetBoolean());
        Assert.True(kept.GetProperty("viewer").GetProperty("hasPurchased").GetBoolean());
        Assert.True(kept.GetProperty("viewer").GetProperty("canDownload").GetBoolean());
        var reviews = await (await buyerApi.GetAsync($"/api/marketplace/projects/{listing.ProjectId}/reviews")).ReadJsonAsync();
        Assert.Equal(1, reviews.GetProperty("meta").GetProperty("total").GetInt32());
        var download = await portal.CreateApiClient().GetAsync(await buyerApi.DownloadUrlAsync(listing.ProjectId));
        Assert.Equal(listing.Package, await download.Content.ReadAsByteArrayAsync());

        // Publishing again brings it back with a new publishedAt.
        Assert.Equal(HttpStatusCode.OK, (await listing.SellerApi.PostJsonAsync($"/api/projects/{listing.ProjectId}/publish", new { price = 1250, currency = "EUR", category = "templates" })).StatusCode);
        Assert.Equal([listing.ProjectId], (await BrowseAsync($"q={word}")).Ids());
    }

    [Fact]
    public async Task Browse_filters_by_words_category_and_price_and_sorts_each_way()
    {
        var word = UniqueWord();
        var cheap = await portal.PublishedAsync(price: 100, category: "themes", name: "Alpha dashboard", tags: [word]);
        var free = await portal.PublishedAsync(price: 0, category: "themes", name: "Beta landing", tags: [word]);
        var dear = await portal.PublishedAsync(price: 9900, category: "datasets", name: "Gamma dashboard", tags: [word]);
        var middle = await portal.PublishedAsync(price: 2500, category: "themes", name: "Delta dashboards kit", tags: [word]);
        var unlisted = await portal.CreateUserAsync("unlisted");
        await portal.CreateApiClient(unlisted.Token).CreateProjectAsync($"Dashboard {word} never published", [word]);

        // Downloads and ratings to sort by: two downloads of "middle", one of "free"; ratings 5 and 3.
        var fan = portal.CreateApiClient((await portal.CreateUserAsync("fan")).Token);
        await fan.PurchaseOkAsync(middle.ProjectId);
        await portal.CreateApiClient().GetAsync(await fan.DownloadUrlAsync(middle.ProjectId));
        await portal.CreateApiClient().GetAsync(await fan.DownloadUrlAsync(middle.ProjectId));
        await portal.CreateApiClient().GetAsync(await fan.DownloadUrlAsync(free.ProjectId));
        Assert.Equal(HttpStatusCode.Created, (await fan.ReviewAsync(middle.ProjectId, 3)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await fan.ReviewAsync(free.ProjectId, 5)).StatusCode);

        Assert.Equal([middle.ProjectId, dear.ProjectId, free.ProjectId, cheap.ProjectId], (await BrowseAsync($"q={word}")).Ids());
        Assert.Equal([free.ProjectId, cheap.ProjectId, middle.ProjectId, dear.ProjectId], (await BrowseAsync($"q={word}&sort=price")).Ids());
        Assert.Equal([middle.ProjectId, free.ProjectId], (await BrowseAsync($"q={word}&sort=downloads")).Ids()[..2]);
        Assert.Equal([free.ProjectId, middle.ProjectId], (await BrowseAsync($"q={word}&sort=RATING")).Ids()[..2]);
        Assert.Equal([middle.ProjectId, free.ProjectId, cheap.ProjectId], (await BrowseAsync($"q={word}&category=themes")).Ids());
        Assert.Equal([middle.ProjectId, cheap.ProjectId], (await BrowseAsync($"q={word}&minPrice=1&maxPrice=2500")).Ids());
        Assert.Equal([free.ProjectId], (await BrowseAsync($"q={word}&maxPrice=0")).Ids());
        // Words match by prefix, all of them must match, accents and case do not matter.
        Assert.Equal([middle.ProjectId, dear.ProjectId, cheap.ProjectId], (await BrowseAsync($"q={word}+DASH")).Ids());
        Assert.Equal([middle.ProjectId], (await BrowseAsync($"q={word}%20d%C3%A9lta%20kit")).Ids());
        Assert.Empty((await BrowseAsync($"q={word}+omega")).Ids());

        var paged = await BrowseAsync($"q={word}&sort=price&page=2&pageSize=3");
        Assert.Equal([dear.ProjectId], paged.Ids());
        Assert.Equal(4, paged.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(2, paged.GetProperty("meta").GetProperty("page").GetInt32());
        var card = (await BrowseAsync($"q={word}&sort=price")).GetProperty("data")[0];
        Assert.Equal("Free", card.GetProperty("priceText").GetString());
        Assert.Equal(5, card.GetProperty("ratingAverage").GetDouble());
        Assert.Equal(1, card.GetProperty("downloadCount").GetInt64());
    }

    [Fact]
    public async Task Renaming_or_retagging_a_published_project_is_found_by_its_new_words_only()
    {
        var before = UniqueWord();
        var after = UniqueWord();
        var listing = await portal.PublishedAsync(name: $"Old {before}");

        var renamed = await listing.SellerApi.SendJsonAsync(HttpMethod.Put, $"/api/projects/{listing.ProjectId}", new { name = $"New {after}", tags = new[] { "fresh" } }, "\"2\"");

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Empty((await BrowseAsync($"q={before}")).Ids());
        Assert.Equal([listing.ProjectId], (await BrowseAsync($"q={after}")).Ids());
        Assert.Contains(listing.ProjectId, (await BrowseAsync($"q={after}+fresh")).Ids());
    }

    [Theory]
    [InlineData("sort=cheapest", "validation_failed")]
    [InlineData("category=weapons", "validation_failed")]
    [InlineData("minPrice=-1", "validation_failed")]
    [InlineData("minPrice=10&maxPrice=5", "validation_failed")]
    [InlineData("minPrice=abc", "invalid_parameter")]
    [InlineData("maxPrice=99999999999999999999999", "invalid_parameter")]
    [InlineData("pageSize=1000", "validation_failed")]
    [InlineData("page=0", "validation_failed")]
    public async Task Bad_browse_parameters_answer_400(string query, string code)
    {
        await (await portal.CreateApiClient().GetAsync("/api/marketplace/projects?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task A_long_or_odd_query_is_refused_or_ignored_never_a_500()
    {
        await (await portal.CreateApiClient().GetAsync("/api/marketplace/projects?q=" + new string('a', 201))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var punctuation = await portal.CreateApiClient().GetAsync("/api/marketplace/projects?q=%25%27%22%3B--%20a");
        Assert.Equal(HttpStatusCode.OK, punctuation.StatusCode);
    }

    [Fact]
    public async Task The_vocabulary_lists_categories_currencies_and_sorts()
    {
        var data = (await (await portal.CreateApiClient().GetAsync("/api/marketplace/categories")).ReadJsonAsync()).GetProperty("data");
        Assert.Contains(data.GetProperty("categories").EnumerateArray(), c => c.GetProperty("slug").GetString() == "templates");
        Assert.Contains(data.GetProperty("currencies").EnumerateArray(), c => c.GetString() == "EUR");
        Assert.Equal(["newest", "rating", "downloads", "price"], data.GetProperty("sorts").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Deleting_a_sold_project_keeps_the_purchase_and_ledger_and_frees_the_package_reference()
    {
        var listing = await portal.PublishedAsync();
        var buyer = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        var purchase = await buyer.PurchaseOkAsync(listing.ProjectId);
        // The seller's asset alone would hold the blob; delete it so only the package holds it.
        Assert.Equal(HttpStatusCode.NoContent, (await listing.SellerApi.DeleteAsync($"/api/assets/{listing.PackageAssetId}")).StatusCode);
        var stillDownloads = await portal.CreateApiClient().GetAsync(await buyer.DownloadUrlAsync(listing.ProjectId));
        Assert.Equal(listing.Package, await stillDownloads.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await listing.SellerApi.DeleteAsync($"/api/projects/{listing.ProjectId}")).StatusCode);

        var kept = await buyer.GetAsync($"/api/marketplace/purchases/{purchase.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var ct = TestContext.Current.CancellationToken;
        var (events, references) = await portal.WithDbAsync(async db => (
            await db.Set<RevenueEvent>().CountAsync(e => e.ProjectId == listing.ProjectId, ct),
            await db.Set<Catalyst.Data.Storage.BlobReference>().CountAsync(r => r.OwnerType == MarketplacePackages.BlobOwnerType && r.OwnerId == listing.ProjectId.ToString(), ct)));
        Assert.Equal(1, events);
        Assert.Equal(0, references);
    }
}
