using System.Net;
using System.Reflection;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Projects;

/// <summary>
/// SPEC §3 and §16: every projects endpoint and page, as anonymous, the owner, another user and an
/// admin. Anonymous callers are refused (401 / sign-in redirect); another user's project answers
/// 404 without its content and is never modified; the owner and admins succeed. The first test
/// checks the matrix against the app's own endpoint list, so a new endpoint or handler without a
/// row here fails.
/// </summary>
public class ProjectAuthorizationMatrixTests(PortalFactory portal, OwnerOtherAdminCast cast) : IClassFixture<OwnerOtherAdminCast>
{
    public const string Anonymous = Actors.Anonymous;
    public const string Owner = Actors.Owner;
    public const string Other = Actors.Other;
    public const string Admin = Actors.Admin;

    private const string NewName = "Renamed by the matrix";

    private OwnerOtherAdminCast Cast => cast;

    /// <summary>What a case sends, whether it addresses the owner's project, and what success looks like.</summary>
    private sealed record Probe(bool IsPage, bool TargetsProject, HttpStatusCode Success, Func<ProjectAuthorizationMatrixTests, string, Project, Task<HttpResponseMessage>> Send);

    private static readonly Dictionary<string, Probe> Probes = new()
    {
        ["GET /api/projects"] = new(false, false, HttpStatusCode.OK, (t, actor, p) => t.Cast.Api(actor).GetAsync($"/api/projects?q={Uri.EscapeDataString(p.Name)}")),
        ["POST /api/projects"] = new(false, false, HttpStatusCode.Created, (t, actor, p) => t.Cast.Api(actor).PostJsonAsync("/api/projects", new { name = CreatedName(p) })),
        ["GET /api/projects/{id}"] = new(false, true, HttpStatusCode.OK, (t, actor, p) => t.Cast.Api(actor).GetAsync($"/api/projects/{p.Id}")),
        ["PUT /api/projects/{id}"] = new(false, true, HttpStatusCode.OK, (t, actor, p) => t.Cast.Api(actor).SendJsonAsync(HttpMethod.Put, $"/api/projects/{p.Id}", new { name = NewName }, $"\"{p.Version}\"")),
        ["DELETE /api/projects/{id}"] = new(false, true, HttpStatusCode.NoContent, (t, actor, p) => t.Cast.Api(actor).DeleteAsync($"/api/projects/{p.Id}")),
        ["POST /api/projects/statistics"] = new(false, false, HttpStatusCode.Accepted, (t, actor, p) => t.Cast.Api(actor).PostAsync("/api/projects/statistics", null)),
        // The marketplace's project endpoints (its own matrix adds buyers): the owner's rule holds here too.
        ["POST /api/projects/{id}/publish"] = new(false, true, HttpStatusCode.OK, (t, actor, p) => t.Cast.Api(actor).PostJsonAsync($"/api/projects/{p.Id}/publish", new { price = 500, currency = "EUR", category = "tools" })),
        ["POST /api/projects/{id}/unpublish"] = new(false, true, HttpStatusCode.OK, (t, actor, p) => t.Cast.Api(actor).PostAsync($"/api/projects/{p.Id}/unpublish", null)),

        ["GET /Projects"] = new(true, false, HttpStatusCode.OK, (t, actor, p) => t.Cast.Browser(actor).GetAsync($"/Projects?q={Uri.EscapeDataString(p.Name)}")),
        ["GET /Projects/Create"] = new(true, false, HttpStatusCode.OK, (t, actor, p) => t.Cast.Browser(actor).GetAsync("/Projects/Create")),
        ["POST /Projects/Create"] = new(true, false, HttpStatusCode.Redirect, (t, actor, p) => t.PostAsync(actor, "/Projects/Create", new() { ["Input.Name"] = CreatedName(p) })),
        ["GET /Projects/Edit/{id}"] = new(true, true, HttpStatusCode.OK, (t, actor, p) => t.Cast.Browser(actor).GetAsync($"/Projects/Edit/{p.Id}")),
        ["POST /Projects/Edit/{id}"] = new(true, true, HttpStatusCode.Redirect, (t, actor, p) => t.PostAsync(actor, $"/Projects/Edit/{p.Id}", new()
        {
            ["Input.Name"] = NewName,
            ["Input.Status"] = "Active",
            ["Version"] = p.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })),
        ["GET /Projects/Delete/{id}"] = new(true, true, HttpStatusCode.OK, (t, actor, p) => t.Cast.Browser(actor).GetAsync($"/Projects/Delete/{p.Id}")),
        ["POST /Projects/Delete/{id}"] = new(true, true, HttpStatusCode.Redirect, (t, actor, p) => t.PostAsync(actor, $"/Projects/Delete/{p.Id}", new() { ["version"] = $"{p.Version}" })),
        ["POST /Projects?handler=Archive"] = new(true, true, HttpStatusCode.Redirect, (t, actor, p) => t.PostAsync(actor, $"/Projects?handler=Archive&id={p.Id}&version={p.Version}", [])),
        ["POST /Projects?handler=Restore"] = new(true, true, HttpStatusCode.Redirect, (t, actor, p) => t.PostAsync(actor, $"/Projects?handler=Restore&id={p.Id}&version={p.Version}", [])),
    };

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var endpoint in Probes.Keys)
            foreach (var actor in new[] { Anonymous, Owner, Other, Admin })
                cases.Add(endpoint, actor);
        return cases;
    }

    private static string CreatedName(Project p) => "Created beside " + p.Name;

    /// <summary>Posts a portal form with a valid antiforgery token for this actor (anonymous ones get theirs from the sign-in page).</summary>
    private Task<HttpResponseMessage> PostAsync(string actor, string url, Dictionary<string, string> fields) =>
        cast.Browser(actor).PostWithTokenFromAsync(actor == Anonymous ? "/Account/Login" : "/Projects", url, fields);

    private Task<Project?> LoadAsync(Guid id) =>
        portal.WithDbAsync(db => db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, TestContext.Current.CancellationToken));

    [Fact]
    public void The_matrix_covers_every_projects_endpoint_and_page_handler_the_app_has()
    {
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var api = endpoints
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/projects", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText!.Replace(":guid", "", StringComparison.Ordinal).TrimEnd('/')}"));

        var pages = endpoints
            .Select(e => (Page: e.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>(), Route: "/" + e.RoutePattern.RawText))
            .Where(e => e.Page?.ViewEnginePath.StartsWith("/Projects/", StringComparison.Ordinal) == true)
            .GroupBy(e => e.Page!.ViewEnginePath)
            // An Index page answers at /Projects and /Projects/Index: name it by the shorter.
            .SelectMany(g => PageHandlers(g.Key, g.Select(e => e.Route).MinBy(r => r.Length)!));

        Assert.Equal(Probes.Keys.Order(), api.Concat(pages).Distinct().Order());
    }

    /// <summary>"GET /Projects/Edit/{id}", "POST /Projects?handler=Archive" ... from the page model's On{Verb}{Handler} methods.</summary>
    private static IEnumerable<string> PageHandlers(string viewEnginePath, string template)
    {
        var route = template.Replace(":guid", "", StringComparison.Ordinal);
        var modelName = "Catalyst.Portal.Pages" + viewEnginePath.Replace('/', '.') + "Model";
        var model = typeof(Program).Assembly.GetType(modelName) ?? throw new InvalidOperationException($"No page model {modelName}");
        Assert.True(model.IsSubclassOf(typeof(PageModel)));
        foreach (var method in model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            var match = System.Text.RegularExpressions.Regex.Match(method.Name, "^On(Get|Post|Put|Delete)(.*?)(Async)?$");
            if (!match.Success)
                continue;
            var verb = match.Groups[1].Value.ToUpperInvariant();
            var handler = match.Groups[2].Value;
            yield return handler.Length == 0 ? $"{verb} {route}" : $"{verb} {route}?handler={handler}";
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_projects_endpoint_and_page_follows_the_resource_rule(string endpoint, string actor)
    {
        var probe = Probes[endpoint];
        var project = await portal.WithScopeAsync(async sp =>
        {
            var service = sp.GetRequiredService<ProjectService>();
            var created = await service.CreateAsync(cast.Owner.Actor, new ProjectInput($"Matrix {Guid.NewGuid():N}", "Owner's secret plans", ["matrix"], null), CancellationToken.None);
            return endpoint.EndsWith("Restore", StringComparison.Ordinal)
                ? await service.SetStatusAsync(cast.Owner.Actor, created.Id, null, ProjectStatus.Archived, CancellationToken.None)
                : created;
        });
        var jobsBefore = await portal.WithDbAsync(db => db.JobRuns.Select(r => r.Id).ToListAsync(TestContext.Current.CancellationToken));

        var response = await probe.Send(this, actor, project);

        var body = await response.Content.ReadAsStringAsync();
        var after = await LoadAsync(project.Id);
        var caller = cast.User(actor);
        if (caller is null)
        {
            if (probe.IsPage)
                Forms.AssertRedirectsToSignIn(response);
            else
                await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            AssertUnchanged(project, after);
            Assert.DoesNotContain(project.Name, body, StringComparison.Ordinal);
            Assert.False(await portal.WithDbAsync(db => db.Projects.AnyAsync(p => p.Name == CreatedName(project), TestContext.Current.CancellationToken)));
            return;
        }

        if (probe.TargetsProject && actor == Other)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{endpoint} as {actor} answered {(int)response.StatusCode}: {body}");
            if (!probe.IsPage)
                await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.DoesNotContain(project.Name, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Owner's secret plans", body, StringComparison.Ordinal);
            AssertUnchanged(project, after);
            return;
        }

        Assert.True(response.StatusCode == probe.Success, $"{endpoint} as {actor} answered {(int)response.StatusCode}: {body}");
        var seesProject = actor != Other;
        switch (endpoint)
        {
            case "GET /api/projects":
                var ids = (await response.ReadJsonAsync()).GetProperty("data").EnumerateArray().Select(p => p.GetProperty("id").GetGuid());
                Assert.Equal(seesProject, ids.Contains(project.Id));
                break;
            case "GET /Projects":
                // The search box echoes the name, so look for the project's row link.
                Assert.Equal(seesProject, body.Contains($"/Projects/Edit/{project.Id}", StringComparison.Ordinal));
                break;
            case "POST /api/projects":
            case "POST /Projects/Create":
                var created = await portal.WithDbAsync(db => db.Projects.SingleAsync(p => p.Name == CreatedName(project), TestContext.Current.CancellationToken));
                Assert.Equal(caller.Id, created.OwnerId);
                AssertUnchanged(project, after);
                break;
            case "POST /api/projects/statistics":
                var run = await portal.WithDbAsync(db => db.JobRuns.AsNoTracking().Where(r => !jobsBefore.Contains(r.Id) && r.RequestedById == caller.Id).SingleAsync(TestContext.Current.CancellationToken));
                Assert.Equal(RecomputeProjectStatisticsJob.Kind, run.Kind);
                var ownerId = JsonDocument.Parse(run.Input!).RootElement.GetProperty("ownerId");
                if (caller.IsAdmin)
                    Assert.Equal(JsonValueKind.Null, ownerId.ValueKind); // admins: all projects
                else
                    Assert.Equal(caller.Id, ownerId.GetGuid());       // everyone else: their own
                break;
            case "GET /Projects/Create":
                Assert.NotNull((await Forms.ParseAsync(response)).QuerySelector("input[name='Input.Name']"));
                break;
            case "GET /api/projects/{id}":
                Assert.Equal(project.Id, (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
                break;
            case "GET /Projects/Edit/{id}":
            case "GET /Projects/Delete/{id}":
                Assert.Contains(project.Name, body, StringComparison.Ordinal);
                break;
            case "PUT /api/projects/{id}":
            case "POST /Projects/Edit/{id}":
                Assert.Equal(NewName, after?.Name);
                Assert.Equal(project.Version + 1, after?.Version);
                break;
            case "DELETE /api/projects/{id}":
            case "POST /Projects/Delete/{id}":
                Assert.Null(after);
                break;
            case "POST /Projects?handler=Archive":
                Assert.Equal(ProjectStatus.Archived, after?.Status);
                break;
            case "POST /Projects?handler=Restore":
                Assert.Equal(ProjectStatus.Active, after?.Status);
                break;
            case "POST /api/projects/{id}/publish":
                Assert.True(after?.IsPublished);
                Assert.Equal(500, after?.Price);
                break;
            case "POST /api/projects/{id}/unpublish":
                Assert.False(after?.IsPublished);
                break;
            default:
                Assert.Fail($"No expectation for {endpoint}");
                break;
        }
    }

    private static void AssertUnchanged(Project before, Project? after)
    {
        Assert.NotNull(after);
        Assert.Equal(before.Name, after.Name);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Description, after.Description);
    }
}
