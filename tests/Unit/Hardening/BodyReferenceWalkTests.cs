using Catalyst.Data.Backups;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.Uploads;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §16: the authorization walk over ids carried <em>inside</em> bodies, headers and files rather
/// than in paths. Another user names the owner's website, project, session, asset, type, item and
/// upload in every place a request can carry one; each is refused (404 or a validation error, never
/// a 500) and nothing of theirs is created or changed.
/// </summary>
public class BodyReferenceWalkTests(PortalFactory portal, WalkCast cast) : IClassFixture<WalkCast>
{
    private sealed record Probe(string Name, Func<WalkCast, HttpClient, Guid, Task<HttpResponseMessage>> Send, int[] Refusals);

    private static readonly int[] NotFound = [404];
    private static readonly int[] Invalid = [400, 404];

    private static Probe[] Probes() =>
    [
        new("tus creation into the owner's website", (c, api, own) => new TusClient(api).CreateAsync(10, TusClient.Metadata(("filename", "x.bin"), ("websiteId", c.Website.Id.ToString()))), NotFound),
        new("tus creation into the owner's project", (c, api, own) => new TusClient(api).CreateAsync(10, TusClient.Metadata(("filename", "x.bin"), ("projectId", c.Project.ToString()))), NotFound),
        new("tus website-data upload into the owner's website", (c, api, own) => new TusClient(api).CreateAsync(10, TusClient.Metadata(("target", "website-data"), ("websiteId", c.Website.Id.ToString()), ("ifMatch", "2"))), NotFound),
        new("presigned upload into the owner's website", (c, api, own) => api.PostAsJsonAsync("/api/assets/presign", new { operation = "upload", fileName = "x.bin", length = 10, websiteId = c.Website.Id }), NotFound),
        new("presigned upload into the owner's project", (c, api, own) => api.PostAsJsonAsync("/api/assets/presign", new { operation = "upload", fileName = "x.bin", length = 10, projectId = c.Project }), NotFound),
        new("chat session filed under the owner's project", (c, api, own) => api.PostAsJsonAsync("/api/chat/sessions", new { title = "Mine", projectId = c.Project }), Invalid),
        new("own chat session moved under the owner's project", async (c, api, own) =>
        {
            var session = (await (await api.PostAsJsonAsync("/api/chat/sessions", new { title = "Mine" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            return await api.SendJsonAsync(HttpMethod.Patch, $"/api/chat/sessions/{session}", new { projectId = c.Project }, ifMatch: "\"1\"");
        }, Invalid),
        new("import from the owner's upload", async (c, api, own) =>
        {
            var upload = Guid.Parse(c.Upload.Split('/')[^1]);
            return await api.PostAsJsonAsync("/api/websites/import?onDuplicate=copy", new { uploadId = upload });
        }, NotFound),
        new("own project published with the owner's asset as its package", async (c, api, own) =>
        {
            var project = (await (await api.PostAsJsonAsync("/api/projects", new { name = "Mine to sell" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            return await api.PostAsJsonAsync($"/api/projects/{project}/publish", new { price = 0, currency = "EUR", category = "tools", packageAssetId = c.Asset });
        }, Invalid),
        new("own content item of the owner's content type", (c, api, own) => api.PostAsJsonAsync($"/api/websites/{own}/content-items", new { contentTypeId = c.Website.Type.Id, data = new { title = "x" } }), Invalid),
        new("legacy migration for the owner's account", (c, api, own) =>
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("""{"theme":"dark"}""")), "files", "localStorage.json" } };
            return api.PostAsync($"/api/migrations/legacy?mode=dry-run&userId={c.OwnerUser.Id}", form);
        }, [403, 404]), // only admins migrate for someone else, whoever is named
    ];

    public static TheoryData<string> Names() => [.. Probes().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Another_users_id_inside_a_request_is_refused_and_creates_nothing(string name)
    {
        var probe = Probes().Single(p => p.Name == name);
        var api = cast.Api(WalkCast.Other);
        var ownSite = (await (await api.PostAsJsonAsync("/api/websites", new { name = "Other's own", slug = $"other-own-{Guid.NewGuid():N}" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var before = await FootprintAsync(cast.OtherUser.Id);

        using var response = await probe.Send(cast, api, ownSite);
        var status = (int)response.StatusCode;
        Assert.True(probe.Refusals.Contains(status), $"{name}: {status} {await response.Content.ReadAsStringAsync()}");
        if (status == 404 && response.Content.Headers.ContentLength is > 0)
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, await FootprintAsync(cast.OtherUser.Id));
        // The owner's rows are what they were.
        Assert.Equal(0, await portal.WithDbAsync(db => db.Set<Asset>().CountAsync(a => a.OwnerId != cast.OwnerUser.Id && (a.WebsiteId == cast.Website.Id || a.ProjectId == cast.Project))));
    }

    /// <summary>What the user has that these probes could create: uploads, grants, assets, chat sessions filed under a project, migrations, import jobs.</summary>
    private Task<string> FootprintAsync(Guid user) => portal.WithDbAsync(async db =>
        string.Join(',',
            await db.Set<Upload>().CountAsync(u => u.OwnerId == user),
            await db.Set<UploadGrant>().CountAsync(g => g.UserId == user),
            await db.Set<Asset>().CountAsync(a => a.OwnerId == user),
            await db.Set<ChatSession>().CountAsync(s => s.UserId == user && s.ProjectId != null),
            await db.Set<Catalyst.Data.LegacyImport.LegacyImportMigration>().CountAsync(m => m.OwnerId == cast.OwnerUser.Id && m.RequestedById == user),
            await db.JobRuns.CountAsync(r => r.RequestedById == user && r.Kind == WebsiteImportJob.Kind)));
}
