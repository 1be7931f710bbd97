using System.Net;
using System.Text;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>Who may call an endpoint (SPEC §3): the resource rule is enforced once per resource kind and proven here.</summary>
public enum Access
{
    /// <summary>Anyone, signed in or not (tus discovery, the storefront, presigned and token URLs).</summary>
    Public,
    /// <summary>Any signed-in user, on their own data or on public data (lists, creates, the storefront's writes).</summary>
    User,
    /// <summary>Admins only: others get 403.</summary>
    Admin,
    /// <summary>The owner's resource: another user gets 404; the owner and admins are let through.</summary>
    Owner,
    /// <summary>What only its author may change (a review's text): another user and admins get 404.</summary>
    OwnerOnly,
}

/// <summary>One declared endpoint: who may call it and the URL that addresses the owner's resource (built per call for destructive ones).</summary>
public sealed record Declared(Access Access, Func<WalkCast, Task<string>> Url, Func<WalkCast, object?> Body);

/// <summary>
/// SPEC §3 and §16: every API endpoint, taken from the app's endpoint data source, and every portal
/// page, called as anonymous, the owner, another user and an admin, against the owner's real
/// resources. Each endpoint declares who may call it; an endpoint without a declaration fails the
/// walk, so a new endpoint cannot ship without its rule. Another user's resource is 404 — never 403,
/// never its content.
/// </summary>
public class AuthorizationWalkTests(PortalFactory portal, WalkCast cast) : IClassFixture<WalkCast>
{
    private static Declared Fixed(Access access, string url, object? body = null) => new(access, _ => Task.FromResult(url), _ => body);
    private static Declared On(Access access, Func<WalkCast, string> url, object? body = null) => new(access, c => Task.FromResult(url(c)), _ => body);
    private static Declared On(Access access, Func<WalkCast, string> url, Func<WalkCast, object> body) => new(access, c => Task.FromResult(url(c)), body);
    private static Declared Fresh(Access access, Func<WalkCast, Task<string>> url, object? body = null) => new(access, url, _ => body);

