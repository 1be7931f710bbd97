using System.Net;
using System.Text.RegularExpressions;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Auth;

/// <summary>
/// Walks every <c>/api</c> endpoint the app maps (from its endpoint data source, so a new endpoint
/// is covered the moment it exists): anonymous callers get 401 unless the endpoint is explicitly
/// anonymous, and the admin endpoints answer 403 to everyone else.
/// </summary>
public partial class ApiEndpointAuthorizationTests(PortalFactory portal)
{
    /// <summary>The only API endpoints meant for callers without a token.</summary>
    // tus discovery (OPTIONS) is open so clients and CORS preflights can learn the server's limits.
    // The marketplace storefront (browse, a project, its reviews) is public, and a download token is its own credential.
    // Asset content takes a bearer token or a presigned URL (exp + sig), and checks either itself (401 without both).
    private static readonly string[] Anonymous =
    [
        "POST /api/auth/token", "OPTIONS /api/uploads",
        "GET /api/marketplace/projects", "GET /api/marketplace/categories", "GET /api/marketplace/projects/{id:guid}",
        "GET /api/marketplace/projects/{id:guid}/reviews", "GET /api/marketplace/reviews/{id:guid}", "GET /api/marketplace/download/{token}",
        "HEAD /api/marketplace/download/{token}", "GET /api/assets/{id:guid}/content",
    ];

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();

    private List<(string Method, string Pattern, Endpoint Endpoint)> ApiEndpoints() =>
        portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/", StringComparison.Ordinal) && !raw.StartsWith("/api/docs", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern.RawText!.TrimEnd('/'), (Endpoint)e)))
            .ToList();

    /// <summary>A URL matching the pattern: numbers for int parameters, fresh GUIDs for the rest.</summary>
    private static string Concrete(string pattern) =>
        RouteParameter().Replace(pattern, m => m.Groups[2].Value == ":int" ? "1" : Guid.NewGuid().ToString());

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string pattern) =>
        client.SendJsonAsync(new HttpMethod(method), Concrete(pattern), method is "POST" or "PUT" or "PATCH" ? new { } : null, "\"1\"");

    [Fact]
    public void Only_the_token_exchange_allows_anonymous_callers()
    {
        var anonymous = ApiEndpoints().Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => $"{e.Method} {e.Pattern}");

        Assert.Equal(Anonymous.Order(), anonymous.Order());
    }

    [Fact]
    public async Task Every_API_endpoint_refuses_anonymous_callers_with_401()
    {
        var endpoints = ApiEndpoints();
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} API endpoints found");
        var api = portal.CreateApiClient();

        foreach (var (method, pattern, _) in endpoints.Where(e => !Anonymous.Contains($"{e.Method} {e.Pattern}")))
        {
            var response = await SendAsync(api, method, pattern);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {pattern} answered {(int)response.StatusCode} to an anonymous caller");
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task Every_admin_API_endpoint_answers_403_to_non_admins()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var admin = ApiEndpoints().Where(e => e.Pattern.StartsWith("/api/admin/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(admin);

        foreach (var (method, pattern, _) in admin)
            await (await SendAsync(api, method, pattern)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
