using System.Net;
using System.Reflection;
using Catalyst.Data.Deployments;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Websites;

/// <summary>
/// SPEC §3 and §16 on the websites pages: every page and handler, as anonymous, the owner, another
/// user and an admin. Anonymous visitors are sent to sign in; another user's website answers 404
/// on every page and handler, shows none of its content and is never changed; the owner and admins
/// succeed. Every POST also needs the antiforgery token. The first test checks the probes against
/// the app's own endpoint list, so a new page or handler without a row here fails.
/// </summary>
public class WebsitePageAuthorizationTests(PortalFactory portal, OwnerOtherAdminCast cast) : IClassFixture<OwnerOtherAdminCast>
{
    public const string Anonymous = Actors.Anonymous;
    public const string Owner = Actors.Owner;
    public const string Other = Actors.Other;
    public const string Admin = Actors.Admin;

    /// <summary>A request against the owner's full website, and what success answers.</summary>
    private sealed record Probe(bool TargetsWebsite, HttpStatusCode Success, string Method, Func<FullWebsite, string> Url, Func<FullWebsite, Dictionary<string, string>>? Form = null);

    private static readonly Dictionary<string, Probe> Probes = new()
    {
        ["GET /Websites"] = new(false, HttpStatusCode.OK, "GET", s => $"/Websites?q={Uri.EscapeDataString(s.Website.Name)}"),
        ["GET /Websites/Create"] = new(false, HttpStatusCode.OK, "GET", _ => "/Websites/Create"),
        ["POST /Websites/Create"] = new(false, HttpStatusCode.Redirect, "POST", _ => "/Websites/Create", s => new() { ["Input.Name"] = "Created beside " + s.Website.Name }),
        ["GET /Websites/Edit/{id}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/Edit/{s.Id}"),
        ["POST /Websites/Edit/{id}"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Edit/{s.Id}",
            s => new() { ["Input.Name"] = "Renamed", ["Input.Slug"] = s.Website.Slug, ["Version"] = "1" }),
        ["GET /Websites/Delete/{id}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/Delete/{s.Id}"),
        ["POST /Websites/Delete/{id}"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Delete/{s.Id}", _ => new() { ["version"] = "1" }),
        ["GET /Websites/Details/{id}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/Details/{s.Id}?tab=data"),
        ["POST /Websites/Details/{id}?handler=DeleteType"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=DeleteType&typeId={s.Spare.Id}", _ => []),
        ["POST /Websites/Details/{id}?handler=DeleteItem"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=DeleteItem&itemId={s.Item.Id}", _ => []),
        ["GET /Websites/Details/{id}?handler=Runs"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/Details/{s.Id}?handler=Runs"),
        ["POST /Websites/Details/{id}?handler=Deploy"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=Deploy&configId={s.Deployment}", _ => []),
        ["POST /Websites/Details/{id}?handler=Pin"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=Pin", _ => new() { ["version"] = "1", ["pinned"] = "true" }),
        ["POST /Websites/Details/{id}?handler=RetryRun"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=RetryRun&runId={s.FailedRun}", _ => []),
        ["POST /Websites/Details/{id}?handler=DeleteConfig"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=DeleteConfig&configId={s.Deployment}", _ => []),
        ["GET /Websites/{id}/deployments/{configId?}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/deployments/{s.Deployment}"),
        ["POST /Websites/{id}/deployments/{configId?}"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/{s.Id}/deployments/{s.Deployment}",
            _ => new() { ["Input.Name"] = "Renamed", ["Input.Provider"] = "webhook", ["Input.Endpoint"] = "https://deploy.example.com/hook", ["Version"] = "1" }),
        ["GET /Websites/{id}/types/{typeId?}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/types/{s.Type.Id}"),
        ["GET /Websites/{id}/types/{typeId?}?handler=Field"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/types?handler=Field"),
        ["POST /Websites/{id}/types/{typeId?}"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/{s.Id}/types/{s.Type.Id}",
            _ => new() { ["Input.Name"] = "Renamed", ["Version"] = "1", ["Input.Fields.Index"] = "0", ["Input.Fields[0].Name"] = "title", ["Input.Fields[0].Type"] = "text" }),
        ["POST /Websites/{id}/types/{typeId?}?handler=AddField"] = new(true, HttpStatusCode.OK, "POST", s => $"/Websites/{s.Id}/types/{s.Type.Id}?handler=AddField", _ => new() { ["Input.Name"] = "x" }),
        ["GET /Websites/{id}/items/{itemId?}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/items/{s.Item.Id}"),
        ["POST /Websites/{id}/items/{itemId?}"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/{s.Id}/items/{s.Item.Id}",
            _ => new() { ["Values[title]"] = "Renamed", ["Status"] = "Published", ["Version"] = "1" }),
        ["GET /Websites/{id}/versions/{version}"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/versions/1"),
        ["GET /Websites/{id}/versions/{version}?handler=Download"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/versions/1?handler=Download"),
        ["POST /Websites/{id}/versions/{version}?handler=Restore"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/{s.Id}/versions/1?handler=Restore", _ => new() { ["current"] = "2" }),
        ["GET /Websites/{id}/diff"] = new(true, HttpStatusCode.OK, "GET", s => $"/Websites/{s.Id}/diff?from=1&to=3"),
        ["POST /Websites/Details/{id}?handler=Export"] = new(true, HttpStatusCode.Redirect, "POST", s => $"/Websites/Details/{s.Id}?handler=Export", _ => []),
        ["GET /Websites/Import"] = new(false, HttpStatusCode.OK, "GET", _ => "/Websites/Import"),
        // Without a file the form answers with its field message (the import itself is covered by the backup tests).
        ["POST /Websites/Import"] = new(false, HttpStatusCode.OK, "POST", _ => "/Websites/Import", _ => new() { ["OnDuplicate"] = "copy" }),
        // Confirming someone's (here: no one's) dry run is 404 for everybody.
        ["POST /Websites/Import?handler=Confirm"] = new(false, HttpStatusCode.NotFound, "POST", _ => $"/Websites/Import?handler=Confirm&id={Guid.NewGuid()}", _ => []),
    };

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var probe in Probes.Keys)
            foreach (var actor in new[] { Anonymous, Owner, Other, Admin })
                cases.Add(probe, actor);
        return cases;
    }

    public static TheoryData<string> Posts() => [.. Probes.Where(p => p.Value.Method == "POST").Select(p => p.Key)];

    [Fact]
    public void The_matrix_covers_every_websites_page_handler_the_app_has()
    {
        var pages = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Page: e.Metadata.GetMetadata<PageActionDescriptor>(), Route: "/" + e.RoutePattern.RawText!.TrimStart('/')))
            .Where(e => e.Page?.ViewEnginePath.StartsWith("/Websites/", StringComparison.Ordinal) == true)
            .GroupBy(e => e.Page!.ViewEnginePath)
            // An Index page answers at /Websites and /Websites/Index: name it by the shorter.
            .SelectMany(g => PageHandlers(g.Key, g.Select(e => e.Route).MinBy(r => r.Length)!));

        Assert.Equal(Probes.Keys.Order(), pages.Distinct().Order());
    }

    private static IEnumerable<string> PageHandlers(string viewEnginePath, string template)
    {
        var route = System.Text.RegularExpressions.Regex.Replace(template, ":(guid|int)", "");
        var model = typeof(Program).Assembly.GetType("Catalyst.Portal.Pages" + viewEnginePath.Replace('/', '.') + "Model")
            ?? throw new InvalidOperationException($"No page model for {viewEnginePath}");
        foreach (var method in model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            var match = System.Text.RegularExpressions.Regex.Match(method.Name, "^On(Get|Post|Put|Delete)(.*?)(Async)?$");
            if (match.Success)
                yield return match.Groups[2].Value.Length == 0 ? $"{match.Groups[1].Value.ToUpperInvariant()} {route}" : $"{match.Groups[1].Value.ToUpperInvariant()} {route}?handler={match.Groups[2].Value}";
        }
    }

    /// <summary>What a case could change: the website, its content and its data history.</summary>
    private Task<string> SnapshotAsync(Guid websiteId) => portal.WithDbAsync(async db =>
    {
        var ct = TestContext.Current.CancellationToken;
        var website = await db.Set<Website>().AsNoTracking().Where(w => w.Id == websiteId).Select(w => $"{w.Name}/{w.Version}").FirstOrDefaultAsync(ct);
        var types = await db.Set<ContentType>().AsNoTracking().Where(t => t.WebsiteId == websiteId).OrderBy(t => t.Id).Select(t => $"{t.Name}/{t.Version}").ToListAsync(ct);
        var items = await db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == websiteId).OrderBy(i => i.Id).Select(i => $"{i.Data}/{i.Version}").ToListAsync(ct);
        var versions = await db.Set<WebsiteDataVersion>().CountAsync(v => v.WebsiteId == websiteId, ct);
        var pinned = await db.Set<WebsiteDataVersion>().CountAsync(v => v.WebsiteId == websiteId && v.IsPinned, ct);
        var current = await db.Set<WebsiteDataHead>().Where(h => h.WebsiteId == websiteId).Select(h => h.CurrentVersion).FirstOrDefaultAsync(ct);
        var configs = await db.Set<DeploymentConfig>().AsNoTracking().Where(c => c.WebsiteId == websiteId).OrderBy(c => c.Id).Select(c => $"{c.Name}/{c.Version}").ToListAsync(ct);
        var runs = await db.Set<DeploymentRun>().AsNoTracking().Where(r => r.WebsiteId == websiteId).OrderBy(r => r.Id).Select(r => r.Status).ToListAsync(ct);
        return $"{website} | {string.Join(",", types)} | {string.Join(",", items)} | {versions} versions ({pinned} pinned), current {current} | {string.Join(",", configs)} | {string.Join(",", runs)}";
    });

    private async Task<HttpResponseMessage> SendAsync(string actor, Probe probe, FullWebsite site)
    {
        var browser = cast.Browser(actor);
        if (probe.Method == "GET")
            return await browser.GetAsync(probe.Url(site));
        // A valid antiforgery token for this actor (anonymous visitors get theirs from the sign-in page).
        return await browser.PostWithTokenFromAsync(actor == Anonymous ? "/Account/Login" : "/Websites", probe.Url(site), probe.Form!(site));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_websites_page_and_handler_follows_the_resource_rule(string probeName, string actor)
    {
        var probe = Probes[probeName];
        var site = await portal.CreateFullWebsiteAsync(cast.Owner, $"Matrix {Guid.NewGuid():N}"[..20]);
        var before = await SnapshotAsync(site.Id);

        var response = await SendAsync(actor, probe, site);

        var body = await response.Content.ReadAsStringAsync();
        if (cast.User(actor) is null)
        {
            Forms.AssertRedirectsToSignIn(response);
            Assert.Equal(before, await SnapshotAsync(site.Id));
            return;
        }
        if (probe.TargetsWebsite && actor == Other)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{probeName} as {actor} answered {(int)response.StatusCode}");
            Assert.DoesNotContain(site.Website.Name, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Owner's secret plans", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Hello world", body, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(site.Id));
            return;
        }
        Assert.True(response.StatusCode == probe.Success, $"{probeName} as {actor} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        if (probeName == "GET /Websites")
            Assert.Equal(actor != Other, body.Contains($"/Websites/Details/{site.Id}", StringComparison.Ordinal));
        // The owner's and an admin's writes land ("add a field" saves nothing by design, an export only reads).
        if (probe.TargetsWebsite && probe.Method == "POST" && !probeName.EndsWith("AddField", StringComparison.Ordinal) && !probeName.EndsWith("Export", StringComparison.Ordinal))
            Assert.NotEqual(before, await SnapshotAsync(site.Id));
    }

    [Theory]
    [MemberData(nameof(Posts))]
    public async Task Every_websites_POST_needs_the_antiforgery_token(string probeName)
    {
        var probe = Probes[probeName];
        var site = await portal.CreateFullWebsiteAsync(cast.Owner, $"Forged {Guid.NewGuid():N}"[..20]);
        var websitesBefore = await portal.WithDbAsync(db => db.Set<Website>().CountAsync(w => w.OwnerId == cast.Owner.Id, TestContext.Current.CancellationToken));
        var before = await SnapshotAsync(site.Id);
        var browser = cast.Browser(Owner);
        await browser.GetDocumentAsync("/Websites"); // the antiforgery cookie is there, only the form token is missing

        var response = await browser.PostAsync(probe.Url(site), new FormUrlEncodedContent(probe.Form!(site)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{probeName} answered {(int)response.StatusCode}");
        Assert.Equal(before, await SnapshotAsync(site.Id));
        Assert.Equal(websitesBefore, await portal.WithDbAsync(db => db.Set<Website>().CountAsync(w => w.OwnerId == cast.Owner.Id, TestContext.Current.CancellationToken)));
    }
}
