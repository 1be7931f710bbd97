using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>A seller, a buyer, another user and an admin, each with a token and a signed-in browser, shared by the matrix cases.</summary>
public sealed class MarketplaceCast(PortalFactory portal) : UserCast(portal, Members), IAsyncLifetime
{
    private static readonly CastMember[] Members =
    [
        new(MarketplaceAuthorizationMatrixTests.Seller, "seller"),
        new(MarketplaceAuthorizationMatrixTests.Buyer, "buyer"),
        new(MarketplaceAuthorizationMatrixTests.Other, "other"),
        new(MarketplaceAuthorizationMatrixTests.Admin, "admin", Admin: true),
    ];

    public TestUser Seller => Member(MarketplaceAuthorizationMatrixTests.Seller);
    public TestUser Buyer => Member(MarketplaceAuthorizationMatrixTests.Buyer);
    public TestUser Other => Member(MarketplaceAuthorizationMatrixTests.Other);
    public TestUser Admin => Member(MarketplaceAuthorizationMatrixTests.Admin);
}

/// <summary>
/// SPEC §3, §13 and §16: every marketplace endpoint and page handler as anonymous, the seller, a
/// buyer (with a completed purchase and a review), another signed-in user and an admin, against a
/// fresh paid listing each time. The first test checks the table against the app's own endpoint
/// list, so a new endpoint or handler without a row here fails.
/// </summary>
public class MarketplaceAuthorizationMatrixTests(PortalFactory portal, MarketplaceCast cast) : IClassFixture<MarketplaceCast>
{
    public const string Anonymous = Catalyst.Tests.Support.Actors.Anonymous;
    public const string Seller = "seller";
    public const string Buyer = "buyer";
    public const string Other = Catalyst.Tests.Support.Actors.Other;
    public const string Admin = Catalyst.Tests.Support.Actors.Admin;
    private static readonly string[] Actors = [Anonymous, Seller, Buyer, Other, Admin];

    /// <summary>A published paid listing of the cast's seller, bought and reviewed by the cast's buyer.</summary>
    public sealed record Scene(Guid ProjectId, string Name, long ProjectVersion, Guid PurchaseId, Guid ReviewId, long ReviewVersion, string Token);

    /// <summary>
    /// Outcomes: a status number; "login" (a redirect to sign in); "download" (a redirect to a
    /// download URL); "back" (a redirect to a page of the portal with a message, nothing done).
    /// </summary>
    private sealed record Probe(string[] Expected, Func<MarketplaceAuthorizationMatrixTests, string, Scene, Task<HttpResponseMessage>> Send);

    private static string[] Row(string anonymous, string seller, string buyer, string other, string admin) => [anonymous, seller, buyer, other, admin];