    /// <summary>The declarations. Keys are "METHOD route pattern" as the endpoint data source spells them.</summary>
    public static readonly Dictionary<string, Declared> Api = new()
    {
        // Auth and the caller's own account
        ["POST /api/auth/token"] = Fixed(Access.Public, "/api/auth/token", new { email = "" }),
        ["GET /api/me/tokens"] = Fixed(Access.User, "/api/me/tokens"),
        ["GET /api/me/tokens/{id:guid}"] = On(Access.Owner, c => $"/api/me/tokens/{c.Token}"),
        ["DELETE /api/me/tokens/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/me/tokens/{await c.NewTokenAsync()}"),
        ["GET /api/me/preferences"] = Fixed(Access.User, "/api/me/preferences"),
        ["PUT /api/me/preferences"] = Fixed(Access.User, "/api/me/preferences", new { }),
        ["GET /api/me/features"] = Fixed(Access.User, "/api/me/features"),
        ["POST /api/me/exports"] = Fixed(Access.User, "/api/me/exports"),
        ["GET /api/search"] = Fixed(Access.User, "/api/search?q=walked"),
        ["GET /api/sync/init"] = Fixed(Access.User, "/api/sync/init"),
        ["GET /api/sync/changes"] = Fixed(Access.User, "/api/sync/changes"),
        ["GET /api/mcp-servers"] = Fixed(Access.User, "/api/mcp-servers"),

        // Projects
        ["GET /api/projects"] = Fixed(Access.User, "/api/projects"),
        ["POST /api/projects"] = Fixed(Access.User, "/api/projects", new { name = "Created by the walk" }),
        ["POST /api/projects/statistics"] = Fixed(Access.User, "/api/projects/statistics"),
        ["GET /api/projects/{id:guid}"] = On(Access.Owner, c => $"/api/projects/{c.Project}"),
        ["PUT /api/projects/{id:guid}"] = On(Access.Owner, c => $"/api/projects/{c.Project}", new { name = "Renamed by the walk" }),
        ["DELETE /api/projects/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/projects/{await c.NewProjectAsync()}"),

        // Jobs
        ["GET /api/jobs"] = Fixed(Access.User, "/api/jobs"),
        ["GET /api/jobs/{id:guid}"] = On(Access.Owner, c => $"/api/jobs/{c.Job}"),
        ["GET /api/jobs/{id:guid}/result"] = On(Access.Owner, c => $"/api/jobs/{c.Job}/result"),
        ["POST /api/jobs/{id:guid}/cancel"] = Fresh(Access.Owner, async c => $"/api/jobs/{await c.NewJobAsync()}/cancel"),
        ["POST /api/jobs/{id:guid}/retry"] = Fresh(Access.Owner, async c => $"/api/jobs/{await c.NewJobAsync()}/retry"),

        // Assets and uploads
        ["GET /api/assets"] = Fixed(Access.User, "/api/assets"),
        ["GET /api/assets/{id:guid}"] = On(Access.Owner, c => $"/api/assets/{c.Asset}"),
        ["GET /api/assets/{id:guid}/content"] = On(Access.Owner, c => $"/api/assets/{c.Asset}/content"),
        ["GET /api/assets/{id:guid}/download-url"] = On(Access.Owner, c => $"/api/assets/{c.Asset}/download-url"),
        // A batch: an id that is not the caller's comes back with error not_found inside a 200 (PresignTests).
        ["POST /api/assets/presign"] = On(Access.User, c => "/api/assets/presign", c => new { operation = "download", assetIds = new[] { c.Asset } }),
        ["DELETE /api/assets/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/assets/{await c.NewAssetAsync()}"),
        ["OPTIONS /api/uploads"] = Fixed(Access.Public, "/api/uploads"),
        ["POST /api/uploads"] = Fixed(Access.User, "/api/uploads"),
        ["HEAD /api/uploads/{id:guid}"] = On(Access.Owner, c => c.Upload),
        ["PATCH /api/uploads/{id:guid}"] = On(Access.Owner, c => c.Upload),
        ["DELETE /api/uploads/{id:guid}"] = Fresh(Access.Owner, async c => await c.NewUploadAsync()),

        // Chat
        ["GET /api/chat/sessions"] = Fixed(Access.User, "/api/chat/sessions"),
        ["POST /api/chat/sessions"] = Fixed(Access.User, "/api/chat/sessions", new { title = "Walked" }),
        ["POST /api/chat/messages/batch"] = Fixed(Access.User, "/api/chat/messages/batch", new { messages = Array.Empty<object>() }),
        ["GET /api/chat/sessions/{id:guid}"] = On(Access.Owner, c => $"/api/chat/sessions/{c.Session}"),
        ["PATCH /api/chat/sessions/{id:guid}"] = On(Access.Owner, c => $"/api/chat/sessions/{c.Session}", new { title = "Renamed by the walk" }),
        ["GET /api/chat/sessions/{id:guid}/messages"] = On(Access.Owner, c => $"/api/chat/sessions/{c.Session}/messages"),
        ["DELETE /api/chat/sessions/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/chat/sessions/{await c.NewSessionAsync()}"),

        // Websites, content, data, backups, deployments
        ["GET /api/websites"] = Fixed(Access.User, "/api/websites"),
        ["POST /api/websites"] = Fixed(Access.User, "/api/websites", new { name = "Walked website" }),
        ["POST /api/websites/import"] = Fixed(Access.User, "/api/websites/import"),
        ["GET /api/websites/{id:guid}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}"),
        ["PUT /api/websites/{id:guid}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}", new { name = "Walked site" }),
        ["DELETE /api/websites/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/websites/{await c.NewWebsiteAsync()}"),
        ["GET /api/websites/{id:guid}/content-types"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-types"),
        ["POST /api/websites/{id:guid}/content-types"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-types", new { name = "Walked type" }),
        ["GET /api/websites/{id:guid}/content-types/{typeId:guid}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-types/{c.Website.Type.Id}"),
        ["PUT /api/websites/{id:guid}/content-types/{typeId:guid}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-types/{c.Website.Spare.Id}", new { name = "Spare" }),
        ["DELETE /api/websites/{id:guid}/content-types/{typeId:guid}"] = Fresh(Access.Owner, async c => $"/api/websites/{c.Website.Id}/content-types/{await c.NewTypeAsync()}"),
        ["GET /api/websites/{id:guid}/content-items"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-items"),
        ["POST /api/websites/{id:guid}/content-items"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-items", c => new { contentTypeId = c.Website.Type.Id, data = new { title = "Walked" } }),
        ["GET /api/websites/{id:guid}/content-items/{itemId:guid}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-items/{c.Website.Item.Id}"),
        ["PUT /api/websites/{id:guid}/content-items/{itemId:guid}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/content-items/{c.Website.Item.Id}", new { data = new { title = "Walked" } }),
        ["DELETE /api/websites/{id:guid}/content-items/{itemId:guid}"] = Fresh(Access.Owner, async c => $"/api/websites/{c.Website.Id}/content-items/{await c.NewItemAsync()}"),
        ["GET /api/websites/{id:guid}/data"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data"),
        ["PUT /api/websites/{id:guid}/data"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data", new { content = new { title = "Walked" } }),
        ["PATCH /api/websites/{id:guid}/data"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data", new { content = new { title = "Walked" } }),
        ["GET /api/websites/{id:guid}/data/versions"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data/versions"),
        ["GET /api/websites/{id:guid}/data/versions/{version:int}"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data/versions/1"),
        ["POST /api/websites/{id:guid}/data/versions/{version:int}/restore"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data/versions/1/restore"),
        ["PUT /api/websites/{id:guid}/data/versions/{version:int}/pin"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data/versions/1/pin"),
        ["DELETE /api/websites/{id:guid}/data/versions/{version:int}/pin"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/data/versions/1/pin"),
        ["GET /api/websites/{id:guid}/download"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/download"),
        ["GET /api/websites/{id:guid}/export"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/export"),
        ["POST /api/websites/{id:guid}/exports"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/exports"),
        ["GET /api/websites/{id:guid}/deployment-configs"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/deployment-configs"),
        ["POST /api/websites/{id:guid}/deployment-configs"] = On(Access.Owner, c => $"/api/websites/{c.Website.Id}/deployment-configs", new { name = "Walked", kind = "webhook", endpoint = "https://deploy.example.com/hook", credential = "walk-credential-123" }),
        ["GET /api/deployment-configs/{id:guid}"] = On(Access.Owner, c => $"/api/deployment-configs/{c.Website.Deployment}"),
        ["PUT /api/deployment-configs/{id:guid}"] = On(Access.Owner, c => $"/api/deployment-configs/{c.Website.Deployment}", new { name = "Production", kind = "webhook", endpoint = "https://deploy.example.com/hook" }),
        ["DELETE /api/deployment-configs/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/deployment-configs/{await c.NewDeploymentConfigAsync()}"),
        ["POST /api/deployment-configs/{id:guid}/deploy"] = On(Access.Owner, c => $"/api/deployment-configs/{c.Website.Deployment}/deploy"),
        ["GET /api/deployment-configs/{id:guid}/runs"] = On(Access.Owner, c => $"/api/deployment-configs/{c.Website.Deployment}/runs"),
        ["GET /api/deployment-runs/{id:guid}"] = On(Access.Owner, c => $"/api/deployment-runs/{c.Website.FailedRun}"),
        ["POST /api/deployment-runs/{id:guid}/retry"] = On(Access.Owner, c => $"/api/deployment-runs/{c.Website.FailedRun}/retry"),

        // Marketplace: the storefront is public; purchases, reviews and sales belong to their buyer, reviewer or seller
        ["GET /api/marketplace/projects"] = Fixed(Access.Public, "/api/marketplace/projects"),
        ["GET /api/marketplace/categories"] = Fixed(Access.Public, "/api/marketplace/categories"),
        ["GET /api/marketplace/projects/{id:guid}"] = On(Access.Public, c => $"/api/marketplace/projects/{c.Bought.ProjectId}"),
        ["GET /api/marketplace/projects/{id:guid}/reviews"] = On(Access.Public, c => $"/api/marketplace/projects/{c.Bought.ProjectId}/reviews"),
        ["GET /api/marketplace/reviews/{id:guid}"] = On(Access.Public, c => $"/api/marketplace/reviews/{c.Review}"),
        ["GET /api/marketplace/download/{token}"] = Fixed(Access.Public, "/api/marketplace/download/not-a-token"),
        ["HEAD /api/marketplace/download/{token}"] = Fixed(Access.Public, "/api/marketplace/download/not-a-token"),
        ["POST /api/marketplace/projects/{id:guid}/purchase"] = On(Access.User, c => $"/api/marketplace/projects/{c.Bought.ProjectId}/purchase"),
        ["POST /api/marketplace/projects/{id:guid}/reviews"] = On(Access.User, c => $"/api/marketplace/projects/{c.Bought.ProjectId}/reviews", new { rating = 3 }),
        ["POST /api/marketplace/projects/{id:guid}/download-token"] = On(Access.User, c => $"/api/marketplace/projects/{c.Bought.ProjectId}/download-token"),
        ["GET /api/marketplace/purchases"] = Fixed(Access.User, "/api/marketplace/purchases"),
        ["GET /api/marketplace/stats"] = Fixed(Access.Admin, "/api/marketplace/stats"),
        ["GET /api/marketplace/purchases/{id:guid}"] = On(Access.Owner, c => $"/api/marketplace/purchases/{c.Purchase}"),
        ["POST /api/marketplace/purchases/{id:guid}/refund"] = Fresh(Access.Admin, async c => $"/api/marketplace/purchases/{await c.NewPurchaseAsync()}/refund"),
        ["PUT /api/marketplace/reviews/{id:guid}"] = On(Access.OwnerOnly, c => $"/api/marketplace/reviews/{c.Review}", new { rating = 4, title = "Walked", body = "A review by the owner" }),
        ["DELETE /api/marketplace/reviews/{id:guid}"] = Fresh(Access.Owner, async c => $"/api/marketplace/reviews/{await c.NewReviewAsync()}"),
        ["GET /api/marketplace/projects/{id:guid}/downloads"] = On(Access.Owner, c => $"/api/marketplace/projects/{c.Sold}/downloads"),
        ["POST /api/projects/{id:guid}/publish"] = On(Access.Owner, c => $"/api/projects/{c.Sold}/publish", new { price = 0, currency = "EUR", category = "templates" }),
        ["POST /api/projects/{id:guid}/unpublish"] = Fresh(Access.Owner, async c => $"/api/projects/{await c.NewListingAsync()}/unpublish"),

        // Legacy migrations
        ["GET /api/migrations"] = Fixed(Access.User, "/api/migrations"),
        ["POST /api/migrations/legacy"] = Fixed(Access.User, "/api/migrations/legacy?mode=dry-run"),
        ["GET /api/migrations/{id:guid}"] = On(Access.Owner, c => $"/api/migrations/{c.Migration}"),
        ["POST /api/migrations/{id:guid}/verify"] = On(Access.Owner, c => $"/api/migrations/{c.Migration}/verify"),
        ["POST /api/migrations/{id:guid}/rollback"] = On(Access.Owner, c => $"/api/migrations/{c.Migration}/rollback"),

        // Admin
        ["GET /api/admin/users"] = Fixed(Access.Admin, "/api/admin/users"),
        ["POST /api/admin/users"] = Fixed(Access.Admin, "/api/admin/users", new { }),
        ["GET /api/admin/users/{id:guid}"] = On(Access.Admin, c => $"/api/admin/users/{c.OwnerUser.Id}"),
        ["PUT /api/admin/users/{id:guid}"] = On(Access.Admin, c => $"/api/admin/users/{c.OwnerUser.Id}", new { roles = Array.Empty<string>() }),
        ["GET /api/admin/tokens"] = Fixed(Access.Admin, "/api/admin/tokens"),
        ["DELETE /api/admin/tokens/{id:guid}"] = Fresh(Access.Admin, async c => $"/api/admin/tokens/{await c.NewTokenAsync()}"),
        ["GET /api/admin/audit"] = Fixed(Access.Admin, "/api/admin/audit"),
        ["POST /api/admin/search/rebuild"] = Fixed(Access.Admin, "/api/admin/search/rebuild"),
        ["POST /api/admin/search/verify"] = Fixed(Access.Admin, "/api/admin/search/verify"),
        ["GET /api/admin/cache"] = Fixed(Access.Admin, "/api/admin/cache"),
        ["GET /api/admin/keys"] = Fixed(Access.Admin, "/api/admin/keys"),
        ["POST /api/admin/keys/rotate"] = Fixed(Access.Admin, "/api/admin/keys/rotate", new { confirm = false }),
        ["GET /api/admin/features"] = Fixed(Access.Admin, "/api/admin/features"),
        ["POST /api/admin/features"] = Fixed(Access.Admin, "/api/admin/features", new { }),
        ["GET /api/admin/features/{name}"] = On(Access.Admin, c => $"/api/admin/features/{c.Flag}"),
        ["PUT /api/admin/features/{name}"] = On(Access.Admin, c => $"/api/admin/features/{c.Flag}", new { }),
        ["DELETE /api/admin/features/{name}"] = Fixed(Access.Admin, "/api/admin/features/walk.missing"),
        ["GET /api/admin/mcp-servers"] = Fixed(Access.Admin, "/api/admin/mcp-servers"),
        ["POST /api/admin/mcp-servers"] = Fixed(Access.Admin, "/api/admin/mcp-servers", new { }),
        ["GET /api/admin/mcp-servers/{id:guid}"] = On(Access.Admin, c => $"/api/admin/mcp-servers/{c.McpServer}"),
        ["PUT /api/admin/mcp-servers/{id:guid}"] = On(Access.Admin, c => $"/api/admin/mcp-servers/{c.McpServer}", new { }),
        ["DELETE /api/admin/mcp-servers/{id:guid}"] = Fixed(Access.Admin, $"/api/admin/mcp-servers/{Guid.Empty}"),
        ["POST /api/admin/mcp-servers/{id:guid}/restore"] = Fixed(Access.Admin, $"/api/admin/mcp-servers/{Guid.Empty}/restore"),
        ["PUT /api/admin/mcp-servers/{id:guid}/credential"] = Fixed(Access.Admin, $"/api/admin/mcp-servers/{Guid.Empty}/credential", new { }),
        ["DELETE /api/admin/mcp-servers/{id:guid}/credential"] = Fixed(Access.Admin, $"/api/admin/mcp-servers/{Guid.Empty}/credential"),
        ["POST /api/admin/mcp-servers/{id:guid}/test"] = Fixed(Access.Admin, $"/api/admin/mcp-servers/{Guid.Empty}/test"),
    };

    private List<(string Key, string Method)> MappedApiEndpoints() =>
        portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/", StringComparison.Ordinal) && !raw.StartsWith("/api/docs", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => ($"{m} {e.RoutePattern.RawText!.TrimEnd('/')}", m)))
            .Distinct()
            .ToList();

    [Fact]
    public void Every_API_endpoint_declares_who_may_call_it()
    {
        var mapped = MappedApiEndpoints().Select(e => e.Key).ToHashSet();

        var undeclared = mapped.Where(k => !Api.ContainsKey(k)).Order().ToList();
        var stale = Api.Keys.Where(k => !mapped.Contains(k)).Order().ToList();
        Assert.True(undeclared.Count == 0, "Endpoints without a declaration:\n" + string.Join('\n', undeclared));
        Assert.True(stale.Count == 0, "Declarations without an endpoint:\n" + string.Join('\n', stale));
    }

    public static TheoryData<string> Actors() => [.. WalkCast.Actors];

    [Theory]
    [MemberData(nameof(Actors))]
    public async Task Every_API_endpoint_answers_each_caller_as_declared(string actor)
    {
        var failures = new List<string>();
        foreach (var (key, method) in MappedApiEndpoints().OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!Api.TryGetValue(key, out var declared))
                continue; // the declaration test names it
            var url = await declared.Url(cast);
            using var response = await SendAsync(cast.Api(actor), method, url, declared.Body(cast));
            var status = (int)response.StatusCode;
            var problem = Expectation(declared.Access, actor, status);
            if (problem is not null)
                failures.Add($"{key} as {actor}: {status} {problem} {Excerpt(await response.Content.ReadAsStringAsync())}");
            else if (status == 404 && response.Content.Headers.ContentLength is > 0)
                await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} endpoint(s) answered {actor} wrongly:\n" + string.Join('\n', failures));
    }

    /// <summary>Null when <paramref name="status"/> is what <paramref name="actor"/> must get, otherwise what was expected.</summary>
    private static string? Expectation(Access access, string actor, int status)
    {
        if (status >= 500)
            return "(a server error is never right)";
        return (access, actor) switch
        {
            (Access.Public, _) => status is 401 or 403 ? "(expected to be let through)" : null,
            (_, WalkCast.Anonymous) => status == 401 ? null : "(expected 401)",
            (Access.Admin, WalkCast.Admin) or (Access.User, _) => status is 401 or 403 ? "(expected to be let through)" : null,
            (Access.Admin, _) => status == 403 ? null : "(expected 403)",
            (Access.Owner or Access.OwnerOnly, WalkCast.Other) or (Access.OwnerOnly, WalkCast.Admin) => status == 404 ? null : "(expected 404: not theirs)",
            _ => status is 401 or 403 or 404 ? "(expected to be let through)" : null,
        };
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url, object? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null || method is "POST" or "PUT" or "PATCH")
            request.Content = System.Net.Http.Json.JsonContent.Create(body ?? new { });
        if (url.Contains("/api/uploads", StringComparison.Ordinal))
        {
            request.Headers.Add("Tus-Resumable", "1.0.0");
            if (method == "POST")
                request.Headers.Add("Upload-Length", "10");
            if (method == "PATCH")
            {
                request.Headers.Add("Upload-Offset", "0");
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("walk"));
                request.Content.Headers.ContentType = new("application/offset+octet-stream");
            }
        }
        else if (method is "PUT" or "PATCH")
        {
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            if (method == "PATCH" && request.Content is not null)
                request.Content.Headers.ContentType = new("application/merge-patch+json");
        }
        return await client.SendAsync(request);
    }

    private static string Excerpt(string body) => body.Length <= 200 ? body : body[..200] + "…";
}

/// <summary>
/// The same walk over every portal page (from the endpoint data source): anonymous visitors are sent
/// to sign in, plain users get 403 on admin pages, another user's resource is 404, and the owner and
/// admins see it. A page without a declaration fails the walk.
/// </summary>
public class PageAuthorizationWalkTests(PortalFactory portal, WalkCast cast) : IClassFixture<WalkCast>
{
    private static Declared Page(Access access, string url) => new(access, _ => Task.FromResult(url), _ => null);
    private static Declared Page(Access access, Func<WalkCast, string> url) => new(access, c => Task.FromResult(url(c)), _ => null);

    /// <summary>Keys are the pages' view-engine paths.</summary>
    public static readonly Dictionary<string, Declared> Pages = new()
    {
        ["/Error"] = Page(Access.Public, "/Error?code=404"),
        ["/Account/Login"] = Page(Access.Public, "/Account/Login"),
        ["/Account/Register"] = Page(Access.Public, "/Account/Register"),
        ["/Account/AccessDenied"] = Page(Access.Public, "/Account/AccessDenied"),
        ["/Marketplace/Index"] = Page(Access.Public, "/Marketplace"),
        ["/Marketplace/Details"] = Page(Access.Public, c => $"/Marketplace/Details/{c.Bought.ProjectId}"),

        ["/Index"] = Page(Access.User, "/"),
        ["/Account/Tokens"] = Page(Access.User, "/Account/Tokens"),
        ["/Account/Logout"] = Page(Access.User, "/Account/Logout"), // GET only sends you home; signing out is a POST
        ["/Projects/Index"] = Page(Access.User, "/Projects"),
        ["/Projects/Create"] = Page(Access.User, "/Projects/Create"),
        ["/Jobs/Index"] = Page(Access.User, "/Jobs"),
        ["/Assets/Index"] = Page(Access.User, "/Assets"),
        ["/Chat/Index"] = Page(Access.User, "/Chat"),
        ["/Websites/Index"] = Page(Access.User, "/Websites"),
        ["/Websites/Create"] = Page(Access.User, "/Websites/Create"),
        ["/Websites/Import"] = Page(Access.User, "/Websites/Import"),
        ["/Marketplace/Purchases"] = Page(Access.User, "/Marketplace/Purchases"),
        ["/LegacyImport/Index"] = Page(Access.User, "/legacy-import"),

        ["/Projects/Edit"] = Page(Access.Owner, c => $"/Projects/Edit/{c.Project}"),
        ["/Projects/Delete"] = Page(Access.Owner, c => $"/Projects/Delete/{c.Project}"),
        ["/Jobs/Details"] = Page(Access.Owner, c => $"/Jobs/Details/{c.Job}"),
        ["/Chat/Session"] = Page(Access.Owner, c => $"/Chat/Session/{c.Session}"),
        ["/Websites/Edit"] = Page(Access.Owner, c => $"/Websites/Edit/{c.Website.Id}"),
        ["/Websites/Delete"] = Page(Access.Owner, c => $"/Websites/Delete/{c.Website.Id}"),
        ["/Websites/Details"] = Page(Access.Owner, c => $"/Websites/Details/{c.Website.Id}?tab=data"),
        ["/Websites/ContentType"] = Page(Access.Owner, c => $"/Websites/{c.Website.Id}/types/{c.Website.Type.Id}"),
        ["/Websites/ContentItem"] = Page(Access.Owner, c => $"/Websites/{c.Website.Id}/items/{c.Website.Item.Id}"),
        ["/Websites/Version"] = Page(Access.Owner, c => $"/Websites/{c.Website.Id}/versions/1"),
        ["/Websites/Diff"] = Page(Access.Owner, c => $"/Websites/{c.Website.Id}/diff?from=1&to=2"),
        ["/Websites/Deployment"] = Page(Access.Owner, c => $"/Websites/{c.Website.Id}/deployments/{c.Website.Deployment}"),
        ["/Marketplace/Publish"] = Page(Access.Owner, c => $"/Marketplace/Publish/{c.Sold}"),
        ["/LegacyImport/Details"] = Page(Access.Owner, c => $"/legacy-import/{c.Migration}"),

        ["/Admin/Index"] = Page(Access.Admin, "/Admin"),
        ["/Admin/Users/Index"] = Page(Access.Admin, "/Admin/Users"),
        ["/Admin/Users/Create"] = Page(Access.Admin, "/Admin/Users/Create"),
        ["/Admin/Users/Edit"] = Page(Access.Admin, c => $"/Admin/Users/Edit/{c.OwnerUser.Id}"),
        ["/Admin/Audit/Index"] = Page(Access.Admin, "/Admin/Audit"),
        ["/Admin/Storage/Index"] = Page(Access.Admin, "/Admin/Storage"),
        ["/Admin/Mcp/Index"] = Page(Access.Admin, "/Admin/Mcp"),
        ["/Admin/Mcp/Edit"] = Page(Access.Admin, c => $"/Admin/Mcp/Edit/{c.McpServer}"),
        ["/Admin/Features/Index"] = Page(Access.Admin, "/Admin/Features"),
        ["/Admin/Features/Edit"] = Page(Access.Admin, c => $"/Admin/Features/Edit/{c.Flag}"),
        ["/Admin/Secrets/Index"] = Page(Access.Admin, "/Admin/Secrets"),
        ["/Admin/Tokens/Index"] = Page(Access.Admin, "/Admin/Tokens"),
        ["/Admin/Monitoring/Index"] = Page(Access.Admin, "/Admin/System"),
        ["/Admin/Cache/Index"] = Page(Access.Admin, "/Admin/Cache"),
        ["/Marketplace/Stats"] = Page(Access.Admin, "/Marketplace/Stats"),
        ["/Marketplace/Sales"] = Page(Access.Admin, "/Marketplace/Sales"),
    };

    private IEnumerable<string> MappedPages() =>
        portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>()?.ViewEnginePath)
            .OfType<string>().Distinct();

    [Fact]
    public void Every_page_declares_who_may_open_it()
    {
        var mapped = MappedPages().ToHashSet();

        Assert.True(mapped.All(Pages.ContainsKey), "Pages without a declaration:\n" + string.Join('\n', mapped.Where(p => !Pages.ContainsKey(p)).Order()));
        Assert.True(Pages.Keys.All(mapped.Contains), "Declarations without a page:\n" + string.Join('\n', Pages.Keys.Where(p => !mapped.Contains(p)).Order()));
    }

    public static TheoryData<string> Actors() => [.. WalkCast.Actors];

    [Theory]
    [MemberData(nameof(Actors))]
    public async Task Every_page_answers_each_visitor_as_declared(string actor)
    {
        var failures = new List<string>();
        foreach (var page in MappedPages().Order(StringComparer.Ordinal))
        {
            if (!Pages.TryGetValue(page, out var declared))
                continue;
            var url = await declared.Url(cast);
            using var response = await cast.Browser(actor).GetAsync(url);
            var status = (int)response.StatusCode;
            var location = response.Headers.Location?.OriginalString ?? "";
            var toSignIn = status == 302 && location.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase);
            var denied = status == 403 || (status == 302 && location.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase));
            var opened = status == 200 || (status == 302 && !toSignIn && !denied);
            string? problem = status >= 500 ? "(a server error is never right)" : (declared.Access, actor) switch
            {
                (Access.Public, _) => toSignIn ? "(expected to open without signing in)" : null,
                (_, WalkCast.Anonymous) => toSignIn ? null : "(expected a redirect to sign in)",
                (Access.Admin, WalkCast.Admin) or (Access.User, _) => opened ? null : "(expected it to open)",
                (Access.Admin, _) => denied ? null : "(expected access denied)",
                (Access.Owner, WalkCast.Other) => status == 404 ? null : "(expected 404: not theirs)",
                _ => opened ? null : "(expected it to open)",
            };
            if (problem is not null)
                failures.Add($"{page} ({url}) as {actor}: {status} {location} {problem}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} page(s) answered {actor} wrongly:\n" + string.Join('\n', failures));
    }
}

/// <summary>
/// SPEC §4's explicit limits on every list: each GET endpoint that pages (its answer carries
/// <c>meta.pageSize</c>) refuses a page size above the maximum or below 1 with 400, as the owner.
/// </summary>
public class PageSizeLimitTests(PortalFactory portal, WalkCast cast) : IClassFixture<WalkCast>
{
    [Fact]
    public async Task Every_paged_list_refuses_page_sizes_outside_its_limits()
    {
        var api = cast.Api(WalkCast.Owner);
        var paged = new List<string>();
        var failures = new List<string>();
        var mapped = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => $"GET {e.RoutePattern.RawText!.TrimEnd('/')}").ToHashSet();
        foreach (var (key, declared) in AuthorizationWalkTests.Api.Where(d => d.Key.StartsWith("GET ", StringComparison.Ordinal) && mapped.Contains(d.Key)))
        {
            if (declared.Access is Access.Admin)
                api = cast.Api(WalkCast.Admin);
            else
                api = cast.Api(WalkCast.Owner);
            var url = await declared.Url(cast);
            using var first = await api.GetAsync(url);
            if (first.Content.Headers.ContentType?.MediaType != "application/json")
                continue;
            using var body = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync());
            if (!body.RootElement.TryGetProperty("meta", out var meta) || !meta.TryGetProperty("pageSize", out _))
                continue;
            paged.Add(key);
            var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            foreach (var size in new[] { "100000", "0", "-5", "abc" })
            {
                using var response = await api.GetAsync($"{url}{separator}pageSize={size}");
                if (response.StatusCode != HttpStatusCode.BadRequest)
                    failures.Add($"{key} with pageSize={size}: {(int)response.StatusCode}");
                else
                    await response.AssertProblemAsync(HttpStatusCode.BadRequest, (await response.Content.ReadAsStringAsync()).Contains("invalid_parameter", StringComparison.Ordinal) ? "invalid_parameter" : "validation_failed");
            }
        }

        Assert.True(paged.Count >= 10, $"only {paged.Count} paged lists found: {string.Join(", ", paged)}");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
