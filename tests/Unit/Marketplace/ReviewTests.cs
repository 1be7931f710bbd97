using System.Net;
using System.Net.Http.Json;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Marketplace;

public class ReviewTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<(int Count, double Average)> AggregateAsync(Guid projectId) =>
        portal.WithDbAsync(db => db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new ValueTuple<int, double>(p.RatingCount, p.RatingAverage)).SingleAsync(Ct));

    private async Task<HttpClient> BuyerOfAsync(Guid projectId)
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        await api.PurchaseOkAsync(projectId);
        return api;
    }

    [Fact]
    public async Task Only_buyers_review_a_paid_project_and_the_seller_never_does()
    {
        var listing = await portal.PublishedAsync(price: 500);
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("stranger")).Token);
        var buyer = await BuyerOfAsync(listing.ProjectId);

        await (await stranger.ReviewAsync(listing.ProjectId, 5)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await listing.SellerApi.ReviewAsync(listing.ProjectId, 5)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var created = await buyer.ReviewAsync(listing.ProjectId, 4, "Solid", "Does what it says.\r\nTwo lines.");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var review = (await created.ReadJsonAsync()).GetProperty("data");
        Assert.Equal($"/api/marketplace/reviews/{review.GetProperty("id").GetGuid()}", created.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag?.ToString());
        Assert.Equal("Does what it says.\nTwo lines.", review.GetProperty("body").GetString());
        Assert.Equal((1, 4.0), await AggregateAsync(listing.ProjectId));
        // Anyone may read the reviews of a published project.
        var page = await (await portal.CreateApiClient().GetAsync($"/api/marketplace/projects/{listing.ProjectId}/reviews")).ReadJsonAsync();
        Assert.Equal("Solid", page.GetProperty("data")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Anyone_signed_in_may_review_a_free_project()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var visitor = portal.CreateApiClient((await portal.CreateUserAsync("visitor")).Token);

        Assert.Equal(HttpStatusCode.Created, (await visitor.ReviewAsync(listing.ProjectId, 2)).StatusCode);
        await (await portal.CreateApiClient().PostAsJsonAsync($"/api/marketplace/projects/{listing.ProjectId}/reviews", new { rating = 5 }, Ct))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_second_review_by_the_same_user_is_a_409_and_editing_the_first_needs_If_Match()
    {
        var listing = await portal.PublishedAsync();
        var buyer = await BuyerOfAsync(listing.ProjectId);
        var first = (await (await buyer.ReviewAsync(listing.ProjectId, 2, "Meh")).ReadJsonAsync()).GetProperty("data");
        var id = first.GetProperty("id").GetGuid();

        await (await buyer.ReviewAsync(listing.ProjectId, 5, "Again")).AssertProblemAsync(HttpStatusCode.Conflict, "review_exists");
        await (await buyer.SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{id}", new { rating = 5 }, null))
            .AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        var edited = await buyer.SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{id}", new { rating = 5, title = "Grew on me" }, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("\"2\"", edited.Headers.ETag?.ToString());
        await (await buyer.SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{id}", new { rating = 1 }, "\"1\""))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        // Nobody else edits it, not even the seller or an admin (it is 404 to them).
        await (await listing.SellerApi.SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{id}", new { rating = 1 }, "\"2\""))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        await (await admin.SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{id}", new { rating = 1 }, "\"2\""))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal((1, 5.0), await AggregateAsync(listing.ProjectId));
        var count = await portal.WithDbAsync(db => db.Set<Review>().CountAsync(r => r.ProjectId == listing.ProjectId, Ct));
        Assert.Equal(1, count);
    }

    [Theory]
    [InlineData("4.5")]
    [InlineData("4.0")]
    [InlineData("4e0")]
    [InlineData("\"4\"")]
    [InlineData("true")]
    [InlineData("[4]")]
    [InlineData("{\"value\":4}")]
    [InlineData("12345678901234567890")]
    public async Task A_rating_that_is_not_a_JSON_integer_is_a_validation_error_on_rating(string rating)
    {
        var listing = await portal.PublishedAsync(price: 0);
        var api = portal.CreateApiClient((await portal.CreateUserAsync("rater")).Token);
        var created = await api.ReviewAsync(listing.ProjectId, 3, "Fine");
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var json = $$"""{"rating":{{rating}},"title":"Typed"}""";

        var refused = await api.PostAsync($"/api/marketplace/projects/{listing.ProjectId}/reviews", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/marketplace/reviews/{id}") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        edit.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var refusedEdit = await api.SendAsync(edit, Ct);

        foreach (var response in new[] { refused, refusedEdit })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            Assert.Equal(["rating"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
        Assert.Equal((1, 3.0), await AggregateAsync(listing.ProjectId));
        Assert.Equal("Fine", await portal.WithDbAsync(db => db.Set<Review>().Where(r => r.Id == id).Select(r => r.Title).SingleAsync(Ct)));
    }

    [Theory]
    [InlineData(0, "rating")]
    [InlineData(6, "rating")]
    [InlineData(null, "rating")]
    public async Task A_rating_outside_1_to_5_is_refused_by_field(int? rating, string field)
    {
        var listing = await portal.PublishedAsync(price: 0);
        var api = portal.CreateApiClient((await portal.CreateUserAsync("rater")).Token);

        var problem = await (await api.PostAsJsonAsync($"/api/marketplace/projects/{listing.ProjectId}/reviews", new { rating, title = new string('t', 121) }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("title", out _));
        Assert.Equal((0, 0.0), await AggregateAsync(listing.ProjectId));
    }

    [Fact]
    public async Task Concurrent_reviews_keep_the_rating_count_and_average_exact()
    {
        var listing = await portal.PublishedAsync(price: 0);
        const int writers = 24;
        var users = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => portal.CreateUserAsync("rater")));
        var ratings = Enumerable.Range(0, writers).Select(i => i % 5 + 1).ToArray();

        var responses = await Task.WhenAll(users.Select((u, i) => portal.CreateApiClient(u.Token).ReviewAsync(listing.ProjectId, ratings[i])));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var (count, average) = await AggregateAsync(listing.ProjectId);
        Assert.Equal(writers, count);
        Assert.Equal((double)ratings.Sum() / writers, average);

        // Concurrent edits and deletions too: half change to 1 star, a quarter delete theirs.
        var reviews = await portal.WithDbAsync(db => db.Set<Review>().AsNoTracking().Where(r => r.ProjectId == listing.ProjectId).ToListAsync(Ct));
        var byUser = reviews.ToDictionary(r => r.UserId);
        await Task.WhenAll(users.Select(async (u, i) =>
        {
            var api = portal.CreateApiClient(u.Token);
            var review = byUser[u.Id];
            if (i % 4 == 0)
                Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/marketplace/reviews/{review.Id}", Ct)).StatusCode);
            else if (i % 2 == 1)
                Assert.Equal(HttpStatusCode.OK, (await api.SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{review.Id}", new { rating = 1 }, $"\"{review.Version}\"")).StatusCode);
        }));
        var remaining = await portal.WithDbAsync(db => db.Set<Review>().AsNoTracking().Where(r => r.ProjectId == listing.ProjectId).Select(r => r.Rating).ToListAsync(Ct));
        Assert.Equal((remaining.Count, (double)remaining.Sum() / remaining.Count), await AggregateAsync(listing.ProjectId));
        Assert.Equal(writers - writers / 4, remaining.Count);
    }

    [Fact]
    public async Task Concurrent_second_reviews_by_one_user_leave_exactly_one()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var api = portal.CreateApiClient((await portal.CreateUserAsync("eager")).Token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => api.ReviewAsync(listing.ProjectId, i % 5 + 1)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, (await AggregateAsync(listing.ProjectId)).Count);
    }

    [Fact]
    public async Task An_admin_may_remove_a_review_and_it_is_audited()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var author = portal.CreateApiClient((await portal.CreateUserAsync("author")).Token);
        var id = (await (await author.ReviewAsync(listing.ProjectId, 1, "Spam")).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("stranger")).Token);

        await (await stranger.DeleteAsync($"/api/marketplace/reviews/{id}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await listing.SellerApi.DeleteAsync($"/api/marketplace/reviews/{id}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/marketplace/reviews/{id}", Ct)).StatusCode);

        Assert.Equal((0, 0.0), await AggregateAsync(listing.ProjectId));
        Assert.True(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "marketplace.review.delete" && a.EntityId == id.ToString(), Ct)));
        await (await portal.CreateApiClient().GetAsync($"/api/marketplace/reviews/{id}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Reviews_are_paged_newest_first()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var api = portal.CreateApiClient((await portal.CreateUserAsync("rater")).Token);
            ids.Add((await (await api.ReviewAsync(listing.ProjectId, 3, $"Review {i}")).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
        }

        var second = await (await portal.CreateApiClient().GetAsync($"/api/marketplace/projects/{listing.ProjectId}/reviews?page=2&pageSize=2", Ct)).ReadJsonAsync();

        Assert.Equal([ids[2], ids[1]], second.Ids());
        Assert.Equal(5, second.GetProperty("meta").GetProperty("total").GetInt32());
    }
}