    private static readonly Dictionary<string, Probe> Probes = new()
    {
        ["POST /api/projects/{id}/publish"] = new(Row("401", "200", "404", "404", "200"), (t, a, s) => t.Api(a).PostJsonAsync($"/api/projects/{s.ProjectId}/publish", new { price = 990, currency = "EUR", category = "tools" })),
        ["POST /api/projects/{id}/unpublish"] = new(Row("401", "200", "404", "404", "200"), (t, a, s) => t.Api(a).PostAsync($"/api/projects/{s.ProjectId}/unpublish", null)),
        ["GET /api/marketplace/projects"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/projects?q={Uri.EscapeDataString(s.Name)}")),
        ["GET /api/marketplace/categories"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync("/api/marketplace/categories")),
        ["GET /api/marketplace/projects/{id}"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/projects/{s.ProjectId}")),
        ["POST /api/marketplace/projects/{id}/purchase"] = new(Row("401", "409", "409", "201", "201"), (t, a, s) => t.Api(a).PurchaseAsync(s.ProjectId)),
        ["GET /api/marketplace/purchases"] = new(Row("401", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/purchases?projectId={s.ProjectId}")),
        ["GET /api/marketplace/purchases/{id}"] = new(Row("401", "404", "200", "404", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/purchases/{s.PurchaseId}")),
        ["POST /api/marketplace/purchases/{id}/refund"] = new(Row("401", "403", "403", "403", "200"), (t, a, s) => t.Api(a).PostJsonAsync($"/api/marketplace/purchases/{s.PurchaseId}/refund", new { reason = "matrix" })),
        ["GET /api/marketplace/projects/{id}/reviews"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/projects/{s.ProjectId}/reviews")),
        ["POST /api/marketplace/projects/{id}/reviews"] = new(Row("401", "403", "409", "403", "403"), (t, a, s) => t.Api(a).ReviewAsync(s.ProjectId, 2, "Matrix")),
        ["GET /api/marketplace/reviews/{id}"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/reviews/{s.ReviewId}")),
        ["PUT /api/marketplace/reviews/{id}"] = new(Row("401", "404", "200", "404", "404"), (t, a, s) => t.Api(a).SendJsonAsync(HttpMethod.Put, $"/api/marketplace/reviews/{s.ReviewId}", new { rating = 1, title = "Changed" }, $"\"{s.ReviewVersion}\"")),
        ["DELETE /api/marketplace/reviews/{id}"] = new(Row("401", "404", "204", "404", "204"), (t, a, s) => t.Api(a).DeleteAsync($"/api/marketplace/reviews/{s.ReviewId}")),
        ["POST /api/marketplace/projects/{id}/download-token"] = new(Row("401", "201", "201", "403", "201"), (t, a, s) => t.Api(a).PostAsync($"/api/marketplace/projects/{s.ProjectId}/download-token", null)),
        // The token is the credential: whoever holds the buyer's token may redeem it once.
        ["GET /api/marketplace/download/{token}"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/download/{s.Token}")),
        // HEAD describes the package of an unused token to whoever holds it, and spends nothing.
        ["HEAD /api/marketplace/download/{token}"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Api(a).SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/marketplace/download/{s.Token}"))),
        ["GET /api/marketplace/projects/{id}/downloads"] = new(Row("401", "200", "404", "404", "200"), (t, a, s) => t.Api(a).GetAsync($"/api/marketplace/projects/{s.ProjectId}/downloads")),
        ["GET /api/marketplace/stats"] = new(Row("401", "403", "403", "403", "200"), (t, a, s) => t.Api(a).GetAsync("/api/marketplace/stats")),

        ["GET /Marketplace"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Browser(a).GetAsync($"/Marketplace?q={Uri.EscapeDataString(s.Name)}")),
        ["GET /Marketplace/Details/{id}"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.Browser(a).GetAsync($"/Marketplace/Details/{s.ProjectId}")),
        ["GET /Marketplace/Details/{id}?handler=Reviews"] = new(Row("200", "200", "200", "200", "200"), (t, a, s) => t.HtmxGetAsync(a, $"/Marketplace/Details/{s.ProjectId}?handler=Reviews")),
        ["GET /Marketplace/Details/{id}?handler=Confirm"] = new(Row("login", "back", "back", "200", "200"), (t, a, s) => t.Browser(a).GetAsync($"/Marketplace/Details/{s.ProjectId}?handler=Confirm")),
        ["POST /Marketplace/Details/{id}?handler=Buy"] = new(Row("login", "back", "back", "back", "back"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Details/{s.ProjectId}?handler=Buy", new()
        {
            ["IdempotencyKey"] = Guid.NewGuid().ToString("N"),
            ["ConfirmedPrice"] = "1250",
            ["ConfirmedCurrency"] = "EUR",
        })),
        ["POST /Marketplace/Details/{id}?handler=Download"] = new(Row("login", "download", "download", "back", "download"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Details/{s.ProjectId}?handler=Download", [])),
        ["POST /Marketplace/Details/{id}?handler=Review"] = new(Row("login", "back", "back", "back", "back"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Details/{s.ProjectId}?handler=Review", new()
        {
            ["Input.Rating"] = "1",
            ["Input.Title"] = "Changed",
            ["ReviewVersion"] = $"{s.ReviewVersion}",
        })),
        ["POST /Marketplace/Details/{id}?handler=DeleteReview"] = new(Row("login", "404", "back", "404", "back"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Details/{s.ProjectId}?handler=DeleteReview&reviewId={s.ReviewId}", [])),
        ["GET /Marketplace/Publish/{id}"] = new(Row("login", "200", "404", "404", "200"), (t, a, s) => t.Browser(a).GetAsync($"/Marketplace/Publish/{s.ProjectId}")),
        ["POST /Marketplace/Publish/{id}"] = new(Row("login", "back", "404", "404", "back"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Publish/{s.ProjectId}", new()
        {
            ["Input.Price"] = "9.90",
            ["Input.Currency"] = "EUR",
            ["Input.Category"] = "tools",
            ["Version"] = $"{s.ProjectVersion}",
        })),
        ["POST /Marketplace/Publish/{id}?handler=Unpublish"] = new(Row("login", "back", "404", "404", "back"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Publish/{s.ProjectId}?handler=Unpublish", [])),
        ["GET /Marketplace/Purchases"] = new(Row("login", "200", "200", "200", "200"), (t, a, s) => t.Browser(a).GetAsync("/Marketplace/Purchases")),
        ["POST /Marketplace/Purchases?handler=Download"] = new(Row("login", "download", "download", "back", "download"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Purchases?handler=Download&projectId={s.ProjectId}", [])),
        ["GET /Marketplace/Sales"] = new(Row("login", "403", "403", "403", "200"), (t, a, s) => t.Browser(a).GetAsync("/Marketplace/Sales")),
        ["POST /Marketplace/Sales?handler=Refund"] = new(Row("login", "403", "403", "403", "back"), (t, a, s) => t.PostAsync(a, $"/Marketplace/Sales?handler=Refund&id={s.PurchaseId}", [])),
        ["GET /Marketplace/Stats"] = new(Row("login", "403", "403", "403", "200"), (t, a, s) => t.Browser(a).GetAsync("/Marketplace/Stats")),
    };

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var endpoint in Probes.Keys)
            foreach (var actor in Actors)
                cases.Add(endpoint, actor);
        return cases;
    }

    private HttpClient Api(string actor) => cast.Api(actor);

    private HttpClient Browser(string actor) => cast.Browser(actor);

    private async Task<HttpResponseMessage> HtmxGetAsync(string actor, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("HX-Request", "true");
        return await cast.Browser(actor).SendAsync(request);
    }

    /// <summary>Posts a portal form with a valid antiforgery token for this actor (anonymous ones get theirs from the sign-in page).</summary>
    private Task<HttpResponseMessage> PostAsync(string actor, string url, Dictionary<string, string> fields) =>
        cast.Browser(actor).PostWithTokenFromAsync(actor == Anonymous ? "/Account/Login" : "/Marketplace", url, fields);

    [Fact]
    public void The_matrix_covers_every_marketplace_endpoint_and_page_handler_the_app_has()
    {
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var api = endpoints
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/marketplace", StringComparison.Ordinal) || raw.EndsWith("publish", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText!.Replace(":guid", "", StringComparison.Ordinal).TrimEnd('/')}"));

        var pages = endpoints
            .Select(e => (Page: e.Metadata.GetMetadata<PageActionDescriptor>(), Route: "/" + e.RoutePattern.RawText))
            .Where(e => e.Page?.ViewEnginePath.StartsWith("/Marketplace/", StringComparison.Ordinal) == true)
            .GroupBy(e => e.Page!.ViewEnginePath)
            // An Index page answers at /Marketplace and /Marketplace/Index: name it by the shorter.
            .SelectMany(g => PageHandlers(g.Key, g.Select(e => e.Route).MinBy(r => r.Length)!));

        Assert.Equal(Probes.Keys.Order(), api.Concat(pages).Distinct().Order());
    }

    /// <summary>"GET /Marketplace/Details/{id}", "POST /Marketplace/Details/{id}?handler=Buy" ... from the page model's On{Verb}{Handler} methods.</summary>
    private static IEnumerable<string> PageHandlers(string viewEnginePath, string template)
    {
        var route = template.Replace(":guid", "", StringComparison.Ordinal);
        var modelName = "Catalyst.Portal.Pages" + viewEnginePath.Replace('/', '.') + "Model";
        var model = typeof(Program).Assembly.GetType(modelName) ?? throw new InvalidOperationException($"No page model {modelName}");
        foreach (var method in model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            var match = Regex.Match(method.Name, "^On(Get|Post|Put|Delete)(.*?)(Async)?$");
            if (!match.Success)
                continue;
            var verb = match.Groups[1].Value.ToUpperInvariant();
            var handler = match.Groups[2].Value;
            yield return handler.Length == 0 ? $"{verb} {route}" : $"{verb} {route}?handler={handler}";
        }
    }

    private async Task<Scene> SetUpAsync()
    {
        var listing = await portal.PublishedAsync(price: 1250, seller: cast.Seller);
        var buyer = cast.Api(Buyer);
        var purchase = await buyer.PurchaseOkAsync(listing.ProjectId);
        var review = (await (await buyer.ReviewAsync(listing.ProjectId, 4, "Good")).ReadJsonAsync()).GetProperty("data");
        var url = await buyer.DownloadUrlAsync(listing.ProjectId);
        var version = await portal.WithDbAsync(db => db.Projects.Where(p => p.Id == listing.ProjectId).Select(p => p.Version).SingleAsync(TestContext.Current.CancellationToken));
        return new Scene(listing.ProjectId, listing.Name, version, purchase.GetProperty("id").GetGuid(), review.GetProperty("id").GetGuid(),
            review.GetProperty("version").GetInt64(), url[(url.LastIndexOf('/') + 1)..]);
    }

    private Task<(int Purchases, int Reviews, PurchaseStatus Status, bool Published)> StateAsync(Scene scene) =>
        portal.WithDbAsync(async db =>
        {
            var ct = TestContext.Current.CancellationToken;
            return (await db.Set<Purchase>().CountAsync(p => p.ProjectId == scene.ProjectId, ct),
                await db.Set<Review>().CountAsync(r => r.ProjectId == scene.ProjectId, ct),
                await db.Set<Purchase>().Where(p => p.Id == scene.PurchaseId).Select(p => p.Status).SingleAsync(ct),
                await db.Projects.Where(p => p.Id == scene.ProjectId).Select(p => p.IsPublished).SingleAsync(ct));
        });

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_marketplace_endpoint_and_page_follows_the_rules(string endpoint, string actor)
    {
        var probe = Probes[endpoint];
        var expected = probe.Expected[Array.IndexOf(Actors, actor)];
        var scene = await SetUpAsync();
        var before = await StateAsync(scene);

        var response = await probe.Send(this, actor, scene);

        var body = await response.Content.ReadAsStringAsync();
        var location = response.Headers.Location?.OriginalString ?? "";
        var outcome = $"{endpoint} as {actor} answered {(int)response.StatusCode} {location}: {body[..Math.Min(body.Length, 300)]}";
        switch (expected)
        {
            case "login":
                Forms.AssertRedirectsToSignIn(response);
                break;
            case "download":
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.StartsWith("/api/marketplace/download/", StringComparison.Ordinal), outcome);
                break;
            case "back":
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.StartsWith("/Marketplace", StringComparison.Ordinal), outcome);
                break;
            default:
                Assert.True((int)response.StatusCode == int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), outcome);
                break;
        }

        var after = await StateAsync(scene);
        var refused = expected is "login" or "401" or "403" or "404" or "409";
        if (refused)
        {
            Assert.Equal(before, after);
            if (expected is "401" or "404" or "login")
                Assert.DoesNotContain(scene.Name, body, StringComparison.Ordinal);
            return;
        }

        // What the allowed calls did, and what the "back" answers refused to do.
        switch (endpoint)
        {
            case "POST /Marketplace/Details/{id}?handler=Buy":
                Assert.Equal(before.Purchases + (actor is Other or Admin ? 1 : 0), after.Purchases);
                break;
            case "POST /api/marketplace/projects/{id}/purchase":
                Assert.Equal(before.Purchases + 1, after.Purchases);
                break;
            case "POST /Marketplace/Details/{id}?handler=Review":
            case "POST /api/marketplace/projects/{id}/reviews":
                Assert.Equal(before.Reviews, after.Reviews);
                var rating = await portal.WithDbAsync(db => db.Set<Review>().Where(r => r.Id == scene.ReviewId).Select(r => r.Rating).SingleAsync(TestContext.Current.CancellationToken));
                Assert.Equal(actor == Buyer ? 1 : 4, rating); // only the author's edit lands
                break;
            case "DELETE /api/marketplace/reviews/{id}":
            case "POST /Marketplace/Details/{id}?handler=DeleteReview":
                Assert.Equal(before.Reviews - 1, after.Reviews);
                break;
            case "POST /api/marketplace/purchases/{id}/refund":
            case "POST /Marketplace/Sales?handler=Refund":
                Assert.Equal(PurchaseStatus.Refunded, after.Status);
                break;
            case "POST /api/projects/{id}/unpublish":
            case "POST /Marketplace/Publish/{id}?handler=Unpublish":
                Assert.False(after.Published);
                break;
            case "GET /api/marketplace/purchases":
            case "GET /Marketplace/Purchases":
                // Everyone sees their own purchases only: the buyer's is listed for the buyer (and admins listing all).
                var listed = endpoint.StartsWith("GET /api", StringComparison.Ordinal)
                    ? body.Contains(scene.PurchaseId.ToString(), StringComparison.Ordinal)
                    : body.Contains($"data-project-id=\"{scene.ProjectId}\"", StringComparison.Ordinal);
                Assert.Equal(actor == Buyer, listed);
                Assert.Equal(before, after);
                break;
            case "GET /Marketplace/Publish/{id}":
            case "GET /api/marketplace/projects/{id}/downloads":
            case "GET /api/marketplace/stats":
            case "GET /Marketplace/Sales":
            case "GET /Marketplace/Stats":
                Assert.Equal(before, after);
                break;
            default:
                Assert.Equal(before with { Published = after.Published }, after);
                break;
        }
    }
}
