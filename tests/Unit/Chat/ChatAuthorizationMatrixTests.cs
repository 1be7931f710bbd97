using System.Net;
using System.Reflection;
using Catalyst.Data.Chat;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Projects;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Chat;

/// <summary>
/// SPEC §3 and §16 for chat, sync, search and the cache: every endpoint and page handler, as anonymous,
/// the owner, another user and an admin. Another user's session answers 404 (or is simply absent from
/// lists, feeds and hits) and is never changed; admin-only endpoints answer 403 to the others. The first
/// test checks the matrix against the app's endpoint list, so a new endpoint or handler needs a row here.
/// </summary>
public class ChatAuthorizationMatrixTests(PortalFactory portal, OwnerOtherAdminCast cast) : IClassFixture<OwnerOtherAdminCast>
{
    private const string Anonymous = ProjectAuthorizationMatrixTests.Anonymous;
    private const string Owner = ProjectAuthorizationMatrixTests.Owner;
    private const string Other = ProjectAuthorizationMatrixTests.Other;
    private const string Admin = ProjectAuthorizationMatrixTests.Admin;

    private sealed record Target(Guid SessionId, string Title, string Word);

    /// <summary>Who succeeds: everyone signed in (the owner's resource visible to owner and admin), or admins only.</summary>
    private enum Rule { Listing, OwnedResource, AdminOnly, OwnOnly }

    private sealed record Probe(bool IsPage, Rule Rule, HttpStatusCode Success, Func<ChatAuthorizationMatrixTests, string, Target, Task<HttpResponseMessage>> Send);

    private static readonly Dictionary<string, Probe> Probes = new()
    {
        ["GET /api/chat/sessions"] = new(false, Rule.Listing, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync($"/api/chat/sessions?q={Uri.EscapeDataString(s.Title)}")),
        ["POST /api/chat/sessions"] = new(false, Rule.Listing, HttpStatusCode.Created, (t, a, s) => t.Api(a).PostJsonAsync("/api/chat/sessions", new { title = "Created " + s.Word })),
        ["GET /api/chat/sessions/{id}"] = new(false, Rule.OwnedResource, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync($"/api/chat/sessions/{s.SessionId}")),
        // Version 2: the seeded message bumped the session.
        ["PATCH /api/chat/sessions/{id}"] = new(false, Rule.OwnedResource, HttpStatusCode.OK, (t, a, s) => t.Api(a).SendJsonAsync(HttpMethod.Patch, $"/api/chat/sessions/{s.SessionId}", new { title = "Renamed" }, "\"2\"")),
        ["DELETE /api/chat/sessions/{id}"] = new(false, Rule.OwnedResource, HttpStatusCode.NoContent, (t, a, s) => t.Api(a).DeleteAsync($"/api/chat/sessions/{s.SessionId}")),
        ["GET /api/chat/sessions/{id}/messages"] = new(false, Rule.OwnedResource, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync($"/api/chat/sessions/{s.SessionId}/messages")),
        ["POST /api/chat/messages/batch"] = new(false, Rule.Listing, HttpStatusCode.OK, (t, a, s) => t.Api(a).PostJsonAsync("/api/chat/messages/batch",
            new { messages = new[] { ChatTestData.Message(s.SessionId, "from-" + a, "added by " + a) } })),
        ["GET /api/sync/init"] = new(false, Rule.OwnOnly, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync("/api/sync/init")),
        ["GET /api/sync/changes"] = new(false, Rule.OwnOnly, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync("/api/sync/changes?limit=1000")),
        ["GET /api/search"] = new(false, Rule.Listing, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync($"/api/search?q={s.Word}")),
        ["POST /api/admin/search/rebuild"] = new(false, Rule.AdminOnly, HttpStatusCode.Accepted, (t, a, s) => t.StartJobAsync(a, "/api/admin/search/rebuild")),
        ["POST /api/admin/search/verify"] = new(false, Rule.AdminOnly, HttpStatusCode.Accepted, (t, a, s) => t.StartJobAsync(a, "/api/admin/search/verify")),
        ["GET /api/admin/cache"] = new(false, Rule.AdminOnly, HttpStatusCode.OK, (t, a, s) => t.Api(a).GetAsync("/api/admin/cache")),

        ["GET /Chat"] = new(true, Rule.Listing, HttpStatusCode.OK, (t, a, s) => t.Browser(a).GetAsync("/Chat")),
        ["GET /Chat/Session/{id}"] = new(true, Rule.OwnedResource, HttpStatusCode.OK, (t, a, s) => t.Browser(a).GetAsync($"/Chat/Session/{s.SessionId}")),
        ["POST /Chat/Session/{id}?handler=Delete"] = new(true, Rule.OwnedResource, HttpStatusCode.Redirect, (t, a, s) => t.PostAsync(a, $"/Chat/Session/{s.SessionId}?handler=Delete&version=2")),
        ["GET /Admin/Cache"] = new(true, Rule.AdminOnly, HttpStatusCode.OK, (t, a, s) => t.Browser(a).GetAsync("/Admin/Cache")),
        ["POST /Admin/Cache?handler=Clear"] = new(true, Rule.AdminOnly, HttpStatusCode.Redirect, (t, a, s) => t.PostAsync(a, "/Admin/Cache?handler=Clear")),
    };

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var endpoint in Probes.Keys)
            foreach (var actor in new[] { Anonymous, Owner, Other, Admin })
                cases.Add(endpoint, actor);
        return cases;
    }

    private HttpClient Api(string actor) => cast.Api(actor);

    private HttpClient Browser(string actor) => cast.Browser(actor);

    private Task<HttpResponseMessage> PostAsync(string actor, string url) =>
        cast.Browser(actor).PostWithTokenFromAsync(actor == Anonymous ? "/Account/Login" : "/Account/Tokens", url);

    /// <summary>Starts a job and cancels it at once: the matrix is about who may start it, not about a rebuild running under other tests.</summary>
    private async Task<HttpResponseMessage> StartJobAsync(string actor, string url)
    {
        var response = await Api(actor).PostAsync(url, null);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var id = (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            await Api(actor).PostAsync($"/api/jobs/{id}/cancel", null);
        }
        return response;
    }

    [Fact]
    public void The_matrix_covers_every_chat_sync_search_and_cache_endpoint_and_page_handler()
    {
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        string[] prefixes = ["/api/chat", "/api/sync", "/api/search", "/api/admin/search", "/api/admin/cache"];
        var api = endpoints
            .Where(e => prefixes.Any(p => e.RoutePattern.RawText?.StartsWith(p, StringComparison.Ordinal) == true))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText!.Replace(":guid", "", StringComparison.Ordinal).TrimEnd('/')}"));
        var pages = endpoints
            .Select(e => (Page: e.Metadata.GetMetadata<PageActionDescriptor>(), Route: "/" + e.RoutePattern.RawText))
            .Where(e => e.Page?.ViewEnginePath.StartsWith("/Chat/", StringComparison.Ordinal) == true || e.Page?.ViewEnginePath == "/Admin/Cache/Index")
            .GroupBy(e => e.Page!.ViewEnginePath)
            .SelectMany(g => PageHandlers(g.Key, g.Select(e => e.Route).MinBy(r => r.Length)!));

        Assert.Equal(Probes.Keys.Order(), api.Concat(pages).Distinct().Order());
    }

    private static IEnumerable<string> PageHandlers(string viewEnginePath, string template)
    {
        var route = template.Replace(":guid", "", StringComparison.Ordinal);
        var model = typeof(Program).Assembly.GetType("Catalyst.Portal.Pages" + viewEnginePath.Replace('/', '.') + "Model")!;
        foreach (var method in model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            var match = System.Text.RegularExpressions.Regex.Match(method.Name, "^On(Get|Post|Put|Delete)(.*?)(Async)?$");
            if (match.Success)
                yield return match.Groups[2].Value.Length == 0 ? $"{match.Groups[1].Value.ToUpperInvariant()} {route}" : $"{match.Groups[1].Value.ToUpperInvariant()} {route}?handler={match.Groups[2].Value}";
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_chat_sync_search_and_cache_endpoint_follows_the_resource_rule(string endpoint, string actor)
    {
        var probe = Probes[endpoint];
        var word = "w" + Guid.NewGuid().ToString("N")[..12];
        var title = $"Matrix {word}";
        var session = await portal.WithScopeAsync(async sp =>
        {
            var chat = sp.GetRequiredService<ChatService>();
            var created = await chat.CreateSessionAsync(cast.Owner.Actor, new ChatSessionInput(title, null), CancellationToken.None);
            await chat.AppendBatchAsync(cast.Owner.Actor, [new ChatMessageInput("seed", created.Id.ToString(), "user", $"Owner's secret {word}", null)], CancellationToken.None);
            return created;
        });
        var target = new Target(session.Id, title, word);

        var response = await probe.Send(this, actor, target);

        var body = await response.Content.ReadAsStringAsync();
        var after = await portal.WithDbAsync(db => db.ChatSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == session.Id, TestContext.Current.CancellationToken));
        var messages = await portal.WithDbAsync(db => db.ChatMessages.CountAsync(m => m.SessionId == session.Id, TestContext.Current.CancellationToken));
        var caller = cast.User(actor);
        void AssertUntouched()
        {
            Assert.NotNull(after);
            Assert.Equal(title, after.Title);
            Assert.Equal(1, messages);
        }

        if (caller is null)
        {
            if (probe.IsPage)
                Forms.AssertRedirectsToSignIn(response);
            else
                await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            Assert.DoesNotContain(word, body, StringComparison.Ordinal);
            AssertUntouched();
            return;
        }
        if (probe.Rule == Rule.AdminOnly && !caller.IsAdmin)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{endpoint} as {actor} answered {(int)response.StatusCode}");
            if (!probe.IsPage)
                await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            return;
        }
        if (probe.Rule == Rule.OwnedResource && actor == Other)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{endpoint} as {actor} answered {(int)response.StatusCode}: {body}");
            if (!probe.IsPage)
                await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.DoesNotContain(word, body, StringComparison.Ordinal);
            AssertUntouched();
            return;
        }

        Assert.True(response.StatusCode == probe.Success, $"{endpoint} as {actor} answered {(int)response.StatusCode}: {body}");
        var seesIt = actor != Other;
        switch (endpoint)
        {
            case "GET /api/chat/sessions":
            case "GET /Chat":
                Assert.Equal(seesIt, body.Contains(session.Id.ToString(), StringComparison.Ordinal));
                break;
            case "GET /api/sync/init":
            case "GET /api/sync/changes":
                // Sync carries the caller's own rows only, admins included.
                Assert.Equal(actor == Owner, body.Contains(session.Id.ToString(), StringComparison.Ordinal));
                break;
            case "GET /api/search":
                Assert.Equal(seesIt, body.Contains(word, StringComparison.Ordinal));
                break;
            case "POST /api/chat/messages/batch":
                var data = (await response.ReadJsonAsync()).GetProperty("data");
                Assert.Equal(seesIt ? 1 : 0, data.GetProperty("created").GetInt32());
                Assert.Equal(seesIt ? 2 : 1, messages);
                if (!seesIt)
                    Assert.Equal("session_not_found", data.GetProperty("errors")[0].GetProperty("code").GetString());
                break;
            case "PATCH /api/chat/sessions/{id}":
                Assert.Equal("Renamed", after?.Title);
                break;
            case "DELETE /api/chat/sessions/{id}":
            case "POST /Chat/Session/{id}?handler=Delete":
                Assert.Null(after);
                Assert.Equal(0, messages);
                break;
            case "GET /api/chat/sessions/{id}/messages":
            case "GET /Chat/Session/{id}":
                Assert.Contains(word, body, StringComparison.Ordinal);
                break;
            case "POST /api/chat/sessions":
                Assert.Equal(caller.Id, (await response.ReadJsonAsync()).GetProperty("data").GetProperty("userId").GetGuid());
                AssertUntouched();
                break;
            default:
                AssertUntouched();
                break;
        }
    }
}
